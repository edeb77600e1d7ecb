package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/galeraflow/galeraflow/inventory"
	"github.com/galeraflow/galeraflow/playbook"
)

// The changing commands: run (and plan, its dry run).

func runCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "run the inventory's playbook (default: enable TLS for SST, replication and clients)",
		ArgsUsage: "INVENTORY",
		Description: "run connects to every node, checks that the cluster is healthy, plans every step\n" +
			"(file diffs, SQL, service actions) and then applies the plan. Nothing is changed\n" +
			"unless every node is reachable and every step planned without error. With\n" +
			"--dry-run it prints the plan and changes nothing.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "print the plan (diffs, SQL with secrets masked, restart decision) and change nothing"},
			&cli.StringFlag{Name: "playbook", Usage: "a built-in playbook name or a playbook file, instead of the inventory's"},
			&cli.StringFlag{Name: "lock-dir", Usage: "directory of the lock files that keep two runs off one cluster (default: the temp dir)", EnvVars: []string{"GALERAFLOW_LOCK_DIR"}},
		},
		Action: func(c *cli.Context) error {
			return execute(c, e, c.Bool("dry-run"))
		},
	}
}

func planCommand(e env) *cli.Command {
	cmd := runCommand(e)
	cmd.Name = "plan"
	cmd.Usage = "print what run would do (same as run --dry-run)"
	cmd.Description = "plan is run --dry-run: per node and step the file diffs, SQL (secrets masked)\n" +
		"and service actions, and whether the cluster would restart and why. It changes nothing."
	cmd.Flags = cmd.Flags[1:]
	cmd.Action = func(c *cli.Context) error { return execute(c, e, true) }
	return cmd
}

func execute(c *cli.Context, e env, dryRun bool) error {
	_, err := executeWith(c, e, dryRun, runSpec{})
	return err
}

// runSpec lets the other changing commands (restart, recover) share
// execute: their own playbook, and more output after the report.
type runSpec struct {
	// playbook builds the playbook; nil takes the inventory's (or --playbook's).
	playbook func(*inventory.Inventory) (*playbook.Playbook, error)
	// json is what --output json prints; nil prints the report.
	json func(*playbook.Report) any
	// text prints after renderRun; nil prints nothing more.
	text func(io.Writer, *playbook.Report)
}

// executeWith runs one playbook and prints its report; the report is nil
// when the run never started (bad arguments or inventory).
func executeWith(c *cli.Context, e env, dryRun bool, spec runSpec) (*playbook.Report, error) {
	inv, log, err := openInventory(c, e)
	if err != nil {
		return nil, err
	}
	var pb *playbook.Playbook
	if spec.playbook != nil {
		pb, err = spec.playbook(inv)
	} else {
		name := inv.Playbook
		if p := c.String("playbook"); p != "" {
			name = p
		}
		pb, err = playbook.Resolve(name, inv.Dir)
	}
	if err != nil {
		return nil, err
	}
	prog := newProgress(e.stderr, e.interactive && !wantJSON(c))
	report, err := playbook.Execute(c.Context, inv, pb, playbook.Options{
		DryRun:  dryRun,
		Dial:    playbook.SSHDialer(log, nil),
		Log:     log,
		Observe: prog.observe,
		LockDir: c.String("lock-dir"),
		What:    c.Command.Name,
	})
	var doc any = report
	if spec.json != nil {
		doc = spec.json(report)
	}
	werr := writeResult(e.stdout, wantJSON(c), doc, func(w io.Writer) {
		renderRun(w, report)
		if spec.text != nil {
			spec.text(w, report)
		}
	})
	if werr != nil {
		return report, werr
	}
	return report, err
}

// renderRun prints the plan (dry run) or the outcome of a run.
func renderRun(w io.Writer, r *playbook.Report) {
	verb := "applied"
	if r.DryRun {
		verb = "plan"
	}
	fmt.Fprintf(w, "%s %s on cluster %s\n", r.Playbook, verb, r.Cluster)
	lastStep := -1
	for _, s := range r.Steps {
		if s.Index != lastStep {
			fmt.Fprintf(w, "\n[%s]\n", s.Step)
			lastStep = s.Index
		}
		where := s.Node
		if where == "" {
			where = "cluster"
		}
		summary := ""
		if s.Change != nil {
			summary = s.Change.Summary
		}
		fmt.Fprintf(w, "  %-8s %-9s %s\n", where, s.Status, summary)
		if s.Error != "" {
			fmt.Fprintf(w, "           error: %s\n", indent(s.Error, "           "))
		}
		if s.Change == nil || !s.Change.Changed {
			continue
		}
		for _, a := range s.Change.Actions {
			fmt.Fprintf(w, "           - %s\n", a)
		}
		for _, q := range s.Change.SQL {
			fmt.Fprintf(w, "           sql> %s\n", indent(q, "                "))
		}
		for _, d := range s.Change.Diffs {
			if d.Note != "" {
				fmt.Fprintf(w, "           %s: %s\n", d.Path, d.Note)
			}
			if d.Diff != "" {
				fmt.Fprintf(w, "%s", indent("           "+strings.TrimRight(d.Diff, "\n"), "           ")+"\n")
			}
		}
	}
	fmt.Fprintln(w)
	if r.Restart != nil {
		if r.Restart.Needed {
			fmt.Fprintf(w, "restart: needed (stop every node, bootstrap one, join the others) because:\n")
			for _, why := range r.Restart.Why {
				fmt.Fprintf(w, "  - %s\n", why)
			}
		} else if !restartsCluster(r) {
			fmt.Fprintln(w, "restart: not needed")
		}
	}
	if len(r.Nodes) > 0 && !r.DryRun {
		renderNodeSummary(w, r.Nodes)
	}
	fmt.Fprintf(w, "result: %s", r.Result)
	if !r.Changed() && r.Result == "ok" {
		fmt.Fprint(w, " (nothing to change)")
	}
	fmt.Fprintln(w)
}

// restartsCluster: the run is itself a restart or recovery, about which
// "restart: not needed" (no other change needs one) would mislead.
func restartsCluster(r *playbook.Report) bool {
	for _, s := range r.Steps {
		if (s.Step == "restart" || s.Step == "recover") && s.Status != playbook.StatusUnchanged {
			return true
		}
	}
	return false
}

// renderNodeSummary is the closing table of a run: where each node stands.
func renderNodeSummary(w io.Writer, nodes []*playbook.Facts) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tSTATE\tSIZE\tTLS SERVER\tTLS REPLICATION\tSST METHOD")
	for _, f := range nodes {
		if f == nil {
			continue
		}
		if f.ServerVersion == "" {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\n", f.Node, unreachableLabel(f))
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", f.Node, f.Wsrep.LocalStateComment, f.Wsrep.ClusterSize,
			onOff(f.TLS.Server), onOff(f.TLS.Replication), f.SSTMethod)
	}
	tw.Flush()
}

func indent(s, prefix string) string {
	return strings.ReplaceAll(s, "\n", "\n"+prefix)
}

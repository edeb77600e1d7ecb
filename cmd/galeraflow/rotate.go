package main

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/galeraflow/galeraflow/playbook"
)

// `galeraflow rotate`: the cron-friendly certificate rotation.

func rotateCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "rotate",
		Usage:     "put the inventory's certificates on the nodes, without downtime where Galera allows it",
		ArgsUsage: "INVENTORY",
		Description: "rotate does nothing (one line, exit 0) unless a node's certificate expires within\n" +
			"--days or differs from the inventory's files. Then it takes the lightest safe path:\n" +
			"  same CA   node by node: replace the files atomically at the same paths, reload them\n" +
			"            live (FLUSH LOCAL SSL; socket.ssl_reload=1 on Galera 26.4.8+), check from\n" +
			"            TLS clients that the node presents the new certificate and that the\n" +
			"            cluster stays Primary with every node Synced. Where the versions cannot\n" +
			"            reload, each node is restarted in turn instead.\n" +
			"  new CA    the same in three phases: every node trusts the old and the new CA, then\n" +
			"            the new node certificates, then the new CA only, verified after each.\n" +
			"  full      expired certificates or new file paths: the stop-all, bootstrap-first\n" +
			"            restart, after confirmation (--yes for cron).\n" +
			"--dry-run shows the path and why. With --renew, due certificates that the inventory\n" +
			"has no newer ones for are reissued with the inventory's CA key first.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "show the path the rotation would take and why, and change nothing"},
			&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "allow the full stop-all restart without asking (for cron)"},
			&cli.IntFlag{Name: "days", Value: 30, Usage: "rotate certificates that expire within this many days"},
			&cli.BoolFlag{Name: "renew", Usage: "issue new node certificates with the inventory's CA key when they are due"},
			&cli.StringFlag{Name: "ca-key", Usage: "the CA key for --renew (default: next to the CA file, ca.pem → ca-key.pem)"},
			&cli.IntFlag{Name: "cert-days", Value: 825, Usage: "lifetime of certificates issued by --renew, in days"},
			&cli.BoolFlag{Name: "restart-nodes", Usage: "restart the nodes one at a time instead of reloading their TLS live"},
			&cli.StringFlag{Name: "metrics-file", Usage: "write a Prometheus textfile (node_exporter) with days to expiry per node and the result of the run"},
			lockDirFlag(),
		},
		Action: func(c *cli.Context) error { return rotate(c, e) },
	}
}

func rotate(c *cli.Context, e env) error {
	if c.Int("days") < 0 || c.Int("cert-days") < 1 {
		return fmt.Errorf("%w: --days must not be negative and --cert-days must be at least 1", errUsage)
	}
	dry, yes := c.Bool("dry-run"), c.Bool("yes")
	step := playbook.Rotate{
		RenewWithin:      time.Duration(c.Int("days")) * 24 * time.Hour,
		Renew:            c.Bool("renew"),
		CAKey:            c.String("ca-key"),
		Lifetime:         time.Duration(c.Int("cert-days")) * 24 * time.Hour,
		RestartNodes:     c.Bool("restart-nodes"),
		AllowFullRestart: yes,
	}
	started := time.Now()
	report, err := executeRotate(c, e, dry, step)
	if errors.Is(err, playbook.ErrConfirmationNeeded) && e.interactive && !dry {
		// Show the full plan, ask, then run again pinned to that path.
		if _, perr := executeRotate(c, e, true, step); perr != nil {
			return perr
		}
		ok, cerr := confirm(e, "Stop every node, then bootstrap one and start the others? [y/N] ")
		if cerr != nil {
			return cerr
		}
		if !ok {
			return errors.New("rotation not confirmed: nothing was changed")
		}
		step.AllowFullRestart, step.ExpectPath = true, playbook.PathFullRestart
		report, err = executeRotate(c, e, false, step)
	}
	if errors.Is(err, playbook.ErrConfirmationNeeded) {
		err = fmt.Errorf("%w: %v; confirm on a terminal, or pass --yes (see the plan with --dry-run)", errUsage, err)
	}
	if path := c.String("metrics-file"); path != "" && !dry {
		if merr := writeRotateMetrics(path, report, err, started); merr != nil {
			err = errors.Join(err, merr)
		}
	}
	return err
}

// executeRotate runs the rotate playbook and prints its outcome: one line
// when there was nothing to do (cron mails stay short), else the plan or
// the run, the path and the per-node table.
func executeRotate(c *cli.Context, e env, dry bool, step playbook.Rotate) (*playbook.Report, error) {
	inv, log, err := openInventory(c, e)
	if err != nil {
		return nil, err
	}
	opts := playbook.Options{
		DryRun: dry, Dial: playbook.SSHDialer(log, nil), Log: log,
		LockDir: c.String("lock-dir"), What: "rotate",
	}
	// Progress only on a terminal: from cron, a run with nothing to do
	// prints its one line and nothing else.
	if e.interactive && !wantJSON(c) {
		opts.Observe = newProgress(e.stderr, true).observe
	}
	report, err := playbook.Execute(c.Context, inv, playbook.RotatePlaybook(step), opts)
	werr := writeResult(e.stdout, wantJSON(c), withRotation(report), func(w io.Writer) {
		if !isNoOp(report) {
			renderRun(w, report)
		}
		renderRotation(w, report)
	})
	if werr != nil {
		return report, werr
	}
	return report, err
}

// isNoOp: a rotation that found nothing to do prints one line.
func isNoOp(r *playbook.Report) bool {
	rot := playbook.RotationOf(r)
	return r != nil && r.Result == "ok" && rot != nil && rot.Path == playbook.PathNone
}

// withRotation is rotate's JSON document: the report and the rotation.
func withRotation(r *playbook.Report) any {
	return struct {
		*playbook.Report
		Rotation *playbook.Rotation `json:"rotation,omitempty"`
	}{r, playbook.RotationOf(r)}
}

// renderRotation prints the path, the phases and the per-node outcome.
func renderRotation(w io.Writer, r *playbook.Report) {
	rot := playbook.RotationOf(r)
	if rot == nil {
		return
	}
	if rot.Path == playbook.PathNone {
		fmt.Fprintf(w, "rotate: nothing to do: %s\n", rot.Reason)
		return
	}
	fmt.Fprintf(w, "\npath: %s", rot.Path)
	if rot.Method != "" {
		fmt.Fprintf(w, " (%s)", rot.Method)
	}
	fmt.Fprintf(w, ": %s\n", rot.Reason)
	if rot.MethodReason != "" {
		fmt.Fprintf(w, "method: %s\n", rot.MethodReason)
	}
	if r.DryRun {
		return
	}
	for i, ph := range rot.Phases {
		state := "not done"
		if ph.Done {
			state = "done"
		}
		fmt.Fprintf(w, "phase %d %s: %s %s\n", i+1, ph.Name, state, seconds(ph.Duration))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tSERIAL BEFORE\tSERVED AFTER\tDAYS LEFT\tTOOK")
	for _, n := range rot.Nodes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", n.Node, orDash(n.Served), orDash(n.After), n.DaysLeft, seconds(n.Took))
	}
	tw.Flush()
	fmt.Fprintf(w, "rotation: %s in %s\n", rot.Path, seconds(rot.Duration))
}

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/galeraflow/galeraflow/inventory"
	"github.com/galeraflow/galeraflow/playbook"
)

// The cluster restart and the recovery after a total crash.

func restartCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "restart",
		Usage:     "restart the whole cluster: stop every node one at a time, bootstrap the last one stopped, start the others",
		ArgsUsage: "INVENTORY",
		Description: "restart checks that every node is reachable, Primary and Synced with one state uuid,\n" +
			"then stops the nodes one at a time (the bootstrap node last: Galera marks it\n" +
			"safe_to_bootstrap), confirms the choice from every grastate.dat (mysqld\n" +
			"--wsrep-recover where seqno is -1), bootstraps that one node and starts the\n" +
			"others one at a time, each until Synced. It never bootstraps a second node. If a\n" +
			"node fails, it stops at once and says where every node stands and what to do next.\n" +
			"With --dry-run it prints the stop order and the bootstrap choice and stops nothing.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "print the stop order and the bootstrap choice, and change nothing"},
			&cli.StringFlag{Name: "bootstrap-node", Usage: "the node to stop last and bootstrap (default: the last node of the inventory)"},
			lockDirFlag(),
		},
		Action: func(c *cli.Context) error {
			node := c.String("bootstrap-node")
			_, err := executeWith(c, e, c.Bool("dry-run"), runSpec{
				playbook: func(inv *inventory.Inventory) (*playbook.Playbook, error) {
					if node != "" && !hasNode(inv, node) {
						return nil, fmt.Errorf("%w: --bootstrap-node %q is not in the inventory (nodes: %s)", errUsage, node, strings.Join(nodeNames(inv), ", "))
					}
					return playbook.RestartPlaybook(node), nil
				},
				json: withOutcome,
				text: renderOutcome,
			})
			return err
		},
	}
}

func recoverCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "recover",
		Usage:     "bring back a cluster whose every node is down: bootstrap the most advanced node, start the others",
		ArgsUsage: "INVENTORY",
		Description: "recover is the runbook for a cluster that is down everywhere (power loss, every\n" +
			"node crashed). It needs every node reachable over SSH and no server running: if a\n" +
			"Primary component still runs, start the stopped nodes instead (they join it); a\n" +
			"running node outside a Primary component must be stopped first. recover reads\n" +
			"every grastate.dat, runs mysqld --wsrep-recover where seqno is -1, shows the\n" +
			"bootstrap choice and its reason, and asks for confirmation (--yes for scripts;\n" +
			"without a terminal and without --yes it refuses). Then it sets safe_to_bootstrap\n" +
			"on the chosen node only, bootstraps it and starts the others one at a time.\n" +
			"The inventory must name its flavor: it cannot be detected with every server down.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "print every node's position and the bootstrap choice, and start nothing (positions still need mysqld --wsrep-recover, which runs InnoDB recovery as every start does)"},
			&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "do not ask for confirmation"},
			lockDirFlag(),
		},
		Action: func(c *cli.Context) error {
			dry, yes := c.Bool("dry-run"), c.Bool("yes")
			spec := func(expect string) runSpec {
				return runSpec{
					playbook: func(*inventory.Inventory) (*playbook.Playbook, error) { return playbook.RecoverPlaybook(expect), nil },
					json:     withOutcome,
					text:     renderOutcome,
				}
			}
			if dry || yes {
				_, err := executeWith(c, e, dry, spec(""))
				return err
			}
			if !e.interactive {
				return fmt.Errorf("%w: recover bootstraps a node: confirm on a terminal, or pass --yes (see the choice first with --dry-run)", errUsage)
			}
			// Plan, ask, then run again pinned to the confirmed node: the
			// plan of the second run refuses if the choice changed meanwhile.
			report, err := executeWith(c, e, true, spec(""))
			if err != nil {
				return err
			}
			out := playbook.RestartOutcomeOf(report)
			if out == nil || out.Decision == nil {
				return errors.New("recover: the plan made no bootstrap choice")
			}
			ok, err := confirm(e, fmt.Sprintf("Bootstrap %s and start the other nodes one at a time? [y/N] ", out.Decision.Node))
			if err != nil {
				return err
			}
			if !ok {
				return errors.New("recover not confirmed: nothing was changed")
			}
			_, err = executeWith(c, e, false, spec(out.Decision.Node))
			return err
		},
	}
}

func lockDirFlag() cli.Flag {
	return &cli.StringFlag{Name: "lock-dir", Usage: "directory of the lock files that keep two runs off one cluster (default: the temp dir)", EnvVars: []string{"GALERAFLOW_LOCK_DIR"}}
}

// confirm asks on stderr and reads one answer line from stdin.
func confirm(e env, question string) (bool, error) {
	fmt.Fprint(e.stderr, question)
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read the answer: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

func hasNode(inv *inventory.Inventory, name string) bool {
	for _, n := range inv.Nodes {
		if n.Name == name {
			return true
		}
	}
	return false
}

func nodeNames(inv *inventory.Inventory) []string {
	names := make([]string, len(inv.Nodes))
	for i, n := range inv.Nodes {
		names[i] = n.Name
	}
	return names
}

// withOutcome is the JSON document of restart and recover: the run's
// report with the outcome (stop order, choice, per-node state and times).
func withOutcome(r *playbook.Report) any {
	return struct {
		*playbook.Report
		Outcome *playbook.RestartOutcome `json:"outcome,omitempty"`
	}{r, playbook.RestartOutcomeOf(r)}
}

// renderOutcome prints the bootstrap choice and the final per-node table.
func renderOutcome(w io.Writer, r *playbook.Report) {
	out := playbook.RestartOutcomeOf(r)
	if out == nil {
		return
	}
	if out.Decision != nil {
		fmt.Fprintf(w, "\nbootstrap: %s\n", out.Decision.Reason)
	}
	if r.DryRun || out.Phase == "planned" {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tROLE\tSTOPPED\tSTOP\tSTART\tPOSITION\tNOW")
	for _, n := range out.Nodes {
		stopped := "-"
		if n.StopOrder > 0 {
			stopped = ordinal(n.StopOrder)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n.Node, orDash(n.Role), stopped,
			seconds(n.StopTime), seconds(n.StartTime), orDash(shortPosition(n.Position)), n.Standing())
	}
	tw.Flush()
	for _, note := range out.Notes {
		fmt.Fprintf(w, "note: %s\n", note)
	}
	fmt.Fprintf(w, "%s: %s in %s\n", out.Kind, out.Phase, seconds(out.Duration))
}

// shortPosition drops the cluster uuid (one for all nodes) from "uuid:seqno (...)".
func shortPosition(p string) string {
	if u, rest, ok := strings.Cut(p, ":"); ok && len(u) == 36 {
		return "seqno " + rest
	}
	return p
}

func seconds(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func ordinal(n int) string {
	switch {
	case n%100 >= 11 && n%100 <= 13:
		return fmt.Sprintf("%dth", n)
	case n%10 == 1:
		return fmt.Sprintf("%dst", n)
	case n%10 == 2:
		return fmt.Sprintf("%dnd", n)
	case n%10 == 3:
		return fmt.Sprintf("%drd", n)
	}
	return fmt.Sprintf("%dth", n)
}

package playbook

import (
	"fmt"
	"strings"
)

// nextAction tells the operator what to do after a run that stopped early.
func (r *restarter) nextAction() string {
	var up, down []string
	var failed []*NodeOutcome
	for _, n := range r.out.Nodes {
		switch n.State {
		case NodeRunning, NodeBootstrapped, NodeJoined:
			up = append(up, n.Node)
		case NodeFailed:
			failed = append(failed, n)
			if !n.Alive {
				down = append(down, n.Node)
			}
		default:
			down = append(down, n.Node)
		}
	}
	inv := r.run.Inv.File
	if r.out.Phase == "verifying" {
		return fmt.Sprintf("every node was started, but the cluster is not as expected: run `galeraflow status %s` and look at the nodes named above", inv)
	}
	if len(up) == 0 {
		var b strings.Builder
		b.WriteString("every node is stopped")
		for _, f := range failed {
			if f.Alive {
				fmt.Fprintf(&b, " except %s, whose mysqld still runs but is not a Synced member: stop it (`%s`)", f.Node, r.run.Target(f.Node).Node.Service.Stop)
			}
		}
		fmt.Fprintf(&b, "; fix the cause above, then run `galeraflow recover %s`: it reads every node's position, bootstraps the most advanced node and starts the others", inv)
		return b.String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the cluster runs on %s; do not bootstrap again. ", joinNames(up))
	for _, f := range failed {
		if f.Alive {
			fmt.Fprintf(&b, "%s's mysqld still runs but is not a Synced member: if it does not become one, stop it (`%s`). ", f.Node, r.run.Target(f.Node).Node.Service.Stop)
		}
		fmt.Fprintf(&b, "Fix what kept %s from %s (its error above). ", f.Node, failedWhat(r.out.Phase))
	}
	if len(down) > 0 {
		var cmds []string
		for _, name := range down {
			cmds = append(cmds, fmt.Sprintf("%s (`%s`)", name, r.run.Target(name).Node.Service.Start))
		}
		fmt.Fprintf(&b, "Start %s one at a time with the start command, each until Synced: it joins the running cluster.", strings.Join(cmds, ", "))
	}
	if r.out.Kind == "restart" && r.out.Phase == "stopping" {
		fmt.Fprintf(&b, " Then, with every node Synced, run `galeraflow restart %s` again.", inv)
	}
	return strings.TrimSpace(b.String())
}

func failedWhat(phase string) string {
	if phase == "stopping" {
		return "stopping"
	}
	return "starting"
}

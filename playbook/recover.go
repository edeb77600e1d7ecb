package playbook

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNotDown: recover was asked for a cluster where a server still runs.
var ErrNotDown = errors.New("a server is still running")

// Recover brings back a cluster whose every server is down (power loss,
// every node crashed): read every node's position (grastate.dat, or
// --wsrep-recover where it says -1), choose the most advanced node with
// galera.ChooseBootstrap, mark it safe_to_bootstrap (that node only),
// bootstrap it, start the others one at a time, verify.
//
// It refuses while any server runs. A running Primary component is a
// cluster, not a crash: its stopped nodes only need a plain start (they
// join it), and bootstrapping another node would split the cluster. A
// running non-Primary node must be stopped first so its position is saved
// and compared with the others.
type Recover struct {
	// Expect, when set, is the node the operator confirmed: the plan
	// refuses if the positions now choose another one.
	Expect string
	every  time.Duration
}

func (Recover) Name() string { return "recover" }
func (Recover) Scope() Scope { return Once }

// RecoverPlaybook is the `galeraflow recover` playbook: no healthy-cluster
// preflight (the cluster is down by definition); the step checks instead
// that every node is reachable and no server runs.
func RecoverPlaybook(expect string) *Playbook {
	return &Playbook{Name: "recover", Steps: []Step{Recover{Expect: expect}}}
}

func (s Recover) Plan(ctx context.Context, run *Run, _ *Target) (*Change, error) {
	if err := checkAllDown(ctx, run, true); err != nil {
		return nil, err
	}
	if err := checkServices(run); err != nil {
		return nil, err
	}
	if err := checkStartConfigs(ctx, run); err != nil {
		return nil, err
	}
	pos, d, err := readPositions(ctx, run, run.Targets)
	if err != nil {
		return nil, err
	}
	if s.Expect != "" && d.Node != s.Expect {
		return nil, fmt.Errorf("the positions now choose %s, not %s as confirmed (%s): nothing was changed; run recover again and check the choice", d.Node, s.Expect, d.Reason)
	}
	out := newOutcome("recover", run.Targets)
	out.Expected, out.Decision = d.Node, &d
	for i, p := range pos {
		out.Nodes[i].Position = positionText(p)
	}
	boot := run.Targets[d.Index]
	var a []string
	for _, line := range decisionLines(d) {
		a = append(a, "position "+line)
	}
	if d.Tie {
		a = append(a, "tie: several nodes are equally advanced; the first in inventory order was taken")
	}
	if g := pos[d.Index].state.State; g == nil || g.Seqno < 0 || !g.HasSafeToBootstrap || !g.SafeToBootstrap {
		a = append(a, fmt.Sprintf("set safe_to_bootstrap: 1 in %s on %s (that node only)", graPath(boot), d.Node))
	}
	a = append(a, fmt.Sprintf("bootstrap %s with `%s`, wait (up to %s) for Primary and Synced", d.Node, boot.Node.Service.Bootstrap, run.Inv.Timeouts.Start))
	a = append(a, joinActions(run, d.Node)...)
	var others []string
	for _, t := range run.Targets {
		if t != boot {
			others = append(others, t.Node.Name)
		}
	}
	summary := fmt.Sprintf("bootstrap %s — %s", d.Node, d.Reason)
	if len(others) > 0 {
		summary += "; then start " + joinNames(others) + " one at a time"
	}
	return &Change{
		Changed: true,
		Summary: summary,
		Actions: a,
		Data:    &restartPlan{out: out, positions: pos, decision: &d},
	}, nil
}

func (s Recover) Apply(ctx context.Context, run *Run, _ *Target, c *Change) error {
	plan := c.Data.(*restartPlan)
	r := newRestarter(run, plan.out, s.every)
	start := time.Now()
	defer func() { r.out.Duration = time.Since(start) }()
	// A server may have been started by hand since the plan.
	if err := checkAllDown(ctx, run, false); err != nil {
		return fmt.Errorf("nothing was changed: %w", err)
	}
	return r.startCluster(ctx, plan.positions, *plan.decision)
}

// checkAllDown refuses when any node's server runs. With useFacts, a node
// whose preflight facts show a server answering SQL counts as running
// without another look; every other node is checked for a mysqld process
// (one may run without answering: starting, hung, or in recovery).
func checkAllDown(ctx context.Context, run *Run, useFacts bool) error {
	type seen struct {
		primary, other string // "n1 (Synced, Primary, size 1)"
		err            error
	}
	found := make([]seen, len(run.Targets))
	_ = ForEach(ctx, len(run.Targets), run.Inv.Concurrency, func(ctx context.Context, i int) error {
		t := run.Targets[i]
		if f := t.Facts; useFacts && f != nil {
			if f.ServerVersion != "" {
				desc := fmt.Sprintf("%s (%s)", t.Node.Name, describeStatus(f.Wsrep))
				if f.Wsrep.ClusterStatus == "Primary" {
					found[i].primary = desc
				} else {
					found[i].other = fmt.Sprintf("%s, stop command `%s`", desc, t.Node.Service.Stop)
				}
				return nil
			}
			if f.Err != nil && !errors.Is(f.Err, ErrDegraded) {
				found[i].err = f.Err // no sudo, or another problem than a stopped server
				return nil
			}
		}
		pids, err := serverPIDs(ctx, t, run.Inv.Timeouts.Command)
		switch {
		case err != nil:
			found[i].err = fmt.Errorf("%s: %w", t.Node.Name, err)
		case len(pids) > 0:
			found[i].other = fmt.Sprintf("%s (mysqld pid %s runs but does not answer SQL: starting, hung or in recovery), stop command `%s`", t.Node.Name, joinInts(pids), t.Node.Service.Stop)
		}
		return nil
	})
	var errs []error
	var primary, other, stopped []string
	for i, f := range found {
		switch {
		case f.err != nil:
			errs = append(errs, f.err)
		case f.primary != "":
			primary = append(primary, f.primary)
		case f.other != "":
			other = append(other, f.other)
		default:
			stopped = append(stopped, run.Targets[i].Node.Name)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if len(primary)+len(other) == 0 {
		return nil
	}
	if len(other) == 0 && len(stopped) == 0 {
		return fmt.Errorf("%w: every node runs in a Primary component (%s): the cluster is up and there is nothing to recover; `galeraflow restart` restarts it", ErrNotDown, joinNames(primary))
	}
	var b strings.Builder
	b.WriteString("recover is for a cluster whose every server is stopped, and a server runs:")
	if len(primary) > 0 {
		fmt.Fprintf(&b, "\n  %s: a Primary component is up, so the cluster is not down; bootstrapping another node would split it.", joinNames(primary))
		if len(stopped) > 0 {
			fmt.Fprintf(&b, " Start %s one at a time with the start command (`%s`): each joins the running component.",
				joinNames(stopped), run.Target(stopped[0]).Node.Service.Start)
		}
		b.WriteString(" Once every node is Synced, `galeraflow restart` restarts the whole cluster.")
	}
	if len(other) > 0 {
		for _, o := range other {
			fmt.Fprintf(&b, "\n  %s: not part of a Primary component; stop it so its position is saved, then run recover again.", o)
		}
	}
	return fmt.Errorf("%w: %s", ErrNotDown, b.String())
}

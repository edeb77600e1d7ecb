package playbook

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/galeraflow/galeraflow/playbook/galera"
)

// restartPlan is the Data of a restart or recover Change: what Plan
// decided, and the outcome Apply fills in (the CLI reads it back from the
// report with RestartOutcomeOf).
type restartPlan struct {
	out *RestartOutcome
	// recover only: the positions and choice made at plan time.
	positions []nodePosition
	decision  *galera.Decision
}

// restarter carries one restart or recovery through its phases and keeps
// the outcome current, so that a failure at any point can say where every
// node stands and what to do next.
type restarter struct {
	run   *Run
	out   *RestartOutcome
	every time.Duration
	// logs are the nodes' error logs, from their option files, and how
	// far each had grown before galeraflow started the node.
	logs map[string]errorLog
}

// errorLog is a node's error log and its size before a start, so a failure
// report shows what this start wrote, not an older failure's lines.
type errorLog struct {
	path string
	from int64
}

func newRestarter(run *Run, out *RestartOutcome, every time.Duration) *restarter {
	if every <= 0 {
		every = defaultPollEvery
	}
	return &restarter{run: run, out: out, every: every, logs: map[string]errorLog{}}
}

// fail ends the run with cause and the account of every node.
func (r *restarter) fail(cause error) error {
	r.recheckStarted()
	r.out.Next = r.nextAction()
	return &RestartError{Cause: cause, Outcome: r.out}
}

// recheckStarted looks again at the nodes this run bootstrapped or joined
// before it failed: one may have died since (a bootstrap node killed while
// the next node joined it), and the advice must not send the operator to a
// cluster that is gone.
func (r *restarter) recheckStarted() {
	for _, t := range r.run.Targets {
		n := r.out.Node(t.Node.Name)
		if n.State != NodeBootstrapped && n.State != NodeJoined {
			continue
		}
		// The run's own context may be cancelled (Ctrl-C): this look is
		// part of stopping safely.
		ctx, cancel := context.WithTimeout(context.Background(), r.run.Inv.Timeouts.Command)
		st, err := wsrepStatus(ctx, t, r.run.Inv.Timeouts.Command)
		if err == nil && st.ClusterStatus == "Primary" {
			n.Wsrep = describeStatus(st)
			cancel()
			continue
		}
		was := n.State
		n.State, n.Alive = NodeFailed, r.alive(ctx, t)
		cancel()
		if err != nil {
			n.Error = fmt.Sprintf("%s: %s by this run, then lost: %v", t.Node.Name, was, err)
		} else {
			n.Wsrep = describeStatus(st)
			n.Error = fmt.Sprintf("%s: %s by this run, now outside a Primary component", t.Node.Name, was)
		}
		t.Log.Warn("a node this run started is no longer a Primary member", "state", n.Standing())
	}
}

// interrupted stops the run between node operations after the first Ctrl-C.
func (r *restarter) interrupted(before string) error {
	if !r.run.Interrupted() {
		return nil
	}
	return r.fail(fmt.Errorf("%w before %s: stopped at a safe point", ErrInterrupted, before))
}

// stopAll stops the nodes one at a time in order, each until its server is
// gone. Galera marks the last node to leave safe_to_bootstrap.
func (r *restarter) stopAll(ctx context.Context, order []string) error {
	r.out.Phase = "stopping"
	for i, name := range order {
		if err := r.interrupted("stopping " + name); err != nil {
			return err
		}
		t, n := r.run.Target(name), r.out.Node(name)
		t.Log.Info("stopping", "order", fmt.Sprintf("%d of %d", i+1, len(order)), "command", t.Node.Service.Stop)
		start := time.Now()
		err := stopNode(ctx, r.run, t, r.every)
		n.StopTime = time.Since(start)
		if err != nil {
			n.State, n.Error = NodeFailed, err.Error()
			n.Alive = r.alive(ctx, t)
			if !n.Alive {
				// The stop command failed but the server is gone: the node is
				// down, possibly not cleanly (recover reads its position).
				n.State = NodeStopped
			}
			return r.fail(err)
		}
		n.State, n.Alive, n.StopOrder, n.Wsrep = NodeStopped, false, i+1, ""
		t.Log.Info("stopped", "took", n.StopTime.Round(time.Millisecond))
	}
	return nil
}

// alive looks for a server process; when it cannot look, it assumes one
// runs (the cautious answer for the next-action advice).
func (r *restarter) alive(ctx context.Context, t *Target) bool {
	pids, err := serverPIDs(ctx, t, r.run.Inv.Timeouts.Command)
	return err != nil || len(pids) > 0
}

// choose reads every stopped node's position and picks the bootstrap node.
func (r *restarter) choose(ctx context.Context) ([]nodePosition, galera.Decision, error) {
	r.out.Phase = "choosing"
	pos, d, err := readPositions(ctx, r.run, r.run.Targets)
	r.notePositions(pos)
	if err != nil {
		return pos, d, r.fail(err)
	}
	r.out.Decision = &d
	r.run.Log.Info("bootstrap node chosen", "node", d.Node, "reason", d.Reason)
	return pos, d, nil
}

func (r *restarter) notePositions(pos []nodePosition) {
	for _, p := range pos {
		if n := r.out.Node(p.state.Name); n != nil {
			n.Position = positionText(p)
		}
	}
}

// startCluster bootstraps the chosen node, starts the others one at a
// time in inventory order, and verifies the whole cluster.
func (r *restarter) startCluster(ctx context.Context, pos []nodePosition, d galera.Decision) error {
	boot := r.run.Targets[d.Index]
	if err := r.interrupted("bootstrapping " + boot.Node.Name); err != nil {
		return err
	}
	r.out.Phase = "bootstrapping"
	uuid, err := r.bootstrap(ctx, boot, pos[d.Index])
	if err != nil {
		return r.fail(err)
	}
	r.out.Phase = "joining"
	members := 1
	for _, t := range r.run.Targets {
		if t == boot {
			continue
		}
		if err := r.interrupted("starting " + t.Node.Name); err != nil {
			return err
		}
		if err := r.join(ctx, t, members+1, uuid); err != nil {
			return r.fail(err)
		}
		members++
	}
	r.out.Phase = "verifying"
	if err := r.verify(ctx); err != nil {
		return r.fail(err)
	}
	r.out.Phase = "done"
	return nil
}

// verify checks the end state: every node a Synced member of one Primary
// component of the inventory's size with one state uuid.
func (r *restarter) verify(ctx context.Context) error {
	statuses := make([]galera.Status, len(r.run.Targets))
	errs := make([]error, len(r.run.Targets))
	_ = ForEach(ctx, len(r.run.Targets), r.run.Inv.Concurrency, func(ctx context.Context, i int) error {
		statuses[i], errs[i] = wsrepStatus(ctx, r.run.Targets[i], r.run.Inv.Timeouts.Command)
		return nil
	})
	m := map[string]galera.Status{}
	for i, t := range r.run.Targets {
		if errs[i] != nil {
			continue
		}
		m[t.Node.Name] = statuses[i]
		r.out.Node(t.Node.Name).Wsrep = describeStatus(statuses[i])
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if err := galera.CheckCluster(m, len(r.run.Targets)); err != nil {
		return fmt.Errorf("verify: %w: %w", ErrDegraded, err)
	}
	return nil
}

package playbook

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/playbook/galera"
	"github.com/galeraflow/galeraflow/remote"
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
	// logs are the nodes' error logs, from their option files.
	logs map[string]string
}

func newRestarter(run *Run, out *RestartOutcome, every time.Duration) *restarter {
	if every <= 0 {
		every = defaultPollEvery
	}
	return &restarter{run: run, out: out, every: every, logs: map[string]string{}}
}

// fail ends the run with cause and the account of every node.
func (r *restarter) fail(cause error) error {
	r.out.Next = r.nextAction()
	return &RestartError{Cause: cause, Outcome: r.out}
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

// bootstrap starts the one node that forms the new primary component. If
// it fails after this run changed its files, the files are restored and the
// same node bootstraps once more: every other node is still stopped, so
// this never makes a second cluster.
func (r *restarter) bootstrap(ctx context.Context, t *Target, p nodePosition) (string, error) {
	n := r.out.Node(t.Node.Name)
	n.Role = "bootstrap"
	uuid, err := r.bootstrapOnce(ctx, t, p)
	if err == nil {
		return uuid, nil
	}
	backups := r.run.Backups(t.Node.Name)
	if len(backups) == 0 {
		return "", err
	}
	if rerr := r.restore(ctx, t, backups); rerr != nil {
		return "", fmt.Errorf("%w; restoring the files this run changed failed: %w", err, rerr)
	}
	// The failed start may have marked the state as running (seqno -1):
	// read it again. It must still be the position that was chosen.
	again, perr := readPosition(ctx, r.run, t, p.state.Order)
	if perr != nil {
		return "", fmt.Errorf("%w; after restoring the files: %w", err, perr)
	}
	if !samePosition(p, again) {
		return "", fmt.Errorf("%w; after the failed start %s's position is %s, not %s as chosen: not bootstrapping again", err, t.Node.Name, positionText(again), positionText(p))
	}
	t.Log.Warn("bootstrapping again with the restored files")
	uuid, err2 := r.bootstrapOnce(ctx, t, again)
	if err2 != nil {
		return "", fmt.Errorf("%w; with the files restored, the bootstrap failed again: %w", err, err2)
	}
	r.out.Notes = append(r.out.Notes, fmt.Sprintf("%s bootstrapped only after its files were restored (this run's changes to it are undone)", t.Node.Name))
	return uuid, nil
}

// samePosition: b is a later reading of the node a was: same history, not behind.
func samePosition(a, b nodePosition) bool {
	ua, sa := effectivePosition(a)
	ub, sb := effectivePosition(b)
	return ua != "" && strings.EqualFold(ua, ub) && sb >= sa
}

func effectivePosition(p nodePosition) (string, int64) {
	s := p.state
	if s.State != nil && s.State.Seqno >= 0 {
		return s.State.UUID, s.State.Seqno
	}
	if s.Recovered != nil {
		return s.Recovered.UUID, s.Recovered.Seqno
	}
	return "", -1
}

// bootstrapOnce checks the node's configuration, marks it
// safe_to_bootstrap if needed, runs the bootstrap command and waits for a
// Synced primary component.
func (r *restarter) bootstrapOnce(ctx context.Context, t *Target, p nodePosition) (string, error) {
	n := r.out.Node(t.Node.Name)
	if err := r.checkConfig(ctx, t); err != nil {
		n.Error = err.Error()
		return "", err
	}
	marked, err := markSafeToBootstrap(ctx, r.run, t, p)
	if err != nil {
		n.Error = err.Error()
		return "", err
	}
	if marked {
		note := fmt.Sprintf("set safe_to_bootstrap: 1 in %s on %s", graPath(t), t.Node.Name)
		r.out.Notes = append(r.out.Notes, note)
		t.Log.Info(note)
	}
	t.Log.Info("bootstrapping", "command", t.Node.Service.Bootstrap)
	seen, took, err := r.startAndWait(ctx, t, "bootstrap", t.Node.Service.Bootstrap, func(s galera.Status) (bool, error) {
		return s.ClusterStatus == "Primary" && s.LocalState == galera.StateSynced, nil
	})
	n.StartTime = took
	if err != nil {
		r.markFailed(ctx, t, err)
		return "", err
	}
	n.State, n.Alive, n.Error, n.LogTail = NodeBootstrapped, true, "", ""
	n.Wsrep = describeStatus(seen)
	t.Log.Info("bootstrapped", "took", took.Round(time.Millisecond), "state_uuid", seen.ClusterStateUUID)
	if err := r.clearFlagFile(ctx, t); err != nil {
		return "", err
	}
	return seen.ClusterStateUUID, nil
}

// join starts one node and waits until it is Synced in a cluster of want
// members with the bootstrapped node's state uuid. After a failure that
// follows this run's changes to the node's files, it restores them and
// tries once more.
func (r *restarter) join(ctx context.Context, t *Target, want int, uuid string) error {
	n := r.out.Node(t.Node.Name)
	n.Role = "joiner"
	err := r.joinOnce(ctx, t, want, uuid)
	if err == nil {
		return nil
	}
	backups := r.run.Backups(t.Node.Name)
	if len(backups) == 0 {
		return err
	}
	if rerr := r.restore(ctx, t, backups); rerr != nil {
		return fmt.Errorf("%w; restoring the files this run changed failed: %w", err, rerr)
	}
	t.Log.Warn("starting again with the restored files")
	if err2 := r.joinOnce(ctx, t, want, uuid); err2 != nil {
		return fmt.Errorf("%w; with the files restored, it failed again: %w", err, err2)
	}
	r.out.Notes = append(r.out.Notes, fmt.Sprintf("%s joined only after its files were restored (this run's changes to it are undone)", t.Node.Name))
	return nil
}

func (r *restarter) joinOnce(ctx context.Context, t *Target, want int, uuid string) error {
	n := r.out.Node(t.Node.Name)
	if err := r.checkConfig(ctx, t); err != nil {
		n.Error = err.Error()
		return err
	}
	t.Log.Info("starting", "command", t.Node.Service.Start, "members", want)
	seen, took, err := r.startAndWait(ctx, t, "start", t.Node.Service.Start, func(s galera.Status) (bool, error) {
		if s.LocalState != galera.StateSynced || s.ClusterStatus != "Primary" {
			return false, nil
		}
		if uuid != "" && !strings.EqualFold(s.ClusterStateUUID, uuid) {
			return false, fmt.Errorf("it is Synced in another cluster (state uuid %s, the bootstrapped node has %s): stop it and check its wsrep_cluster_address", s.ClusterStateUUID, uuid)
		}
		return s.ClusterSize >= want, nil
	})
	n.StartTime = took
	if err != nil {
		r.markFailed(ctx, t, err)
		return err
	}
	n.State, n.Alive, n.Error, n.LogTail = NodeJoined, true, "", ""
	n.Wsrep = describeStatus(seen)
	t.Log.Info("joined", "took", took.Round(time.Millisecond), "size", seen.ClusterSize)
	return nil
}

// startAndWait runs a start or bootstrap command and waits until ok, both
// within the start timeout.
func (r *restarter) startAndWait(ctx context.Context, t *Target, what, command string, ok func(galera.Status) (bool, error)) (galera.Status, time.Duration, error) {
	timeout := r.run.Inv.Timeouts.Start
	start := time.Now()
	deadline := start.Add(timeout)
	var seen galera.Status
	err := serviceExec(ctx, t, what, command, timeout)
	if err == nil {
		var cond error
		err = waitMember(ctx, r.run, t, deadline, r.every, func(s galera.Status) bool {
			done, err := ok(s)
			cond = err
			return done || err != nil
		}, &seen)
		if err == nil && cond != nil {
			err = fmt.Errorf("%s: %w", t.Node.Name, cond)
		}
	}
	return seen, time.Since(start), err
}

// markFailed records a failed start with whatever the node can tell.
func (r *restarter) markFailed(ctx context.Context, t *Target, err error) {
	n := r.out.Node(t.Node.Name)
	n.State, n.Error = NodeFailed, err.Error()
	n.Alive = r.alive(ctx, t)
	n.LogTail = errorLogTail(ctx, r.run, t, r.logs[t.Node.Name], 12)
}

// checkConfig refuses to start a node whose option files would bootstrap
// it (read again before every start: an earlier step may have changed them).
func (r *restarter) checkConfig(ctx context.Context, t *Target) error {
	c, err := checkStartConfig(ctx, t, r.run.Inv.Timeouts.Command)
	if c.LogError != "" {
		r.logs[t.Node.Name] = c.LogError
	}
	return err
}

// clearFlagFile removes the bootstrap flag file galera_new_cluster leaves
// for the service while it starts the node, should it still be there: the
// node's next plain start would otherwise bootstrap a second cluster.
func (r *restarter) clearFlagFile(ctx context.Context, t *Target) error {
	ctx, cancel := context.WithTimeout(ctx, r.run.Inv.Timeouts.Command)
	defer cancel()
	if _, err := t.Host.Stat(ctx, newClusterFile); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("%s: look for %s: %w", t.Node.Name, newClusterFile, err)
	}
	if _, err := t.Host.Exec(ctx, "rm -f -- "+remote.ShellQuote(newClusterFile), remote.ExecOptions{Sudo: true}); err != nil {
		return fmt.Errorf("%s: remove the bootstrap flag %s: %w", t.Node.Name, newClusterFile, err)
	}
	r.out.Notes = append(r.out.Notes, fmt.Sprintf("removed %s on %s after the bootstrap", newClusterFile, t.Node.Name))
	return nil
}

// restore puts back the files this run changed on a failed node, after
// making sure its server is down.
func (r *restarter) restore(ctx context.Context, t *Target, backups []FileBackup) error {
	n := r.out.Node(t.Node.Name)
	t.Log.Warn("the node failed to start after this run changed its files: restoring them", "files", len(backups))
	if err := ensureStopped(ctx, r.run, t, r.every); err != nil {
		return err
	}
	n.Alive = false
	done, err := restoreBackups(ctx, t, backups, r.run.Inv.Timeouts.Command, r.run.now())
	n.Restored = append(n.Restored, done...)
	return err
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

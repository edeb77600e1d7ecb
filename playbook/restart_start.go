package playbook

// Starting the cluster again: the one bootstrap, the joins, and the retry
// with this run's files restored.

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
	first := keepFailure(n)
	uuid, err2 := r.bootstrapOnce(ctx, t, again)
	if err2 != nil {
		return "", fmt.Errorf("%w; with the files restored, the bootstrap failed again: %w", err, err2)
	}
	first(n)
	r.out.Notes = append(r.out.Notes, fmt.Sprintf("%s bootstrapped only after its files were restored (this run's changes to it are undone)", t.Node.Name))
	return uuid, nil
}

// keepFailure saves a node's first failure before the retry with its files
// restored, and returns what puts it back once the retry succeeded: the
// report must still say why this run's files did not work.
func keepFailure(n *NodeOutcome) func(*NodeOutcome) {
	msg, tail := n.Error, n.LogTail
	return func(n *NodeOutcome) {
		if msg != "" {
			n.Error = "with this run's files: " + msg
		}
		n.LogTail = tail
	}
}

// undone fails a restart in which some node came back only with its files
// as they were before the run: the cluster is whole again, but this run's
// changes to that node did not take, which the exit code must say.
func (r *restarter) undone() error {
	var names []string
	for _, n := range r.out.Nodes {
		if len(n.Restored) > 0 {
			names = append(names, n.Node)
		}
	}
	if len(names) == 0 {
		return nil
	}
	r.out.Next = fmt.Sprintf("the cluster is whole and every node Synced, but %s runs with the files it had before this run: fix what kept it from starting with the new ones (its error above), then run again", joinNames(names))
	return &RestartError{
		Cause:   fmt.Errorf("%w: %s started only with its previous files put back: this run's changes to it are undone", ErrPartial, joinNames(names)),
		Outcome: r.out,
	}
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
	first := keepFailure(n)
	if err2 := r.joinOnce(ctx, t, want, uuid); err2 != nil {
		return fmt.Errorf("%w; with the files restored, it failed again: %w", err, err2)
	}
	first(n)
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
		l := errorLog{path: resolveLogPath(t, c.LogError)}
		sctx, cancel := context.WithTimeout(ctx, r.run.Inv.Timeouts.Command)
		if fi, err := t.Host.Stat(sctx, l.path); err == nil {
			l.from = fi.Size
		}
		cancel()
		r.logs[t.Node.Name] = l
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

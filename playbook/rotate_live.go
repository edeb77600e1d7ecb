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

// rotator carries a rolling rotation (same CA or new CA) through its
// phases, one node at a time.
type rotator struct {
	run   *Run
	plan  *rotatePlan
	every time.Duration
}

func (x *rotator) target(name string) *rotTarget {
	for _, rt := range x.plan.targets {
		if rt.t.Node.Name == name {
			return rt
		}
	}
	return nil
}

func (x *rotator) outcome(name string) *NodeRotation { return x.plan.outcome(name) }

// phase updates its nodes one at a time, each verified before the next.
func (x *rotator) phase(ctx context.Context, ph *RotatePhase) error {
	start := time.Now()
	defer func() { ph.Duration = time.Since(start) }()
	x.run.Log.Info("rotation phase", "phase", ph.Name, "nodes", strings.Join(ph.Nodes, ","))
	for _, u := range ph.updates {
		if x.run.Interrupted() {
			return fmt.Errorf("%w before %s of phase %s: stopped between nodes, each node done is verified", ErrInterrupted, u.node, ph.Name)
		}
		rt := x.target(u.node)
		nodeStart := time.Now()
		if err := x.update(ctx, rt, u); err != nil {
			return fmt.Errorf("%s: phase %s: %w", u.node, ph.Name, err)
		}
		took := time.Since(nodeStart)
		x.outcome(u.node).Took += took
		rt.t.Log.Info("node rotated", "phase", ph.Name, "took", took.Round(time.Millisecond))
	}
	ph.Done = true
	return nil
}

// update writes one node's files, has them taken into use and verifies
// the node and the cluster. When the node does not come back right, its
// files of this update are put back and taken into use again.
func (x *rotator) update(ctx context.Context, rt *rotTarget, u nodeUpdate) error {
	backups, err := x.write(ctx, rt, u)
	if err != nil {
		return x.undo(ctx, rt, backups, err)
	}
	if err := x.takeIntoUse(ctx, rt); err != nil {
		return x.undo(ctx, rt, backups, err)
	}
	if err := x.verifyNode(ctx, rt); err != nil {
		return x.undo(ctx, rt, backups, err)
	}
	return x.waitHealthy(ctx)
}

// write puts the update's files in place, each atomically at its path.
func (x *rotator) write(ctx context.Context, rt *rotTarget, u nodeUpdate) ([]FileBackup, error) {
	p := rt.remote.Paths
	type w struct {
		path string
		data []byte
		mode fs.FileMode
	}
	var ws []w
	if u.ca {
		ws = append(ws, w{p.CA, u.caData, certMode})
	}
	if u.leaves {
		ws = append(ws, w{p.ServerCert, rt.files.serverCert, certMode}, w{p.ServerKey, rt.files.serverKey, keyMode})
		if p.ClientCert != "" {
			ws = append(ws, w{p.ClientCert, rt.files.clientCert, certMode}, w{p.ClientKey, rt.files.clientKey, keyMode})
		}
	}
	var backups []FileBackup
	for _, f := range ws {
		wctx, cancel := context.WithTimeout(ctx, x.run.Inv.Timeouts.Command)
		res, err := rt.t.Host.WriteFile(wctx, f.path, f.data, remote.WriteOptions{Mode: f.mode, Owner: mysqlOwner, Group: mysqlOwner})
		cancel()
		if err != nil {
			return backups, fmt.Errorf("write %s: %w", f.path, err)
		}
		backups = append(backups, FileBackup{Node: rt.t.Node.Name, Path: res.Path, Backup: res.Backup, Step: "rotate"})
	}
	if u.ca {
		rt.node.ca = u.caData
	}
	if u.leaves {
		rt.node.serverCert, rt.node.clientCert = rt.files.serverCert, rt.files.clientCert
	}
	return backups, nil
}

// takeIntoUse reloads the node's TLS, or restarts the node.
func (x *rotator) takeIntoUse(ctx context.Context, rt *rotTarget) error {
	if x.plan.rot.Method == MethodRestart {
		return x.restartNode(ctx, rt)
	}
	return x.reload(ctx, rt)
}

// reload: FLUSH LOCAL SSL rebuilds the server's TLS context from the files
// (LOCAL: this node only, not replicated); socket.ssl_reload=1 makes Galera
// read its certificate, key and CA again for new connections. Connections
// already open keep their session: nothing is dropped.
func (x *rotator) reload(ctx context.Context, rt *rotTarget) error {
	sql := rt.node.reload.serverSQL + ";"
	if rt.node.replicationSSL {
		sql += "\nSET GLOBAL wsrep_provider_options='socket.ssl_reload=1';"
	}
	qctx, cancel := context.WithTimeout(ctx, x.run.Inv.Timeouts.Command)
	defer cancel()
	if _, err := MySQLClient(rt.t.Node).Query(qctx, rt.t.Host, sql); err != nil {
		return fmt.Errorf("reload TLS: %w", err)
	}
	return nil
}

// restartNode restarts one node and waits until it is Synced in a cluster
// of full size: the others keep serving meanwhile.
func (x *rotator) restartNode(ctx context.Context, rt *rotTarget) error {
	if err := stopNode(ctx, x.run, rt.t, x.every); err != nil {
		return err
	}
	return x.startNode(ctx, rt)
}

func (x *rotator) startNode(ctx context.Context, rt *rotTarget) error {
	t := rt.t
	timeout := x.run.Inv.Timeouts.Start
	deadline := time.Now().Add(timeout)
	if err := serviceExec(ctx, t, "start", t.Node.Service.Start, timeout); err != nil {
		return err
	}
	want, uuid := len(x.run.Targets), ""
	if t.Facts != nil {
		uuid = t.Facts.Wsrep.ClusterStateUUID
	}
	var seen galera.Status
	return waitMember(ctx, x.run, t, deadline, x.every, func(s galera.Status) bool {
		return s.LocalState == galera.StateSynced && s.ClusterStatus == "Primary" && s.ClusterSize >= want &&
			(uuid == "" || strings.EqualFold(s.ClusterStateUUID, uuid))
	}, &seen)
}

// undo puts back the files this update replaced and has the node use them
// again, then returns cause (with what the undo did).
func (x *rotator) undo(ctx context.Context, rt *rotTarget, backups []FileBackup, cause error) error {
	if len(backups) == 0 {
		return cause
	}
	t := rt.t
	t.Log.Warn("rotation of this node failed: putting its files back", "err", cause)
	if x.plan.rot.Method == MethodRestart {
		if err := ensureStopped(ctx, x.run, t, x.every); err != nil {
			return fmt.Errorf("%w; stopping it to put its files back failed: %w", cause, err)
		}
	}
	done, err := restoreBackups(ctx, t, backups, x.run.Inv.Timeouts.Command, x.run.now())
	if err != nil {
		return fmt.Errorf("%w; putting its files back failed after %d of %d: %w", cause, len(done), len(backups), err)
	}
	var again error
	if x.plan.rot.Method == MethodRestart {
		again = x.startNode(ctx, rt)
	} else {
		again = x.reload(ctx, rt)
	}
	if again != nil {
		return fmt.Errorf("%w; its files are back (%s) but taking them into use failed: %w", cause, strings.Join(done, "; "), again)
	}
	return fmt.Errorf("%w; its previous files are back in use (%s)", cause, strings.Join(done, "; "))
}

// waitHealthy polls every node until the cluster is Primary with every
// node Synced, within the start timeout.
func (x *rotator) waitHealthy(ctx context.Context) error {
	deadline := time.Now().Add(x.run.Inv.Timeouts.Start)
	var last error
	err := pollUntil(ctx, deadline, x.every, func() (bool, error) {
		last = clusterHealth(ctx, x.run)
		return last == nil, nil
	})
	if errors.Is(err, errDeadline) {
		return fmt.Errorf("%w: the cluster is not healthy after the node's rotation: %w", ErrDegraded, last)
	}
	return err
}

// clusterHealth reads every node and checks one Primary component of the
// inventory's size with every node Synced.
func clusterHealth(ctx context.Context, run *Run) error {
	statuses := make([]galera.Status, len(run.Targets))
	errs := make([]error, len(run.Targets))
	_ = ForEach(ctx, len(run.Targets), run.Inv.Concurrency, func(ctx context.Context, i int) error {
		statuses[i], errs[i] = wsrepStatus(ctx, run.Targets[i], run.Inv.Timeouts.Command)
		return nil
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}
	m := map[string]galera.Status{}
	for i, t := range run.Targets {
		m[t.Node.Name] = statuses[i]
	}
	return galera.CheckCluster(m, len(run.Targets))
}

package playbook

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/playbook/galera"
	"github.com/galeraflow/galeraflow/remote"
)

// nodePosition is what was read of one stopped node's saved position.
type nodePosition struct {
	state galera.NodeState
	// raw is grastate.dat as read (nil when missing or unreadable), kept so
	// the safe_to_bootstrap edit changes nothing else.
	raw []byte
}

func graPath(t *Target) string { return path.Join(t.Node.Paths.Datadir, "grastate.dat") }

// recoverScript runs mysqld --wsrep-recover as the mysql user with its
// error log in a private temp file, prints that log and removes it. The
// position is written to the error log, not to stdout (LAB-FACTS).
const recoverScript = `log=$(mktemp /tmp/galeraflow-wsrep-recover.XXXXXX) || exit 1
trap 'rm -f "$log"' EXIT
chown mysql "$log" 2>/dev/null
"$1" --user=mysql --wsrep-recover --log-error="$log" </dev/null >/dev/null 2>&1
rc=$?
cat "$log"
exit $rc`

// recoverPosition runs --wsrep-recover on a stopped node and parses the
// position. The server must not run: recovery opens the datadir.
func recoverPosition(ctx context.Context, t *Target, timeout time.Duration) (galera.Position, error) {
	mysqld := t.Node.Paths.Mysqld
	if mysqld == "" {
		return galera.Position{}, fmt.Errorf("no mysqld path (set paths.mysqld in the inventory)")
	}
	cmd := "sh -c " + remote.ShellQuote(recoverScript) + " sh " + remote.ShellQuote(mysqld)
	res, err := t.Host.Exec(ctx, cmd, remote.ExecOptions{Sudo: true, Timeout: timeout})
	var ee *remote.ExitError
	if err != nil && !errors.As(err, &ee) {
		return galera.Position{}, fmt.Errorf("%s --wsrep-recover: %w", mysqld, err)
	}
	// A failing exit status with a position printed still says where the
	// node is; a missing position is explained by the log's last lines.
	pos, perr := galera.ParseRecovered(res.Stdout)
	if perr != nil {
		if err != nil {
			return galera.Position{}, fmt.Errorf("%s --wsrep-recover: %w: %w", mysqld, err, perr)
		}
		return galera.Position{}, fmt.Errorf("%s --wsrep-recover: %w", mysqld, perr)
	}
	return pos, nil
}

// readPosition reads one stopped node's grastate.dat and, where it says
// seqno -1 or is missing, recovers the position from InnoDB.
func readPosition(ctx context.Context, run *Run, t *Target, order int) (nodePosition, error) {
	p := nodePosition{state: galera.NodeState{Name: t.Node.Name, Order: order}}
	rctx, cancel := context.WithTimeout(ctx, run.Inv.Timeouts.Command)
	data, err := t.Host.ReadFile(rctx, graPath(t))
	cancel()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// No file: only recovery can tell (a datadir that never joined, or
		// a lost file).
	case err != nil:
		p.state.ReadErr = err
		return p, nil
	default:
		g, perr := galera.ParseGRAState(data)
		if perr != nil {
			p.state.ReadErr = fmt.Errorf("%s: %w", graPath(t), perr)
			return p, nil
		}
		p.state.State, p.raw = &g, data
	}
	if p.state.State != nil && p.state.State.Seqno >= 0 {
		return p, nil
	}
	pos, err := recoverPosition(ctx, t, run.Inv.Timeouts.Start)
	if err != nil {
		return p, fmt.Errorf("%s: %w", t.Node.Name, err)
	}
	p.state.Recovered = &pos
	return p, nil
}

// readPositions reads every node's position in parallel and chooses the
// bootstrap node. A node whose position could not be recovered blocks the
// choice: it might be the most advanced one.
func readPositions(ctx context.Context, run *Run, targets []*Target) ([]nodePosition, galera.Decision, error) {
	pos := make([]nodePosition, len(targets))
	errs := make([]error, len(targets))
	_ = ForEach(ctx, len(targets), run.Inv.Concurrency, func(ctx context.Context, i int) error {
		pos[i], errs[i] = readPosition(ctx, run, targets[i], i)
		return nil
	})
	if err := errors.Join(errs...); err != nil {
		return pos, galera.Decision{}, fmt.Errorf("cannot choose a bootstrap node: %w: %w", galera.ErrNeedsRecovery, err)
	}
	states := make([]galera.NodeState, len(pos))
	for i, p := range pos {
		states[i] = p.state
	}
	d, err := galera.ChooseBootstrap(states)
	return pos, d, err
}

// positionText is a node's position for reports: "uuid:seqno" from
// grastate.dat or recovery.
func positionText(p nodePosition) string {
	s := p.state
	switch {
	case s.ReadErr != nil:
		return "unreadable"
	case s.State != nil && s.State.Seqno >= 0:
		flag := ""
		if s.State.HasSafeToBootstrap {
			flag = fmt.Sprintf(", safe_to_bootstrap %d", b2i(s.State.SafeToBootstrap))
		}
		return fmt.Sprintf("%s:%d (grastate.dat%s)", s.State.UUID, s.State.Seqno, flag)
	case s.Recovered != nil:
		return s.Recovered.String() + " (--wsrep-recover)"
	}
	return "unknown"
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// markSafeToBootstrap sets safe_to_bootstrap: 1 in the chosen node's
// grastate.dat when it is not already: after a crash, or when the node
// was not the last to stop, Galera refuses to bootstrap without it. Only
// this one node's file is touched, and nothing else in it changes.
func markSafeToBootstrap(ctx context.Context, run *Run, t *Target, p nodePosition) (bool, error) {
	g := p.state.State
	if g != nil && g.Seqno >= 0 && g.HasSafeToBootstrap && g.SafeToBootstrap {
		return false, nil
	}
	if p.raw == nil {
		return false, fmt.Errorf("%s: %s is missing: galeraflow will not invent one; write it from the recovered position (%s) with safe_to_bootstrap: 1 by hand, then run recover again",
			t.Node.Name, graPath(t), positionText(p))
	}
	data, err := galera.SetSafeToBootstrap(p.raw)
	if err != nil {
		return false, fmt.Errorf("%s: %s: %w", t.Node.Name, graPath(t), err)
	}
	ctx, cancel := context.WithTimeout(ctx, run.Inv.Timeouts.Command)
	defer cancel()
	// No backup: Galera rewrites the file at every start, and a copy in
	// the datadir would travel with every SST.
	if _, err := t.Host.WriteFile(ctx, graPath(t), data, remote.WriteOptions{NoBackup: true}); err != nil {
		return false, fmt.Errorf("%s: set safe_to_bootstrap: %w", t.Node.Name, err)
	}
	return true, nil
}

// decisionLines describes every node's position as the choice saw it.
func decisionLines(d galera.Decision) []string {
	var out []string
	for _, c := range d.Considered {
		out = append(out, c.String())
	}
	return out
}

// joinNames lists names for messages: "n1, n2".
func joinNames(names []string) string { return strings.Join(names, ", ") }

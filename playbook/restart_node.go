package playbook

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/playbook/galera"
	"github.com/galeraflow/galeraflow/remote"
)

// The node operations of a restart: run a service command, wait until the
// server is gone, wait until it is a Synced member. Every wait polls with a
// short interval until a deadline; none sleeps a fixed time.

// defaultPollEvery is how often a wait looks at the node.
const defaultPollEvery = 400 * time.Millisecond

// serverPIDsScript prints the PID of every live mariadbd or mysqld on the
// node. A zombie counts as gone (it still answers kill -0 until reaped).
// Without pidof and pgrep it fails: "no process found" must never come
// from a missing tool.
const serverPIDsScript = `command -v pidof >/dev/null 2>&1 || command -v pgrep >/dev/null 2>&1 || { echo "neither pidof nor pgrep is installed" >&2; exit 127; }
pids=$(pidof mariadbd mysqld 2>/dev/null || pgrep -x 'mariadbd|mysqld' 2>/dev/null)
for p in $pids; do
  s=$(sed -E 's/^.*\) (.).*/\1/' "/proc/$p/stat" 2>/dev/null) || continue
  case "$s" in Z|X|"") ;; *) echo "$p" ;; esac
done
exit 0`

// errDeadline is a wait that ran out of time; callers say what for.
var errDeadline = errors.New("deadline passed")

// pollUntil calls check until it reports done or fails, every interval,
// until deadline (then errDeadline) or until ctx ends.
func pollUntil(ctx context.Context, deadline time.Time, every time.Duration, check func() (bool, error)) error {
	for {
		done, err := check()
		if err != nil || done {
			return err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return errDeadline
		}
		timer := time.NewTimer(min(every, left))
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
}

// serverPIDs lists the node's live server processes.
func serverPIDs(ctx context.Context, t *Target, timeout time.Duration) ([]int, error) {
	res, err := t.Host.Exec(ctx, "sh -c "+remote.ShellQuote(serverPIDsScript), remote.ExecOptions{Sudo: true, Timeout: timeout})
	if err != nil {
		return nil, fmt.Errorf("look for mysqld processes: %w", err)
	}
	var pids []int
	for _, f := range strings.Fields(string(res.Stdout)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// serviceExec runs one of the node's service commands as root. A failed
// command's output is cut down to what explains the failure: start scripts
// print the tail of the server's log, whose first lines say nothing.
func serviceExec(ctx context.Context, t *Target, what, command string, timeout time.Duration) error {
	if strings.TrimSpace(command) == "" {
		return fmt.Errorf("%s: no %s command (set service.%s in the inventory)", t.Node.Name, what, what)
	}
	if _, err := t.Host.Exec(ctx, command, remote.ExecOptions{Sudo: true, Timeout: timeout}); err != nil {
		if ee, ok := err.(*remote.ExitError); ok {
			short := *ee
			short.Stderr = failureLines(ee.Stderr)
			err = &short
		}
		return fmt.Errorf("%s: %s (`%s`): %w", t.Node.Name, what, command, err)
	}
	return nil
}

// failureLines keeps, on one line, the error lines of a failed command's
// output (the server's "[ERROR]" lines), or else its last lines.
func failureLines(out string) string {
	const keep = 4
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var errs []string
	for _, l := range lines {
		if strings.Contains(l, "[ERROR]") {
			errs = append(errs, l)
		}
	}
	if len(errs) == 0 {
		errs = lines
	}
	if len(errs) > keep {
		errs = errs[len(errs)-keep:]
	}
	for i, l := range errs {
		errs[i] = strings.TrimSpace(l)
	}
	return strings.Join(errs, " | ")
}

// waitGone polls until no server process is left on the node.
func waitGone(ctx context.Context, t *Target, deadline time.Time, every, cmdTimeout time.Duration) error {
	var pids []int
	err := pollUntil(ctx, deadline, every, func() (bool, error) {
		var err error
		pids, err = serverPIDs(ctx, t, cmdTimeout)
		return err == nil && len(pids) == 0, err
	})
	if errors.Is(err, errDeadline) {
		return fmt.Errorf("%s: mysqld still running (pid %s) after the stop timeout (timeouts.stop)", t.Node.Name, joinInts(pids))
	}
	if err != nil {
		return fmt.Errorf("%s: wait for mysqld to stop: %w", t.Node.Name, err)
	}
	return nil
}

// stopNode stops the server with the node's stop command and waits until
// it is gone, both within the stop timeout.
func stopNode(ctx context.Context, run *Run, t *Target, every time.Duration) error {
	timeout := run.Inv.Timeouts.Stop
	deadline := time.Now().Add(timeout)
	if err := serviceExec(ctx, t, "stop", t.Node.Service.Stop, timeout); err != nil {
		return err
	}
	return waitGone(ctx, t, deadline, every, run.Inv.Timeouts.Command)
}

// ensureStopped stops the server if one still runs (a start that failed
// part way) so its files can be restored.
func ensureStopped(ctx context.Context, run *Run, t *Target, every time.Duration) error {
	pids, err := serverPIDs(ctx, t, run.Inv.Timeouts.Command)
	if err != nil {
		return fmt.Errorf("%s: %w", t.Node.Name, err)
	}
	if len(pids) == 0 {
		return nil
	}
	return stopNode(ctx, run, t, every)
}

// wsrepStatus reads the node's wsrep status over SQL.
func wsrepStatus(ctx context.Context, t *Target, timeout time.Duration) (galera.Status, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	vars, err := MySQLClient(t.Node).QueryMap(ctx, t.Host, "SHOW GLOBAL STATUS LIKE 'wsrep%'")
	if err != nil {
		return galera.Status{}, err
	}
	return galera.ParseStatus(vars), nil
}

// describeStatus is a short form of a node's wsrep state for reports.
func describeStatus(s galera.Status) string {
	return fmt.Sprintf("%s, %s, size %d", s.StateName(), orDash(s.ClusterStatus), s.ClusterSize)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// goneAfter is how many looks in a row must find no server process before
// a start is declared dead: a start command that returns before mysqld is
// up (SysV scripts) must not be mistaken for a crash.
const goneAfter = 3

// waitMember polls the node's wsrep status until ok accepts it. It logs
// each change of state or size (one line per change: a joiner's SST may
// take hours, and the operator must see it move). A server that stays gone
// fails at once rather than at the deadline.
func waitMember(ctx context.Context, run *Run, t *Target, deadline time.Time, every time.Duration, ok func(galera.Status) bool, seen *galera.Status) error {
	gone := 0
	shown := ""
	err := pollUntil(ctx, deadline, every, func() (bool, error) {
		st, err := wsrepStatus(ctx, t, run.Inv.Timeouts.Command)
		if err != nil {
			if !serverDown(err) {
				return false, fmt.Errorf("read wsrep status: %w", err)
			}
			pids, perr := serverPIDs(ctx, t, run.Inv.Timeouts.Command)
			if perr != nil {
				return false, perr
			}
			if len(pids) > 0 {
				gone = 0
				return false, nil
			}
			if gone++; gone >= goneAfter {
				return false, errors.New("mysqld is not running: it stopped while starting")
			}
			return false, nil
		}
		gone = 0
		*seen = st
		if line := describeStatus(st); line != shown {
			shown = line
			t.Log.Info("wsrep state", "state", st.StateName(), "cluster", st.ClusterStatus, "size", st.ClusterSize)
		}
		return ok(st), nil
	})
	if errors.Is(err, errDeadline) {
		last := "no answer over SQL"
		if seen.Known {
			last = "last seen " + describeStatus(*seen)
		}
		return fmt.Errorf("%s: not a Synced member after the start timeout (timeouts.start): %s", t.Node.Name, last)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", t.Node.Name, err)
	}
	return nil
}

// resolveLogPath: a relative log_error is relative to the datadir.
func resolveLogPath(t *Target, p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	return strings.TrimSuffix(t.Node.Paths.Datadir, "/") + "/" + p
}

// logSinceScript prints the last $2 lines of what log $1 gained past byte
// $3; all of it when the log is now shorter (rotated or truncated).
const logSinceScript = `size=$(wc -c <"$1") || exit 1
if [ "$size" -ge "$3" ]; then tail -c +$(($3 + 1)) -- "$1" | tail -n "$2"; else tail -n "$2" -- "$1"; fi`

// errorLogTail returns the last lines the node's error log gained since
// galeraflow started the node, for a failure report; "" when it cannot be
// read or nothing was written.
func errorLogTail(ctx context.Context, run *Run, t *Target, log errorLog, lines int) string {
	if log.path == "" {
		return ""
	}
	cmd := "sh -c " + remote.ShellQuote(logSinceScript) + " sh " +
		remote.ShellJoin(log.path, strconv.Itoa(lines), strconv.FormatInt(log.from, 10))
	res, err := t.Host.Exec(ctx, cmd, remote.ExecOptions{Sudo: true, Timeout: run.Inv.Timeouts.Command})
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(res.Stdout))
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

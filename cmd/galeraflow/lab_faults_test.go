//go:build lab

package main

// The fault suite (issue 9): faults injected into the real lab cluster while
// galeraflow works on it. Each scenario asserts what galeraflow printed and
// returned, the state of every node seen through the lab's own door
// (`lab.sh exec`, `lab.sh sql`), and that no committed row was lost.
//
// The scenarios run in one sequence on one lab, because most of them need
// what the one before left: the plain lab for the refusals and the
// interrupted upload, the TLS lab (made by the run of the concurrency
// scenario) for a certificate rotation and the restarts. A full SST is
// never forced. The lab is rebuilt before and after (freshLab).
//
// Every-node crash recovery from different positions is
// TestLabRecoverPicksTheMostAdvancedNode (lab_restart_test.go); inventory
// errors listed all at once with file:line:field are
// TestInventoryMistakesAllReported (app_test.go).

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// faultLab is what the scenarios share.
type faultLab struct {
	dir string // the lab directory
	inv string // the lab inventory with the hostile SST password (env:)
	bin string // galeraflow built from this tree
	// lockDir keeps this suite's locks apart from other runs on the machine.
	lockDir string
	// secret is the SST password: shell and SQL metacharacters around
	// token, a plain fragment that betrays a leak however it was escaped.
	secret, token string
	rows          int // rows tagged "faults", written before the first fault
}

const faultPasswordEnv = "GFTEST_FAULTS_SST_PASSWORD"

func TestLabFaults(t *testing.T) {
	freshLab(t)
	t.Cleanup(func() { freshLab(t) })
	f := newFaultLab(t)
	f.rows = seedRows(t, "faults")

	for _, s := range []struct {
		name string
		run  func(*testing.T, *faultLab)
	}{
		{"1-sshd-down-at-preflight", faultSSHDDownAtPreflight},
		{"7-changed-host-key", faultChangedHostKey},
		{"secrets-in-dry-run", faultSecretsInDryRun},
		{"2-connection-drops-during-upload", faultConnectionDropsDuringUpload},
		{"6-two-runs-at-once", faultTwoRunsAtOnce},
		{"sql-quoting-round-trip", faultSQLQuotingRoundTrip},
		{"3-server-rejects-new-certificate", faultServerRejectsCertificate},
		{"8-sigint-during-restart", faultInterruptDuringRestart},
		{"4-bootstrap-node-dies", faultBootstrapNodeDies},
		{"4-bootstrap-node-dies-during-a-join", faultBootstrapNodeDiesDuringJoin},
		{"5-every-server-killed", faultEveryServerKilled},
	} {
		ok := t.Run(s.name, func(t *testing.T) { s.run(t, f) })
		f.assertNoRowLost(t)
		if !ok {
			t.Fatalf("%s failed: the scenarios after it start from its end state, stopping here", s.name)
		}
	}
}

func newFaultLab(t *testing.T) *faultLab {
	t.Helper()
	token := "Zq" + randomHex(t, 6)
	// Shell: quotes, $(), backticks, globs, redirections, ;|&, a comment;
	// SQL: quotes, backslash, %, _, a comment and a statement; non-ASCII.
	secret := `p'a"s$(id)` + "`uname`" + `\w;|&<>*?~!#%_{}[]` + token + ` -- ü😀 '); DROP USER root; --`
	t.Setenv(faultPasswordEnv, secret)
	f := &faultLab{
		dir:     labDir(t),
		inv:     labInventory(t, "password: file:state/sst.pw", "password: env:"+faultPasswordEnv),
		bin:     buildGaleraflow(t),
		lockDir: t.TempDir(),
		secret:  secret,
		token:   token,
	}
	return f
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// buildGaleraflow builds the binary from this tree, for the scenarios that
// need a real process (two at once, a signal).
func buildGaleraflow(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "galeraflow")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// app runs galeraflow in-process with the suite's lock directory, and
// checks that the secret is not in what it printed.
func (f *faultLab) app(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	stdout, stderr, code = runApp(t, withLockDir(args, f.lockDir)...)
	f.assertNoSecret(t, "galeraflow "+strings.Join(args, " "), stdout, stderr)
	return stdout, stderr, code
}

// appRun is what an in-process run printed and returned.
type appRun struct {
	stdout, stderr string
	code           int
}

// appAsync starts f.app's run in the background, for faults injected while
// it works; the returned function waits for it (the bound only keeps a
// hung run from hanging the suite).
func (f *faultLab) appAsync(t *testing.T, args ...string) func(within time.Duration) appRun {
	done := make(chan appRun, 1)
	go func() {
		var r appRun
		r.stdout, r.stderr, r.code = runApp(t, withLockDir(args, f.lockDir)...)
		done <- r
	}()
	return func(within time.Duration) appRun {
		t.Helper()
		select {
		case r := <-done:
			f.assertNoSecret(t, "galeraflow "+strings.Join(args, " "), r.stdout, r.stderr)
			return r
		case <-time.After(within):
			t.Fatalf("galeraflow %s still runs after %s", strings.Join(args, " "), within)
			return appRun{}
		}
	}
}

// withLockDir puts --lock-dir after the command name (the first argument
// that is not a global flag), where the changing commands take it.
func withLockDir(args []string, dir string) []string {
	for i, a := range args {
		switch a {
		case "run", "plan", "restart", "recover":
			out := append([]string{}, args[:i+1]...)
			out = append(out, "--lock-dir", dir)
			return append(out, args[i+1:]...)
		}
	}
	return args
}

func (f *faultLab) assertNoSecret(t *testing.T, what string, outputs ...string) {
	t.Helper()
	for _, o := range outputs {
		if strings.Contains(o, f.token) {
			t.Errorf("%s: the SST password appears in its output", what)
		}
	}
}

// assertNoRowLost: every node holds every row written before the faults.
func (f *faultLab) assertNoRowLost(t *testing.T) {
	t.Helper()
	if !labIsHealthy() {
		t.Errorf("the lab is not healthy after the scenario:\n%s", labStatus())
		return
	}
	for _, n := range labNodes {
		if got := countRows(t, n, "faults"); got != f.rows {
			t.Errorf("%s holds %d of the %d rows written before the faults", n, got, f.rows)
		}
	}
}

func labStatus() string {
	out, _ := labCommand("status").CombinedOutput()
	return string(out)
}

// nodeSnapshot is what a refused run must leave as it was on a node: every
// file and directory under /etc/mysql and /root (type, mode, owner, size,
// mtime, content hash), grastate.dat and the server's PID.
func nodeSnapshot(t *testing.T, node string) string {
	t.Helper()
	const script = `find /etc/mysql /root -printf '%p %y %m %u:%g %s %T@\n' | sort
find /etc/mysql /root -type f -exec sha256sum {} + | sort
sha256sum /var/lib/mysql/grastate.dat
echo "pid $(lab-mysql pid)"`
	return lab(t, "exec", node, "sh", "-c", script)
}

func snapshotNodes(t *testing.T) map[string]string {
	t.Helper()
	s := map[string]string{}
	for _, n := range labNodes {
		s[n] = nodeSnapshot(t, n)
	}
	return s
}

// assertUnchanged compares snapshots and shows the lines that differ.
func assertUnchanged(t *testing.T, before, after map[string]string) {
	t.Helper()
	for _, n := range labNodes {
		if before[n] == after[n] {
			continue
		}
		was := map[string]bool{}
		for _, l := range strings.Split(before[n], "\n") {
			was[l] = true
		}
		var diff []string
		for _, l := range strings.Split(after[n], "\n") {
			if !was[l] {
				diff = append(diff, "+ "+l)
			}
		}
		t.Errorf("%s changed although nothing may change:\n%s", n, strings.Join(diff, "\n"))
	}
}

// livePID is a node's mariadbd PID, "" when none runs (never fails: for
// polling while galeraflow works on the node).
func livePID(node string) string {
	return strings.TrimSpace(labQuiet(node, "lab-mysql", "pid"))
}

// waitUntil polls cond until it holds; the bound only keeps a broken run
// from hanging the suite.
func waitUntil(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting (%s) for %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// procRun is galeraflow running as its own process.
type procRun struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan struct{}
	code           int
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs the built binary with the suite's lock directory.
func (f *faultLab) start(t *testing.T, args ...string) *procRun {
	t.Helper()
	p := &procRun{stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(f.bin, withLockDir(args, f.lockDir)...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *procRun) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// wait returns the exit code; the bound only keeps a hung run from hanging
// the suite.
func (p *procRun) wait(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(within):
		t.Fatalf("galeraflow still runs after %s\nstderr:\n%s", within, p.stderr.String())
		return -1
	}
}

func (p *procRun) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// faultSSHDDownAtPreflight (1): n2's sshd is down when `run` starts: exit
// 3, n2 named, and nothing changed on any node.
func faultSSHDDownAtPreflight(t *testing.T, f *faultLab) {
	before := snapshotNodes(t)
	lab(t, "stop-sshd", "n2")
	t.Cleanup(func() { lab(t, "start-sshd", "n2") })

	stdout, stderr, code := f.app(t, "run", f.inv)
	if code != exitUnreachable {
		t.Fatalf("exit %d, want %d (unreachable)\nstdout:\n%s\nstderr:\n%s", code, exitUnreachable, stdout, stderr)
	}
	for _, want := range []string{"n2", "nothing was changed"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	assertNoTrace(t, stderr)
	assertUnchanged(t, before, snapshotNodes(t))
	t.Logf("galeraflow said:\n%s", stderr)
}

// faultChangedHostKey (7): n2 presents another host key than known_hosts
// records: exit 4 before any change, in OpenSSH's words.
func faultChangedHostKey(t *testing.T, f *faultLab) {
	good, err := os.ReadFile(filepath.Join(f.dir, "state/ssh/known_hosts"))
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := os.ReadFile(filepath.Join(f.dir, "state/ssh/wrong_known_hosts"))
	if err != nil {
		t.Fatal(err)
	}
	isN2 := func(l string) bool { return strings.HasPrefix(l, "n2,") || strings.HasPrefix(l, "10.231.7.12") }
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(good)), "\n") {
		if !isN2(l) {
			lines = append(lines, l)
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(string(wrong)), "\n") {
		if isN2(l) {
			lines = append(lines, l)
		}
	}
	kh := writeFile(t, t.TempDir(), "known_hosts", strings.Join(lines, "\n")+"\n")
	inv := rewriteInventory(t, f.inv, filepath.Join(f.dir, "state/ssh/known_hosts"), kh)

	before := snapshotNodes(t)
	stdout, stderr, code := f.app(t, "run", inv)
	if code != exitHostKey {
		t.Fatalf("exit %d, want %d (host key)\nstdout:\n%s\nstderr:\n%s", code, exitHostKey, stdout, stderr)
	}
	for _, want := range []string{"REMOTE HOST IDENTIFICATION HAS CHANGED", "10.231.7.12", "SHA256:"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := strings.Count(stderr, "REMOTE HOST IDENTIFICATION HAS CHANGED"); n != 1 {
		t.Errorf("%d nodes reported with a changed key, want n2 alone:\n%s", n, stderr)
	}
	assertNoTrace(t, stderr)
	assertUnchanged(t, before, snapshotNodes(t))
	t.Logf("galeraflow said:\n%s", stderr)
}

// rewriteInventory copies an inventory with one replacement.
func rewriteInventory(t *testing.T, inv, old, new string) string {
	t.Helper()
	data, err := os.ReadFile(inv)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("inventory %s has no %q", inv, old)
	}
	return writeFile(t, t.TempDir(), "inventory.yml", strings.ReplaceAll(string(data), old, new))
}

// assertRestartedOnce: only want bootstrapped since the start lines
// recorded in before (lab-mysql logs every start with its options).
func assertOneBootstrap(t *testing.T, before map[string]string, want string) {
	t.Helper()
	for _, n := range labNodes {
		line := lastStart(t, n)
		boot := line != before[n] && strings.Contains(line, "--wsrep-new-cluster")
		if boot != (n == want) {
			t.Errorf("%s: last start %q (before the run: %q): only %s may bootstrap", n, line, before[n], want)
		}
	}
}

func lastStarts(t *testing.T) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, n := range labNodes {
		m[n] = lastStart(t, n)
	}
	return m
}

// describeNodes is every node's wsrep state for failure messages.
func describeNodes() string {
	var b strings.Builder
	for _, n := range labNodes {
		fmt.Fprintf(&b, "%s: pid %q %s", n, livePID(n), labQuietSQL(n, "SELECT GROUP_CONCAT(VARIABLE_VALUE ORDER BY VARIABLE_NAME) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('WSREP_CLUSTER_SIZE','WSREP_CLUSTER_STATUS','WSREP_LOCAL_STATE_COMMENT')"))
	}
	return b.String()
}

package playbook

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/remote"
	"github.com/galeraflow/galeraflow/remote/remotetest"
)

func healthyFakes(t *testing.T, names ...string) map[string]*remotetest.Fake {
	fakes := map[string]*remotetest.Fake{}
	for _, n := range names {
		fakes[n] = newFakeNode(t, n, nodeState{localState: "Synced", size: len(names)})
	}
	return fakes
}

// mutatingCalls lists commands that change a node (anything but the
// read-only probes the fake answers).
func mutatingCalls(f *remotetest.Fake) []string {
	var out []string
	for _, c := range f.Calls() {
		cmd := c.Command
		if cmd == "true" || strings.Contains(cmd, "-N -B") || strings.Contains(cmd, "sha256sum") || strings.Contains(cmd, "ls -1A") {
			continue
		}
		out = append(out, cmd)
	}
	return out
}

func TestDryRunChangesNothing(t *testing.T) {
	names := []string{"n1", "n2", "n3"}
	inv := testInventory(t, names...)
	fakes := healthyFakes(t, names...)
	pb, _ := builtin("tls-files")
	report, err := Execute(context.Background(), inv, pb, Options{DryRun: true, Dial: fakeDialer(fakes), LockDir: t.TempDir()})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	for _, n := range names {
		if w := fakes[n].Writes(); len(w) != 0 {
			t.Errorf("%s: dry run wrote %d files, first %s", n, len(w), w[0].Path)
		}
		if m := mutatingCalls(fakes[n]); len(m) != 0 {
			t.Errorf("%s: dry run ran commands that change the node: %q", n, m)
		}
	}
	// The plan is there: every node uploads its files and patches config.
	planned := 0
	for _, s := range report.Steps {
		if s.Status == StatusPlanned {
			planned++
		}
	}
	if planned != 6 {
		t.Fatalf("planned steps = %d, want 6 (2 steps x 3 nodes): %+v", planned, report.Steps)
	}
	if !report.Restart.Needed {
		t.Errorf("new certificates and config need a restart, the plan says none")
	}
	var diff string
	for _, s := range report.Steps {
		if s.Step == "tls-config" && s.Node == "n2" {
			for _, d := range s.Change.Diffs {
				diff += d.Diff
			}
		}
	}
	for _, want := range []string{"+ssl_ca", "/etc/mysql/ssl/ca.pem", "socket.ssl_ca", "gcache.size=64M", "wsrep_sst_auth"} {
		if !strings.Contains(diff, want) {
			t.Errorf("n2's config diff lacks %q:\n%s", want, diff)
		}
	}
	if strings.Contains(diff, "s3cret") {
		t.Errorf("the SST password reached the diff:\n%s", diff)
	}
}

func TestUploadCertsAppliesThenUnchanged(t *testing.T) {
	names := []string{"n1", "n2"}
	inv := testInventory(t, names...)
	fakes := healthyFakes(t, names...)
	for _, f := range fakes {
		f.ExpectMatch(`^install -d -o mysql -g mysql -m 0750 /etc/mysql/ssl$`).Sudo(true)
	}
	pb := &Playbook{Name: "certs", Steps: []Step{UploadCerts{}}, RequireHealthy: true}
	opts := Options{Dial: fakeDialer(fakes), LockDir: t.TempDir()}
	if _, err := Execute(context.Background(), inv, pb, opts); err != nil {
		t.Fatalf("first run: %v", err)
	}
	for _, n := range names {
		got := map[string]string{}
		for _, w := range fakes[n].Writes() {
			got[w.Path] = w.Opts.Mode.String() + " " + w.Opts.Owner + ":" + w.Opts.Group + " " + string(w.Data)
		}
		local := func(name string) string {
			data, err := os.ReadFile(filepath.Join(inv.Dir, name))
			if err != nil {
				t.Fatal(err)
			}
			return string(data)
		}
		want := map[string]string{
			"/etc/mysql/ssl/ca.pem":          "-rw-r--r-- mysql:mysql " + local("ca.pem"),
			"/etc/mysql/ssl/server-cert.pem": "-rw-r--r-- mysql:mysql " + local(n+"-cert.pem"),
			"/etc/mysql/ssl/server-key.pem":  "-rw------- mysql:mysql " + local(n+"-key.pem"),
			"/etc/mysql/ssl/client-cert.pem": "-rw-r--r-- mysql:mysql " + local("client-cert.pem"),
			"/etc/mysql/ssl/client-key.pem":  "-rw------- mysql:mysql " + local("client-key.pem"),
		}
		for p, w := range want {
			if got[p] != w {
				t.Errorf("%s: %s written as %q, want %q", n, p, got[p], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d files written, want %d", n, len(got), len(want))
		}
	}
	report, err := Execute(context.Background(), inv, pb, opts)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	for _, s := range report.Steps {
		if s.Status != StatusUnchanged {
			t.Errorf("second run: %s on %s is %s, want unchanged", s.Step, s.Node, s.Status)
		}
	}
	if report.Changed() || report.Restart.Needed {
		t.Errorf("second run reports a change or a restart")
	}
}

func TestPreflightRefusesDegradedCluster(t *testing.T) {
	inv := testInventory(t, "n1", "n2")
	fakes := map[string]*remotetest.Fake{
		"n1": newFakeNode(t, "n1", nodeState{localState: "Synced", size: 2}),
		"n2": newFakeNode(t, "n2", nodeState{localState: "Donor/Desynced", size: 2}),
	}
	pb, _ := builtin("tls-files")
	report, err := Execute(context.Background(), inv, pb, Options{Dial: fakeDialer(fakes), LockDir: t.TempDir()})
	if !errors.Is(err, ErrPreflight) || !errors.Is(err, ErrDegraded) {
		t.Fatalf("err = %v, want preflight + degraded", err)
	}
	if !strings.Contains(err.Error(), "n2") {
		t.Errorf("error does not name n2: %v", err)
	}
	if len(report.Steps) != 0 {
		t.Errorf("steps were planned on a degraded cluster: %+v", report.Steps)
	}
	for n, f := range fakes {
		if len(f.Writes()) != 0 || len(mutatingCalls(f)) != 0 {
			t.Errorf("%s was changed", n)
		}
	}
}

func TestUnreachableNodeChangesNothing(t *testing.T) {
	inv := testInventory(t, "n1", "n2", "n3")
	fakes := healthyFakes(t, "n1", "n3") // n2 cannot be dialled
	pb, _ := builtin("tls-files")
	_, err := Execute(context.Background(), inv, pb, Options{Dial: fakeDialer(fakes), LockDir: t.TempDir()})
	if !errors.Is(err, remote.ErrUnreachable) || !errors.Is(err, ErrPreflight) {
		t.Fatalf("err = %v, want unreachable preflight failure", err)
	}
	for n, f := range fakes {
		if len(f.Calls()) != 0 || len(f.Writes()) != 0 {
			t.Errorf("%s was touched before every node was reached", n)
		}
	}
}

func TestSecondRunRefusedWhileLocked(t *testing.T) {
	inv := testInventory(t, "n1")
	dir := t.TempDir()
	lock, err := AcquireLock(LockPath(dir, inv.Cluster, inv.File), "run inventory.yml", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	pb, _ := builtin("tls-files")
	_, err = Execute(context.Background(), inv, pb, Options{Dial: fakeDialer(nil), LockDir: dir})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "pid ") || !strings.Contains(err.Error(), "run inventory.yml") {
		t.Errorf("the message should name the holder: %v", err)
	}
}

func TestBadInputsRefusedBeforeAnyChange(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string, fakes map[string]*remotetest.Fake)
		want  []string
	}{
		{"key of another certificate", func(t *testing.T, dir string, _ map[string]*remotetest.Fake) {
			copyFile(t, filepath.Join(dir, "n2-key.pem"), filepath.Join(dir, "n1-key.pem"))
		}, []string{"n1", "n1-key.pem", "does not match"}},
		{"certificate from another CA", func(t *testing.T, dir string, _ map[string]*remotetest.Fake) {
			other := testInventory(t, "n2") // a fresh CA signs this n2 certificate
			copyFile(t, filepath.Join(other.Dir, "n2-cert.pem"), filepath.Join(dir, "n2-cert.pem"))
			copyFile(t, filepath.Join(other.Dir, "n2-key.pem"), filepath.Join(dir, "n2-key.pem"))
		}, []string{"n2", "n2-cert.pem"}},
		{"unparsable option file", func(t *testing.T, _ string, fakes map[string]*remotetest.Fake) {
			fakes["n2"].SetFile("/etc/mysql/mariadb.conf.d/50-server.cnf", "[mysqld]\nuser = mysql\n[broken\n", 0o644, "", "")
		}, []string{"n2", "50-server.cnf:3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := testInventory(t, "n1", "n2")
			fakes := healthyFakes(t, "n1", "n2")
			tc.setup(t, inv.Dir, fakes)
			pb, _ := builtin("tls-files")
			_, err := Execute(context.Background(), inv, pb, Options{Dial: fakeDialer(fakes), LockDir: t.TempDir()})
			if !errors.Is(err, ErrPreflight) {
				t.Fatalf("err = %v, want a preflight failure", err)
			}
			if strings.Contains(tc.name, "certificate") && !errors.Is(err, ErrInvalidInput) {
				t.Errorf("a refused certificate should be invalid input (exit 2): %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
			for n, f := range fakes {
				if len(f.Writes()) != 0 || len(mutatingCalls(f)) != 0 {
					t.Errorf("%s was changed: writes %d, commands %q", n, len(f.Writes()), mutatingCalls(f))
				}
			}
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// recordStep is a test step that records the order of its applies and can
// fail on one node.
type recordStep struct {
	scope  Scope
	failOn string
	mu     *sync.Mutex
	order  *[]string
	active *int32
	peak   *int32
	// meet: wait (up to 5 s) until this many applies run at once, so a
	// parallel executor shows its parallelism whatever the machine's speed.
	meet int32
}

func (s recordStep) Name() string { return "record" }
func (s recordStep) Scope() Scope { return s.scope }
func (s recordStep) Plan(ctx context.Context, run *Run, t *Target) (*Change, error) {
	return &Change{Changed: true, Summary: "record"}, nil
}
func (s recordStep) Apply(ctx context.Context, run *Run, t *Target, c *Change) error {
	n := atomic.AddInt32(s.active, 1)
	defer atomic.AddInt32(s.active, -1)
	for {
		p := atomic.LoadInt32(s.peak)
		if n <= p || atomic.CompareAndSwapInt32(s.peak, p, n) {
			break
		}
	}
	for deadline := time.Now().Add(5 * time.Second); s.meet > 0 && atomic.LoadInt32(s.peak) < s.meet && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	s.mu.Lock()
	*s.order = append(*s.order, t.Node.Name)
	s.mu.Unlock()
	if t.Node.Name == s.failOn {
		return errors.New("boom")
	}
	return nil
}

func TestRollingAppliesOneNodeAtATimeAndStops(t *testing.T) {
	names := []string{"n1", "n2", "n3"}
	inv := testInventory(t, names...)
	var mu sync.Mutex
	var order []string
	var active, peak int32
	st := recordStep{scope: Rolling, failOn: "n2", mu: &mu, order: &order, active: &active, peak: &peak}
	pb := &Playbook{Name: "rolling", Steps: []Step{st}, RequireHealthy: true}
	report, err := Execute(context.Background(), inv, pb, Options{Dial: fakeDialer(healthyFakes(t, names...)), LockDir: t.TempDir()})
	if !errors.Is(err, ErrPartial) {
		t.Fatalf("err = %v, want a partial failure (n1 changed, n2 failed)", err)
	}
	if strings.Join(order, ",") != "n1,n2" {
		t.Fatalf("apply order %v, want n1,n2 and nothing after the failure", order)
	}
	if peak != 1 {
		t.Fatalf("rolling step ran %d nodes at once", peak)
	}
	status := map[string]Status{}
	for _, s := range report.Steps {
		status[s.Node] = s.Status
	}
	if status["n1"] != StatusChanged || status["n2"] != StatusFailed || status["n3"] != StatusSkipped {
		t.Fatalf("statuses %v", status)
	}
	if report.Result != "partial" {
		t.Fatalf("result %q", report.Result)
	}
}

func TestPerNodeAppliesInParallel(t *testing.T) {
	names := []string{"n1", "n2", "n3", "n4"}
	inv := testInventory(t, names...)
	var mu sync.Mutex
	var order []string
	var active, peak int32
	st := recordStep{scope: PerNode, mu: &mu, order: &order, active: &active, peak: &peak, meet: 2}
	pb := &Playbook{Name: "parallel", Steps: []Step{st}, RequireHealthy: true}
	if _, err := Execute(context.Background(), inv, pb, Options{Dial: fakeDialer(healthyFakes(t, names...)), LockDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if len(order) != 4 {
		t.Fatalf("applied on %v", order)
	}
	if peak < 2 {
		t.Errorf("per-node step never ran two nodes at once (peak %d)", peak)
	}
}

package playbook

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/remote"
)

func TestRestartStopsLastNodeLastAndBootstrapsIt(t *testing.T) {
	s := newSim(t, "n1", "n2", "n3")
	report, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2", "n3"), fastRestart(""), false)
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	want := []string{"stop n1", "stop n2", "stop n3", "bootstrap n3", "start n1", "start n2"}
	if got := s.kinds("stop", "start", "bootstrap"); !reflect.DeepEqual(got, want) {
		t.Fatalf("operations %q, want %q", got, want)
	}
	s.assertHealthy(t)
	// A clean stop leaves n3 safe_to_bootstrap: nothing needed writing,
	// and nobody needed --wsrep-recover.
	if w := s.writes(); len(w) != 0 {
		t.Errorf("files written: %q", w)
	}
	for _, n := range s.nodes {
		if n.recoveries != 0 {
			t.Errorf("%s: --wsrep-recover ran %d times after clean stops", n.name, n.recoveries)
		}
	}
	out := RestartOutcomeOf(report)
	if out == nil || out.Decision == nil {
		t.Fatalf("no outcome in the report: %+v", report)
	}
	if out.Decision.Node != "n3" || !strings.Contains(out.Decision.Reason, "safe_to_bootstrap=1") {
		t.Errorf("decision %q: %s", out.Decision.Node, out.Decision.Reason)
	}
	if out.Phase != "done" || !reflect.DeepEqual(out.StopOrder, []string{"n1", "n2", "n3"}) {
		t.Errorf("phase %s, stop order %v", out.Phase, out.StopOrder)
	}
	for _, n := range out.Nodes {
		if n.Wsrep != "Synced, Primary, size 3" {
			t.Errorf("%s: final state %q", n.Node, n.Wsrep)
		}
	}
	if r := out.Node("n3"); r.Role != "bootstrap" || r.State != NodeBootstrapped || r.StopOrder != 3 {
		t.Errorf("n3: %+v", r)
	}
}

func TestRestartBootstrapNodeIsStoppedLast(t *testing.T) {
	s := newSim(t, "n1", "n2", "n3")
	if _, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2", "n3"), fastRestart("n1"), false); err != nil {
		t.Fatalf("restart: %v", err)
	}
	want := []string{"stop n2", "stop n3", "stop n1", "bootstrap n1", "start n2", "start n3"}
	if got := s.kinds("stop", "start", "bootstrap"); !reflect.DeepEqual(got, want) {
		t.Fatalf("operations %q, want %q", got, want)
	}
}

func TestRestartUnknownBootstrapNodeRefused(t *testing.T) {
	s := newSim(t, "n1", "n2")
	_, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2"), fastRestart("n9"), false)
	if !errors.Is(err, ErrPreflight) || !strings.Contains(err.Error(), `"n9" is not in the inventory`) {
		t.Fatalf("err = %v", err)
	}
	if ops := s.kinds("stop", "start", "bootstrap"); len(ops) != 0 {
		t.Errorf("operations after a refused plan: %q", ops)
	}
}

func TestRestartNodeThatDoesNotStopInTime(t *testing.T) {
	s := newSim(t, "n1", "n2", "n3")
	s.nodes["n2"].stopHangs = true
	report, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2", "n3"), fastRestart(""), false)
	var re *RestartError
	if !errors.As(err, &re) || !errors.Is(err, ErrPartial) {
		t.Fatalf("err = %v, want a partial RestartError", err)
	}
	if got := s.kinds("stop", "start", "bootstrap"); !reflect.DeepEqual(got, []string{"stop n1", "stop n2"}) {
		t.Fatalf("operations %q: nothing may happen after the stop that timed out", got)
	}
	out := RestartOutcomeOf(report)
	standing := map[string]string{}
	for _, n := range out.Nodes {
		standing[n.Node] = n.State
	}
	if want := map[string]string{"n1": NodeStopped, "n2": NodeFailed, "n3": NodeRunning}; !reflect.DeepEqual(standing, want) {
		t.Errorf("standing %v, want %v", standing, want)
	}
	msg := err.Error()
	for _, want := range []string{"n2: mysqld still running (pid 4242) after the stop timeout", "n1       stopped (1st to stop)", "the cluster runs on n3", "n1 (`systemctl start mariadb`)", "do not bootstrap again"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

func TestRestartRecoversAPositionThatGrastateLacks(t *testing.T) {
	// n3 is killed instead of stopping cleanly (its stop command crashes
	// it): grastate.dat says -1, only --wsrep-recover knows it is the most
	// advanced node. It must be recovered, marked and chosen — alone.
	s := newSim(t, "n1", "n2", "n3")
	s.nodes["n3"].stopCrashes = true
	inv := simInventory(t, "n1", "n2", "n3")
	report, err := s.execute(t, context.Background(), inv, fastRestart(""), false)
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	if s.nodes["n3"].recoveries != 1 || s.nodes["n1"].recoveries != 0 || s.nodes["n2"].recoveries != 0 {
		t.Errorf("recoveries n1=%d n2=%d n3=%d, want only n3", s.nodes["n1"].recoveries, s.nodes["n2"].recoveries, s.nodes["n3"].recoveries)
	}
	if w := s.writes(); !reflect.DeepEqual(w, []string{"n3 /var/lib/mysql/grastate.dat"}) {
		t.Errorf("writes %q, want only n3's grastate.dat", w)
	}
	if got := s.kinds("bootstrap"); !reflect.DeepEqual(got, []string{"bootstrap n3"}) {
		t.Errorf("bootstraps %q", got)
	}
	out := RestartOutcomeOf(report)
	if out.Decision.Node != "n3" || !strings.Contains(out.Decision.Reason, "highest seqno") {
		t.Errorf("decision %s: %s", out.Decision.Node, out.Decision.Reason)
	}
	if !strings.Contains(out.Node("n3").Position, "(--wsrep-recover)") {
		t.Errorf("n3 position %q", out.Node("n3").Position)
	}
	s.assertHealthy(t)
}

func TestRestartJoinerFailureStopsAndReports(t *testing.T) {
	s := newSim(t, "n1", "n2", "n3")
	s.nodes["n1"].startFails = func() string { return "mariadbd exited during start: [ERROR] SSL error" }
	report, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2", "n3"), fastRestart(""), false)
	var re *RestartError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a RestartError", err)
	}
	want := []string{"stop n1", "stop n2", "stop n3", "bootstrap n3", "start n1"}
	if got := s.kinds("stop", "start", "bootstrap"); !reflect.DeepEqual(got, want) {
		t.Fatalf("operations %q, want %q (no start after the failure)", got, want)
	}
	out := RestartOutcomeOf(report)
	if out.Phase != "joining" {
		t.Errorf("phase %s", out.Phase)
	}
	n1 := out.Node("n1")
	if n1.State != NodeFailed || n1.Alive || !strings.Contains(n1.LogTail, "simulated failure") {
		t.Errorf("n1: %+v", n1)
	}
	msg := err.Error()
	for _, want := range []string{"SSL error", "n3       bootstrapped: Synced, Primary, size 1", "n2       stopped (2nd to stop)", "the cluster runs on n3", "Fix what kept n1 from starting", "n1 (`systemctl start mariadb`), n2 (`systemctl start mariadb`)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "recover") {
		t.Errorf("with a running cluster the advice must not be recover:\n%s", msg)
	}
}

func TestRestartBootstrapFailureAdvisesRecover(t *testing.T) {
	s := newSim(t, "n1", "n2")
	s.nodes["n2"].startFails = func() string { return "mariadbd exited during start" }
	_, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2"), fastRestart(""), false)
	if err == nil {
		t.Fatal("restart succeeded with a bootstrap that fails")
	}
	if got := s.kinds("start", "bootstrap"); !reflect.DeepEqual(got, []string{"bootstrap n2"}) {
		t.Fatalf("operations %q: nothing may start after a failed bootstrap", got)
	}
	if !strings.Contains(err.Error(), "every node is stopped") || !strings.Contains(err.Error(), "galeraflow recover") {
		t.Errorf("advice:\n%v", err)
	}
}

func TestRestartDryRunStopsNothing(t *testing.T) {
	s := newSim(t, "n1", "n2", "n3")
	report, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2", "n3"), fastRestart("n2"), true)
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if ops := s.kinds("stop", "start", "bootstrap"); len(ops) != 0 {
		t.Errorf("a dry run ran %q", ops)
	}
	if w := s.writes(); len(w) != 0 {
		t.Errorf("a dry run wrote %q", w)
	}
	var actions []string
	for _, st := range report.Steps {
		if st.Step == "restart" && st.Status == StatusPlanned {
			actions = st.Change.Actions
		}
	}
	if len(actions) < 6 {
		t.Fatalf("planned actions %q", actions)
	}
	for i, want := range []string{"stop n1", "stop n3", "stop n2", "read grastate.dat", "bootstrap n2", "start n1", "start n3", "verify"} {
		if !strings.HasPrefix(actions[i], want) {
			t.Errorf("action %d = %q, want it to start with %q", i, actions[i], want)
		}
	}
	if !strings.Contains(actions[2], "stopped last") || !strings.Contains(actions[4], "confirmed from grastate.dat") {
		t.Errorf("the plan should say why n2 bootstraps: %q / %q", actions[2], actions[4])
	}
}

func TestRestartUnhealthyPreflightRefusesBeforeStopping(t *testing.T) {
	s := newSim(t, "n1", "n2", "n3")
	s.nodes["n2"].localState = "Donor/Desynced"
	_, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2", "n3"), fastRestart(""), false)
	if !errors.Is(err, ErrPreflight) || !errors.Is(err, ErrDegraded) || !strings.Contains(err.Error(), "n2") {
		t.Fatalf("err = %v, want a degraded preflight naming n2", err)
	}
	if ops := s.kinds("stop", "start", "bootstrap"); len(ops) != 0 {
		t.Errorf("operations %q after a refused preflight", ops)
	}
	for _, n := range s.nodes {
		for _, c := range n.fake.Calls() {
			if strings.Contains(c.Command, "systemctl") || strings.Contains(c.Command, "galera_new_cluster") || strings.Contains(c.Command, "wsrep-recover") {
				t.Errorf("%s: %s after a refused preflight", n.name, c.Command)
			}
		}
	}
}

func TestRestartUnreachableNodeRefusesBeforeStopping(t *testing.T) {
	s := newSim(t, "n1", "n2", "n3")
	fakes := s.fakes()
	delete(fakes, "n3")
	_, err := Execute(context.Background(), simInventory(t, "n1", "n2", "n3"), fastRestart(""), Options{Dial: fakeDialer(fakes), LockDir: t.TempDir()})
	if !errors.Is(err, remote.ErrUnreachable) || !errors.Is(err, ErrPreflight) {
		t.Fatalf("err = %v", err)
	}
	if ops := s.kinds("stop", "start", "bootstrap"); len(ops) != 0 {
		t.Errorf("operations %q", ops)
	}
}

func TestRestartRefusesAConfigThatWouldBootstrap(t *testing.T) {
	for name, opts := range map[string]map[string]string{
		"empty gcomm":   {"wsrep_cluster_address": "gcomm://"},
		"new cluster":   {"wsrep-new-cluster": ""},
		"pc.bootstrap":  {"wsrep_provider_options": "gcache.size=1G;pc.bootstrap=YES"},
		"no cluster ad": {"wsrep_cluster_address": "\x00"},
	} {
		t.Run(name, func(t *testing.T) {
			s := newSim(t, "n1", "n2", "n3")
			for k, v := range opts {
				if v == "\x00" {
					delete(s.nodes["n2"].options, k)
					continue
				}
				s.nodes["n2"].options[k] = v
			}
			_, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2", "n3"), fastRestart(""), false)
			if !errors.Is(err, ErrPreflight) || !strings.Contains(err.Error(), "n2: refusing to start it") {
				t.Fatalf("err = %v", err)
			}
			if ops := s.kinds("stop"); len(ops) != 0 {
				t.Errorf("stopped %q despite the refusal", ops)
			}
		})
	}
}

func TestRestartInterruptedBetweenNodes(t *testing.T) {
	s := newSim(t, "n1", "n2", "n3")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.onEvent = func(ev string) {
		if ev == "stop n1" {
			cancel() // Ctrl-C while n1 stops: n1's stop finishes, n2 is never touched
		}
	}
	report, err := s.execute(t, ctx, simInventory(t, "n1", "n2", "n3"), fastRestart(""), false)
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v, want interrupted", err)
	}
	if got := s.kinds("stop", "start", "bootstrap"); !reflect.DeepEqual(got, []string{"stop n1"}) {
		t.Fatalf("operations %q", got)
	}
	out := RestartOutcomeOf(report)
	if out.Node("n1").State != NodeStopped || out.Node("n2").State != NodeRunning {
		t.Errorf("standing: n1 %s, n2 %s", out.Node("n1").State, out.Node("n2").State)
	}
	if !strings.Contains(err.Error(), "n1 (`systemctl start mariadb`)") {
		t.Errorf("the advice should say to start n1 again:\n%v", err)
	}
	if report.Result != "interrupted" {
		t.Errorf("result %s", report.Result)
	}
}

func TestRestartInterruptedAfterBootstrapNeverBootstrapsAgain(t *testing.T) {
	s := newSim(t, "n1", "n2", "n3")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.onEvent = func(ev string) {
		if ev == "bootstrap n3" {
			cancel()
		}
	}
	_, err := s.execute(t, ctx, simInventory(t, "n1", "n2", "n3"), fastRestart(""), false)
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v", err)
	}
	want := []string{"stop n1", "stop n2", "stop n3", "bootstrap n3"}
	if got := s.kinds("stop", "start", "bootstrap"); !reflect.DeepEqual(got, want) {
		t.Fatalf("operations %q, want %q", got, want)
	}
	if !strings.Contains(err.Error(), "the cluster runs on n3") {
		t.Errorf("advice:\n%v", err)
	}
}

func TestRestartInPlaybookOnlyWhenNeeded(t *testing.T) {
	s := newSim(t, "n1", "n2")
	pb := &Playbook{Name: "p", RequireHealthy: true, Steps: []Step{Restart{every: 5 * time.Millisecond}}}
	report, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2"), pb, false)
	if err != nil {
		t.Fatal(err)
	}
	if ops := s.kinds("stop"); len(ops) != 0 {
		t.Errorf("restarted with nothing that needs it: %q", ops)
	}
	if report.Steps[0].Status != StatusUnchanged {
		t.Errorf("status %s", report.Steps[0].Status)
	}

	// With an earlier change that needs it, the restart runs and says why.
	s2 := newSim(t, "n1", "n2")
	pb = &Playbook{Name: "p", RequireHealthy: true, Steps: []Step{needsRestartStep{}, Restart{every: 5 * time.Millisecond}}}
	report, err = s2.execute(t, context.Background(), simInventory(t, "n1", "n2"), pb, true)
	if err != nil {
		t.Fatal(err)
	}
	var summary string
	for _, st := range report.Steps {
		if st.Step == "restart" {
			summary = st.Change.Summary
		}
	}
	if !strings.Contains(summary, "because n1: new option") {
		t.Errorf("summary %q", summary)
	}
}

func TestRecoverPicksTheMostAdvancedNode(t *testing.T) {
	// Every node crashed; n2 went furthest. The first (n1) and the last
	// (n3) node of the inventory must not win by position.
	s := newSim(t, "n1", "n2", "n3")
	s.crash("n1")
	s.commit(5)
	s.crash("n3")
	s.commit(3)
	s.crash("n2")
	report, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2", "n3"), fastRecover(""), false)
	if err != nil {
		t.Fatalf("recover: %v", err)
	}
	for _, n := range s.nodes {
		if n.recoveries != 1 {
			t.Errorf("%s: %d recoveries", n.name, n.recoveries)
		}
	}
	if w := s.writes(); !reflect.DeepEqual(w, []string{"n2 /var/lib/mysql/grastate.dat"}) {
		t.Errorf("writes %q, want n2's grastate.dat only", w)
	}
	want := []string{"bootstrap n2", "start n1", "start n3"}
	if got := s.kinds("start", "bootstrap"); !reflect.DeepEqual(got, want) {
		t.Fatalf("operations %q, want %q", got, want)
	}
	s.assertHealthy(t)
	out := RestartOutcomeOf(report)
	if out.Decision.Node != "n2" || !strings.Contains(out.Decision.Reason, "highest seqno 50") {
		t.Errorf("decision %s: %s", out.Decision.Node, out.Decision.Reason)
	}
}

func TestRecoverRefusesWhileAPrimaryRuns(t *testing.T) {
	s := newSim(t, "n1", "n2", "n3")
	s.crash("n1")
	s.crash("n2")
	_, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2", "n3"), fastRecover(""), false)
	if !errors.Is(err, ErrNotDown) || !errors.Is(err, ErrPreflight) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"n3 (Synced, Primary, size 1)", "Start n1, n2 one at a time", "`systemctl start mariadb`"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q:\n%v", want, err)
		}
	}
	if ops := s.kinds("start", "bootstrap"); len(ops) != 0 {
		t.Errorf("operations %q", ops)
	}
	for _, n := range s.nodes {
		if n.recoveries != 0 {
			t.Errorf("%s: --wsrep-recover ran while a cluster is up", n.name)
		}
	}
}

func TestRecoverRefusesAChangedChoice(t *testing.T) {
	s := newSim(t, "n1", "n2")
	s.crash("n1")
	s.commit(2)
	s.crash("n2")
	_, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2"), fastRecover("n1"), false)
	if err == nil || !strings.Contains(err.Error(), "now choose n2, not n1") {
		t.Fatalf("err = %v", err)
	}
	if ops := s.kinds("start", "bootstrap"); len(ops) != 0 {
		t.Errorf("operations %q", ops)
	}
}

func TestRecoverDryRunShowsTheChoiceAndChangesNothing(t *testing.T) {
	s := newSim(t, "n1", "n2", "n3")
	s.crash("n3")
	s.commit(1)
	s.crash("n2")
	s.commit(1)
	s.crash("n1")
	report, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2", "n3"), fastRecover(""), true)
	if err != nil {
		t.Fatal(err)
	}
	if ops := s.kinds("start", "bootstrap"); len(ops) != 0 {
		t.Errorf("operations %q", ops)
	}
	if w := s.writes(); len(w) != 0 {
		t.Errorf("writes %q", w)
	}
	out := RestartOutcomeOf(report)
	if out == nil || out.Decision.Node != "n1" {
		t.Fatalf("dry-run decision: %+v", out)
	}
	if !strings.Contains(report.Steps[0].Change.Summary, "bootstrap n1") {
		t.Errorf("summary %q", report.Steps[0].Change.Summary)
	}
}

func TestEmptyClusterAddress(t *testing.T) {
	for addr, want := range map[string]bool{
		"gcomm://":                   true,
		`"gcomm://"`:                 true,
		"gcomm://?pc.wait_prim=no":   true,
		"gcomm://,":                  true,
		"gcomm://n1,n2":              false,
		"gcomm://n1?pc.wait_prim=no": false,
		"":                           false,
	} {
		if got := emptyClusterAddress(addr); got != want {
			t.Errorf("emptyClusterAddress(%q) = %v, want %v", addr, got, want)
		}
	}
}

// needsRestartStep plans a change that needs a restart (as tls-config does).
type needsRestartStep struct{}

func (needsRestartStep) Name() string { return "needs-restart" }
func (needsRestartStep) Scope() Scope { return PerNode }
func (needsRestartStep) Plan(_ context.Context, _ *Run, t *Target) (*Change, error) {
	return &Change{Changed: true, NeedsRestart: true, Summary: "new option"}, nil
}
func (needsRestartStep) Apply(context.Context, *Run, *Target, *Change) error { return nil }

// tlsLikeStep changes option files the way the TLS step does (one file
// replaced, one created) and records the backups for the restart.
type tlsLikeStep struct{}

func (tlsLikeStep) Name() string { return "tls-like" }
func (tlsLikeStep) Scope() Scope { return PerNode }
func (tlsLikeStep) Plan(_ context.Context, _ *Run, t *Target) (*Change, error) {
	return &Change{Changed: true, NeedsRestart: true, Summary: "turn TLS on"}, nil
}
func (tlsLikeStep) Apply(ctx context.Context, run *Run, t *Target, _ *Change) error {
	galeraCnf := "/etc/mysql/mariadb.conf.d/60-galera.cnf"
	old, err := t.Host.ReadFile(ctx, galeraCnf)
	if err != nil {
		return err
	}
	wr, err := t.Host.WriteFile(ctx, galeraCnf, append(old, []byte("ssl_cipher = broken\n")...), remote.WriteOptions{})
	if err != nil {
		return err
	}
	run.RecordBackup(FileBackup{Node: t.Node.Name, Path: wr.Path, Backup: wr.Backup, Step: "tls-like"})
	wr, err = t.Host.WriteFile(ctx, "/etc/mysql/mariadb.conf.d/70-tls.cnf", []byte("[mysqld]\nssl_ca = /nope\n"), remote.WriteOptions{Mode: 0o644})
	if err != nil {
		return err
	}
	run.RecordBackup(FileBackup{Node: t.Node.Name, Path: wr.Path, Backup: wr.Backup, Step: "tls-like"})
	return nil
}

// brokenByTLS makes a node's start fail while its config holds the
// tls-like step's change.
func brokenByTLS(s *simCluster, name string) {
	n := s.nodes[name]
	n.startFails = func() string {
		if f := n.fake.File("/etc/mysql/mariadb.conf.d/60-galera.cnf"); f != nil && strings.Contains(string(f.Data), "broken") {
			return "mariadbd exited during start: [ERROR] Failed to set up SSL"
		}
		return ""
	}
}

func TestRestartRestoresThisRunsFilesWhenAJoinerFails(t *testing.T) {
	s := newSim(t, "n1", "n2", "n3")
	for _, n := range s.order {
		s.nodes[n].fake.ExpectFunc("mv aside", func(c string) bool { return strings.HasPrefix(c, "mv -f -- ") }).Sudo(true).AnyTimes()
	}
	brokenByTLS(s, "n1")
	original := string(s.nodes["n1"].fake.File("/etc/mysql/mariadb.conf.d/60-galera.cnf").Data)
	pb := &Playbook{Name: "tls", RequireHealthy: true, Steps: []Step{tlsLikeStep{}, Restart{every: 5 * time.Millisecond}}}
	report, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2", "n3"), pb, false)
	// The cluster is whole again, but n1's part of the run was undone: a
	// partial failure, with n1's first error in the report.
	if !errors.Is(err, ErrPartial) || !strings.Contains(err.Error(), "n1 started only with its previous files put back") ||
		!strings.Contains(err.Error(), "with this run's files: ") || !strings.Contains(err.Error(), "Failed to set up SSL") {
		t.Fatalf("run: %v", err)
	}
	want := []string{"stop n1", "stop n2", "stop n3", "bootstrap n3", "start n1", "start n1", "start n2"}
	if got := s.kinds("stop", "start", "bootstrap"); !reflect.DeepEqual(got, want) {
		t.Fatalf("operations %q, want %q", got, want)
	}
	if got := string(s.nodes["n1"].fake.File("/etc/mysql/mariadb.conf.d/60-galera.cnf").Data); got != original {
		t.Errorf("n1's 60-galera.cnf not restored:\n%s", got)
	}
	var moved string
	for _, c := range s.nodes["n1"].fake.Calls() {
		if strings.HasPrefix(c.Command, "mv -f -- ") {
			moved = c.Command
		}
	}
	if !strings.Contains(moved, "/etc/mysql/mariadb.conf.d/70-tls.cnf /etc/mysql/mariadb.conf.d/70-tls.cnf.galeraflow-") || !strings.HasSuffix(moved, ".failed") {
		t.Errorf("the file the run created was not moved aside: %q", moved)
	}
	// Only the failing node is rolled back; the others keep the change.
	if got := string(s.nodes["n2"].fake.File("/etc/mysql/mariadb.conf.d/60-galera.cnf").Data); !strings.Contains(got, "broken") {
		t.Errorf("n2's file changed back, but n2 did not fail")
	}
	out := RestartOutcomeOf(report)
	if n1 := out.Node("n1"); len(n1.Restored) != 2 || n1.State != NodeJoined {
		t.Errorf("n1: %+v", n1)
	}
	if len(out.Notes) == 0 || !strings.Contains(strings.Join(out.Notes, "\n"), "n1 joined only after its files were restored") {
		t.Errorf("notes %q", out.Notes)
	}
}

func TestRestartGivesUpWhenTheRestoredNodeStillFails(t *testing.T) {
	s := newSim(t, "n1", "n2", "n3")
	for _, n := range s.order {
		s.nodes[n].fake.ExpectFunc("mv aside", func(c string) bool { return strings.HasPrefix(c, "mv -f -- ") }).Sudo(true).AnyTimes()
	}
	s.nodes["n1"].startFails = func() string { return "mariadbd exited during start: disk full" }
	pb := &Playbook{Name: "tls", RequireHealthy: true, Steps: []Step{tlsLikeStep{}, Restart{every: 5 * time.Millisecond}}}
	_, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2", "n3"), pb, false)
	if err == nil || !strings.Contains(err.Error(), "with the files restored, it failed again") {
		t.Fatalf("err = %v", err)
	}
	want := []string{"stop n1", "stop n2", "stop n3", "bootstrap n3", "start n1", "start n1"}
	if got := s.kinds("stop", "start", "bootstrap"); !reflect.DeepEqual(got, want) {
		t.Fatalf("operations %q, want %q: one retry, then stop", got, want)
	}
}

func TestRestartRestoresAndBootstrapsTheSameNodeAgain(t *testing.T) {
	s := newSim(t, "n1", "n2")
	for _, n := range s.order {
		s.nodes[n].fake.ExpectFunc("mv aside", func(c string) bool { return strings.HasPrefix(c, "mv -f -- ") }).Sudo(true).AnyTimes()
	}
	brokenByTLS(s, "n2")
	pb := &Playbook{Name: "tls", RequireHealthy: true, Steps: []Step{tlsLikeStep{}, Restart{every: 5 * time.Millisecond}}}
	if _, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2"), pb, false); !errors.Is(err, ErrPartial) || !strings.Contains(err.Error(), "n2 started only with its previous files put back") {
		t.Fatalf("run: %v", err)
	}
	want := []string{"stop n1", "stop n2", "bootstrap n2", "bootstrap n2", "start n1"}
	if got := s.kinds("stop", "start", "bootstrap"); !reflect.DeepEqual(got, want) {
		t.Fatalf("operations %q, want %q", got, want)
	}
	s.assertHealthy(t)
}

func TestRecoverRefusesWhenItCannotLookForProcesses(t *testing.T) {
	s := newSim(t, "n1", "n2")
	s.crash("n1")
	s.crash("n2")
	s.nodes["n2"].noPidof = true
	_, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2"), fastRecover(""), false)
	if !errors.Is(err, ErrPreflight) || !strings.Contains(err.Error(), "neither pidof nor pgrep") {
		t.Fatalf("err = %v", err)
	}
	if ops := s.kinds("start", "bootstrap"); len(ops) != 0 {
		t.Errorf("operations %q", ops)
	}
}

func TestPlaybookFileRestartStep(t *testing.T) {
	pb, err := ParsePlaybook("p.yml", []byte("steps:\n  - tls-config\n  - restart: {bootstrap_node: n2}\n"))
	if err != nil {
		t.Fatal(err)
	}
	r, ok := pb.Steps[1].(Restart)
	if !ok || r.BootstrapNode != "n2" || r.Always {
		t.Fatalf("step %#v", pb.Steps[1])
	}
	if _, err := ParsePlaybook("p.yml", []byte("steps:\n  - restart: {bootstrap: n2}\n")); err == nil || !strings.Contains(err.Error(), "bootstrap") {
		t.Errorf("unknown option accepted: %v", err)
	}
	if pb, err := ParsePlaybook("p.yml", []byte("steps:\n  - restart\n")); err != nil || pb.Steps[0].(Restart).BootstrapNode != "" {
		t.Errorf("bare restart: %v", err)
	}
}

//go:build lab

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/playbook/certs"
)

// Faults during the stop-all then bootstrap-first restart, on the TLS lab
// the concurrency scenario left.

// rotatedCerts copies the lab's certificates into a new directory, with a
// new certificate and key for node signed by the lab CA, and returns an
// inventory that uses them.
func rotatedCerts(t *testing.T, f *faultLab, node, ip string) string {
	t.Helper()
	src := filepath.Join(f.dir, "state/certs")
	dir := t.TempDir()
	for _, name := range []string{"ca.pem", "client-cert.pem", "client-key.pem", "n1-cert.pem", "n1-key.pem", "n2-cert.pem", "n2-key.pem", "n3-cert.pem", "n3-key.pem"} {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, name, string(data))
	}
	caCert, err := os.ReadFile(filepath.Join(src, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	caKey, err := os.ReadFile(filepath.Join(src, "ca-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	ca, err := certs.LoadCA(caCert, caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, key, err := certs.GenerateLeaf(ca, certs.LeafOptions{
		CommonName: node, DNSNames: []string{node, "localhost"}, IPAddresses: []string{ip, "127.0.0.1"},
		Usage: certs.UsageNode, Algorithm: certs.RSA2048, Now: time.Now(), Lifetime: 90 * 24 * time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, node+"-cert.pem", string(cert))
	writeFile(t, dir, node+"-key.pem", string(key))
	return rewriteInventory(t, f.inv, src+"/", dir+"/")
}

// faultServerRejectsCertificate (3): n2 gets a new certificate, and the
// file is broken on n2 after galeraflow stopped it and before it starts it
// again (what a certificate the server cannot load does). galeraflow must
// restore n2's previous certificate and key, bring the cluster back to
// full size, exit non-zero and say what happened.
func faultServerRejectsCertificate(t *testing.T, f *faultLab) {
	inv := rotatedCerts(t, f, "n2", labIPs["n2"])
	oldCert := remoteSHA(t, "n2", "/etc/mysql/ssl/server-cert.pem")
	oldKey := remoteSHA(t, "n2", "/etc/mysql/ssl/server-key.pem")
	starts, pids := lastStarts(t), serverPIDs(t)

	wait := f.appAsync(t, "run", inv)
	// n2 stops second; it starts again last, after n3's bootstrap and n1's join.
	waitUntil(t, "galeraflow to stop n2", 4*time.Minute, func() bool { return livePID("n2") == "" })
	lab(t, "exec", "n2", "truncate", "-s", "300", "/etc/mysql/ssl/server-cert.pem")
	r := wait(8 * time.Minute)
	if r.code != exitPartial {
		t.Fatalf("exit %d, want %d (partial)\nstdout:\n%s\nstderr:\n%s", r.code, exitPartial, r.stdout, r.stderr)
	}
	for _, want := range []string{"n2", "restored /etc/mysql/ssl/server-cert.pem from /etc/mysql/ssl/server-cert.pem.galeraflow-", "restored /etc/mysql/ssl/server-key.pem from", "with this run's files", "Failed to setup SSL", "next:"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the report lacks %q:\n%s", want, r.stderr)
		}
	}
	assertNoTrace(t, r.stderr)
	if got := remoteSHA(t, "n2", "/etc/mysql/ssl/server-cert.pem"); got != oldCert {
		t.Errorf("n2's server certificate is not the one it had before the run")
	}
	if got := remoteSHA(t, "n2", "/etc/mysql/ssl/server-key.pem"); got != oldKey {
		t.Errorf("n2's server key is not the one it had before the run")
	}
	assertClusterOf3(t)
	assertOneBootstrap(t, starts, "n3")
	for n, p := range serverPIDs(t) {
		if p == pids[n] {
			t.Errorf("%s was not restarted", n)
		}
	}
	t.Logf("galeraflow's report:\n%s", r.stderr)
}

// faultInterruptDuringRestart (8): SIGINT while the bootstrap node starts.
// galeraflow lets the bootstrap finish, starts nothing more, says where
// every node stands and what to do, and exits 130.
func faultInterruptDuringRestart(t *testing.T, f *faultLab) {
	starts, pids := lastStarts(t), serverPIDs(t)
	p := f.start(t, "restart", f.inv)
	waitUntil(t, "n3 to bootstrap", 4*time.Minute, func() bool {
		pid := livePID("n3")
		return !p.running() || pid != "" && pid != pids["n3"]
	})
	p.signal(t, syscall.SIGINT)
	code := p.wait(t, 5*time.Minute)
	stdout, stderr := p.stdout.String(), p.stderr.String()
	f.assertNoSecret(t, "the interrupted restart", stdout, stderr)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitInterrupted, stdout, stderr)
	}
	for _, want := range []string{"interrupted", "where each node stands", "n1", "n2", "next:", "do not bootstrap again"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	assertNoTrace(t, stderr)
	// One node bootstrapped and runs; the others were stopped and not started.
	if got := labSQL(t, "n3", "SELECT GROUP_CONCAT(VARIABLE_VALUE ORDER BY VARIABLE_NAME) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('WSREP_CLUSTER_SIZE','WSREP_CLUSTER_STATUS','WSREP_LOCAL_STATE_COMMENT')"); got != "1,Primary,Synced" {
		t.Errorf("n3: size,status,state = %s, want 1,Primary,Synced", got)
	}
	for _, n := range []string{"n1", "n2"} {
		if pid := livePID(n); pid != "" {
			t.Errorf("%s runs (pid %s) after the interrupt: nothing may start after the node in flight", n, pid)
		}
	}
	assertOneBootstrap(t, starts, "n3")

	// The advice works: start the others one at a time.
	lab(t, "service", "n1", "start")
	waitSynced(t, "n1")
	lab(t, "service", "n2", "start")
	waitSyncedInCluster(t, "n2", 3*time.Minute)
	t.Logf("galeraflow's report:\n%s", stderr)
}

// faultBootstrapNodeDies (4): the bootstrap node is killed while it
// starts. galeraflow stops, reports every node and the next step;
// `galeraflow recover` then brings the cluster back.
func faultBootstrapNodeDies(t *testing.T, f *faultLab) {
	starts, pids := lastStarts(t), serverPIDs(t)
	wait := f.appAsync(t, "restart", f.inv)
	waitUntil(t, "n3 to bootstrap", 4*time.Minute, func() bool {
		pid := livePID("n3")
		return pid != "" && pid != pids["n3"]
	})
	lab(t, "kill-mysqld", "n3")
	r := wait(6 * time.Minute)
	if r.code != exitPartial {
		t.Fatalf("exit %d, want %d (partial)\nstdout:\n%s\nstderr:\n%s", r.code, exitPartial, r.stdout, r.stderr)
	}
	for _, want := range []string{"where each node stands", "n1", "n2", "n3", "failed", "galeraflow recover"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	assertNoTrace(t, r.stderr)
	for _, n := range labNodes {
		if pid := livePID(n); pid != "" {
			t.Errorf("%s runs (pid %s): after the bootstrap node died nothing may start", n, pid)
		}
	}
	assertOneBootstrap(t, starts, "n3")
	t.Logf("galeraflow's report:\n%s", r.stderr)

	f.recoverCluster(t)
}

// faultBootstrapNodeDiesDuringJoin (4, later): the bootstrap node is
// killed while the next node joins it. The join fails; the report must not
// say the cluster runs on the dead node, and recover brings it back.
func faultBootstrapNodeDiesDuringJoin(t *testing.T, f *faultLab) {
	pids := serverPIDs(t)
	wait := f.appAsync(t, "restart", f.inv)
	// n1 stops first and, after n3's bootstrap, is the first to start again.
	waitUntil(t, "n1 to start joining", 4*time.Minute, func() bool {
		pid := livePID("n1")
		return pid != "" && pid != pids["n1"]
	})
	lab(t, "kill-mysqld", "n3")
	r := wait(6 * time.Minute)
	if r.code != exitPartial {
		t.Fatalf("exit %d, want %d (partial)\nstdout:\n%s\nstderr:\n%s", r.code, exitPartial, r.stdout, r.stderr)
	}
	if strings.Contains(r.stderr, "runs on n3") || !strings.Contains(r.stderr, "galeraflow recover") || !strings.Contains(r.stderr, "n3: bootstrapped by this run, then lost") {
		t.Errorf("the report should say n3 was lost and the next step is recover:\n%s", r.stderr)
	}
	assertNoTrace(t, r.stderr)
	if pid := livePID("n3"); pid != "" {
		t.Errorf("n3 runs again (pid %s)", pid)
	}
	t.Logf("galeraflow's report:\n%s", r.stderr)
	// The advice: a node still running outside a Primary component is
	// stopped first, then recover.
	for _, n := range []string{"n1", "n2"} {
		if livePID(n) != "" {
			if !strings.Contains(r.stderr, n+"'s mysqld still runs") && !strings.Contains(r.stderr, "except "+n) {
				t.Errorf("%s still runs but the report does not say to stop it", n)
			}
			lab(t, "service", n, "stop")
		}
	}
	f.recoverCluster(t)
}

// faultEveryServerKilled (5): every mysqld gets SIGKILL, the last writes
// reached only n2 and n3. TestLabRecoverPicksTheMostAdvancedNode covers
// crashes mixed with a clean stop on the plain lab; this adds every node
// killed, on the TLS lab, with the first node of the inventory behind.
func faultEveryServerKilled(t *testing.T, f *faultLab) {
	table := labTable(t)
	insertRows(t, "n1", table, 1, 2, 3)
	lab(t, "kill-mysqld", "n1")
	waitSize(t, "n2", 2)
	insertRows(t, "n2", table, 11, 12)
	insertRows(t, "n3", table, 21)
	lab(t, "kill-mysqld", "n2", "n3")
	starts := lastStarts(t)

	o := f.recoverCluster(t)
	if d := o.Outcome.Decision.Node; d != "n2" && d != "n3" {
		t.Errorf("recover chose %s (%s): n1 is behind", d, o.Outcome.Decision.Reason)
	}
	assertRows(t, table, []int{1, 2, 3, 11, 12, 21})
	assertOneBootstrap(t, starts, o.Outcome.Decision.Node)
}

// recoverCluster runs `galeraflow recover --yes`, which must succeed and
// leave all three nodes in one Primary component, and returns its outcome.
func (f *faultLab) recoverCluster(t *testing.T) labRestartOutcome {
	t.Helper()
	stdout, stderr, code := f.app(t, "--output", "json", "recover", "--yes", f.inv)
	if code != exitOK {
		t.Fatalf("recover: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	assertClusterOf3(t)
	o := parseOutcome(t, stdout)
	t.Logf("recover chose %s", o.Outcome.Decision.Node)
	return o
}

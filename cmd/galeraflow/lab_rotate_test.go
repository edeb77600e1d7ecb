//go:build lab

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/playbook/certs"
)

// Certificate rotation on the real cluster, driven through the CLI, judged
// from outside: a client writing every 100 ms over TLS, openssl from the
// controller, the servers' PIDs and Galera's view id (wsrep_cluster_conf_id
// changes with every membership change, so an unchanged id proves no node
// left or joined).

// rotLab is the lab with TLS on, run from an inventory whose certificate
// files live in a temp dir the test may replace (the lab's own stay).
type rotLab struct {
	dir, certs, inv string
}

func setupRotLab(t *testing.T) *rotLab {
	t.Helper()
	freshLab(t)
	t.Cleanup(func() { freshLab(t) })
	l := &rotLab{dir: t.TempDir()}
	l.certs = filepath.Join(l.dir, "certs")
	copyCerts(t, filepath.Join(labDir(t), "state", "certs"), l.certs)
	l.inv = labInventory(t, " state/certs/", " "+l.certs+"/")
	if out, stderr, code := runApp(t, "run", l.inv); code != exitOK {
		t.Fatalf("turning TLS on: exit %d\n%s\n%s", code, out, stderr)
	}
	return l
}

func copyCerts(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"ca", "ca-key", "n1-cert", "n1-key", "n2-cert", "n2-key", "n3-cert", "n3-key", "client-cert", "client-key"} {
		data, err := os.ReadFile(filepath.Join(from, f+".pem"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, f+".pem"), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func serialOfFile(t *testing.T, path string) string {
	t.Helper()
	cs, err := certs.ParseCertificates(readFile(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return certs.Describe(path, cs[0], time.Now()).Serial
}

// confIDs reads every node's wsrep_cluster_conf_id.
func confIDs(t *testing.T) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, n := range labNodes {
		ids[n] = strings.TrimSpace(lab(t, "sql", n, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME='WSREP_CLUSTER_CONF_ID'"))
	}
	return ids
}

// served is what openssl on the controller sees on a node's port.
type served struct {
	serial string
	out    string
	err    error
}

// sClient connects from the controller; extra are s_client options.
func sClient(node string, port int, extra ...string) served {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	args := append([]string{"s_client", "-connect", fmt.Sprintf("%s:%d", labIPs[node], port)}, extra...)
	if port == 3306 {
		args = append(args, "-starttls", "mysql")
	}
	cmd := exec.CommandContext(ctx, "openssl", args...)
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	s := served{out: string(out), err: err}
	if i := bytes.Index(out, []byte("-----BEGIN CERTIFICATE-----")); i >= 0 {
		if cs, perr := certs.ParseCertificates(out[i:]); perr == nil {
			s.serial = certs.Describe("", cs[0], time.Now()).Serial
		}
	}
	return s
}

// writer inserts a row every 100 ms, each over a new TLS connection that
// verifies the server's certificate, round robin over the nodes.
type writer struct {
	tag            string
	cancel         context.CancelFunc
	done           chan struct{}
	mu             sync.Mutex
	ok, failed     int
	failures       []string
	attempts, late int
}

func startWriter(t *testing.T, caFile string) *writer {
	t.Helper()
	pw := make([]byte, 12)
	if _, err := rand.Read(pw); err != nil {
		t.Fatal(err)
	}
	pass := hex.EncodeToString(pw)
	lab(t, "sql", "n1", "CREATE DATABASE IF NOT EXISTS gftest; CREATE TABLE IF NOT EXISTS gftest.w (id INT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(32), node VARCHAR(8)); "+
		"CREATE USER IF NOT EXISTS 'gfwriter'@'%' IDENTIFIED BY '"+pass+"'; ALTER USER 'gfwriter'@'%' IDENTIFIED BY '"+pass+"'; GRANT INSERT, SELECT ON gftest.* TO 'gfwriter'@'%' REQUIRE SSL")
	opts := writeFile(t, t.TempDir(), "client.cnf", "[client]\nuser=gfwriter\npassword="+pass+"\n")
	ctx, cancel := context.WithCancel(context.Background())
	w := &writer{tag: fmt.Sprintf("w%d", time.Now().UnixNano()%1e9), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			node := labNodes[i%len(labNodes)]
			start := time.Now()
			cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
			out, err := exec.CommandContext(cctx, "mariadb", "--defaults-extra-file="+opts, "-h", labIPs[node], "--protocol=TCP",
				"--ssl-ca="+caFile, "--ssl-verify-server-cert", "--connect-timeout=5", "-N", "-B",
				"-e", fmt.Sprintf("INSERT INTO gftest.w (tag, node) VALUES ('%s', '%s')", w.tag, node)).CombinedOutput()
			ccancel()
			w.mu.Lock()
			w.attempts++
			if time.Since(start) > 100*time.Millisecond {
				w.late++
			}
			if err != nil {
				w.failed++
				w.failures = append(w.failures, fmt.Sprintf("%s %s: %v: %s", time.Now().Format("15:04:05.000"), node, err, strings.TrimSpace(string(out))))
			} else {
				w.ok++
			}
			w.mu.Unlock()
		}
	}()
	return w
}

// stop ends the writer and checks that every row it was told about is on
// every node.
func (w *writer) stop(t *testing.T) (ok, failed int) {
	t.Helper()
	w.cancel()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, n := range labNodes {
		var got int
		out, err := labCommand("sql", n, "SELECT COUNT(*) FROM gftest.w WHERE tag='"+w.tag+"'").CombinedOutput()
		if _, serr := fmt.Sscan(strings.TrimSpace(string(out)), &got); err != nil || serr != nil {
			t.Errorf("%s: count the writer's rows: %v %s", n, err, out)
		} else if got != w.ok {
			t.Errorf("%s holds %d of the writer's rows, %d were acknowledged", n, got, w.ok)
		}
	}
	t.Logf("writer: %d writes, %d failed (%d took over 100 ms)", w.attempts, w.failed, w.late)
	for _, f := range w.failures {
		t.Logf("  failed write: %s", f)
	}
	return w.ok, w.failed
}

// rotate runs galeraflow rotate and returns its output and duration.
func (l *rotLab) rotate(t *testing.T, args ...string) (string, string, int, time.Duration) {
	t.Helper()
	start := time.Now()
	out, stderr, code := runApp(t, append([]string{"--log-level", "debug", "rotate"}, append(args, l.inv)...)...)
	took := time.Since(start)
	logSlow(t, stderr)
	return out, stderr, code, took
}

// logSlow shows the remote commands of a run that took a second or more
// (the debug log's "exec done" lines), so a slow run says where it waited.
func logSlow(t *testing.T, stderr string) {
	t.Helper()
	for _, l := range strings.Split(stderr, "\n") {
		_, v, ok := strings.Cut(l, " took=")
		if !ok {
			continue
		}
		v, _, _ = strings.Cut(v, " ")
		if d, err := time.ParseDuration(v); err == nil && d >= time.Second {
			t.Logf("slow: %s", l)
		}
	}
}

// requireServes checks from the controller that every node's server and
// Galera ports present its certificate in dir, verified against caFile.
func requireServes(t *testing.T, dir, caFile string) {
	t.Helper()
	for _, n := range labNodes {
		want := serialOfFile(t, filepath.Join(dir, n+"-cert.pem"))
		for _, port := range []int{3306, 4567} {
			s := sClient(n, port, "-CAfile", caFile, "-verify_return_error", "-cert", filepath.Join(dir, n+"-cert.pem"), "-key", filepath.Join(dir, n+"-key.pem"))
			if s.serial != want || s.err != nil {
				t.Errorf("%s:%d presents serial %q (err %v), want %s\n%s", n, port, s.serial, s.err, want, lastLinesOf(s.out, 6))
			}
		}
	}
}

func lastLinesOf(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// nodeTLSFiles is every node's /etc/mysql/ssl, hashed.
func nodeTLSFiles(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, n := range labNodes {
		b.WriteString(n + "\n" + lab(t, "exec", n, "sh", "-c", "sha256sum /etc/mysql/ssl/*"))
	}
	return b.String()
}

func TestLabRotate(t *testing.T) {
	l := setupRotLab(t)

	t.Run("certs check reads every node; exit codes for cron", func(t *testing.T) {
		out, stderr, code := runApp(t, "--output", "json", "certs", "check", l.inv)
		if code != exitOK {
			t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
		}
		var rep struct {
			Result string
			Nodes  []struct {
				Node, Level string
				Files       []struct {
					Role       string
					KeyMatches *bool `json:"key_matches"`
					Chain      string
					Certs      []struct{ Serial string }
				}
			}
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Result != "ok" || len(rep.Nodes) != 3 {
			t.Fatalf("report: %v %s\n%s", err, rep.Result, out)
		}
		for _, n := range rep.Nodes {
			for _, f := range n.Files {
				if f.Role != "server-cert" {
					continue
				}
				if want := serialOfFile(t, filepath.Join(l.certs, n.Node+"-cert.pem")); len(f.Certs) == 0 || f.Certs[0].Serial != want || f.KeyMatches == nil || !*f.KeyMatches || f.Chain != "ok" {
					t.Errorf("%s: server certificate as read on the node: %+v, want serial %s, key match, chain ok", n.Node, f, want)
				}
			}
		}
		if _, _, code := runApp(t, "certs", "check", "--warn-days", "100000", "--fail-days", "0", l.inv); code != exitCertsWarn {
			t.Errorf("--warn-days beyond expiry: exit %d, want %d", code, exitCertsWarn)
		}
		if _, _, code := runApp(t, "certs", "check", "--fail-days", "100000", l.inv); code != exitCertsFail {
			t.Errorf("--fail-days beyond expiry: exit %d, want %d", code, exitCertsFail)
		}
		// A key on a node that does not match its certificate.
		lab(t, "exec", "n3", "sh", "-c", "cp -p /etc/mysql/ssl/server-key.pem /root/gf-key.bak && cp -p /etc/mysql/ssl/client-key.pem /etc/mysql/ssl/server-key.pem")
		defer lab(t, "exec", "n3", "sh", "-c", "mv /root/gf-key.bak /etc/mysql/ssl/server-key.pem")
		out, _, code = runApp(t, "certs", "check", l.inv)
		if code != exitCertsFail || !strings.Contains(out, "n3 (node): fail: /etc/mysql/ssl/server-key.pem does not match") {
			t.Errorf("mismatched key on n3: exit %d\n%s", code, out)
		}
	})

	t.Run("a certificate that does not match its key is refused before any node is touched", func(t *testing.T) {
		bad := filepath.Join(l.dir, "bad")
		copyCerts(t, l.certs, bad)
		// New certificates, n2's with n1's key.
		badInv := labInventory(t, " state/certs/", " "+bad+"/")
		if _, stderr, code := runApp(t, "certs", "generate", "--reuse-ca", "--force", badInv); code != exitOK {
			t.Fatalf("generate: exit %d\n%s", code, stderr)
		}
		if err := os.WriteFile(filepath.Join(bad, "n2-key.pem"), readFile(t, filepath.Join(bad, "n1-key.pem")), 0o600); err != nil {
			t.Fatal(err)
		}
		files, pids, ids := nodeTLSFiles(t), serverPIDs(t), confIDs(t)
		out, stderr, code := runApp(t, "rotate", "--yes", badInv)
		if code != exitInvalid || !strings.Contains(stderr, "n2") || !strings.Contains(stderr, "does not match") {
			t.Fatalf("exit %d, want %d\n%s\n%s", code, exitInvalid, out, stderr)
		}
		if nodeTLSFiles(t) != files || fmt.Sprint(serverPIDs(t)) != fmt.Sprint(pids) || fmt.Sprint(confIDs(t)) != fmt.Sprint(ids) {
			t.Errorf("a refused rotation touched the nodes")
		}
	})

	t.Run("same CA: live, node by node, no failed write, no restart", func(t *testing.T) {
		if _, stderr, code := runApp(t, "certs", "generate", "--reuse-ca", "--force", l.inv); code != exitOK {
			t.Fatalf("generate: exit %d\n%s", code, stderr)
		}
		pids, ids := serverPIDs(t), confIDs(t)
		w := startWriter(t, filepath.Join(l.certs, "ca.pem"))
		time.Sleep(time.Second) // writes before the rotation, too
		metrics := filepath.Join(l.dir, "galeraflow.prom")
		out, stderr, code, took := l.rotate(t, "--metrics-file", metrics)
		time.Sleep(time.Second)
		ok, failed := w.stop(t)
		if code != exitOK {
			t.Fatalf("rotate: exit %d\n%s\n%s", code, out, stderr)
		}
		prom := string(readFile(t, metrics))
		for _, want := range []string{`galeraflow_rotate_last_run_success{cluster="lab"} 1`, `path="same-ca",method="reload"`, `galeraflow_cert_days_left{cluster="lab",node="n3"} `} {
			if !strings.Contains(prom, want) {
				t.Errorf("metrics file lacks %q:\n%s", want, prom)
			}
		}
		t.Logf("timing: same-CA live rotation of 3 nodes: %s, %d writes ok, %d failed", took.Round(time.Millisecond), ok, failed)
		if failed != 0 || ok == 0 {
			t.Errorf("writes: %d ok, %d failed; want none failed", ok, failed)
		}
		if !strings.Contains(out, "path: same-ca (reload)") {
			t.Errorf("output does not name the path:\n%s", out)
		}
		if after := serverPIDs(t); fmt.Sprint(after) != fmt.Sprint(pids) {
			t.Errorf("servers restarted: %v → %v", pids, after)
		}
		if after := confIDs(t); fmt.Sprint(after) != fmt.Sprint(ids) {
			t.Errorf("the cluster's membership changed (wsrep_cluster_conf_id %v → %v)", ids, after)
		}
		requireServes(t, l.certs, filepath.Join(l.certs, "ca.pem"))

		// Nothing left to do: one line, exit 0.
		out, stderr, code, _ = l.rotate(t)
		if code != exitOK || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.HasPrefix(out, "rotate: nothing to do") {
			t.Errorf("second run: exit %d\n%q\n%s", code, out, stderr)
		}
	})

	t.Run("new CA: three phases live, no failed write, no member lost, new CA only", func(t *testing.T) {
		oldCA := readFile(t, filepath.Join(l.certs, "ca.pem"))
		oldN1 := filepath.Join(l.dir, "old-n1")
		copyCerts(t, l.certs, oldN1)
		if _, stderr, code := runApp(t, "certs", "generate", "--force", l.inv); code != exitOK {
			t.Fatalf("generate: exit %d\n%s", code, stderr)
		}
		newCA := readFile(t, filepath.Join(l.certs, "ca.pem"))
		both, err := certs.Bundle(oldCA, newCA)
		if err != nil {
			t.Fatal(err)
		}
		bothFile := writeFile(t, l.dir, "both-cas.pem", string(both))
		pids, ids := serverPIDs(t), confIDs(t)
		w := startWriter(t, bothFile)
		time.Sleep(time.Second)
		out, stderr, code, took := l.rotate(t)
		time.Sleep(time.Second)
		ok, failed := w.stop(t)
		if code != exitOK {
			t.Fatalf("rotate: exit %d\n%s\n%s", code, out, stderr)
		}
		t.Logf("timing: new-CA live rotation (3 phases) of 3 nodes: %s, %d writes ok, %d failed", took.Round(time.Millisecond), ok, failed)
		if failed != 0 || ok == 0 {
			t.Errorf("writes: %d ok, %d failed; want none failed", ok, failed)
		}
		for _, want := range []string{"path: new-ca (reload)", "phase 1 trust-both-cas: done", "phase 2 node-certs: done", "phase 3 drop-old-ca: done"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if after := serverPIDs(t); fmt.Sprint(after) != fmt.Sprint(pids) {
			t.Errorf("servers restarted: %v → %v", pids, after)
		}
		if after := confIDs(t); fmt.Sprint(after) != fmt.Sprint(ids) {
			t.Errorf("the cluster lost or gained a member (wsrep_cluster_conf_id %v → %v)", ids, after)
		}
		newCAFile := filepath.Join(l.certs, "ca.pem")
		requireServes(t, l.certs, newCAFile) // verified against the new CA alone
		for _, n := range labNodes {
			if eq, err := certs.EqualCertificates([]byte(lab(t, "exec", n, "cat", "/etc/mysql/ssl/ca.pem")), newCA); err != nil || !eq {
				t.Errorf("%s: /etc/mysql/ssl/ca.pem is not the new CA alone (%v)", n, err)
			}
			// The server no longer trusts the old CA: a client certificate
			// it signed is refused. (TLS 1.2: the refusal ends the handshake.)
			s := sClient(n, 3306, "-tls1_2", "-cert", filepath.Join(oldN1, "n1-cert.pem"), "-key", filepath.Join(oldN1, "n1-key.pem"))
			if s.err == nil || !strings.Contains(s.out, "unknown ca") {
				t.Errorf("%s:3306 accepted a client certificate of the old CA: %v\n%s", n, s.err, lastLinesOf(s.out, 4))
			}
			g := sClient(n, 4567, "-tls1_2", "-cert", filepath.Join(oldN1, "n1-cert.pem"), "-key", filepath.Join(oldN1, "n1-key.pem"))
			t.Logf("%s:4567 with an old-CA certificate after the rotation: accepted=%v (Galera's socket.ssl_reload adds CAs but does not drop them until a restart)", n, g.err == nil)
		}
	})

	t.Run("fallback: one node restarted at a time", func(t *testing.T) {
		if _, stderr, code := runApp(t, "certs", "generate", "--reuse-ca", "--force", l.inv); code != exitOK {
			t.Fatalf("generate: exit %d\n%s", code, stderr)
		}
		pids := serverPIDs(t)
		w := startWriter(t, filepath.Join(l.certs, "ca.pem"))
		out, stderr, code, took := l.rotate(t, "--restart-nodes")
		ok, failed := w.stop(t)
		if code != exitOK || !strings.Contains(out, "path: same-ca (restart)") {
			t.Fatalf("rotate --restart-nodes: exit %d\n%s\n%s", code, out, stderr)
		}
		t.Logf("timing: same-CA rolling restart of 3 nodes: %s, %d writes ok, %d failed (writes to the node being restarted)", took.Round(time.Millisecond), ok, failed)
		after := serverPIDs(t)
		for _, n := range labNodes {
			if after[n] == pids[n] {
				t.Errorf("%s was not restarted", n)
			}
			waitSyncedInCluster(t, n, time.Minute)
		}
		requireServes(t, l.certs, filepath.Join(l.certs, "ca.pem"))
	})

	t.Run("new file paths: full restart, only with --yes", func(t *testing.T) {
		data := strings.Replace(string(readFile(t, l.inv)), "remote_dir: /etc/mysql/ssl", "remote_dir: /etc/mysql/ssl-rotated", 1)
		moved := writeFile(t, l.dir, "inventory-moved.yml", data)
		files := nodeTLSFiles(t)
		if out, stderr, code := runApp(t, "rotate", moved); code != exitInvalid || !strings.Contains(stderr, "--yes") {
			t.Fatalf("without --yes: exit %d, want %d\n%s\n%s", code, exitInvalid, out, stderr)
		}
		if nodeTLSFiles(t) != files {
			t.Errorf("the refused full restart changed files")
		}
		w := startWriter(t, filepath.Join(l.certs, "ca.pem"))
		start := time.Now()
		out, stderr, code := runApp(t, "rotate", "--yes", moved)
		took := time.Since(start)
		if code != exitOK || !strings.Contains(out, "path: full-restart") {
			t.Errorf("rotate --yes: exit %d after %s\n%s\n%s", code, took, out, stderr)
		}
		ok, failed := w.stop(t)
		if t.Failed() {
			t.FailNow()
		}
		t.Logf("timing: full stop-all/bootstrap restart of 3 nodes (new paths): %s, %d writes ok, %d failed", took.Round(time.Millisecond), ok, failed)
		for _, n := range labNodes {
			if got := strings.TrimSpace(lab(t, "sql", n, "SELECT @@ssl_cert")); got != "/etc/mysql/ssl-rotated/server-cert.pem" {
				t.Errorf("%s runs with ssl_cert %s", n, got)
			}
		}
		requireServes(t, l.certs, filepath.Join(l.certs, "ca.pem"))
	})
}

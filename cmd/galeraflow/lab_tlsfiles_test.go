//go:build lab

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// restoreLabConfig puts back every file galeraflow backed up on the lab
// nodes and removes the certificates it uploaded, so later tests start
// from the lab's plain cluster (the servers were not restarted, so they
// never read the changed files).
func restoreLabConfig(t *testing.T) {
	t.Helper()
	const script = `set -e
for b in $(find /etc/mysql -name '*.galeraflow-*.bak' | sort -r); do
  orig=${b%.galeraflow-*.bak}
  cp -p "$b" "$orig"
done
find /etc/mysql -name '*.galeraflow-*.bak' -delete
rm -rf /etc/mysql/ssl /etc/mysql/conf.d/70-galeraflow-test.cnf`
	for _, n := range []string{"n1", "n2", "n3"} {
		lab(t, "exec", n, "sh", "-c", script)
	}
}

// TestLabTLSFilesPlaybook: the certificate upload and the option-file
// patch, applied for real, verified with the server's own tools, and
// idempotent.
func TestLabTLSFilesPlaybook(t *testing.T) {
	inv := filepath.Join(labDir(t), "inventory.yml")
	restoreLabConfig(t)
	t.Cleanup(func() { restoreLabConfig(t) })
	// A file in the include tree that spells keys with '-' and 'loose-':
	// galeraflow must edit it in place, keeping its spelling.
	for _, n := range []string{"n1", "n2", "n3"} {
		lab(t, "exec", n, "sh", "-c", `printf '[mysqld]\nssl-ca=/etc/old/ca.pem\nloose-ssl-cert = /etc/old/cert.pem\n' > /etc/mysql/conf.d/70-galeraflow-test.cnf`)
	}

	out, stderr, code := runApp(t, "run", "--dry-run", "--playbook", "tls-files", inv)
	if code != exitOK {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, stderr)
	}
	if got := lab(t, "exec", "n2", "sh", "-c", "ls /etc/mysql/ssl 2>&1 || true"); !strings.Contains(got, "No such file") {
		t.Fatalf("dry run created /etc/mysql/ssl on n2: %s", got)
	}
	if !strings.Contains(out, "+ssl_cert") && !strings.Contains(out, "loose-ssl-cert = /etc/mysql/ssl/server-cert.pem") {
		t.Errorf("dry run shows no config diff:\n%s", out)
	}

	out, stderr, code = runApp(t, "run", "--playbook", "tls-files", inv)
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, stderr)
	}
	for _, n := range []string{"n1", "n2", "n3"} {
		ls := lab(t, "exec", n, "sh", "-c", "stat -c '%n %U:%G %a' /etc/mysql/ssl /etc/mysql/ssl/*")
		for _, want := range []string{
			"/etc/mysql/ssl mysql:mysql 750", "/etc/mysql/ssl/ca.pem mysql:mysql 644",
			"/etc/mysql/ssl/server-key.pem mysql:mysql 600", "/etc/mysql/ssl/client-key.pem mysql:mysql 600",
		} {
			if !strings.Contains(ls, want) {
				t.Errorf("%s: lacks %q:\n%s", n, want, ls)
			}
		}
		local, err := os.ReadFile(filepath.Join(labDir(t), "state", "certs", n+"-cert.pem"))
		if err != nil {
			t.Fatal(err)
		}
		if remote := lab(t, "exec", n, "cat", "/etc/mysql/ssl/server-cert.pem"); remote != string(local) {
			t.Errorf("%s: server-cert.pem on the node differs from %s-cert.pem", n, n)
		}
		server := lab(t, "exec", n, "my_print_defaults", "--mysqld")
		for _, want := range []string{
			"--ssl-ca=/etc/mysql/ssl/ca.pem", "--loose-ssl-cert=/etc/mysql/ssl/server-cert.pem", "--ssl_key=/etc/mysql/ssl/server-key.pem",
			"--wsrep_sst_method=mysqldump", "gcache.size=32M", "socket.ssl_ca=/etc/mysql/ssl/ca.pem",
		} {
			if !strings.Contains(server, want) {
				t.Errorf("%s: my_print_defaults --mysqld lacks %q:\n%s", n, want, maskAuth(server))
			}
		}
		if strings.Contains(server, "/etc/old/") {
			t.Errorf("%s: an old path survives in the effective options:\n%s", n, maskAuth(server))
		}
		client := lab(t, "exec", n, "my_print_defaults", "client")
		for _, want := range []string{"--ssl-ca=/etc/mysql/ssl/ca.pem", "--ssl-cert=/etc/mysql/ssl/client-cert.pem", "--ssl-key=/etc/mysql/ssl/client-key.pem"} {
			if !strings.Contains(client, want) {
				t.Errorf("%s: my_print_defaults client lacks %q:\n%s", n, want, client)
			}
		}
		// The file with '-' spellings was edited in place, its spelling kept.
		test := lab(t, "exec", n, "cat", "/etc/mysql/conf.d/70-galeraflow-test.cnf")
		if !strings.Contains(test, "ssl-ca=/etc/mysql/ssl/ca.pem") || !strings.Contains(test, "loose-ssl-cert = /etc/mysql/ssl/server-cert.pem") {
			t.Errorf("%s: 70-galeraflow-test.cnf not edited in place:\n%s", n, test)
		}
		backups := lab(t, "exec", n, "sh", "-c", "find /etc/mysql -name '*.galeraflow-*.bak' | wc -l")
		if strings.TrimSpace(backups) == "0" {
			t.Errorf("%s: no backup of the patched files", n)
		}
	}

	out, stderr, code = runApp(t, "--output", "json", "run", "--playbook", "tls-files", inv)
	if code != exitOK {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, stderr)
	}
	if strings.Contains(out, `"status": "changed"`) || !strings.Contains(out, `"status": "unchanged"`) {
		t.Errorf("second run is not a no-op:\n%s", out)
	}
	pw, err := os.ReadFile(filepath.Join(labDir(t), "state", "sst.pw"))
	if err != nil {
		t.Fatal(err)
	}
	if p := strings.TrimSpace(string(pw)); strings.Contains(out+stderr, p) {
		t.Errorf("the SST password appears in galeraflow's output")
	}
}

// maskAuth hides wsrep_sst_auth in test failure output.
func maskAuth(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "sst_auth") {
			l = "--wsrep_sst_auth=****"
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

//go:build lab

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Secrets, quoting and file modes, proven on the lab: the hostile SST
// password of the suite never shows, reaches the server intact, and the
// files galeraflow writes have safe modes.

// faultSecretsInDryRun: the plan (text and JSON, with debug logs) masks the
// password and changes nothing.
func faultSecretsInDryRun(t *testing.T, f *faultLab) {
	before := snapshotNodes(t)
	for _, output := range []string{"text", "json"} {
		stdout, stderr, code := f.app(t, "--log-level", "debug", "--output", output, "run", "--dry-run", f.inv)
		if code != exitOK {
			t.Fatalf("dry run (%s): exit %d\nstdout:\n%s\nstderr:\n%s", output, code, stdout, stderr)
		}
		// The password is in the plan, masked: the SQL and wsrep_sst_auth.
		if !strings.Contains(stdout, "IDENTIFIED BY '****'") || !strings.Contains(stdout, "wsrep_sst_auth = ****") {
			t.Errorf("the %s plan should show the password masked in the SQL and in wsrep_sst_auth:\n%s", output, stdout)
		}
	}
	assertUnchanged(t, before, snapshotNodes(t))
}

// fileModes lists path → "mode owner:group" for every file under dir on a node.
func fileModes(t *testing.T, node, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	out := lab(t, "exec", node, "find", dir, "-type", "f", "-printf", `%p %m %u:%g\n`)
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Fields(l); len(f) == 3 {
			m[f[0]] = f[1] + " " + f[2]
		}
	}
	return m
}

// faultTwoRunsAtOnce (6): a second run while the first restarts the
// cluster refuses at once, exit 7, naming the first; the first (which is
// also the re-run of the interrupted upload, with the hostile password,
// debug logs and a JSON report) completes. Every node's process list is
// sampled during it for the password; afterwards the server reads the
// password exactly, and the files galeraflow wrote have safe modes.
func faultTwoRunsAtOnce(t *testing.T, f *faultLab) {
	// An unusual mode and group on one option file the run changes: its
	// backup and its new version must keep them.
	lab(t, "exec", "n1", "sh", "-c", "chmod 0640 /etc/mysql/mariadb.conf.d/60-galera.cnf && chgrp mysql /etc/mysql/mariadb.conf.d/60-galera.cnf")
	modes := map[string]map[string]string{}
	for _, n := range labNodes {
		modes[n] = fileModes(t, n, "/etc/mysql")
	}
	pids := serverPIDs(t)

	stopWatch := watchProcesses(t, f.token)
	first := f.start(t, "--log-level", "debug", "--output", "json", "run", f.inv)
	waitUntil(t, "the first run to stop n1", 4*time.Minute, func() bool {
		return !first.running() || livePID("n1") != pids["n1"]
	})
	if !first.running() {
		stopWatch()
		t.Fatalf("the first run ended before the restart: exit %d\n%s", first.code, first.stderr.String())
	}
	second := f.start(t, "run", f.inv)
	code2 := second.wait(t, time.Minute)
	// A copy of the inventory elsewhere (cron's and an operator's) is the
	// same cluster: refused as well.
	inv, err := os.ReadFile(f.inv)
	if err != nil {
		t.Fatal(err)
	}
	third := f.start(t, "restart", writeFile(t, t.TempDir(), "copy.yml", string(inv)))
	code3 := third.wait(t, time.Minute)
	firstStillRuns := first.running()
	code1 := first.wait(t, 8*time.Minute)
	if leaks := stopWatch(); len(leaks) > 0 {
		t.Errorf("the password appeared in a process command line on a node:\n%s", strings.Join(leaks, "\n"))
	}
	out1, err1, out2, err2 := first.stdout.String(), first.stderr.String(), second.stdout.String(), second.stderr.String()
	f.assertNoSecret(t, "the first run", out1, err1)
	f.assertNoSecret(t, "the refused run", out2, err2)

	if code2 != exitLocked {
		t.Errorf("second run: exit %d, want %d (lock held)\nstdout:\n%s\nstderr:\n%s", code2, exitLocked, out2, err2)
	}
	holder := fmt.Sprintf("pid %d (run ", first.cmd.Process.Pid)
	if !strings.Contains(err2, holder) {
		t.Errorf("the refusal should name the holder (%q):\n%s", holder, err2)
	}
	if out3, err3 := third.stdout.String(), third.stderr.String(); code3 != exitLocked || !strings.Contains(err3, holder) {
		t.Errorf("a restart from a copy of the inventory: exit %d, want %d naming %q\nstdout:\n%s\nstderr:\n%s", code3, exitLocked, holder, out3, err3)
	}
	if !firstStillRuns {
		t.Errorf("the second run returned only after the first had ended")
	}
	if code1 != exitOK {
		t.Fatalf("first run: exit %d\nstdout:\n%s\nstderr:\n%s", code1, out1, err1)
	}
	var report struct{ Result string }
	if err := json.Unmarshal([]byte(out1), &report); err != nil || report.Result != "ok" {
		t.Errorf("first run's JSON report: %v, result %q", err, report.Result)
	}
	if !strings.Contains(err1, "level=DEBUG") {
		t.Errorf("no debug log lines: the leak check saw no logs")
	}

	for _, n := range labNodes {
		if got := labSQL(t, n, "SELECT @@have_ssl"); got != "YES" {
			t.Errorf("%s: have_ssl %q after the run", n, got)
		}
		// What the server will hand the SST script: exactly user:password.
		auth := ""
		for _, l := range strings.Split(lab(t, "exec", n, "my_print_defaults", "--mysqld"), "\n") {
			if v, ok := strings.CutPrefix(l, "--wsrep_sst_auth="); ok {
				auth = v
			}
		}
		if auth != "sst_user:"+f.secret {
			t.Errorf("%s: the server reads wsrep_sst_auth as %q, not sst_user and the inventory's password", n, strings.ReplaceAll(auth, f.token, "<token>"))
		}
		f.assertSafeModes(t, n, modes[n])
	}
}

// assertSafeModes: nothing under /etc/mysql is world-writable or a temp
// file, no key is world-readable, and every backup galeraflow made (and
// the file it replaced) kept the mode and owner the original had before
// the run.
func (f *faultLab) assertSafeModes(t *testing.T, node string, before map[string]string) {
	t.Helper()
	if out := lab(t, "exec", node, "find", "/etc/mysql", "-perm", "-0002", "!", "-type", "l"); strings.TrimSpace(out) != "" {
		t.Errorf("%s: world-writable files:\n%s", node, out)
	}
	// A write the interrupted upload cut off left a temp file: the re-run's
	// write of that file removed it.
	if out := lab(t, "exec", node, "find", "/etc/mysql", "-name", "*.galeraflow-tmp-*"); strings.TrimSpace(out) != "" {
		t.Errorf("%s: temp files left beside the targets:\n%s", node, out)
	}
	now := fileModes(t, node, "/etc/mysql")
	for p, m := range now {
		mode, _ := strconv.ParseUint(strings.Fields(m)[0], 8, 32)
		if strings.Contains(filepath.Base(p), "key") && mode&0o004 != 0 {
			t.Errorf("%s: %s is world-readable (%s)", node, p, m)
		}
		orig, _, isBackup := strings.Cut(p, ".galeraflow-")
		if !isBackup || !strings.HasSuffix(p, ".bak") {
			continue
		}
		if was, ok := before[orig]; ok {
			if m != was {
				t.Errorf("%s: backup %s is %s, the original was %s", node, p, m, was)
			}
			if cur := now[orig]; cur != was {
				t.Errorf("%s: %s is now %s, it was %s", node, orig, cur, was)
			}
		}
	}
	for _, k := range []string{"/etc/mysql/ssl/server-key.pem", "/etc/mysql/ssl/client-key.pem"} {
		if m := now[k]; m != "600 mysql:mysql" {
			t.Errorf("%s: %s is %q, want 600 mysql:mysql", node, k, m)
		}
	}
	if node == "n1" && now["/etc/mysql/mariadb.conf.d/60-galera.cnf"] != "640 root:mysql" {
		t.Errorf("n1: 60-galera.cnf is %q, want its own 640 root:mysql", now["/etc/mysql/mariadb.conf.d/60-galera.cnf"])
	}
}

// sqlString is a MySQL string literal written independently of
// galeraflow's quoting (default sql_mode: backslash escapes).
func sqlString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\x00", `\0`).Replace(s) + "'"
}

// loginOverTCP logs in from one node to another as user with password
// (MYSQL_PWD, from stdin: any byte but NUL) and returns CURRENT_USER() and
// the session's cipher.
func loginOverTCP(from, to, user, password string) (string, error) {
	script := `IFS= read -r -d '' MYSQL_PWD; export MYSQL_PWD; exec mariadb --no-defaults -h "$1" --protocol=TCP -u "$2" -N -B -e "SELECT CURRENT_USER(), VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME='SSL_CIPHER'"`
	cmd := labCommand("exec", from, "bash", "-c", script, "bash", labIPs[to], user)
	cmd.Stdin = strings.NewReader(password + "\x00")
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// faultSQLQuotingRoundTrip: passwords and a user name with quotes,
// backslashes, %, _, newlines and 4-byte UTF-8, from env: secrets, reach
// the real server intact through both of galeraflow's ways of quoting: the
// SQL string literal of CREATE USER (the sst-user step; proven by logging
// in with the password over TCP on every node, and by the next run finding
// the stored hash equal), and the client option file (the admin login;
// proven by `check` reaching every node as that user).
func faultSQLQuotingRoundTrip(t *testing.T, f *faultLab) {
	token := "Qt" + randomHex(t, 5)
	pw := "q'uo\"te\\back%sl_ash\n" + token + " new line ü😀 `x` $(y) '; DROP USER root; --"
	t.Setenv("GFTEST_QUOTE_SST_PW", pw)
	inv := rewriteInventory(t, f.inv, "  user: sst_user\n  password: env:"+faultPasswordEnv, "  user: gf_quote\n  password: env:GFTEST_QUOTE_SST_PW")
	drop := func() { _ = labCommand("sql", "n1", "DROP USER IF EXISTS 'gf_quote'@'%'").Run() }
	drop()
	t.Cleanup(drop)
	pb := sstUserPlaybook(t)
	noLeak := func(what string, outs ...string) {
		for _, o := range outs {
			if strings.Contains(o, token) {
				t.Errorf("%s: the password appears in galeraflow's output", what)
			}
		}
	}
	stdout, stderr, code := f.app(t, "--log-level", "debug", "run", "--playbook", pb, inv)
	noLeak("sst-user", stdout, stderr)
	if code != exitOK {
		t.Fatalf("sst-user run: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, n := range labNodes {
		out, err := loginOverTCP("n1", n, "gf_quote", pw)
		if err != nil || !strings.HasPrefix(out, "gf_quote@%\t") || len(strings.Fields(out)) < 2 {
			t.Errorf("log in to %s as gf_quote over TCP with the password: %v %q", n, err, strings.ReplaceAll(out, token, "<token>"))
		}
	}
	stdout, stderr, code = f.app(t, "--output", "json", "run", "--playbook", pb, inv)
	noLeak("sst-user again", stdout, stderr)
	if code != exitOK || strings.Contains(stdout, `"status": "changed"`) || !strings.Contains(stdout, `"status": "unchanged"`) {
		t.Errorf("the second run should find the stored password equal: exit %d\n%s\n%s", code, stdout, stderr)
	}

	// The admin login: a user name and a password that need quoting in the
	// option file galeraflow gives the client.
	admin := `gf'adm"in\%_ü`
	adminPW := "a'd\"m\\in%_\n" + token + "😀 #not a comment"
	t.Setenv("GFTEST_QUOTE_ADMIN_PW", adminPW)
	user := sqlString(admin) + "@'localhost'"
	lab(t, "sql", "n1", "CREATE USER "+user+" IDENTIFIED BY "+sqlString(adminPW)+"; GRANT ALL ON *.* TO "+user)
	t.Cleanup(func() { _ = labCommand("sql", "n1", "DROP USER IF EXISTS "+user).Run() })
	adminInv := rewriteInventory(t, inv, "sst:\n", "mysql:\n  user: "+strconv.Quote(admin)+"\n  password: env:GFTEST_QUOTE_ADMIN_PW\nsst:\n")
	stdout, stderr, code = f.app(t, "--log-level", "debug", "check", adminInv)
	noLeak("check as the admin user", stdout, stderr)
	if code != exitOK || !strings.Contains(stdout, "all Primary and Synced") {
		t.Errorf("check as %q: exit %d\nstdout:\n%s\nstderr:\n%s", admin, code, stdout, stderr)
	}
}

package sstuser

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestLiveMariaDB runs the whole cycle against a real MariaDB server:
// inspect, build, apply, inspect again (must be unchanged), verify, log in
// as the user over TLS. It needs a throwaway server reachable as root over
// the socket in SSTUSER_TEST_SOCKET (with ssl_ca/ssl_cert/ssl_key set) and
// is skipped otherwise. It creates and drops users named sstuser_test_*.
func TestLiveMariaDB(t *testing.T) {
	sock := os.Getenv("SSTUSER_TEST_SOCKET")
	if sock == "" {
		t.Skip("SSTUSER_TEST_SOCKET not set")
	}
	client := func(user, password, sql string) ([][]string, error) {
		args := []string{"--no-defaults", "-S", sock, "-u", user, "-N", "-B", "--default-character-set=utf8mb4"}
		cmd := exec.Command("mariadb", args...)
		cmd.Stdin = strings.NewReader(sql)
		if password != "" {
			cmd.Env = append(os.Environ(), "MYSQL_PWD="+password)
		}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			return nil, &exec.Error{Name: "mariadb: " + strings.TrimSpace(errb.String()), Err: err}
		}
		var rows [][]string
		for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			if l != "" {
				rows = append(rows, strings.Split(l, "\t"))
			}
		}
		return rows, nil
	}
	root := func(sql string) [][]string {
		t.Helper()
		rows, err := client("root", "", sql)
		if err != nil {
			t.Fatalf("%v\n%s", err, sql)
		}
		return rows
	}
	version := root("SELECT VERSION();")[0][0]

	for _, c := range []struct {
		user, password, method string
	}{
		{"sstuser_test_dump", "p'w\\d%\"ü😀\nx", MethodMysqldump},
		{"sstuser_test_mb", "x'); DROP USER root; --", MethodMariabackup},
	} {
		t.Run(c.method, func(t *testing.T) {
			in := Input{Flavor: FlavorMariaDB, ServerVersion: version, User: c.user, Password: c.password, Method: c.method}
			root("DROP USER IF EXISTS '" + c.user + "'@'%';")
			defer root("DROP USER IF EXISTS '" + c.user + "'@'%';")

			step := func(wantChanged bool, wantSummary string) {
				t.Helper()
				cur, err := ParseInspect(root(InspectSQL(in)))
				if err != nil {
					t.Fatal(err)
				}
				p, err := Build(in, cur)
				if err != nil {
					t.Fatal(err)
				}
				if p.Changed != wantChanged || !strings.Contains(p.Summary, wantSummary) {
					t.Fatalf("plan = %v (changed %t), want changed %t, summary with %q", p, p.Changed, wantChanged, wantSummary)
				}
				if p.Changed {
					root(strings.Join(p.Statements, "\n"))
				}
			}
			step(true, "create")
			step(false, "unchanged")
			// Drift: lose SSL and the password, then one privilege.
			root("ALTER USER '" + c.user + "'@'%' IDENTIFIED BY 'other' REQUIRE NONE;")
			if c.method == MethodMariabackup {
				root("REVOKE PROCESS ON *.* FROM '" + c.user + "'@'%';")
				step(true, "set the password; require SSL; grant PROCESS")
			} else {
				step(true, "set the password; require SSL")
			}
			step(false, "unchanged")

			rows := root(VerifySQL(c.user, ""))
			if len(rows) != 1 || rows[0][2] != "ANY" {
				t.Fatalf("verify = %q, want ssl_type ANY", rows)
			}
			got, err := client(c.user, c.password, "SHOW STATUS LIKE 'Ssl_cipher';")
			if err != nil || len(got) != 1 || got[0][1] == "" {
				t.Fatalf("log in as the SST user over TLS: %q, %v", got, err)
			}
			if _, err := client(c.user, c.password+"x", "SELECT 1;"); err == nil {
				t.Fatal("a wrong password logged in")
			}
		})
	}
}

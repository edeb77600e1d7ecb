package remote_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/remote"
	"github.com/galeraflow/galeraflow/remote/remotetest"
)

// fakeClient logs its argv, the option file's mode and its directory's
// mode, keeps a copy of the option file (to check its quoting), reads the
// SQL from stdin and prints canned batch output, or an error for "FAIL".
const fakeClient = `#!/bin/sh
log="$REMOTETEST_ROOT/client.log"
for a in "$@"; do printf 'arg:%s\n' "$a"; done >> "$log"
case $1 in
--defaults-extra-file=*)
	f=${1#--defaults-extra-file=}
	printf 'file:%s\nfilemode:%s\ndirmode:%s\n' "$f" "$(stat -c %a "$f")" "$(stat -c %a "$(dirname "$f")")" >> "$log"
	cp "$f" "$REMOTETEST_ROOT/option-file.copy"
	;;
esac
sql=$(cat)
printf 'sql:%s\n' "$sql" >> "$log"
case $sql in
*FAIL*)
	echo "ERROR 1064 (42000) at line 1: You have an error in your SQL syntax near 'FAIL'" >&2
	exit 1
	;;
esac
printf 'wsrep_cluster_size\t3\nWSREP_Local_State_Comment\tSynced\n'
`

const dbPassword = `pa ss"w\o'rd#1`

func newMySQLEnv(t *testing.T, user string) (*testEnv, *remote.Client) {
	e := newEnv(t, remotetest.Options{})
	e.srv.AddProgram("mariadb", fakeClient)
	return e, e.dial(e.config(user))
}

func clientLog(t *testing.T, e *testEnv) map[string][]string {
	t.Helper()
	m := map[string][]string{}
	for _, line := range strings.Split(readFile(t, filepath.Join(e.srv.Root(), "client.log")), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			m[k] = append(m[k], v)
		}
	}
	return m
}

func TestMySQLWithPasswordUsesPrivateOptionFile(t *testing.T) {
	e, c := newMySQLEnv(t, "deploy")
	mc := remote.MySQLClient{User: "galeraflow", Password: pw(dbPassword), ConnectTimeout: 5 * time.Second}
	rows, err := mc.Query(context.Background(), c, "SHOW STATUS LIKE 'wsrep_%'")
	if err != nil {
		t.Fatal(err)
	}
	want := remote.Rows{{"wsrep_cluster_size", "3"}, {"WSREP_Local_State_Comment", "Synced"}}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("rows = %q", rows)
	}
	log := clientLog(t, e)
	args := log["arg"]
	if len(args) == 0 || !strings.HasPrefix(args[0], "--defaults-extra-file=") {
		t.Fatalf("first argument = %q, want --defaults-extra-file", args)
	}
	for _, want := range []string{"--connect-timeout=5", "-N", "-B"} {
		if !contains(args, want) {
			t.Errorf("argv %q lacks %s", args, want)
		}
	}
	if contains(args, "--raw") || contains(args, "-r") {
		t.Errorf("argv %q uses raw mode", args)
	}
	if log["filemode"][0] != "600" || log["dirmode"][0] != "700" {
		t.Fatalf("option file mode %s in dir mode %s, want 600 in 700", log["filemode"], log["dirmode"])
	}
	if log["sql"][0] != "SHOW STATUS LIKE 'wsrep_%'" {
		t.Fatalf("sql on stdin = %q", log["sql"])
	}
	optFile := log["file"][0]
	if _, err := os.Stat(filepath.Dir(optFile)); !os.IsNotExist(err) {
		t.Fatalf("option file dir %s left behind (%v)", filepath.Dir(optFile), err)
	}
	assertNoDBPassword(t, e)
	if len(e.srv.SudoCalls()) != 0 {
		t.Errorf("a client with credentials used sudo: %q", e.srv.SudoCalls())
	}
	checkOptionFileQuoting(t, filepath.Join(e.srv.Root(), "option-file.copy"))
}

// checkOptionFileQuoting reads the option file with the real
// my_print_defaults, when installed, to prove the escaping round-trips.
func checkOptionFileQuoting(t *testing.T, file string) {
	tool, err := exec.LookPath("my_print_defaults")
	if err != nil {
		t.Log("my_print_defaults not installed: option file quoting not checked against the real parser")
		return
	}
	// MariaDB's prints passwords as is; MySQL's masks them unless --show.
	out, err := exec.Command(tool, "--defaults-file="+file, "client").CombinedOutput()
	if err == nil && strings.Contains(string(out), "*****") {
		out, err = exec.Command(tool, "--defaults-file="+file, "--show", "client").CombinedOutput()
	}
	if err != nil {
		t.Fatalf("my_print_defaults: %v: %s", err, out)
	}
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	want := []string{"--user=galeraflow", "--password=" + dbPassword}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("my_print_defaults read %q, want %q", got, want)
	}
}

func TestMySQLFailureParsesErrorAndCleansUp(t *testing.T) {
	e, c := newMySQLEnv(t, "deploy")
	mc := remote.MySQLClient{User: "galeraflow", Password: pw(dbPassword)}
	_, err := mc.Query(context.Background(), c, "SELECT FAIL")
	var se *remote.SQLError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *SQLError", err)
	}
	if se.Node != "n1" || se.Code != 1064 || se.State != "42000" || se.Line != 1 || !strings.Contains(se.Message, "SQL syntax") {
		t.Fatalf("SQLError = %+v", se)
	}
	optFile := clientLog(t, e)["file"][0]
	if _, err := os.Stat(filepath.Dir(optFile)); !os.IsNotExist(err) {
		t.Fatalf("option file dir left behind after a failure (%v)", err)
	}
	assertNoDBPassword(t, e)
	if strings.Contains(err.Error(), "pa ss") {
		t.Fatalf("password in error: %v", err)
	}

	mc.Sensitive = true
	_, err = mc.Query(context.Background(), c, "SELECT FAIL")
	if !errors.As(err, &se) || strings.Contains(err.Error(), "syntax") || se.Code != 1064 {
		t.Fatalf("sensitive: %v", err)
	}
}

func TestMySQLAsRootOverSocket(t *testing.T) {
	e, c := newMySQLEnv(t, "deploy")
	mc := remote.MySQLClient{Socket: "/run/mysqld/mysqld.sock"}
	m, err := mc.QueryMap(context.Background(), c, "SHOW STATUS LIKE 'wsrep_%'")
	if err != nil {
		t.Fatal(err)
	}
	if m["wsrep_cluster_size"] != "3" || m["wsrep_local_state_comment"] != "Synced" {
		t.Fatalf("map = %v", m)
	}
	args := clientLog(t, e)["arg"]
	if !contains(args, "--socket=/run/mysqld/mysqld.sock") || !contains(args, "--connect-timeout=10") {
		t.Fatalf("argv = %q", args)
	}
	for _, a := range args {
		if strings.HasPrefix(a, "--defaults") {
			t.Fatalf("socket auth used an option file: %q", args)
		}
	}
	if calls := e.srv.SudoCalls(); len(calls) != 1 {
		t.Fatalf("sudo calls = %q, want 1", calls)
	}
}

func TestMySQLCommandOverride(t *testing.T) {
	e, c := newMySQLEnv(t, "root")
	e.srv.AddProgram("my-client", strings.Replace(fakeClient, "client.log", "my-client.log", 1))
	mc := remote.MySQLClient{Command: "my-client"}
	if _, err := mc.Query(context.Background(), c, "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(e.srv.Root(), "my-client.log")); err != nil {
		t.Fatalf("the configured command did not run: %v", err)
	}
}

func TestQueryMapRejectsOtherShapes(t *testing.T) {
	f := remotetest.NewFake(t, "n2")
	f.ExpectMatch(`-N -B`).Stdout("a\tb\tc\n")
	_, err := remote.MySQLClient{}.QueryMap(context.Background(), f, "SELECT 1,2,3")
	if err == nil || !strings.Contains(err.Error(), "3 columns") {
		t.Fatalf("err = %v", err)
	}
}

func assertNoDBPassword(t *testing.T, e *testEnv) {
	t.Helper()
	for name, where := range map[string]string{
		"argv": readFile(t, filepath.Join(e.srv.Root(), "client.log")),
		"sudo": string(e.srv.SudoLogBytes()),
		"logs": e.logs.String(),
	} {
		if strings.Contains(where, "pa ss") {
			t.Fatalf("password leaked into %s: %s", name, where)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

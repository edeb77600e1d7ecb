package remotetest_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/galeraflow/galeraflow/remote"
	"github.com/galeraflow/galeraflow/remote/remotetest"
)

// recorder is a testing.TB that keeps the failures a Fake reports.
type recorder struct {
	testing.TB
	errors   []string
	cleanups []func()
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Helper()          {}
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recorder) finish() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func TestFakeScriptedCommands(t *testing.T) {
	ctx := context.Background()
	f := remotetest.NewFake(t, "n1")
	f.Expect("systemctl stop mariadb").Sudo(true)
	f.ExpectMatch(`^cat /var/lib/mysql/grastate\.dat$`).Stdout("seqno: 42\n").Times(2)
	f.Expect("false").Stderr("bad thing").Exit(3)
	f.Expect("boom").Err(fmt.Errorf("n1: boom: %w", remote.ErrSudo))
	f.ExpectFunc("sql on stdin", func(c string) bool { return strings.HasPrefix(c, "mariadb") }).
		Do(func(c remotetest.Call) (remote.Result, error) {
			return remote.Result{Stdout: []byte("got " + c.Stdin)}, nil
		})
	f.Expect("optional").Optional()

	if _, err := f.Exec(ctx, "systemctl stop mariadb", remote.ExecOptions{Sudo: true}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		res, err := f.Exec(ctx, "cat /var/lib/mysql/grastate.dat", remote.ExecOptions{})
		if err != nil || string(res.Stdout) != "seqno: 42\n" {
			t.Fatalf("%q %v", res.Stdout, err)
		}
	}
	_, err := f.Exec(ctx, "false", remote.ExecOptions{})
	var ee *remote.ExitError
	if !errors.As(err, &ee) || ee.Status != 3 || ee.Stderr != "bad thing" || ee.Host != "n1" {
		t.Fatalf("err = %#v", err)
	}
	if _, err := f.Exec(ctx, "boom", remote.ExecOptions{}); !errors.Is(err, remote.ErrSudo) {
		t.Fatalf("err = %v", err)
	}
	res, err := f.Exec(ctx, "mariadb -N -B", remote.ExecOptions{Stdin: strings.NewReader("SELECT 1")})
	if err != nil || string(res.Stdout) != "got SELECT 1" {
		t.Fatalf("%q %v", res.Stdout, err)
	}
	if calls := f.Calls(); len(calls) != 6 || calls[5].Stdin != "SELECT 1" || !calls[0].Opts.Sudo {
		t.Fatalf("calls = %+v", calls)
	}
}

func TestFakeReportsUnexpectedAndUnused(t *testing.T) {
	r := &recorder{TB: t}
	f := remotetest.NewFake(r, "n2")
	f.Expect("expected one")
	f.Expect("sudo one").Sudo(true)
	_, err := f.Exec(context.Background(), "rm -rf /", remote.ExecOptions{})
	if err == nil || !strings.Contains(err.Error(), "unexpected command") {
		t.Fatalf("err = %v", err)
	}
	f.Exec(context.Background(), "sudo one", remote.ExecOptions{})
	r.finish()
	all := strings.Join(r.errors, "\n")
	for _, want := range []string{`unexpected command (sudo=false): "rm -rf /"`, `"expected one" (called 0 of 1 times)`, "sudo=false, want true", "n2"} {
		if !strings.Contains(all, want) {
			t.Errorf("reports lack %q:\n%s", want, all)
		}
	}
}

func TestFakeFiles(t *testing.T) {
	ctx := context.Background()
	f := remotetest.NewFake(t, "n1")
	f.SetFile("/etc/mysql/mariadb.cnf", "[client-server]\n", 0o640, "root", "mysql")
	f.Symlink("/etc/mysql/my.cnf", "/etc/alternatives/my.cnf")
	f.Symlink("/etc/alternatives/my.cnf", "../mysql/mariadb.cnf")

	got, err := f.ReadFile(ctx, "/etc/mysql/my.cnf")
	if err != nil || string(got) != "[client-server]\n" {
		t.Fatalf("ReadFile = %q, %v", got, err)
	}
	if fi, err := f.Stat(ctx, "/etc/mysql/my.cnf"); err != nil || fi.Mode != 0o640 || fi.Size != 16 {
		t.Fatalf("Stat = %+v, %v", fi, err)
	}
	if _, err := f.ReadFile(ctx, "/nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing: %v", err)
	}

	res, err := f.WriteFile(ctx, "/etc/mysql/my.cnf", []byte("[mysqld]\n"), remote.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantBak := "/etc/mysql/mariadb.cnf.galeraflow-20240102T030405Z.bak"
	if res.Path != "/etc/mysql/mariadb.cnf" || res.Backup != wantBak {
		t.Fatalf("WriteResult = %+v", res)
	}
	nf := f.File("/etc/mysql/mariadb.cnf")
	if string(nf.Data) != "[mysqld]\n" || nf.Mode != 0o640 || nf.Owner != "root" || nf.Group != "mysql" {
		t.Fatalf("new file = %+v", nf)
	}
	if b := f.File(wantBak); b == nil || string(b.Data) != "[client-server]\n" || b.Mode != 0o640 || b.Group != "mysql" {
		t.Fatalf("backup = %+v", b)
	}
	if w := f.Writes(); len(w) != 1 || w[0].Target != "/etc/mysql/mariadb.cnf" || w[0].Path != "/etc/mysql/my.cnf" {
		t.Fatalf("writes = %+v", w)
	}
	if _, err := f.WriteFile(ctx, "/x", nil, remote.WriteOptions{Mode: 0o666}); err == nil {
		t.Fatal("world-writable accepted")
	}
	f.FailFile("/etc/ssl/key.pem", fs.ErrPermission)
	if _, err := f.WriteFile(ctx, "/etc/ssl/key.pem", nil, remote.WriteOptions{}); !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("FailFile: %v", err)
	}
	if err := f.Close(); err != nil || !f.Closed() {
		t.Fatal("Close")
	}
}

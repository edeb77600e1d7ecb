//go:build lab

// Tests against the real lab's sshd and MariaDB (examples/lab). Run with
// `go test -tags lab ./remote/` once `examples/lab/lab.sh up` succeeded.
package remote_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/inventory/secret"
	"github.com/galeraflow/galeraflow/remote"
)

const labSSH = "../examples/lab/state/ssh"

var labNodes = []struct{ name, addr string }{
	{"n1", "10.231.7.11"}, {"n2", "10.231.7.12"}, {"n3", "10.231.7.13"},
}

type labEnv struct {
	t     *testing.T
	logs  *syncBuffer
	opsPW secret.Secret
}

func newLab(t *testing.T) *labEnv {
	t.Helper()
	if _, err := os.Stat(filepath.Join(labSSH, "known_hosts")); err != nil {
		t.Skipf("lab not built (%v): run examples/lab/lab.sh up", err)
	}
	b, err := os.ReadFile(filepath.Join(labSSH, "ops-sudo.pw"))
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return &labEnv{t: t, logs: &syncBuffer{}, opsPW: secret.New(strings.TrimRight(line, "\r"), "file:ops-sudo.pw")}
}

func (l *labEnv) config(node int, user string) remote.Config {
	n := labNodes[node]
	cfg := remote.Config{
		Name:            n.name,
		Address:         n.addr,
		User:            user,
		IdentityFiles:   []string{filepath.Join(labSSH, "id_ed25519")},
		KnownHostsFiles: []string{filepath.Join(labSSH, "known_hosts")},
		ConnectTimeout:  10 * time.Second,
		Logger:          slog.New(slog.NewJSONHandler(l.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if user == "ops" {
		cfg.SudoPassword = l.opsPW
	}
	return cfg
}

func (l *labEnv) dial(node int, user string) *remote.Client {
	l.t.Helper()
	c, err := remote.Dial(context.Background(), l.config(node, user))
	if err != nil {
		l.t.Fatalf("Dial %s as %s: %v", labNodes[node].name, user, err)
	}
	l.t.Cleanup(func() { c.Close() })
	return c
}

func (l *labEnv) assertNoOpsPassword(err error) {
	l.t.Helper()
	pw := l.opsPW.Reveal()
	if pw == "" {
		l.t.Fatal("empty ops password")
	}
	if strings.Contains(l.logs.String(), pw) {
		l.t.Fatalf("ops sudo password in logs")
	}
	if err != nil && strings.Contains(err.Error(), pw) {
		l.t.Fatalf("ops sudo password in error")
	}
}

func TestLabConnectStrict(t *testing.T) {
	l := newLab(t)
	for i := range labNodes {
		for _, user := range []string{"root", "deploy", "ops"} {
			c := l.dial(i, user)
			res, err := c.Exec(context.Background(), "id -un; hostname", remote.ExecOptions{})
			if err != nil {
				t.Fatalf("%s as %s: %v", labNodes[i].name, user, err)
			}
			if want := user + "\n" + labNodes[i].name + "\n"; string(res.Stdout) != want {
				t.Fatalf("%s as %s: got %q, want %q", labNodes[i].name, user, res.Stdout, want)
			}
		}
	}
}

func TestLabWrongKnownHosts(t *testing.T) {
	l := newLab(t)
	cfg := l.config(0, "root")
	cfg.KnownHostsFiles = []string{filepath.Join(labSSH, "wrong_known_hosts")}
	_, err := remote.Dial(context.Background(), cfg)
	if !errors.Is(err, remote.ErrHostKeyMismatch) {
		t.Fatalf("err = %v, want ErrHostKeyMismatch", err)
	}
	if !strings.Contains(err.Error(), "wrong_known_hosts:") || !strings.Contains(err.Error(), "REMOTE HOST IDENTIFICATION HAS CHANGED") {
		t.Fatalf("message: %v", err)
	}
}

func TestLabSudo(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	for _, user := range []string{"deploy", "ops"} {
		c := l.dial(0, user)
		res, err := c.Exec(ctx, "id -un; cat", remote.ExecOptions{Sudo: true, Stdin: strings.NewReader("stdin-intact")})
		if err != nil {
			t.Fatalf("%s: %v", user, err)
		}
		if string(res.Stdout) != "root\nstdin-intact" {
			t.Fatalf("%s: stdout %q", user, res.Stdout)
		}
		// Twice: the second call may find sudo's cached credentials and
		// must still work without sending the password to the command.
		res, err = c.Exec(ctx, "cat", remote.ExecOptions{Sudo: true, Stdin: strings.NewReader("again")})
		if err != nil || string(res.Stdout) != "again" {
			t.Fatalf("%s second sudo: %q, %v", user, res.Stdout, err)
		}
	}
	cfg := l.config(0, "ops")
	cfg.SudoPassword = secret.Secret{}
	c, err := remote.Dial(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Exec(ctx, "true", remote.ExecOptions{Sudo: true})
	if !errors.Is(err, remote.ErrSudo) {
		t.Fatalf("ops without password: %v, want ErrSudo", err)
	}
	t.Logf("ops without a password: %v", err)

	cfg.SudoPassword = secret.New("definitely-wrong", "test")
	c2, err := remote.Dial(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	_, err = c2.Exec(ctx, "true", remote.ExecOptions{Sudo: true})
	if !errors.Is(err, remote.ErrSudo) {
		t.Fatalf("ops with a wrong password: %v, want ErrSudo", err)
	}
	t.Logf("ops with a wrong password: %v", err)
	l.assertNoOpsPassword(err)
}

func TestLabWriteFileAsDeploy(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	for _, user := range []string{"deploy", "ops"} {
		t.Run(user, func(t *testing.T) {
			c := l.dial(1, user)
			p := "/etc/mysql/conf.d/zz-galeraflow-remote-labtest-" + user + ".cnf"
			cleanup := func() {
				c.Exec(context.Background(), "rm -f "+p+" "+p+".galeraflow-*.bak", remote.ExecOptions{Sudo: true})
			}
			cleanup()
			t.Cleanup(cleanup)
			res, err := c.WriteFile(ctx, p, []byte("[galeraflow_labtest]\n# v1\n"), remote.WriteOptions{Mode: 0o644, Owner: "root", Group: "root"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Backup != "" {
				t.Fatalf("backup of a new file: %q", res.Backup)
			}
			res, err = c.WriteFile(ctx, p, []byte("[galeraflow_labtest]\n# v2\n"), remote.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Backup == "" || !strings.HasPrefix(res.Backup, p+".galeraflow-") {
				t.Fatalf("backup = %q", res.Backup)
			}
			got, err := c.ReadFile(ctx, p)
			if err != nil || string(got) != "[galeraflow_labtest]\n# v2\n" {
				t.Fatalf("read back %q, %v", got, err)
			}
			old, err := c.ReadFile(ctx, res.Backup)
			if err != nil || string(old) != "[galeraflow_labtest]\n# v1\n" {
				t.Fatalf("backup content %q, %v", old, err)
			}
			for _, f := range []string{p, res.Backup} {
				fi, err := c.Stat(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if fi.UID != 0 || fi.GID != 0 || fi.Mode.Perm() != 0o644 {
					t.Fatalf("%s: uid %d gid %d mode %v", f, fi.UID, fi.GID, fi.Mode)
				}
			}
			// Nothing left in conf.d or the staging dir.
			out, err := c.Exec(ctx, "ls -A /etc/mysql/conf.d ~"+user+"/.galeraflow-staging", remote.ExecOptions{Sudo: true})
			if err != nil || strings.Contains(string(out.Stdout), "galeraflow-tmp") || strings.Contains(string(out.Stdout), "upload-") {
				t.Fatalf("leftovers: %s %v", out.Stdout, err)
			}
			if _, err := c.Stat(ctx, "/etc/mysql/conf.d/does-not-exist.cnf"); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("Stat missing: %v", err)
			}
			l.assertNoOpsPassword(nil)
		})
	}
}

// my.cnf → /etc/alternatives/my.cnf → /etc/mysql/mariadb.cnf: rewrite it
// with its own content; the links must stay links.
func TestLabWriteThroughSymlink(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	c := l.dial(1, "deploy")
	orig, err := c.ReadFile(ctx, "/etc/mysql/my.cnf")
	if err != nil {
		t.Fatal(err)
	}
	before, err := c.Stat(ctx, "/etc/mysql/my.cnf")
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.WriteFile(ctx, "/etc/mysql/my.cnf", orig, remote.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if res.Backup != "" {
			c.Exec(context.Background(), "rm -f -- "+remote.ShellQuote(res.Backup), remote.ExecOptions{Sudo: true})
		}
	})
	if res.Path != "/etc/mysql/mariadb.cnf" {
		t.Fatalf("wrote %q, want the link's final target /etc/mysql/mariadb.cnf", res.Path)
	}
	if _, err := c.Exec(ctx, "test -L /etc/mysql/my.cnf && test -L /etc/alternatives/my.cnf && test ! -L /etc/mysql/mariadb.cnf", remote.ExecOptions{}); err != nil {
		t.Fatalf("symlink chain changed: %v", err)
	}
	after, err := c.Stat(ctx, "/etc/mysql/my.cnf")
	if err != nil {
		t.Fatal(err)
	}
	if after.Mode != before.Mode || after.UID != before.UID || after.GID != before.GID {
		t.Fatalf("metadata changed: %+v → %+v", before, after)
	}
	got, _ := c.ReadFile(ctx, "/etc/mysql/my.cnf")
	if string(got) != string(orig) {
		t.Fatal("content changed")
	}
}

func TestLabMySQLStatus(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	// Other tests restart nodes: use the first node whose server answers.
	node := -1
	for i := range labNodes {
		_, err := remote.MySQLClient{}.Query(ctx, l.dial(i, "root"), "SELECT 1")
		var se *remote.SQLError
		if err == nil {
			node = i
			break
		}
		if !errors.As(err, &se) || se.Code != 2002 {
			t.Fatalf("%s: %v", labNodes[i].name, err)
		}
		t.Logf("%s: server down (%v)", labNodes[i].name, err)
	}
	if node < 0 {
		t.Skip("no node's mariadbd is running")
	}
	for _, user := range []string{"root", "deploy", "ops"} {
		c := l.dial(node, user)
		m, err := remote.MySQLClient{}.QueryMap(ctx, c, "SHOW STATUS LIKE 'wsrep_%'")
		if err != nil {
			t.Fatalf("%s: %v", user, err)
		}
		if m["wsrep_local_state_comment"] == "" || m["wsrep_cluster_size"] == "" {
			t.Fatalf("%s: wsrep status missing: %v", user, m)
		}
		t.Logf("%s on %s: state %s, cluster size %s", user, labNodes[node].name, m["wsrep_local_state_comment"], m["wsrep_cluster_size"])
	}
	c := l.dial(node, "root")
	_, err := remote.MySQLClient{}.Query(ctx, c, "SELECT * FROM no_such_db.t")
	var se *remote.SQLError
	if !errors.As(err, &se) || se.Code != 1146 && se.Code != 1049 {
		t.Fatalf("err = %v, want an SQLError", err)
	}
	// Values with tabs and newlines survive the batch escapes.
	rows, err := remote.MySQLClient{}.Query(ctx, c, "SELECT 'a\\tb', 'c\\nd', NULL, ''")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%q", [][]string{{"a\tb", "c\nd", "NULL", ""}}); fmt.Sprintf("%q", rows) != want {
		t.Fatalf("rows = %q, want %s", rows, want)
	}
	l.assertNoOpsPassword(nil)
}

// A cancelled command stops on the real sshd too: for root (sshd ignores
// signal requests there) and for a command run through sudo.
func TestLabCancelStopsRemoteCommand(t *testing.T) {
	l := newLab(t)
	for _, tc := range []struct {
		user string
		sudo bool
	}{{"root", false}, {"deploy", false}, {"deploy", true}, {"ops", true}} {
		t.Run(fmt.Sprintf("%s/sudo=%v", tc.user, tc.sudo), func(t *testing.T) {
			c := l.dial(0, tc.user)
			pidFile := "/tmp/galeraflow-remote-labtest-" + tc.user + ".pid"
			opts := remote.ExecOptions{Sudo: tc.sudo}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := c.Exec(ctx, "echo $$ > "+pidFile+"; exec sleep 300", opts)
				done <- err
			}()
			var pid int
			for i := 0; i < 200 && pid == 0; i++ {
				res, _ := c.Exec(context.Background(), "cat "+pidFile+" 2>/dev/null", opts)
				pid, _ = strconv.Atoi(strings.TrimSpace(string(res.Stdout)))
				time.Sleep(50 * time.Millisecond)
			}
			if pid == 0 {
				t.Fatal("command did not start")
			}
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v", err)
			}
			for i := 0; ; i++ {
				_, err := c.Exec(context.Background(), fmt.Sprintf("kill -0 %d 2>/dev/null && ! grep -q '^State:.*Z' /proc/%d/status", pid, pid), opts)
				if err != nil {
					break // gone
				}
				if i > 100 {
					t.Fatalf("remote sleep %d still runs after cancel", pid)
				}
				time.Sleep(100 * time.Millisecond)
			}
			c.Exec(context.Background(), "rm -f "+pidFile, opts)
		})
	}
}

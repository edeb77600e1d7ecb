package remote_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/galeraflow/galeraflow/remote"
	"github.com/galeraflow/galeraflow/remote/remotetest"
)

const wantStamp = "20240506T070809Z" // from testEnv's Now

// Every file test runs for a root login (SFTP, no sudo), a NOPASSWD sudo
// user and a sudo user with a password.
func forEachLogin(t *testing.T, fn func(t *testing.T, e *testEnv, c *remote.Client)) {
	for _, tc := range []struct {
		user string
		mode remotetest.SudoMode
	}{{"root", remotetest.SudoDenied}, {"deploy", remotetest.SudoNoPassword}, {"ops", remotetest.SudoPassword}} {
		t.Run(tc.user, func(t *testing.T) {
			e := newEnv(t, remotetest.Options{Sudo: tc.mode, SudoPassword: sudoSecret})
			cfg := e.config(tc.user)
			if tc.user == "ops" {
				cfg.SudoPassword = pw(sudoSecret)
			}
			fn(t, e, e.dial(cfg))
			if tc.user != "root" && len(e.srv.SudoCalls()) == 0 {
				t.Errorf("%s worked without sudo", tc.user)
			}
			assertNoSecret(t, e, nil)
		})
	}
}

func TestReadFileAndStat(t *testing.T) {
	forEachLogin(t, func(t *testing.T, e *testEnv, c *remote.Client) {
		ctx := context.Background()
		p := filepath.Join(e.dir, "etc", "secret.cnf")
		writeFile(t, p, "a\x00b\n", 0o600)
		if err := os.Chown(p, 1234, 2345); err != nil {
			t.Fatal(err)
		}
		got, err := c.ReadFile(ctx, p)
		if err != nil || string(got) != "a\x00b\n" {
			t.Fatalf("ReadFile = %q, %v", got, err)
		}
		fi, err := c.Stat(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size != 4 || fi.Mode != 0o600 || fi.UID != 1234 || fi.GID != 2345 || fi.IsDir || fi.ModTime.IsZero() {
			t.Fatalf("Stat = %+v", fi)
		}
		if fi, err := c.Stat(ctx, filepath.Dir(p)); err != nil || !fi.IsDir || !fi.Mode.IsDir() {
			t.Fatalf("Stat dir = %+v, %v", fi, err)
		}
		missing := filepath.Join(e.dir, "etc", "missing.cnf")
		if _, err := c.ReadFile(ctx, missing); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("ReadFile missing: %v", err)
		}
		if _, err := c.Stat(ctx, missing); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Stat missing: %v", err)
		}
	})
}

func TestWriteFileReplacesAtomicallyWithBackup(t *testing.T) {
	forEachLogin(t, func(t *testing.T, e *testEnv, c *remote.Client) {
		dir := filepath.Join(e.dir, "conf.d")
		p := filepath.Join(dir, "galera.cnf")
		writeFile(t, p, "old\n", 0o640)
		if err := os.Chown(p, 1234, 2345); err != nil {
			t.Fatal(err)
		}
		before := inode(t, p)
		res, err := c.WriteFile(context.Background(), p, []byte("new\n"), remote.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantBak := p + ".galeraflow-" + wantStamp + ".bak"
		if res.Path != p || res.Backup != wantBak {
			t.Fatalf("result = %+v, want backup %s", res, wantBak)
		}
		if got := readFile(t, p); got != "new\n" {
			t.Fatalf("content = %q", got)
		}
		if inode(t, p) == before {
			t.Error("target was rewritten in place, not replaced by rename")
		}
		assertMeta(t, p, 0o640, 1234, 2345)
		if got := readFile(t, wantBak); got != "old\n" {
			t.Fatalf("backup content = %q", got)
		}
		assertMeta(t, wantBak, 0o640, 1234, 2345)
		assertNoLeftovers(t, e, dir, 2)

		// Same second again: the first backup is kept, the second gets a suffix.
		res, err = c.WriteFile(context.Background(), p, []byte("newer\n"), remote.WriteOptions{Mode: 0o600, Owner: "0", Group: "0"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Backup != p+".galeraflow-"+wantStamp+"-1.bak" || readFile(t, wantBak) != "old\n" || readFile(t, res.Backup) != "new\n" {
			t.Fatalf("second backup = %q", res.Backup)
		}
		assertMeta(t, p, 0o600, 0, 0)

		// NoBackup: nothing new beside the file.
		if _, err := c.WriteFile(context.Background(), p, []byte("x"), remote.WriteOptions{NoBackup: true}); err != nil {
			t.Fatal(err)
		}
		assertNoLeftovers(t, e, dir, 3)
	})
}

func TestWriteFileNewFileAndParents(t *testing.T) {
	forEachLogin(t, func(t *testing.T, e *testEnv, c *remote.Client) {
		ctx := context.Background()
		p := filepath.Join(e.dir, "ssl", "sub", "ca.pem")
		_, err := c.WriteFile(ctx, p, []byte("pem"), remote.WriteOptions{})
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "MkdirMode") {
			t.Fatalf("missing parent without MkdirMode: %v", err)
		}
		res, err := c.WriteFile(ctx, p, []byte("pem"), remote.WriteOptions{MkdirMode: 0o750})
		if err != nil {
			t.Fatal(err)
		}
		if res.Backup != "" {
			t.Fatalf("backup of a new file: %q", res.Backup)
		}
		assertMeta(t, p, 0o644, 0, 0)
		for _, d := range []string{filepath.Dir(p), filepath.Dir(filepath.Dir(p))} {
			if st, err := os.Stat(d); err != nil || st.Mode().Perm() != 0o750 {
				t.Fatalf("dir %s: %v %v", d, st.Mode(), err)
			}
		}
		assertNoLeftovers(t, e, filepath.Dir(p), 1)
	})
}

// /etc/mysql/my.cnf is a chain of symlinks: the final file is replaced and
// every link stays a link.
func TestWriteFileFollowsSymlinks(t *testing.T) {
	forEachLogin(t, func(t *testing.T, e *testEnv, c *remote.Client) {
		etc := filepath.Join(e.dir, "etc")
		real := filepath.Join(etc, "mysql", "mariadb.cnf")
		writeFile(t, real, "[client-server]\n", 0o644)
		alt := filepath.Join(etc, "alternatives", "my.cnf")
		os.MkdirAll(filepath.Dir(alt), 0o755)
		if err := os.Symlink(real, alt); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(etc, "mysql", "my.cnf")
		if err := os.Symlink("../alternatives/my.cnf", link); err != nil {
			t.Fatal(err)
		}
		res, err := c.WriteFile(context.Background(), link, []byte("[mysqld]\n"), remote.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Path != real || res.Backup != real+".galeraflow-"+wantStamp+".bak" {
			t.Fatalf("result = %+v", res)
		}
		for _, l := range []string{link, alt} {
			if st, err := os.Lstat(l); err != nil || st.Mode()&fs.ModeSymlink == 0 {
				t.Fatalf("%s is no longer a symlink", l)
			}
		}
		if got := readFile(t, link); got != "[mysqld]\n" {
			t.Fatalf("through the link: %q", got)
		}
		if got, err := c.ReadFile(context.Background(), link); err != nil || string(got) != "[mysqld]\n" {
			t.Fatalf("ReadFile through the link: %q %v", got, err)
		}
	})
}

func TestWriteFileFailureLeavesNothing(t *testing.T) {
	forEachLogin(t, func(t *testing.T, e *testEnv, c *remote.Client) {
		dir := filepath.Join(e.dir, "conf.d")
		p := filepath.Join(dir, "x.cnf")
		writeFile(t, p, "old\n", 0o644)
		// chown fails after the temp file exists and before the rename.
		_, err := c.WriteFile(context.Background(), p, []byte("new\n"), remote.WriteOptions{Owner: "no-such-user-galeraflow"})
		if err == nil || !strings.Contains(err.Error(), "no-such-user-galeraflow") || !strings.Contains(err.Error(), "n1") {
			t.Fatalf("err = %v, want a failure naming the owner", err)
		}
		if got := readFile(t, p); got != "old\n" {
			t.Fatalf("target changed: %q", got)
		}
		assertNoLeftovers(t, e, dir, 1)

		// A directory in the way of the target.
		if err := os.Mkdir(filepath.Join(dir, "d.cnf"), 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := c.WriteFile(context.Background(), filepath.Join(dir, "d.cnf"), []byte("x"), remote.WriteOptions{}); err == nil {
			t.Fatal("writing over a directory succeeded")
		}
		assertNoLeftovers(t, e, dir, 2)
	})
}

func TestWriteFileNeverWorldWritable(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	c := e.dial(e.config("root"))
	p := filepath.Join(e.dir, "f")
	if _, err := c.WriteFile(context.Background(), p, []byte("x"), remote.WriteOptions{Mode: 0o666}); err == nil {
		t.Fatal("world-writable mode accepted")
	}
	if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("refused write still created the file")
	}
	writeFile(t, p, "old", 0o666)
	if _, err := c.WriteFile(context.Background(), p, []byte("x"), remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	assertMeta(t, p, 0o664, 0, 0)
	if _, err := c.WriteFile(context.Background(), "relative/path", []byte("x"), remote.WriteOptions{}); err == nil {
		t.Fatal("relative path accepted")
	}
}

func TestWriteFileStagingIsPrivate(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	c := e.dial(e.config("deploy"))
	staging := filepath.Join(e.srv.Home("deploy"), ".galeraflow-staging")
	// A pre-existing staging dir with loose permissions is tightened.
	if err := os.MkdirAll(staging, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(e.dir, "f.cnf")
	if _, err := c.WriteFile(context.Background(), p, []byte("payload-7f3a"), remote.WriteOptions{Owner: "root"}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(staging)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("staging dir: %v %v", st.Mode(), err)
	}
	if ents, _ := os.ReadDir(staging); len(ents) != 0 {
		t.Fatalf("staging dir not emptied: %v", ents)
	}
	// The install step ran through sudo, and the data never was in argv.
	calls := e.srv.SudoCalls()
	if len(calls) != 1 || !strings.Contains(strings.Join(calls[0], " "), "galeraflow-install") {
		t.Fatalf("sudo calls = %q", calls)
	}
	if strings.Contains(string(e.srv.SudoLogBytes()), "payload-7f3a") || strings.Contains(e.logs.String(), "payload-7f3a") {
		t.Fatal("file content in argv or logs")
	}
}

func TestWriteFileCancelledContext(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	c := e.dial(e.config("deploy"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := filepath.Join(e.dir, "f.cnf")
	if _, err := c.WriteFile(ctx, p, []byte("x"), remote.WriteOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("cancelled write created the file")
	}
}

func inode(t *testing.T, p string) uint64 {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Sys().(*syscall.Stat_t).Ino
}

func assertMeta(t *testing.T, p string, mode fs.FileMode, uid, gid int) {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	sys := st.Sys().(*syscall.Stat_t)
	if st.Mode().Perm() != mode || int(sys.Uid) != uid || int(sys.Gid) != gid {
		t.Fatalf("%s: mode %v uid %d gid %d, want %v %d %d", p, st.Mode().Perm(), sys.Uid, sys.Gid, mode, uid, gid)
	}
}

// assertNoLeftovers checks that dir holds exactly want entries, none of
// them a temp file, and that the login user's staging dir is empty.
func assertNoLeftovers(t *testing.T, e *testEnv, dir string, want int) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, en := range ents {
		names = append(names, en.Name())
		if strings.Contains(en.Name(), "galeraflow-tmp") {
			t.Errorf("temp file left behind: %s", en.Name())
		}
	}
	if len(ents) != want {
		t.Errorf("%s holds %v, want %d entries", dir, names, want)
	}
	for _, u := range []string{"root", "deploy", "ops"} {
		staging := filepath.Join(e.srv.Home(u), ".galeraflow-staging")
		if ents, _ := os.ReadDir(staging); len(ents) != 0 {
			t.Errorf("staging %s not empty: %v", staging, ents)
		}
	}
}

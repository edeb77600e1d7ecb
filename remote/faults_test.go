package remote_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/remote"
	"github.com/galeraflow/galeraflow/remote/remotetest"
)

// A write cut off by a dropped connection leaves its temp file beside the
// target, with whatever had arrived (its own cleanup needs the
// connection; seen on the lab by killing the sshd session mid-upload).
// The next write of that target removes it, and only that target's.
func TestWriteRemovesTempFilesOfACutWrite(t *testing.T) {
	check := func(t *testing.T, c *remote.Client, dir string) {
		t.Helper()
		p := filepath.Join(dir, "server-key.pem")
		stale := filepath.Join(dir, ".server-key.pem.galeraflow-tmp-0123456789")
		other := filepath.Join(dir, ".ca.pem.galeraflow-tmp-0123456789")
		writeFile(t, stale, "-----BEGIN PRIV", 0o600)
		writeFile(t, other, "-----BEGIN CERT", 0o600)
		if _, err := c.WriteFile(context.Background(), p, []byte("key\n"), remote.WriteOptions{Mode: 0o600}); err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, p); got != "key\n" {
			t.Fatalf("target = %q", got)
		}
		if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the cut write's temp file is still there: %v", err)
		}
		if _, err := os.Stat(other); err != nil {
			t.Errorf("another target's temp file was removed: %v", err)
		}
	}
	t.Run("shell", func(t *testing.T) {
		forEachLogin(t, func(t *testing.T, e *testEnv, c *remote.Client) {
			dir := filepath.Join(e.dir, "ssl")
			if err := os.Mkdir(dir, 0o750); err != nil {
				t.Fatal(err)
			}
			check(t, c, dir)
		})
	})
	t.Run("sftp", func(t *testing.T) {
		check(t, realSSHD(t), t.TempDir())
	})
}

// Files written together into one directory over one connection (as an
// upload step does) share its listing and its fsyncs; each write still
// removes its own target's leftovers and nothing else, and leaves no
// temp file of its own.
func TestConcurrentWritesInOneDirectory(t *testing.T) {
	c := realSSHD(t)
	dir := t.TempDir()
	targets := []string{"ca.pem", "server-cert.pem", "server-key.pem"}
	for _, name := range targets {
		writeFile(t, filepath.Join(dir, "."+name+".galeraflow-tmp-0123456789"), "partial", 0o600)
	}
	unrelated := filepath.Join(dir, ".client-key.pem.galeraflow-tmp-0123456789")
	writeFile(t, unrelated, "partial", 0o600)
	writeFile(t, filepath.Join(dir, "ca.pem"), "old ca\n", 0o644)

	errs := make(chan error, len(targets))
	for _, name := range targets {
		go func() {
			_, err := c.WriteFile(context.Background(), filepath.Join(dir, name), []byte(name+"\n"), remote.WriteOptions{Mode: 0o600})
			errs <- err
		}()
	}
	for range targets {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range ents {
		left = append(left, e.Name())
	}
	for _, name := range targets {
		if got := readFile(t, filepath.Join(dir, name)); got != name+"\n" {
			t.Errorf("%s = %q", name, got)
		}
	}
	var temps, backups int
	for _, name := range left {
		switch {
		case filepath.Join(dir, name) == unrelated:
		case strings.Contains(name, "galeraflow-tmp"):
			temps++
		case strings.HasPrefix(name, "ca.pem.galeraflow-"):
			backups++
		}
	}
	if temps != 0 {
		t.Errorf("temp files left: %v", left)
	}
	if backups != 1 {
		t.Errorf("want one backup of the replaced ca.pem: %v", left)
	}
	if _, err := os.Stat(unrelated); err != nil {
		t.Errorf("the temp file of a target not written was removed: %v", err)
	}
}

// A non-root write cut off before its install leaves its upload in the
// login user's staging directory. The connection's first upload removes
// such leftovers (older than any upload in flight) and nothing else.
func TestStagingLeftoversAreRemoved(t *testing.T) {
	e := newEnv(t, remotetest.Options{Sudo: remotetest.SudoNoPassword})
	c := e.dial(e.config("deploy"))
	staging := filepath.Join(e.srv.Home("deploy"), ".galeraflow-staging")
	if err := os.MkdirAll(staging, 0o700); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(staging, "upload-0123456789abcdef")
	inFlight := filepath.Join(staging, "upload-fedcba9876543210")
	mine := filepath.Join(staging, "notes.txt")
	for _, p := range []string{stale, inFlight, mine} {
		writeFile(t, p, "-----BEGIN PRIVATE KEY-----", 0o600)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(e.dir, "server-key.pem")
	if _, err := c.WriteFile(context.Background(), target, []byte("key\n"), remote.WriteOptions{Mode: 0o600}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the leftover upload is still there: %v", err)
	}
	for _, p := range []string{inFlight, mine} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(p), err)
		}
	}
	if got := readFile(t, target); got != "key\n" {
		t.Errorf("target = %q", got)
	}
}

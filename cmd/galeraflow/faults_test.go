package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/playbook"
)

// A run that finds the cluster's lock held exits 7 at once, naming the
// holder, whether it comes from the same inventory or a copy of it (cron's
// and an operator's): the lock belongs to the cluster. The nodes of
// minimalInventory do not listen, so getting past the lock would fail
// with another code. TestLabFaults proves it against a real run.
func TestLockedRunExitsSevenNamingTheHolder(t *testing.T) {
	inv := minimalInventory(t)
	data, err := os.ReadFile(inv)
	if err != nil {
		t.Fatal(err)
	}
	cp := writeFile(t, t.TempDir(), "copy.yml", string(data))
	dir := t.TempDir()
	lock, err := playbook.AcquireLock(playbook.LockPath(dir, "test", inv), "run "+inv, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	for _, args := range [][]string{
		{"run", "--lock-dir", dir, inv},
		{"run", "--lock-dir", dir, cp},
		{"restart", "--lock-dir", dir, cp},
		{"recover", "--yes", "--lock-dir", dir, cp},
	} {
		_, stderr, code := runApp(t, args...)
		if code != exitLocked || !strings.Contains(stderr, "run "+inv) || !strings.Contains(stderr, filepath.Base(dir)) {
			t.Errorf("%s: exit %d, want %d naming the holder\n%s", strings.Join(args, " "), code, exitLocked, stderr)
		}
	}
	// A dry run changes nothing: it may look while another run works.
	if _, stderr, code := runApp(t, "run", "--dry-run", "--lock-dir", dir, cp); code == exitLocked {
		t.Errorf("a dry run was refused by the lock:\n%s", stderr)
	}
}

package playbook

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/inventory"
	"github.com/galeraflow/galeraflow/remote/remotetest"
)

// Restoring puts back content, mode and owner, newest change first; a
// backup of a world-writable original comes back without world-write
// (remote writes refuse it) instead of failing the restore.
func TestRestoreBackups(t *testing.T) {
	f := remotetest.NewFake(t, "n1")
	f.SetFile("/etc/mysql/my.cnf", "new\n", 0o644, "", "")
	f.SetFile("/etc/mysql/my.cnf.galeraflow-1.bak", "first\n", 0o640, "", "")
	f.SetFile("/etc/mysql/my.cnf.galeraflow-2.bak", "second\n", 0o644, "", "")
	f.SetFile("/etc/mysql/ssl/server-key.pem", "bad key\n", 0o600, "", "")
	f.SetFile("/etc/mysql/ssl/server-key.pem.galeraflow-1.bak", "old key\n", 0o666, "", "")
	target := &Target{Node: inventory.Node{Name: "n1"}, Host: f}
	list := []FileBackup{
		{Node: "n1", Path: "/etc/mysql/my.cnf", Backup: "/etc/mysql/my.cnf.galeraflow-1.bak", Step: "tls-config"},
		{Node: "n1", Path: "/etc/mysql/ssl/server-key.pem", Backup: "/etc/mysql/ssl/server-key.pem.galeraflow-1.bak", Step: "upload-certs"},
		{Node: "n1", Path: "/etc/mysql/my.cnf", Backup: "/etc/mysql/my.cnf.galeraflow-2.bak", Step: "mycnf"},
	}
	done, err := restoreBackups(context.Background(), target, list, time.Second, time.Now())
	if err != nil {
		t.Fatalf("restore: %v (done: %v)", err, done)
	}
	if got := f.File("/etc/mysql/my.cnf"); string(got.Data) != "first\n" || got.Mode != 0o640 {
		t.Errorf("my.cnf = %q %04o, want the state before the run (first, 0640)", got.Data, got.Mode)
	}
	key := f.File("/etc/mysql/ssl/server-key.pem")
	if string(key.Data) != "old key\n" || key.Mode != 0o664 {
		t.Errorf("server-key.pem = %q %04o, want old key with 0664", key.Data, key.Mode)
	}
	if len(done) != 3 || !strings.Contains(done[1], "not the world-writable 0666") {
		t.Errorf("report lines: %q", done)
	}
}

package remote_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/galeraflow/galeraflow/remote"
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

package playbook

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// Lock keeps two galeraflow runs off the same cluster. It is an advisory
// lock (flock) on a file named after the cluster and the inventory, so the
// kernel releases it when the process dies: a crashed run never leaves a
// stale lock behind.
type Lock struct {
	fl   *flock.Flock
	Path string
}

// LockPath is the lock file of a cluster, in dir (default: the system's
// temporary directory). It is named after the cluster alone, not the
// inventory file: two copies of one inventory (cron's and an operator's)
// must keep each other off the cluster. Two clusters that share a name on
// one machine wait for each other, the safe side of the mistake. The
// inventory file is only what the holder is called in the lock file.
func LockPath(dir, cluster, _ string) string {
	if dir == "" {
		dir = os.TempDir()
	}
	// The hash keeps names that safeName maps alike ("a b", "a_b") apart.
	sum := sha256.Sum256([]byte(cluster))
	return filepath.Join(dir, fmt.Sprintf("galeraflow-%s-%s.lock", safeName(cluster), hex.EncodeToString(sum[:4])))
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, s)
}

// AcquireLock takes the lock at path without waiting. When another run
// holds it, the error wraps ErrLocked and names the holder (pid, command,
// start time) as that run recorded it.
func AcquireLock(path, what string, now time.Time) (*Lock, error) {
	fl := flock.New(path)
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		holder, _ := os.ReadFile(path)
		h := strings.TrimSpace(string(holder))
		if h == "" {
			h = "another galeraflow run"
		}
		return nil, fmt.Errorf("%w: %s (lock file %s); wait for it to finish", ErrLocked, h, path)
	}
	// Record who holds it, for the message of the next run. The lock is
	// on the open file, so rewriting its content keeps it.
	info := fmt.Sprintf("pid %d (%s), started %s", os.Getpid(), what, now.UTC().Format(time.RFC3339))
	if f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o644); err == nil {
		_, _ = f.WriteString(info + "\n")
		_ = f.Close()
	}
	return &Lock{fl: fl, Path: path}, nil
}

// Release frees the lock.
func (l *Lock) Release() error {
	if l == nil {
		return nil
	}
	return l.fl.Unlock()
}

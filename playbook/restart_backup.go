package playbook

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"sync"
	"time"

	"github.com/galeraflow/galeraflow/remote"
)

// FileBackup is a file a step of this run replaced or created on a node.
// When that node fails to come back during the restart, the restart puts
// the files back as they were before the run and tries once more: a new
// certificate or option that keeps the server from starting must not keep
// the cluster down.
type FileBackup struct {
	Node string `json:"node"`
	// Path is the file the server reads (after symlinks: WriteResult.Path).
	Path string `json:"path"`
	// Backup is the copy WriteFile made of the replaced file
	// (<path>.galeraflow-<UTC stamp>.bak); "" when the run created the file.
	Backup string `json:"backup,omitempty"`
	Step   string `json:"step"`
}

// backupLog is Run's record of FileBackups; PerNode steps record in parallel.
type backupLog struct {
	mu   sync.Mutex
	list []FileBackup
}

// RecordBackup notes a file a step changed on a node, so that the restart
// can restore it. Steps call it after each successful WriteFile with the
// WriteResult (Backup "" for a new file).
func (r *Run) RecordBackup(b FileBackup) {
	r.backups.mu.Lock()
	defer r.backups.mu.Unlock()
	r.backups.list = append(r.backups.list, b)
}

// Backups returns the files recorded for node, oldest first.
func (r *Run) Backups(node string) []FileBackup {
	r.backups.mu.Lock()
	defer r.backups.mu.Unlock()
	var out []FileBackup
	for _, b := range r.backups.list {
		if b.Node == node {
			out = append(out, b)
		}
	}
	return out
}

// Interrupted reports whether the run was interrupted (the first Ctrl-C):
// steps that loop over nodes stop before the next node operation.
func (r *Run) Interrupted() bool {
	return r.Interrupt != nil && r.Interrupt.Err() != nil
}

// restoreBackups puts a node's files back as they were before the run,
// newest change first, so a file changed twice ends as it was at the start.
// A file the run created is moved aside (the server reads *.cnf in
// !includedir directories; a renamed file is no longer read). It returns
// what it did, one line per file, and stops at the first failure.
func restoreBackups(ctx context.Context, t *Target, list []FileBackup, timeout time.Duration, now time.Time) ([]string, error) {
	var done []string
	for i := len(list) - 1; i >= 0; i-- {
		b := list[i]
		err := func() error {
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			if b.Backup == "" {
				aside := b.Path + ".galeraflow-" + now.UTC().Format(remote.BackupTimeFormat) + ".failed"
				cmd := "mv -f -- " + remote.ShellQuote(b.Path) + " " + remote.ShellQuote(aside)
				if _, err := t.Host.Exec(ctx, cmd, remote.ExecOptions{Sudo: true}); err != nil {
					return fmt.Errorf("move aside %s: %w", b.Path, err)
				}
				done = append(done, fmt.Sprintf("moved %s (created by %s) to %s", b.Path, b.Step, aside))
				return nil
			}
			data, err := t.Host.ReadFile(ctx, b.Backup)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("backup %s of %s is gone: %w", b.Backup, b.Path, err)
				}
				return fmt.Errorf("read backup %s: %w", b.Backup, err)
			}
			// The backup keeps the original mode and owner: restore those too.
			st, err := t.Host.Stat(ctx, b.Backup)
			if err != nil {
				return fmt.Errorf("stat backup %s: %w", b.Backup, err)
			}
			// Except world-write, which galeraflow never gives a file.
			mode := st.Mode.Perm()
			opts := remote.WriteOptions{Mode: mode &^ 0o002, Owner: strconv.Itoa(st.UID), Group: strconv.Itoa(st.GID)}
			wr, err := t.Host.WriteFile(ctx, b.Path, data, opts)
			if err != nil {
				return fmt.Errorf("restore %s from %s: %w", b.Path, b.Backup, err)
			}
			line := fmt.Sprintf("restored %s from %s", b.Path, b.Backup)
			if opts.Mode != mode {
				line += fmt.Sprintf(" (mode %04o, not the world-writable %04o it had)", uint32(opts.Mode), uint32(mode))
			}
			if wr.Backup != "" {
				line += " (the failing version is kept as " + wr.Backup + ")"
			}
			done = append(done, line)
			return nil
		}()
		if err != nil {
			return done, fmt.Errorf("%s: restore: %w", t.Node.Name, err)
		}
	}
	return done, nil
}

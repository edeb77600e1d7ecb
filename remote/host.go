// Package remote is the only package that speaks SSH and SFTP. Steps see the
// narrow Host interface, so they can be tested with the scripted fake in
// remote/remotetest as well as against a real sshd.
package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"
)

// Host is one connected machine. Every call takes a context; implementations
// reuse one SSH connection (and one SFTP session) for everything.
type Host interface {
	// Name is the inventory's node name, used in errors and logs.
	Name() string
	// Exec runs command through the login user's shell. A non-zero exit status
	// returns the Result together with an *ExitError.
	Exec(ctx context.Context, command string, opts ExecOptions) (Result, error)
	// ReadFile returns a file's content (through sudo when the login user is
	// not root); a missing file gives an error matching fs.ErrNotExist.
	ReadFile(ctx context.Context, path string) ([]byte, error)
	// Stat describes a file, following symlinks; a missing file gives an
	// error matching fs.ErrNotExist.
	Stat(ctx context.Context, path string) (FileInfo, error)
	// WriteFile replaces path atomically (temp file in the same directory, fsync,
	// rename), following a symlink at path to its target, with the given mode
	// and owner, backing up the file it replaces.
	WriteFile(ctx context.Context, path string, data []byte, opts WriteOptions) (WriteResult, error)
	// Close ends the connection.
	Close() error
}

// ExecOptions tune one command.
type ExecOptions struct {
	// Stdin is sent to the command; nil means no input.
	Stdin io.Reader
	// Sudo runs the command as root: directly when the login user is root,
	// otherwise through `sudo -n` (or sudo -S with the configured password on stdin).
	Sudo bool
	// Sensitive keeps the command's stdin, stdout and stderr out of logs and errors.
	Sensitive bool
	// Timeout bounds the command; zero means only ctx bounds it.
	Timeout time.Duration
}

// Result is what a finished command produced.
type Result struct {
	Stdout     []byte
	Stderr     []byte
	ExitStatus int
}

// ExitError reports a command that ran and exited non-zero.
type ExitError struct {
	Host    string
	Command string // a short description safe to print
	Status  int
	Stderr  string // trimmed; empty for sensitive commands
}

func (e *ExitError) Error() string {
	msg := fmt.Sprintf("%s: %s: exit status %d", e.Host, e.Command, e.Status)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

// FileInfo describes a remote file.
type FileInfo struct {
	Path    string
	Size    int64
	Mode    fs.FileMode // permission bits and type
	UID     int
	GID     int
	ModTime time.Time
	IsDir   bool
}

// WriteOptions say how a file is written.
type WriteOptions struct {
	// Mode is the new file's permission bits; 0 keeps the old file's mode, or
	// 0644 for a new file. A world-writable mode is refused.
	Mode fs.FileMode
	// Owner and Group are names (or numeric ids); "" keeps the old file's,
	// and a new file belongs to root (the install step runs as root).
	Owner string
	Group string
	// NoBackup skips the backup of a replaced file (backups are on by default).
	NoBackup bool
	// MkdirMode creates missing parent directories with this mode when non-zero.
	MkdirMode fs.FileMode
}

// WriteResult says what a write did.
type WriteResult struct {
	Path   string // the path written (the symlink target when path was a link)
	Backup string // where the replaced file was saved; "" when there was none
}

// Sentinel errors that the CLI maps to exit codes. Wrapped errors keep them
// reachable with errors.Is.
var (
	ErrUnreachable     = errors.New("host unreachable")
	ErrHostKeyUnknown  = errors.New("host key unknown")
	ErrHostKeyMismatch = errors.New("host key changed")
	ErrAuth            = errors.New("authentication failed")
	ErrSudo            = errors.New("sudo failed")
)

package playbook

import "errors"

// Sentinel errors the CLI maps to exit codes (with those of remote and
// inventory). Wrap them; never compare strings.
var (
	// ErrDegraded: the cluster is not healthy enough for what was asked.
	ErrDegraded = errors.New("cluster degraded")
	// ErrLocked: another galeraflow run holds the cluster's lock.
	ErrLocked = errors.New("lock held by another run")
	// ErrPartial: some nodes were changed before the run failed.
	ErrPartial = errors.New("partially applied")
	// ErrInterrupted: the run was cancelled (Ctrl-C) and stopped safely.
	ErrInterrupted = errors.New("interrupted")
	// ErrPreflight: a check before any change failed; nothing was changed.
	ErrPreflight = errors.New("preflight failed")
	// ErrInvalidInput: the inventory's files or settings cannot be used as
	// they are (a certificate refused, a setting the flavor lacks).
	ErrInvalidInput = errors.New("invalid input")
)

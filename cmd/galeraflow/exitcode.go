package main

import (
	"context"
	"errors"

	"github.com/galeraflow/galeraflow/inventory"
	"github.com/galeraflow/galeraflow/playbook"
	"github.com/galeraflow/galeraflow/remote"
)

// Exit codes are part of the interface (cron and monitoring read them):
// documented in README.md and `galeraflow --help`; never renumber.
const (
	exitOK          = 0
	exitFailure     = 1  // anything not listed below
	exitInvalid     = 2  // bad command line, inventory, playbook or certificate
	exitUnreachable = 3  // a node could not be reached (TCP/SSH connect)
	exitHostKey     = 4  // a host key was unknown or has changed
	exitAuth        = 5  // SSH login or sudo refused
	exitDegraded    = 6  // the cluster is not healthy (not Primary/Synced, wrong size)
	exitLocked      = 7  // another galeraflow run holds the lock
	exitPartial     = 8  // the run failed after changing some nodes
	exitCertsWarn   = 9  // a certificate expires within --warn-days (certs check), or is due and nothing newer is at hand (rotate)
	exitCertsFail   = 10 // a certificate expired, expires within --fail-days, or a node's TLS files are broken
	exitInterrupted = 130
)

const exitCodeHelp = `EXIT CODES:
   0    success
   1    failure not covered below
   2    invalid input: command line, inventory, playbook or certificates
   3    a node is unreachable
   4    host key unknown or changed (known_hosts)
   5    SSH authentication or sudo refused
   6    cluster degraded (a node not Primary/Synced, or the wrong size)
   7    another galeraflow run holds the lock for this cluster
   8    partial failure: some nodes were changed before the run stopped
   9    certificates expire soon: within --warn-days (certs check), or due with no
        newer ones to deploy (rotate without --renew)
   10   certificates expired, expire within --fail-days, or are broken on a node
   130  interrupted (Ctrl-C); the run stopped at a safe point`

// exitCode is the one place where errors become exit codes. Order matters:
// the most specific and most actionable cause wins when several are joined.
func exitCode(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, playbook.ErrInterrupted), errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.Is(err, errUsage), errors.Is(err, inventory.ErrInvalid),
		errors.Is(err, playbook.ErrInvalidPlaybook), errors.Is(err, playbook.ErrInvalidInput):
		return exitInvalid
	case errors.Is(err, playbook.ErrLocked):
		return exitLocked
	case errors.Is(err, playbook.ErrPartial):
		return exitPartial
	case errors.Is(err, remote.ErrHostKeyMismatch), errors.Is(err, remote.ErrHostKeyUnknown):
		return exitHostKey
	case errors.Is(err, remote.ErrAuth), errors.Is(err, remote.ErrSudo):
		return exitAuth
	case errors.Is(err, remote.ErrUnreachable):
		return exitUnreachable
	case errors.Is(err, playbook.ErrDegraded):
		return exitDegraded
	case errors.Is(err, playbook.ErrCertsCritical):
		return exitCertsFail
	case errors.Is(err, playbook.ErrCertsExpiring):
		return exitCertsWarn
	default:
		return exitFailure
	}
}

// errUsage marks command-line mistakes.
var errUsage = errors.New("usage")

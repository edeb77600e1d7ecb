package remotetest

import (
	"os"
	"path/filepath"
	"strings"
)

// SudoMode is how the server's sudo shim behaves.
type SudoMode int

const (
	// SudoNoPassword runs every command (NOPASSWD in sudoers).
	SudoNoPassword SudoMode = iota
	// SudoPassword demands the password on stdin with -S (after printing
	// the -p prompt on stderr); with -n it fails like sudo does.
	SudoPassword
	// SudoDenied refuses: the user is not in sudoers.
	SudoDenied
)

// SetSudo (re)writes the sudo shim. The shim records each call's argv in
// SudoCalls, answers like the real sudo and runs the command as is (the
// test process's user).
func (s *Server) SetSudo(mode SudoMode, password string) {
	var policy string
	switch mode {
	case SudoNoPassword:
		policy = `exec "$@"`
	case SudoPassword:
		policy = `expected=` + shellQuote(password) + `
if [ -n "$n" ]; then
	echo "sudo: a password is required" >&2
	exit 1
fi
if [ -z "$S" ]; then
	echo "sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper" >&2
	echo "sudo: a password is required" >&2
	exit 1
fi
tries=0
while [ "$tries" -lt 3 ]; do
	printf '%s' "$prompt" >&2
	if ! IFS= read -r pw; then
		echo "sudo: no password was provided" >&2
		exit 1
	fi
	if [ "$pw" = "$expected" ]; then
		exec "$@"
	fi
	tries=$((tries + 1))
	echo "Sorry, try again." >&2
done
echo "sudo: $tries incorrect password attempts" >&2
exit 1`
	case SudoDenied:
		policy = `echo "$USER is not in the sudoers file." >&2
exit 1`
	}
	script := `#!/bin/sh
# remotetest sudo shim: records argv (fields end with \037, calls with \036).
for a in "$@"; do printf '%s\037' "$a"; done >> ` + shellQuote(s.sudoLog()) + `
printf '\036' >> ` + shellQuote(s.sudoLog()) + `
n= S= prompt="[sudo] password for $USER: "
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=1 ;;
	-S) S=1 ;;
	-k|-H|-E) ;;
	-p) prompt=$2; shift ;;
	-u) shift ;;
	--) shift; break ;;
	-*) echo "sudo: unknown option $1" >&2; exit 1 ;;
	*) break ;;
	esac
	shift
done
` + policy + "\n"
	if err := os.WriteFile(filepath.Join(s.bin, "sudo"), []byte(script), 0o755); err != nil {
		s.t.Fatalf("remotetest: write sudo shim: %v", err)
	}
}

func (s *Server) sudoLog() string { return filepath.Join(s.root, "sudo-calls.log") }

// SudoCalls returns the argv of every sudo call so far (without "sudo").
func (s *Server) SudoCalls() [][]string {
	b, err := os.ReadFile(s.sudoLog())
	if err != nil {
		return nil
	}
	var calls [][]string
	for _, rec := range strings.Split(string(b), "\x1e") {
		if rec == "" {
			continue
		}
		calls = append(calls, strings.Split(strings.TrimSuffix(rec, "\x1f"), "\x1f"))
	}
	return calls
}

// SudoLogBytes is the raw argv log, for asserting a secret never got there.
func (s *Server) SudoLogBytes() []byte {
	b, _ := os.ReadFile(s.sudoLog())
	return b
}

func shellQuote(v string) string {
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

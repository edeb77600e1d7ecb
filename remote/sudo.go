package remote

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/galeraflow/galeraflow/inventory/secret"
)

// sudoRun wraps one command in sudo and watches its stderr.
//
// sudo reads a password from stdin only when it needs one (not with
// NOPASSWD, not with a cached timestamp). Sending the password blindly as
// the first line would then hand it to the command itself, e.g. as SQL to
// the mysql client. So sudo gets a unique prompt (-p) and the password is
// written only after that prompt shows on stderr; the wrapped shell prints
// a unique start marker first, so the caller's stdin flows only once the
// command really runs, and a failure before the marker is sudo's own.
type sudoRun struct {
	password secret.Secret
	prompt   []byte
	start    []byte // start marker line, with its newline

	mu       sync.Mutex
	buf      bytes.Buffer
	prompts  int
	started  bool
	promptCh chan struct{}
	startCh  chan struct{}
}

func newSudoRun(password secret.Secret) *sudoRun {
	tok := randomHex(8)
	return &sudoRun{
		password: password,
		// No '%': sudo expands %-escapes in prompts.
		prompt:   []byte("[galeraflow-sudo-" + tok + "]"),
		start:    []byte("galeraflow-sudo-started-" + tok + "\n"),
		promptCh: make(chan struct{}, 8),
		startCh:  make(chan struct{}),
	}
}

// wrap returns the remote command line for command run as root.
func (s *sudoRun) wrap(command string) string {
	script := "echo " + strings.TrimSuffix(string(s.start), "\n") + " >&2\n" + command
	if s.password.IsZero() {
		return "sudo -n -- sh -c " + ShellQuote(script)
	}
	return "sudo -S -p " + ShellQuote(string(s.prompt)) + " -- sh -c " + ShellQuote(script)
}

// Write receives the session's stderr and signals prompts and the start.
func (s *sudoRun) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	if s.started {
		return len(p), nil
	}
	b := s.buf.Bytes()
	region := b
	i := bytes.Index(b, s.start)
	if i >= 0 {
		region = b[:i]
	}
	for n := bytes.Count(region, s.prompt); s.prompts < n; s.prompts++ {
		select {
		case s.promptCh <- struct{}{}:
		default:
		}
	}
	if i >= 0 {
		s.started = true
		close(s.startCh)
	}
	return len(p), nil
}

// feed answers sudo's prompt and then copies the caller's stdin once the
// command started; it closes stdin when done. A second prompt means the
// password was rejected: stdin is closed so sudo gives up.
func (s *sudoRun) feed(w io.WriteCloser, in io.Reader, ended <-chan struct{}) {
	defer w.Close()
	answered := false
	for {
		select {
		case <-s.startCh:
			if in != nil {
				io.Copy(w, in)
			}
			return
		case <-s.promptCh:
			if answered || s.password.IsZero() || strings.ContainsAny(s.password.Reveal(), "\r\n") {
				return
			}
			answered = true
			if _, err := io.WriteString(w, s.password.Reveal()+"\n"); err != nil {
				return
			}
		case <-ended:
			return
		}
	}
}

// split separates sudo's own messages (prompts removed) from the command's
// stderr, and reports whether the command started.
func (s *sudoRun) split() (sudoMsg string, cmdStderr []byte, started bool, prompts int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buf.Bytes()
	pre := b
	i := bytes.Index(b, s.start)
	if i >= 0 {
		pre = b[:i]
		cmdStderr = bytes.Clone(b[i+len(s.start):])
	}
	sudoMsg = strings.TrimSpace(string(bytes.ReplaceAll(pre, s.prompt, nil)))
	return sudoMsg, cmdStderr, i >= 0, s.prompts
}

// sudoError explains why sudo did not run the command.
func sudoError(node, user, desc string, status int, msg string, prompts int, password bool) error {
	var hint string
	low := strings.ToLower(msg)
	switch {
	case password && prompts >= 2 || strings.Contains(low, "incorrect password"):
		hint = fmt.Sprintf("sudo rejected the password configured for %s; check the sudo password", user)
	case strings.Contains(low, "password is required") || strings.Contains(low, "terminal is required"):
		hint = fmt.Sprintf("sudo needs a password for %s: configure the sudo password, or allow NOPASSWD in sudoers", user)
	case strings.Contains(low, "not in the sudoers") || strings.Contains(low, "may not run sudo") || strings.Contains(low, "not allowed to"):
		hint = fmt.Sprintf("%s may not use sudo here: add it to sudoers, or log in as root", user)
	case strings.Contains(low, "command not found") || status == 127:
		hint = "sudo is not installed on the node: install it, or log in as root"
	case password && prompts == 1 && msg == "":
		hint = "sudo did not accept the password"
	default:
		hint = fmt.Sprintf("sudo exited with status %d", status)
	}
	if msg != "" {
		hint += " (sudo said: " + firstLines(msg, 3) + ")"
	}
	return fmt.Errorf("%s: %s: %w: %s", node, desc, ErrSudo, hint)
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " / ")
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

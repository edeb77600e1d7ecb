package remote

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/galeraflow/galeraflow/inventory/secret"
)

// execWatch wraps one command and watches its stderr for markers that
// carry a unique token, then removes them from what the caller sees.
//
// Every command first prints the login shell's PID. sshd makes that shell
// a session and process group leader, so a cancelled command can be killed
// as a group even where sshd ignores SSH "signal" requests (it does for
// root logins, which run without privilege separation).
//
// With sudo, the password is the delicate part: sudo reads it from stdin
// only when it needs one (not with NOPASSWD, not with a cached timestamp).
// Sending it blindly as the first line would then hand it to the command,
// e.g. as SQL to the mysql client. So sudo gets a unique prompt (-p) and the
// password is written only after that prompt shows on stderr; the shell
// that sudo starts prints a start marker first, so the caller's stdin flows
// only once the command really runs, and a failure before that marker is
// sudo's own.
type execWatch struct {
	sudo     bool
	password secret.Secret
	pidMark  []byte // followed by the PID and a newline
	prompt   []byte
	start    []byte // the whole start line, newline included

	mu       sync.Mutex
	buf      bytes.Buffer
	pid      int
	pidStart int // the PID line's offset in buf
	pidEnd   int // offset just after the PID line
	prompts  int
	started  bool
	promptCh chan struct{}
	startCh  chan struct{}
}

func newExecWatch(sudo bool, password secret.Secret) *execWatch {
	tok := randomHex(8)
	return &execWatch{
		sudo:     sudo,
		password: password,
		pidMark:  []byte("galeraflow-pid-" + tok + " "),
		// No '%': sudo expands %-escapes in prompts.
		prompt:   []byte("[galeraflow-sudo-" + tok + "]"),
		start:    []byte("galeraflow-sudo-started-" + tok + "\n"),
		promptCh: make(chan struct{}, 8),
		startCh:  make(chan struct{}),
	}
}

// wrap returns the remote command line for command.
func (w *execWatch) wrap(command string) string {
	line := "echo " + strings.TrimSpace(string(w.pidMark)) + " $$ >&2\n"
	if !w.sudo {
		return line + command
	}
	script := "echo " + strings.TrimSuffix(string(w.start), "\n") + " >&2\n" + command
	if w.password.IsZero() {
		return line + "sudo -n -- sh -c " + ShellQuote(script)
	}
	return line + "sudo -S -p " + ShellQuote(string(w.prompt)) + " -- sh -c " + ShellQuote(script)
}

// Write receives the session's stderr and signals the PID, prompts and start.
func (w *execWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.pid == 0 {
		w.scanPID()
		if w.pid == 0 {
			return len(p), nil
		}
	}
	if !w.sudo || w.started {
		return len(p), nil
	}
	b := w.buf.Bytes()[w.pidEnd:]
	region := b
	i := bytes.Index(b, w.start)
	if i >= 0 {
		region = b[:i]
	}
	for n := bytes.Count(region, w.prompt); w.prompts < n; w.prompts++ {
		select {
		case w.promptCh <- struct{}{}:
		default:
		}
	}
	if i >= 0 {
		w.started = true
		close(w.startCh)
	}
	return len(p), nil
}

// scanPID reads "<pidMark><digits>\n" once it is complete.
func (w *execWatch) scanPID() {
	b := w.buf.Bytes()
	i := bytes.Index(b, w.pidMark)
	if i < 0 {
		return
	}
	rest := b[i+len(w.pidMark):]
	nl := bytes.IndexByte(rest, '\n')
	if nl < 0 {
		return
	}
	pid, err := strconv.Atoi(string(rest[:nl]))
	if err != nil || pid <= 1 {
		pid = -1 // seen but unusable: never kill by it
	}
	w.pid = pid
	w.pidStart = i
	w.pidEnd = i + len(w.pidMark) + nl + 1
}

// groupPID is the PID of the command's process group leader, 0 if unknown.
func (w *execWatch) groupPID() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pid < 0 {
		return 0
	}
	return w.pid
}

// feed copies the caller's stdin. With sudo it first answers sudo's prompt
// and waits for the command to start; a second prompt means the password
// was rejected, and stdin is closed so sudo gives up.
func (w *execWatch) feed(dst io.WriteCloser, in io.Reader, ended <-chan struct{}) {
	defer dst.Close()
	if w.sudo {
		if !w.waitForCommand(dst, ended) {
			return
		}
	}
	if in != nil {
		io.Copy(dst, in)
	}
}

func (w *execWatch) waitForCommand(dst io.Writer, ended <-chan struct{}) bool {
	answered := false
	for {
		select {
		case <-w.startCh:
			return true
		case <-w.promptCh:
			if answered || w.password.IsZero() {
				return false
			}
			answered = true
			if _, err := io.WriteString(dst, w.password.Reveal()+"\n"); err != nil {
				return false
			}
		case <-ended:
			return false
		}
	}
}

// split returns the command's own stderr (markers removed) and, for sudo,
// sudo's messages (prompts removed), whether the command started and how
// many prompts sudo printed.
func (w *execWatch) split() (cmdStderr []byte, sudoMsg string, started bool, prompts int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := w.buf.Bytes()
	if w.pid != 0 {
		// Drop the PID line, keep anything printed before it (a login banner).
		b = append(bytes.Clone(b[:w.pidStart]), b[w.pidEnd:]...)
	}
	if !w.sudo {
		return b, "", true, 0
	}
	i := bytes.Index(b, w.start)
	if i < 0 {
		return nil, strings.TrimSpace(string(bytes.ReplaceAll(b, w.prompt, nil))), false, w.prompts
	}
	pre := bytes.ReplaceAll(b[:i], w.prompt, nil)
	return bytes.Clone(b[i+len(w.start):]), strings.TrimSpace(string(pre)), true, w.prompts
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

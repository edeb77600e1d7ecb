package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Exec runs command on the node. With opts.Sudo it runs as root: directly
// for a root login, otherwise through sudo (see sudoRun).
//
// The command text is logged at debug level and may appear in errors: it
// must never contain a secret. Secrets go on opts.Stdin, which is never
// logged; with opts.Sensitive the command's output stays out of errors too.
func (c *Client) Exec(ctx context.Context, command string, opts ExecOptions) (Result, error) {
	return c.run(ctx, command, command, opts)
}

// run executes command; desc is the text logs and errors show instead
// (internal scripts are long, so they get a short description).
func (c *Client) run(ctx context.Context, command, desc string, opts ExecOptions) (Result, error) {
	desc = shorten(desc, 200)
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("%s: %s: %w", c.name, desc, err)
	}
	var sr *sudoRun
	remoteCmd := command
	if opts.Sudo && !c.isRoot() {
		if strings.ContainsAny(c.cfg.SudoPassword.Reveal(), "\r\n") {
			return Result{}, fmt.Errorf("%s: %s: %w: the sudo password contains a line break", c.name, desc, ErrSudo)
		}
		sr = newSudoRun(c.cfg.SudoPassword)
		remoteCmd = sr.wrap(command)
	}
	c.log.Debug("exec", "node", c.name, "cmd", desc, "sudo", opts.Sudo)
	started := time.Now()

	sess, err := c.conn.NewSession()
	if err != nil {
		return Result{}, c.connErr(desc+": open session", err)
	}
	defer sess.Close()
	var stdout, stderr bytes.Buffer
	sess.Stdout = &stdout
	if sr != nil {
		sess.Stderr = sr
	} else {
		sess.Stderr = &stderr
	}
	stdin, err := sess.StdinPipe()
	if err != nil {
		return Result{}, c.connErr(desc+": stdin", err)
	}
	if err := sess.Start(remoteCmd); err != nil {
		return Result{}, c.connErr(desc+": start", err)
	}
	ended := make(chan struct{})
	defer close(ended)
	if sr != nil {
		go sr.feed(stdin, opts.Stdin, ended)
	} else {
		go func() {
			if opts.Stdin != nil {
				io.Copy(stdin, opts.Stdin)
			}
			stdin.Close()
		}()
	}

	waited := make(chan error, 1)
	go func() { waited <- sess.Wait() }()
	var werr error
	select {
	case werr = <-waited:
	case <-ctx.Done():
		// Ask the remote side to stop, then drop the channel: sshd closes
		// the command's pipes and the session ends even if it ignores signals.
		sess.Signal(ssh.SIGTERM)
		sess.Close()
		c.log.Debug("exec cancelled", "node", c.name, "cmd", desc, "err", ctx.Err())
		return Result{}, fmt.Errorf("%s: %s: %w", c.name, desc, ctx.Err())
	}

	res := Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	var exitErr *ssh.ExitError
	switch {
	case werr == nil:
	case errors.As(werr, &exitErr):
		res.ExitStatus = exitErr.ExitStatus() // 128+n when killed by a signal
	default:
		return res, c.connErr(desc, werr)
	}
	c.log.Debug("exec done", "node", c.name, "cmd", desc, "status", res.ExitStatus,
		"took", time.Since(started).Round(time.Millisecond))

	if sr != nil {
		msg, cmdStderr, ran, prompts := sr.split()
		res.Stderr = cmdStderr
		if !ran && res.ExitStatus != 0 {
			return res, sudoError(c.name, c.cfg.User, desc, res.ExitStatus, msg, prompts, !c.cfg.SudoPassword.IsZero())
		}
	}
	if res.ExitStatus != 0 {
		ee := &ExitError{Host: c.name, Command: desc, Status: res.ExitStatus}
		if !opts.Sensitive {
			ee.Stderr = shorten(strings.TrimSpace(string(res.Stderr)), 2000)
		}
		return res, ee
	}
	return res, nil
}

// shorten cuts s to at most n bytes (on a rune boundary), marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

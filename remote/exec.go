package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Exec runs command on the node. With opts.Sudo it runs as root: directly
// for a root login, otherwise through sudo (see execWatch).
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
	parent := ctx
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("%s: %s: %w", c.name, desc, err)
	}
	sudo := opts.Sudo && !c.isRoot()
	if sudo && strings.ContainsAny(c.cfg.SudoPassword.Reveal(), "\r\n") {
		return Result{}, fmt.Errorf("%s: %s: %w: the sudo password contains a line break", c.name, desc, ErrSudo)
	}
	w := newExecWatch(sudo, c.cfg.SudoPassword)
	c.log.Debug("exec", "node", c.name, "cmd", desc, "sudo", opts.Sudo)
	started := time.Now()

	sess, err := c.conn.NewSession()
	if err != nil {
		return Result{}, c.connErr(desc+": open session", err)
	}
	defer sess.Close()
	var stdout bytes.Buffer
	sess.Stdout = &stdout
	sess.Stderr = w
	stdin, err := sess.StdinPipe()
	if err != nil {
		return Result{}, c.connErr(desc+": stdin", err)
	}
	if err := sess.Start(w.wrap(command)); err != nil {
		return Result{}, c.connErr(desc+": start", err)
	}
	ended := make(chan struct{})
	defer close(ended)
	go w.feed(stdin, opts.Stdin, ended)

	waited := make(chan error, 1)
	go func() { waited <- sess.Wait() }()
	var werr error
	select {
	case werr = <-waited:
	case <-ctx.Done():
		// Ask sshd to signal the command, drop the channel, and kill the
		// process group ourselves: sshd ignores signal requests for root
		// logins and does not stop a command when its channel closes.
		sess.Signal(ssh.SIGTERM)
		sess.Close()
		c.log.Debug("exec cancelled", "node", c.name, "cmd", desc, "err", ctx.Err())
		c.killGroup(w.groupPID(), desc)
		if parent.Err() == nil {
			return Result{}, fmt.Errorf("%s: %s: timed out after %s: %w", c.name, desc, opts.Timeout, ctx.Err())
		}
		return Result{}, fmt.Errorf("%s: %s: %w", c.name, desc, ctx.Err())
	}

	res := Result{Stdout: stdout.Bytes()}
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

	cmdStderr, sudoMsg, ran, prompts := w.split()
	res.Stderr = cmdStderr
	if !ran && res.ExitStatus != 0 {
		return res, sudoError(c.name, c.cfg.User, desc, res.ExitStatus, sudoMsg, prompts, !c.cfg.SudoPassword.IsZero())
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

// killGroup stops a cancelled command's process group (best effort, on
// a fresh session, bounded so a dead connection cannot hold the caller).
func (c *Client) killGroup(pid int, desc string) {
	if pid <= 1 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// "-s TERM --" is the form both dash and bash accept for a group.
	cmd := fmt.Sprintf("kill -s TERM -- -%d 2>/dev/null; true", pid)
	if _, err := c.run(ctx, cmd, "stop cancelled command", ExecOptions{}); err != nil {
		c.log.Debug("could not stop a cancelled command", "node", c.name, "cmd", desc, "err", err)
	}
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

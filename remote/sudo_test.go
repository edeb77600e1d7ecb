package remote_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/galeraflow/galeraflow/remote"
	"github.com/galeraflow/galeraflow/remote/remotetest"
)

const sudoSecret = "s3cr3t'pass\"word"

func TestSudoNoPassword(t *testing.T) {
	e := newEnv(t, remotetest.Options{Sudo: remotetest.SudoNoPassword})
	c := e.dial(e.config("deploy"))
	res, err := c.Exec(context.Background(), "echo \"it's $USER\"; cat", remote.ExecOptions{Sudo: true, Stdin: strings.NewReader("in")})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Stdout) != "it's deploy\nin" || len(res.Stderr) != 0 {
		t.Fatalf("stdout %q stderr %q", res.Stdout, res.Stderr)
	}
	calls := e.srv.SudoCalls()
	if len(calls) != 1 || calls[0][0] != "-n" {
		t.Fatalf("sudo calls = %q, want one with -n", calls)
	}
}

func TestSudoRootLoginRunsDirectly(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	c := e.dial(e.config("root"))
	if _, err := c.Exec(context.Background(), "true", remote.ExecOptions{Sudo: true}); err != nil {
		t.Fatal(err)
	}
	if calls := e.srv.SudoCalls(); len(calls) != 0 {
		t.Fatalf("root login used sudo: %q", calls)
	}
}

func TestSudoPasswordRequiredWithoutPassword(t *testing.T) {
	e := newEnv(t, remotetest.Options{Sudo: remotetest.SudoPassword, SudoPassword: sudoSecret})
	c := e.dial(e.config("ops"))
	_, err := c.Exec(context.Background(), "true", remote.ExecOptions{Sudo: true})
	if !errors.Is(err, remote.ErrSudo) {
		t.Fatalf("err = %v, want ErrSudo", err)
	}
	if !strings.Contains(err.Error(), "needs a password") || !strings.Contains(err.Error(), "n1") {
		t.Fatalf("unhelpful message: %v", err)
	}
	var ee *remote.ExitError
	if errors.As(err, &ee) {
		t.Fatalf("a sudo failure must not look like the command's own exit: %v", err)
	}
}

func TestSudoPasswordOnStdinOnly(t *testing.T) {
	e := newEnv(t, remotetest.Options{Sudo: remotetest.SudoPassword, SudoPassword: sudoSecret})
	cfg := e.config("ops")
	cfg.SudoPassword = pw(sudoSecret)
	c := e.dial(cfg)
	res, err := c.Exec(context.Background(), "cat; echo warn >&2", remote.ExecOptions{Sudo: true, Stdin: strings.NewReader("payload\n")})
	if err != nil {
		t.Fatal(err)
	}
	// The command gets exactly the caller's stdin; sudo consumed the password.
	if string(res.Stdout) != "payload\n" {
		t.Fatalf("stdout = %q", res.Stdout)
	}
	if string(res.Stderr) != "warn\n" {
		t.Fatalf("stderr = %q: sudo's prompt or marker leaked into the command's stderr", res.Stderr)
	}
	calls := e.srv.SudoCalls()
	if len(calls) != 1 || calls[0][0] != "-S" {
		t.Fatalf("sudo calls = %q, want one with -S", calls)
	}
	assertNoSecret(t, e, nil)
}

func TestSudoWrongPassword(t *testing.T) {
	e := newEnv(t, remotetest.Options{Sudo: remotetest.SudoPassword, SudoPassword: sudoSecret})
	cfg := e.config("ops")
	cfg.SudoPassword = pw("not-the-" + sudoSecret)
	c := e.dial(cfg)
	_, err := c.Exec(context.Background(), "true", remote.ExecOptions{Sudo: true})
	if !errors.Is(err, remote.ErrSudo) || !strings.Contains(err.Error(), "rejected the password") {
		t.Fatalf("err = %v, want ErrSudo about a rejected password", err)
	}
	assertNoSecret(t, e, err)
}

// With NOPASSWD sudo never prompts: a configured password must then not
// reach the command's stdin.
func TestSudoPasswordNotSentWhenNotAsked(t *testing.T) {
	e := newEnv(t, remotetest.Options{Sudo: remotetest.SudoNoPassword})
	cfg := e.config("deploy")
	cfg.SudoPassword = pw(sudoSecret)
	c := e.dial(cfg)
	res, err := c.Exec(context.Background(), "cat", remote.ExecOptions{Sudo: true, Stdin: strings.NewReader("only this")})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Stdout) != "only this" {
		t.Fatalf("command stdin = %q", res.Stdout)
	}
}

func TestSudoDenied(t *testing.T) {
	e := newEnv(t, remotetest.Options{Sudo: remotetest.SudoDenied})
	c := e.dial(e.config("deploy"))
	_, err := c.Exec(context.Background(), "true", remote.ExecOptions{Sudo: true})
	if !errors.Is(err, remote.ErrSudo) || !strings.Contains(err.Error(), "sudoers") {
		t.Fatalf("err = %v, want ErrSudo naming sudoers", err)
	}
}

// The command's own failure under sudo is an ExitError, not ErrSudo.
func TestSudoCommandFailureIsExitError(t *testing.T) {
	e := newEnv(t, remotetest.Options{Sudo: remotetest.SudoPassword, SudoPassword: sudoSecret})
	cfg := e.config("ops")
	cfg.SudoPassword = pw(sudoSecret)
	c := e.dial(cfg)
	_, err := c.Exec(context.Background(), "echo nope >&2; exit 7", remote.ExecOptions{Sudo: true})
	var ee *remote.ExitError
	if !errors.As(err, &ee) || ee.Status != 7 || ee.Stderr != "nope" || errors.Is(err, remote.ErrSudo) {
		t.Fatalf("err = %#v", err)
	}
}

// assertNoSecret checks argv (the sudo shim's record), logs and err.
func assertNoSecret(t *testing.T, e *testEnv, err error) {
	t.Helper()
	for _, part := range []string{sudoSecret, "s3cr3t"} {
		if strings.Contains(string(e.srv.SudoLogBytes()), part) {
			t.Errorf("password in sudo's argv: %q", e.srv.SudoLogBytes())
		}
		if strings.Contains(e.logs.String(), part) {
			t.Errorf("password in logs: %s", e.logs.String())
		}
		if err != nil && strings.Contains(err.Error(), part) {
			t.Errorf("password in error: %v", err)
		}
	}
	if !strings.Contains(e.logs.String(), `"node":"n1"`) {
		t.Errorf("logs carry no node attribute: %s", e.logs.String())
	}
}

package remote_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/remote"
	"github.com/galeraflow/galeraflow/remote/remotetest"
)

func TestExecStdinStdoutStderrStatus(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	c := e.dial(e.config("root"))
	res, err := c.Exec(context.Background(), "cat; echo oops >&2; exit 3",
		remote.ExecOptions{Stdin: strings.NewReader("line one\nline two\n")})
	var ee *remote.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("err = %v, want *ExitError", err)
	}
	if ee.Status != 3 || ee.Host != "n1" || ee.Stderr != "oops" {
		t.Fatalf("ExitError = %+v", ee)
	}
	if string(res.Stdout) != "line one\nline two\n" || string(res.Stderr) != "oops\n" || res.ExitStatus != 3 {
		t.Fatalf("result = %q %q %d", res.Stdout, res.Stderr, res.ExitStatus)
	}

	// No stdin: a command reading stdin sees EOF at once.
	res, err = c.Exec(context.Background(), "cat; echo done", remote.ExecOptions{})
	if err != nil || string(res.Stdout) != "done\n" {
		t.Fatalf("no stdin: %q, %v", res.Stdout, err)
	}
}

func TestExecReusesOneConnection(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	c := e.dial(e.config("root"))
	// Every command and file operation shares one SSH connection.
	for i := 0; i < 3; i++ {
		if _, err := c.Exec(context.Background(), "true", remote.ExecOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ReadFile(context.Background(), filepath.Join(e.srv.Root(), "bin", "sudo")); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.srv.Connections(); n != 1 {
		t.Fatalf("server saw %d connections, want 1", n)
	}
}

func TestExecSensitiveKeepsOutputOutOfErrors(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	c := e.dial(e.config("root"))
	// The value travels on stdin and comes back on stderr and stdout.
	cmd := "tee /dev/stderr; exit 1"
	_, err := c.Exec(context.Background(), cmd, remote.ExecOptions{Sensitive: true, Stdin: strings.NewReader("top-secret-value")})
	if err == nil || strings.Contains(err.Error(), "top-secret-value") {
		t.Fatalf("sensitive error = %v", err)
	}
	if strings.Contains(e.logs.String(), "top-secret-value") {
		t.Fatalf("logs show the sensitive value: %s", e.logs.String())
	}
	_, err = c.Exec(context.Background(), cmd, remote.ExecOptions{Stdin: strings.NewReader("visible-value")})
	if err == nil || !strings.Contains(err.Error(), "visible-value") {
		t.Fatalf("plain error should carry stderr: %v", err)
	}
}

// The server, like sshd, neither stops a command whose channel closes nor
// signals root sessions: the client must kill the process group itself.
func TestExecContextCancelStopsCommand(t *testing.T) {
	for _, tc := range []struct {
		user string
		sudo bool
	}{{"root", false}, {"deploy", true}} {
		t.Run(tc.user, func(t *testing.T) {
			e := newEnv(t, remotetest.Options{})
			c := e.dial(e.config(tc.user))
			pidFile := filepath.Join(e.dir, "sleep.pid")
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() {
				_, err := c.Exec(ctx, "sleep 60 & echo $! > "+pidFile+"; wait", remote.ExecOptions{Sudo: tc.sudo})
				errc <- err
			}()
			pid := waitForPID(t, pidFile)
			cancel()
			select {
			case err := <-errc:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("err = %v, want context.Canceled", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("Exec did not return after cancel")
			}
			// The remote sleep is stopped, not left behind.
			waitGone(t, pid)

			// The connection still works afterwards.
			if _, err := c.Exec(context.Background(), "true", remote.ExecOptions{}); err != nil {
				t.Fatalf("exec after cancel: %v", err)
			}
		})
	}
}

func TestExecTimeout(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	c := e.dial(e.config("root"))
	_, err := c.Exec(context.Background(), "sleep 60", remote.ExecOptions{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out after 100ms") {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
}

func TestExecAfterCloseFails(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	c := e.dial(e.config("root"))
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := c.Exec(context.Background(), "true", remote.ExecOptions{}); err == nil {
		t.Fatal("exec on a closed client succeeded")
	}
}

func TestExecServerGoneIsUnreachable(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	c := e.dial(e.config("root"))
	e.srv.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := c.Exec(context.Background(), "true", remote.ExecOptions{})
		if errors.Is(err, remote.ErrUnreachable) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("err = %v, want ErrUnreachable once the server is gone", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func waitForPID(t *testing.T, file string) int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(file)
		if err == nil && strings.HasSuffix(string(b), "\n") {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("command did not start")
	return 0
}

// waitGone waits until pid has exited (a zombie counts as gone).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
			if f := strings.Fields(string(b)); len(f) > 2 && f[2] == "Z" {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("process %d still runs", pid)
}

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/galeraflow/galeraflow/inventory"
	"github.com/galeraflow/galeraflow/playbook"
	"github.com/galeraflow/galeraflow/remote"
)

// runApp drives the whole CLI in-process and returns what a user would see.
func runApp(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"galeraflow"}, args...), strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), code
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHelpListsCommandsAndExitCodes(t *testing.T) {
	out, _, code := runApp(t, "--help")
	if code != exitOK {
		t.Fatalf("--help exit %d", code)
	}
	for _, want := range []string{"check", "status", "EXIT CODES", "130"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help lacks %q:\n%s", want, out)
		}
	}
}

func TestVersion(t *testing.T) {
	out, _, code := runApp(t, "--version")
	if code != exitOK || !strings.Contains(out, "galeraflow version") {
		t.Fatalf("--version: exit %d, %q", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"check", "--bogus", "x.yml"}, "bogus"},
		{"no inventory", []string{"check"}, "needs exactly one argument"},
		{"two inventories", []string{"status", "a.yml", "b.yml"}, "needs exactly one argument"},
		{"bad output", []string{"--output", "xml", "status", "a.yml"}, "--output must be text or json"},
		{"bad log level", []string{"--log-level", "loud", "status", "a.yml"}, "--log-level"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runApp(t, tc.args...)
			if code != exitInvalid {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInvalid, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Fatalf("stderr lacks %q:\n%s", tc.want, stderr)
			}
			if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
				t.Fatalf("stack trace in stderr:\n%s", stderr)
			}
		})
	}
}

func TestMissingInventoryFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yml")
	_, stderr, code := runApp(t, "check", missing)
	if code != exitInvalid {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInvalid, stderr)
	}
	if !strings.Contains(stderr, "nope.yml") {
		t.Fatalf("stderr does not name the file:\n%s", stderr)
	}
}

func TestInventoryMistakesAllReported(t *testing.T) {
	dir := t.TempDir()
	inv := writeFile(t, dir, "inv.yml", `cluster: test
ssh:
  user: root
  prot: 22
nodes:
  - {name: a, address: 10.0.0.1}
  - {name: a, address: 10.0.0.2}
  - name: c
    address: 10.0.0.3
    ssh: {port: seventy}
`)
	stdout, stderr, code := runApp(t, "check", inv)
	if code != exitInvalid {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInvalid, stderr)
	}
	if stdout != "" {
		t.Errorf("nothing belongs on stdout for an invalid inventory, got:\n%s", stdout)
	}
	for _, want := range []string{"inv.yml:4:", "prot", "inv.yml:7:", "duplicate", "inv.yml:10:", "nodes[2].ssh.port"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestExitCodeMapping(t *testing.T) {
	// The switch is the contract with cron: keep every sentinel on its code,
	// also when wrapped or joined with others (the most actionable wins).
	wrap := func(err error) error { return fmt.Errorf("n2: dial 10.0.0.2:22: %w", err) }
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, exitOK},
		{errors.New("boom"), exitFailure},
		{wrap(errUsage), exitInvalid},
		{wrap(inventory.ErrInvalid), exitInvalid},
		{wrap(remote.ErrUnreachable), exitUnreachable},
		{wrap(remote.ErrHostKeyMismatch), exitHostKey},
		{wrap(remote.ErrHostKeyUnknown), exitHostKey},
		{wrap(remote.ErrAuth), exitAuth},
		{wrap(remote.ErrSudo), exitAuth},
		{wrap(playbook.ErrDegraded), exitDegraded},
		{wrap(playbook.ErrInvalidPlaybook), exitInvalid},
		{fmt.Errorf("%w: n1: %w: certificates refused", playbook.ErrPreflight, playbook.ErrInvalidInput), exitInvalid},
		{wrap(playbook.ErrLocked), exitLocked},
		{wrap(playbook.ErrPartial), exitPartial},
		{wrap(playbook.ErrInterrupted), exitInterrupted},
		{wrap(context.Canceled), exitInterrupted},
		{errors.Join(wrap(playbook.ErrDegraded), wrap(remote.ErrUnreachable)), exitUnreachable},
		{errors.Join(wrap(remote.ErrUnreachable), wrap(remote.ErrHostKeyMismatch)), exitHostKey},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

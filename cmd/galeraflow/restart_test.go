package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// minimalInventory is a valid inventory whose nodes nobody listens for.
func minimalInventory(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	key := writeFile(t, dir, "id", string(pem.EncodeToMemory(block)))
	writeFile(t, dir, "known_hosts", "")
	return writeFile(t, dir, "inv.yml", `cluster: test
flavor: mariadb
ssh: {user: root, identity: `+key+`, agent: false, known_hosts: `+filepath.Join(dir, "known_hosts")+`, connect_timeout: 1s}
nodes:
  - {name: n1, address: 127.0.0.1, ssh: {port: 1}}
  - {name: n2, address: 127.0.0.2, ssh: {port: 1}}
`)
}

func TestHelpListsRestartAndRecover(t *testing.T) {
	out, _, code := runApp(t, "--help")
	if code != exitOK {
		t.Fatalf("--help exit %d", code)
	}
	for _, want := range []string{"restart", "recover"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help lacks %q:\n%s", want, out)
		}
	}
}

func TestRecoverWithoutTerminalNeedsYes(t *testing.T) {
	stdout, stderr, code := runApp(t, "recover", minimalInventory(t))
	if code != exitInvalid {
		t.Fatalf("exit %d, want %d\n%s", code, exitInvalid, stderr)
	}
	if !strings.Contains(stderr, "--yes") || !strings.Contains(stderr, "terminal") {
		t.Errorf("the refusal should say how to confirm:\n%s", stderr)
	}
	// Refused before connecting: no plan, no report.
	if stdout != "" {
		t.Errorf("stdout:\n%s", stdout)
	}
}

func TestRestartUnknownBootstrapNode(t *testing.T) {
	_, stderr, code := runApp(t, "restart", "--bootstrap-node", "n9", minimalInventory(t))
	if code != exitInvalid {
		t.Fatalf("exit %d, want %d\n%s", code, exitInvalid, stderr)
	}
	if !strings.Contains(stderr, `"n9" is not in the inventory (nodes: n1, n2)`) {
		t.Errorf("stderr:\n%s", stderr)
	}
}

func TestRestartUnreachableNodeExitCode(t *testing.T) {
	stdout, stderr, code := runApp(t, "restart", "--lock-dir", t.TempDir(), minimalInventory(t))
	if code != exitUnreachable {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitUnreachable, stdout, stderr)
	}
	if !strings.Contains(stderr, "nothing was changed") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

func TestConfirmAnswers(t *testing.T) {
	for in, want := range map[string]bool{"y\n": true, "YES\n": true, " yes \n": true, "n\n": false, "\n": false, "": false, "yep\n": false} {
		var errOut bytes.Buffer
		got, err := confirm(env{stdin: strings.NewReader(in), stderr: &errOut}, "go? ")
		if err != nil || got != want {
			t.Errorf("confirm(%q) = %v, %v; want %v", in, got, err, want)
		}
		if errOut.String() != "go? " {
			t.Errorf("prompt %q", errOut.String())
		}
	}
}

func TestRecoverDeclinedOnATerminalChangesNothing(t *testing.T) {
	// The prompt path needs a plan first; with unreachable nodes the plan
	// fails before anything is asked, and the exit code says why.
	var out, errOut bytes.Buffer
	app := newApp(env{stdin: strings.NewReader("y\n"), stdout: &out, stderr: &errOut, interactive: true})
	err := app.RunContext(context.Background(), []string{"galeraflow", "recover", "--lock-dir", t.TempDir(), minimalInventory(t)})
	if code := exitCode(err); code != exitUnreachable {
		t.Fatalf("exit %d, want %d: %v", code, exitUnreachable, err)
	}
	if strings.Contains(errOut.String(), "Bootstrap") {
		t.Errorf("asked for confirmation without a plan:\n%s", errOut.String())
	}
}

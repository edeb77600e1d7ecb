//go:build lab

package main

// End-to-end tests against the real lab cluster (make lab-up): real sshd,
// real MariaDB Galera, driven through the CLI as a user would.

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

const labRel = "../../examples/lab"

func labDir(t *testing.T) string {
	t.Helper()
	d, err := filepath.Abs(labRel)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(d, "state", "ssh", "known_hosts")); err != nil {
		t.Fatalf("the lab is not up (run `make lab-up`): %v", err)
	}
	return d
}

// labInventory writes a copy of the lab inventory into a temp dir with its
// state/ paths made absolute, after applying replacements (old, new pairs).
func labInventory(t *testing.T, replacements ...string) string {
	t.Helper()
	dir := labDir(t)
	data, err := os.ReadFile(filepath.Join(dir, "inventory.yml"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for i := 0; i+1 < len(replacements); i += 2 {
		if !strings.Contains(doc, replacements[i]) {
			t.Fatalf("lab inventory has no %q to replace", replacements[i])
		}
		doc = strings.ReplaceAll(doc, replacements[i], replacements[i+1])
	}
	doc = strings.ReplaceAll(doc, " state/", " "+dir+"/state/")
	doc = strings.ReplaceAll(doc, "file:state/", "file:"+dir+"/state/")
	return writeFile(t, t.TempDir(), "inventory.yml", doc)
}

func lab(t *testing.T, args ...string) string {
	t.Helper()
	labDir(t)
	out, err := labCommand(args...).CombinedOutput()
	if err != nil {
		t.Fatalf("lab.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// labCommand is `bash examples/lab/lab.sh ARGS...`.
func labCommand(args ...string) *exec.Cmd {
	return exec.Command("bash", append([]string{filepath.Join(labRel, "lab.sh")}, args...)...)
}

func TestLabCheckHealthyCluster(t *testing.T) {
	stdout, stderr, code := runApp(t, "check", filepath.Join(labDir(t), "inventory.yml"))
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"n1 (10.231.7.11)", "n3 (10.231.7.13)", "sudo ok", "flavor mariadb", "Primary, Synced, size 3", "OSU method  TOI", "all Primary and Synced"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestLabStatusJSONMatchesServers(t *testing.T) {
	stdout, stderr, code := runApp(t, "--output", "json", "status", filepath.Join(labDir(t), "inventory.yml"))
	if code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	var r struct {
		OK    bool
		Nodes []struct {
			Node  string
			Wsrep struct {
				ClusterSize       int    `json:"cluster_size"`
				LocalStateComment string `json:"local_state_comment"`
				ClusterStateUUID  string `json:"cluster_state_uuid"`
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("status --output json is not JSON: %v\n%s", err, stdout)
	}
	if !r.OK || len(r.Nodes) != 3 {
		t.Fatalf("report: ok=%v nodes=%d\n%s", r.OK, len(r.Nodes), stdout)
	}
	// Compare with what each server says through the lab's own door.
	for _, n := range r.Nodes {
		uuid := strings.TrimSpace(lab(t, "sql", n.Node, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME='WSREP_CLUSTER_STATE_UUID'"))
		if n.Wsrep.ClusterStateUUID != uuid || n.Wsrep.ClusterSize != 3 || n.Wsrep.LocalStateComment != "Synced" {
			t.Errorf("%s: report %+v, server uuid %q", n.Node, n.Wsrep, uuid)
		}
	}
}

func TestLabChangedHostKeyRefused(t *testing.T) {
	inv := labInventory(t, "state/ssh/known_hosts", "state/ssh/wrong_known_hosts")
	_, stderr, code := runApp(t, "check", inv)
	if code != exitHostKey {
		t.Fatalf("exit %d, want %d\n%s", code, exitHostKey, stderr)
	}
	if !strings.Contains(stderr, "REMOTE HOST IDENTIFICATION HAS CHANGED") || !strings.Contains(stderr, "SHA256:") {
		t.Errorf("message unlike OpenSSH's:\n%s", stderr)
	}
	assertNoTrace(t, stderr)
}

func TestLabUnknownHostRefused(t *testing.T) {
	empty := writeFile(t, t.TempDir(), "known_hosts", "")
	inv := labInventory(t, "state/ssh/known_hosts", empty)
	_, stderr, code := runApp(t, "check", inv)
	if code != exitHostKey {
		t.Fatalf("exit %d, want %d\n%s", code, exitHostKey, stderr)
	}
	if !strings.Contains(stderr, "10.231.7.11") || !strings.Contains(stderr, "accept-new") {
		t.Errorf("message should name the host and the way to accept it:\n%s", stderr)
	}
	if data, _ := os.ReadFile(empty); len(data) != 0 {
		t.Errorf("strict policy wrote to known_hosts: %q", data)
	}
	assertNoTrace(t, stderr)
}

func TestLabWrongKeyRefused(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	key := writeFile(t, t.TempDir(), "id_wrong", string(pem.EncodeToMemory(block)))
	inv := labInventory(t, "state/ssh/id_ed25519", key)
	_, stderr, code := runApp(t, "check", inv)
	if code != exitAuth {
		t.Fatalf("exit %d, want %d\n%s", code, exitAuth, stderr)
	}
	if !strings.Contains(stderr, "n1") || !strings.Contains(stderr, "authentication") {
		t.Errorf("message should name the node and the auth failure:\n%s", stderr)
	}
	assertNoTrace(t, stderr)
}

func TestLabSSHDDownIsUnreachable(t *testing.T) {
	lab(t, "stop-sshd", "n2")
	t.Cleanup(func() { lab(t, "start-sshd", "n2") })
	stdout, stderr, code := runApp(t, "status", filepath.Join(labDir(t), "inventory.yml"))
	if code != exitUnreachable {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitUnreachable, stdout, stderr)
	}
	if !strings.Contains(stdout, "UNREACHABLE") || !strings.Contains(stderr, "n2") {
		t.Errorf("the table should mark n2 unreachable and the error name it:\n%s\n%s", stdout, stderr)
	}
	// The other nodes are still reported.
	if !strings.Contains(stdout, "n1    10.231.7.11  Synced") {
		t.Errorf("healthy nodes missing from the table:\n%s", stdout)
	}
	assertNoTrace(t, stderr)
}

func TestLabNonRootLogins(t *testing.T) {
	// deploy: passwordless sudo; ops: sudo with a password from a file.
	for _, tc := range []struct{ user, extra string }{
		{"deploy", ""},
		{"ops", "  sudo_password: file:state/ssh/ops-sudo.pw\n"},
	} {
		t.Run(tc.user, func(t *testing.T) {
			inv := labInventory(t, "  user: root\n", "  user: "+tc.user+"\n"+tc.extra)
			stdout, stderr, code := runApp(t, "check", inv)
			if code != exitOK {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
			}
			if !strings.Contains(stdout, tc.user+"@10.231.7.12, sudo ok") {
				t.Errorf("check should log in as %s with sudo:\n%s", tc.user, stdout)
			}
			pw, _ := os.ReadFile(filepath.Join(labDir(t), "state/ssh/ops-sudo.pw"))
			if p := strings.TrimSpace(string(pw)); p != "" && (strings.Contains(stdout, p) || strings.Contains(stderr, p)) {
				t.Errorf("the sudo password leaked into the output")
			}
		})
	}
}

func assertNoTrace(t *testing.T, s string) {
	t.Helper()
	if strings.Contains(s, "goroutine ") || strings.Contains(s, "panic:") {
		t.Errorf("stack trace in output:\n%s", s)
	}
}

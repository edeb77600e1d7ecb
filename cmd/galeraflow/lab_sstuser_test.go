//go:build lab

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var labNodes = []string{"n1", "n2", "n3"}

// sstUserPlaybook writes a playbook of the sst-user step alone.
func sstUserPlaybook(t *testing.T) string {
	return writeFile(t, t.TempDir(), "sst-user.yml", "name: sst-user\nsteps:\n  - sst-user\n")
}

func dropSSTUser(t *testing.T) {
	t.Helper()
	for _, n := range labNodes {
		// RSU keeps each DROP local: every node is cleaned on its own.
		lab(t, "sql", n, "SET SESSION wsrep_OSU_method='RSU'; DROP USER IF EXISTS 'sst_user'@'%'")
	}
}

func sslTypes(t *testing.T) map[string]string {
	got := map[string]string{}
	for _, n := range labNodes {
		got[n] = strings.TrimSpace(lab(t, "sql", n, "SELECT ssl_type FROM mysql.user WHERE User='sst_user' AND Host='%'"))
	}
	return got
}

// watchProcesses samples every node's process list until stop is closed and
// reports command lines that contain secret.
func watchProcesses(t *testing.T, secret string) (stop func() []string) {
	var (
		mu    sync.Mutex
		leaks []string
		wg    sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(context.Background())
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			for _, n := range labNodes {
				out := labQuiet(n, "ps", "-eo", "args")
				if strings.Contains(out, secret) {
					mu.Lock()
					leaks = append(leaks, n+": "+out)
					mu.Unlock()
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return func() []string {
		cancel()
		wg.Wait()
		return leaks
	}
}

func TestLabSSTUserTOIThenUnchangedThenPasswordChange(t *testing.T) {
	dropSSTUser(t)
	t.Cleanup(func() { dropSSTUser(t) })
	pb := sstUserPlaybook(t)
	inv := filepath.Join(labDir(t), "inventory.yml")
	pwBytes, err := os.ReadFile(filepath.Join(labDir(t), "state", "sst.pw"))
	if err != nil {
		t.Fatal(err)
	}
	pw := strings.TrimSpace(string(pwBytes))

	stop := watchProcesses(t, pw)
	out, stderr, code := runApp(t, "--log-level", "debug", "run", "--playbook", pb, inv)
	if leaks := stop(); len(leaks) > 0 {
		t.Errorf("the password appeared in a process command line: %q", leaks)
	}
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, stderr)
	}
	if strings.Contains(out+stderr, pw) {
		t.Errorf("the password appears in galeraflow's output or logs")
	}
	if !strings.Contains(out, "TOI: run once on n1") {
		t.Errorf("the plan should say TOI runs once on n1:\n%s", out)
	}
	for n, typ := range sslTypes(t) {
		if typ != "ANY" {
			t.Errorf("%s: ssl_type %q, want ANY", n, typ)
		}
	}

	out, stderr, code = runApp(t, "--output", "json", "run", "--playbook", pb, inv)
	if code != exitOK || !strings.Contains(out, `"status": "unchanged"`) || strings.Contains(out, `"status": "changed"`) {
		t.Fatalf("second run is not a no-op: exit %d\n%s\n%s", code, out, stderr)
	}

	oldHash := lab(t, "sql", "n1", "SELECT authentication_string FROM mysql.user WHERE User='sst_user'")
	// A new password in the inventory is applied and verified.
	newPW := `n3w'pa"ss\wo%rd;--` + "\u00e9"
	pwFile := writeFile(t, t.TempDir(), "new.pw", newPW+"\n")
	inv2 := labInventory(t, "file:state/sst.pw", "file:"+pwFile)
	stop = watchProcesses(t, "n3w'pa")
	out, stderr, code = runApp(t, "run", "--playbook", pb, inv2)
	if leaks := stop(); len(leaks) > 0 {
		t.Errorf("the new password appeared in a process command line: %q", leaks)
	}
	if code != exitOK {
		t.Fatalf("password change: exit %d\n%s\n%s", code, out, stderr)
	}
	if strings.Contains(out+stderr, "n3w'pa") {
		t.Errorf("the new password appears in galeraflow's output")
	}
	// The stored hash changed on every node, to the same value.
	hashes := map[string]bool{}
	for _, n := range labNodes {
		hashes[lab(t, "sql", n, "SELECT authentication_string FROM mysql.user WHERE User='sst_user'")] = true
	}
	if len(hashes) != 1 || hashes[oldHash] {
		t.Errorf("after the password change the nodes' hashes are %v (old %q)", hashes, oldHash)
	}
	out, _, code = runApp(t, "--output", "json", "run", "--playbook", pb, inv2)
	if code != exitOK || strings.Contains(out, `"status": "changed"`) {
		t.Errorf("run after the password change is not a no-op: exit %d\n%s", code, out)
	}
}

func TestLabSSTUserRSUOnEveryNode(t *testing.T) {
	dropSSTUser(t)
	for _, n := range labNodes {
		lab(t, "sql", n, "SET GLOBAL wsrep_OSU_method='RSU'")
	}
	t.Cleanup(func() {
		for _, n := range labNodes {
			lab(t, "sql", n, "SET GLOBAL wsrep_OSU_method='TOI'")
		}
		dropSSTUser(t)
	})
	out, stderr, code := runApp(t, "run", "--playbook", sstUserPlaybook(t), filepath.Join(labDir(t), "inventory.yml"))
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(out, "RSU: run on n1, n2, n3 one at a time") {
		t.Errorf("the plan should run on every node under RSU:\n%s", out)
	}
	for n, typ := range sslTypes(t) {
		if typ != "ANY" {
			t.Errorf("%s: ssl_type %q, want ANY", n, typ)
		}
	}
}

func TestLabSSTUserNotReplicatedIsAnError(t *testing.T) {
	dropSSTUser(t)
	t.Cleanup(func() { dropSSTUser(t) })
	pb := sstUserPlaybook(t)
	inv := filepath.Join(labDir(t), "inventory.yml")
	if _, stderr, code := runApp(t, "run", "--playbook", pb, inv); code != exitOK {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	// n3 loses the user locally, as if it had missed the replicated statement.
	lab(t, "sql", "n3", "SET SESSION wsrep_OSU_method='RSU'; DROP USER 'sst_user'@'%'")
	_, stderr, code := runApp(t, "run", "--playbook", pb, inv)
	if code == exitOK || !strings.Contains(stderr, "n3") || !strings.Contains(stderr, "disagree") {
		t.Fatalf("exit %d, want a failure naming n3:\n%s", code, stderr)
	}
	if got := sslTypes(t); got["n3"] != "" || got["n1"] != "ANY" {
		t.Errorf("the refused run changed users: %v", got)
	}
}

func TestLabSSTUserWrongAdminCredential(t *testing.T) {
	pwFile := writeFile(t, t.TempDir(), "admin.pw", "definitely-wrong\n")
	inv := labInventory(t, "sst:\n", "mysql:\n  user: galeraflow_nobody\n  password: file:"+pwFile+"\nsst:\n")
	_, stderr, code := runApp(t, "run", "--playbook", sstUserPlaybook(t), inv)
	if code == exitOK {
		t.Fatal("a wrong database credential succeeded")
	}
	if !strings.Contains(stderr, "n1") || !strings.Contains(stderr, "Access denied") {
		t.Errorf("the error should name the node and the server's refusal:\n%s", stderr)
	}
	if strings.Contains(stderr, "definitely-wrong") {
		t.Errorf("the admin password leaked into the error")
	}
}

// labQuiet runs a lab.sh command and returns its output, ignoring errors
// (for background sampling, where t.Fatal is not allowed).
func labQuiet(node string, args ...string) string {
	out, _ := labCommand(append([]string{"exec", node}, args...)...).CombinedOutput()
	return string(out)
}

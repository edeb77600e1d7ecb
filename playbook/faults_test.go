package playbook

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Hostile playbook files and the fixes the lab fault suite
// (cmd/galeraflow/lab_faults_test.go) led to.

// FuzzParsePlaybook: whatever the file holds, ParsePlaybook never panics;
// a refusal is ErrInvalidPlaybook and names the file; an accepted playbook
// has steps, each of a known kind, and parses the same way twice.
func FuzzParsePlaybook(f *testing.F) {
	files, _ := filepath.Glob("../examples/playbooks/*.yml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"steps:\n  - upload-certs\n  - restart: {bootstrap_node: n2}\n",
		"name: x\nsteps:\n  - mycnf:\n      set:\n        - {group: mysqld, key: a, value: \"1\"}\n",
		"name: x\npreflight: ssh\nsteps:\n  - mycnf: {}\n",
		"steps: [restart, {restart: null}, {verify-tls: 1}]\n",
		"steps:\n  - &a restart\n  - *a\n",
		"steps:\n  - {}\n  - [1]\n  - restart: {bootstrap_node: [1]}\n",
		"steps: !!map {}\n",
		"name: [\n",
		"\xef\xbb\xbfsteps:\n  - sst-user\n",
	} {
		f.Add([]byte(s))
	}
	kinds := stepKinds()
	f.Fuzz(func(t *testing.T, data []byte) {
		pb, err := ParsePlaybook("p.yml", data)
		if err != nil {
			if !errors.Is(err, ErrInvalidPlaybook) || !strings.Contains(err.Error(), "p.yml") {
				t.Fatalf("refusal without ErrInvalidPlaybook and the file name: %v", err)
			}
			return
		}
		if pb == nil || len(pb.Steps) == 0 {
			t.Fatalf("accepted a playbook without steps: %q", data)
		}
		again, err := ParsePlaybook("p.yml", data)
		if err != nil || len(again.Steps) != len(pb.Steps) {
			t.Fatalf("second parse differs: %v", err)
		}
		for i, st := range pb.Steps {
			if st == nil {
				t.Fatalf("step %d is nil: %q", i, data)
			}
			if _, ok := kinds[st.Name()]; !ok {
				t.Fatalf("step %d has unknown kind %q", i, st.Name())
			}
			if again.Steps[i].Name() != st.Name() {
				t.Fatalf("second parse: step %d is %q, was %q", i, again.Steps[i].Name(), st.Name())
			}
		}
	})
}

// A failed start prints the tail of the server's log: the report keeps the
// lines that say why (seen on the lab: a certificate the server cannot
// load, where the first line was about InnoDB's zlib).
func TestFailureLines(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2026-11-23 22:48:17 0 [Note] InnoDB: Compressed tables use zlib 1.2.13\n" +
			"2026-11-23 22:48:17 0 [ERROR] Failed to setup SSL\n" +
			"2026-11-23 22:48:17 0 [Note] Plugin 'FEEDBACK' is disabled.\n" +
			"2026-11-23 22:48:17 0 [ERROR] SSL error: Unable to get certificate\n",
			"2026-11-23 22:48:17 0 [ERROR] Failed to setup SSL | 2026-11-23 22:48:17 0 [ERROR] SSL error: Unable to get certificate"},
		{"a\nb\nc\nd\ne\n", "b | c | d | e"},
		{"mariadbd exited during start: disk full", "mariadbd exited during start: disk full"},
		{"[ERROR] 1\n[ERROR] 2\n[ERROR] 3\n[ERROR] 4\n[ERROR] 5\nx", "[ERROR] 2 | [ERROR] 3 | [ERROR] 4 | [ERROR] 5"},
		{"", ""},
	} {
		if got := failureLines(c.in); got != c.want {
			t.Errorf("failureLines(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Two copies of one inventory (cron's, an operator's) are one cluster: the
// second run must find the first one's lock.
func TestLockSharedByCopiesOfAnInventory(t *testing.T) {
	dir := t.TempDir()
	a := LockPath(dir, "prod", "/etc/galeraflow/prod.yml")
	b := LockPath(dir, "prod", "/home/ops/prod-copy.yml")
	if a != b {
		t.Fatalf("copies of one cluster's inventory lock different files: %s, %s", a, b)
	}
	if LockPath(dir, "prod", "x") == LockPath(dir, "prod2", "x") || LockPath(dir, "a b", "x") == LockPath(dir, "a_b", "x") {
		t.Errorf("different clusters share a lock file")
	}
	lock, err := AcquireLock(a, "run /etc/galeraflow/prod.yml", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	if _, err := AcquireLock(b, "run /home/ops/prod-copy.yml", time.Now()); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "run /etc/galeraflow/prod.yml") {
		t.Errorf("second run from a copy: %v", err)
	}
}

// The bootstrap node dies while the next node joins (its server killed):
// the join fails, and the advice must not say the cluster runs on the dead
// node. Every node is down: the next step is recover.
func TestRestartAdviceAfterTheBootstrapNodeDiedDuringAJoin(t *testing.T) {
	s := newSim(t, "n1", "n2", "n3")
	s.onEvent = func(ev string) {
		if ev == "start n1" { // s.mu is held: crash n3 by hand
			n3 := s.nodes["n3"]
			n3.running, n3.seqno = false, s.seqno
			s.advance(1)
		}
	}
	_, err := s.execute(t, context.Background(), simInventory(t, "n1", "n2", "n3"), fastRestart(""), false)
	var re *RestartError
	if !errors.As(err, &re) || !errors.Is(err, ErrPartial) {
		t.Fatalf("err = %v", err)
	}
	if n3 := re.Outcome.Node("n3"); n3.State != NodeFailed || n3.Alive {
		t.Errorf("n3 is reported %s (alive %v): it died after its bootstrap", n3.State, n3.Alive)
	}
	if strings.Contains(re.Outcome.Next, "runs on n3") || !strings.Contains(re.Outcome.Next, "galeraflow recover") {
		t.Errorf("next: %s", re.Outcome.Next)
	}
	if got := s.kinds("start", "bootstrap"); strings.Join(got, ",") != "bootstrap n3,start n1" {
		t.Errorf("operations %q: nothing may start after the failed join", got)
	}
}

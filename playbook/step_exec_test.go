package playbook

import (
	"context"
	"strings"
	"testing"

	"github.com/galeraflow/galeraflow/remote/remotetest"
)

func TestExecRunsOnEveryNodeOrOnce(t *testing.T) {
	names := []string{"n1", "n2", "n3"}
	inv := testInventory(t, names...)
	fakes := map[string]*remotetest.Fake{}
	for _, n := range names {
		fakes[n] = newFakeNode(t, n, nodeState{localState: "Synced", size: 3})
		fakes[n].Expect("systemctl reload rsyslog # " + n).Sudo(true)
		fakes[n].Expect("test -e /etc/app/done").Sudo(false).Exit(map[bool]int{true: 0, false: 1}[n == "n2"])
	}
	fakes["n1"].Expect("echo once").Sudo(false)
	fakes["n1"].Expect("touch /etc/app/done").Sudo(false)
	fakes["n3"].Expect("touch /etc/app/done").Sudo(false)
	pb := userPlaybook(t, inv.Dir, `preflight: ssh
steps:
  - exec: {command: "systemctl reload rsyslog # {node}", sudo: true}
  - exec: {command: "echo once", once: true}
  - exec: {command: "touch /etc/app/done", creates: /etc/app/done}
`)
	report, err := Execute(context.Background(), inv, pb, Options{Dial: fakeDialer(fakes), LockDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		fakes[n].AssertDone()
	}
	for _, s := range report.Steps {
		if s.Step == "exec" && s.Node == "n2" && strings.HasPrefix(s.Change.Summary, "skipped") {
			if s.Status != StatusUnchanged {
				t.Errorf("creates: n2 status %s", s.Status)
			}
		}
	}
}

func TestExecFailureNamesNodeAndStops(t *testing.T) {
	inv := testInventory(t, "n1")
	fake := newFakeNode(t, "n1", nodeState{localState: "Synced", size: 1})
	fake.Expect("false").Exit(1).Stderr("boom")
	pb := userPlaybook(t, inv.Dir, "preflight: ssh\nsteps:\n  - exec: {command: \"false\"}\n  - exec: {command: never}\n")
	_, err := Execute(context.Background(), inv, pb, Options{Dial: fakeDialer(map[string]*remotetest.Fake{"n1": fake}), LockDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "n1") || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v", err)
	}
	fake.AssertDone()
}

func TestExecDryRunRunsNothing(t *testing.T) {
	inv := testInventory(t, "n1")
	fake := newFakeNode(t, "n1", nodeState{localState: "Synced", size: 1})
	pb := userPlaybook(t, inv.Dir, "preflight: ssh\nsteps:\n  - exec: {command: \"rm -rf /srv/x\"}\n")
	if _, err := Execute(context.Background(), inv, pb, Options{DryRun: true, Dial: fakeDialer(map[string]*remotetest.Fake{"n1": fake}), LockDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if len(fake.Calls()) != 0 {
		t.Fatalf("dry run ran %v", fake.Calls())
	}
}

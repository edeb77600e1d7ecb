package playbook

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/galeraflow/galeraflow/remote/remotetest"
)

// userPlaybook parses a playbook file written to the inventory's folder,
// as Resolve would (relative sources beside it).
func userPlaybook(t *testing.T, dir, text string) *Playbook {
	t.Helper()
	p := filepath.Join(dir, "pb.yml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	pb, err := Resolve(p, dir)
	if err != nil {
		t.Fatal(err)
	}
	return pb
}

const uploadPlaybook = `name: files
preflight: ssh
steps:
  - upload:
      files:
        - {src: ca.pem, dest: /etc/app/ca.pem, mode: "0644", owner: root, group: root}
        - {src: "{node}-key.pem", dest: "/etc/app/{node}.key", mode: "0600", owner: mysql, group: mysql}
`

func TestUploadWritesThenUnchangedThenFixesMode(t *testing.T) {
	names := []string{"n1", "n2"}
	inv := testInventory(t, names...)
	fakes := map[string]*remotetest.Fake{}
	for _, n := range names {
		fakes[n] = newFakeNode(t, n, nodeState{localState: "Synced", size: 2})
	}
	pb := userPlaybook(t, inv.Dir, uploadPlaybook)
	if pb.RequireHealthy || !pb.NoFacts {
		t.Fatalf("preflight: ssh should skip the health check and facts: %+v", pb)
	}
	opts := Options{Dial: fakeDialer(fakes), LockDir: t.TempDir()}
	if _, err := Execute(context.Background(), inv, pb, opts); err != nil {
		t.Fatalf("first run: %v", err)
	}
	local := func(name string) string {
		data, err := os.ReadFile(filepath.Join(inv.Dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	for _, n := range names {
		got := map[string]string{}
		for _, w := range fakes[n].Writes() {
			got[w.Path] = w.Opts.Mode.String() + " " + w.Opts.Owner + ":" + w.Opts.Group + " " + string(w.Data)
		}
		want := map[string]string{
			"/etc/app/ca.pem":        "-rw-r--r-- root:root " + local("ca.pem"),
			"/etc/app/" + n + ".key": "-rw------- mysql:mysql " + local(n+"-key.pem"),
		}
		if len(got) != len(want) {
			t.Errorf("%s: wrote %d files, want %d", n, len(got), len(want))
		}
		for p, w := range want {
			if got[p] != w {
				t.Errorf("%s: %s written as %.40q, want %.40q", n, p, got[p], w)
			}
		}
		// No SQL, no sudo check: the preflight was the login.
		for _, c := range fakes[n].Calls() {
			if strings.Contains(c.Command, "-N -B") || c.Command == "true" {
				t.Errorf("%s: preflight: ssh ran %q", n, c.Command)
			}
		}
	}

	report, err := Execute(context.Background(), inv, pb, opts)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if report.Changed() {
		t.Errorf("second run changed something: %+v", report.Steps)
	}

	// A mode changed behind our back is fixed without a new upload.
	f := fakes["n2"].File("/etc/app/ca.pem")
	fakes["n2"].SetFile("/etc/app/ca.pem", string(f.Data), 0o666, "root", "root")
	fakes["n2"].ExpectMatch(`^chown -- root:root /etc/app/ca.pem && chmod 0644 /etc/app/ca.pem$`).Sudo(true)
	writes := len(fakes["n2"].Writes())
	if _, err := Execute(context.Background(), inv, pb, opts); err != nil {
		t.Fatalf("third run: %v", err)
	}
	if len(fakes["n2"].Writes()) != writes {
		t.Errorf("a mode fix uploaded the file again")
	}
	fakes["n2"].AssertDone()
}

func TestUploadReplacesChangedContentWithBackup(t *testing.T) {
	inv := testInventory(t, "n1")
	fake := newFakeNode(t, "n1", nodeState{localState: "Synced", size: 1})
	fake.SetFile("/etc/app/ca.pem", "old\n", 0o644, "root", "root")
	pb := userPlaybook(t, inv.Dir, uploadPlaybook)
	report, err := Execute(context.Background(), inv, pb, Options{Dial: fakeDialer(map[string]*remotetest.Fake{"n1": fake}), LockDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var backup string
	for _, w := range fake.Writes() {
		if w.Path == "/etc/app/ca.pem" {
			backup = w.Backup
		}
	}
	if backup == "" {
		t.Fatalf("the replaced file was not backed up: %+v", fake.Writes())
	}
	if !strings.Contains(strings.Join(report.Steps[0].Change.Actions, "\n"), "content differs") {
		t.Errorf("plan does not say why: %q", report.Steps[0].Change.Actions)
	}
}

func TestUploadDryRunWritesNothing(t *testing.T) {
	inv := testInventory(t, "n1")
	fake := newFakeNode(t, "n1", nodeState{localState: "Synced", size: 1})
	pb := userPlaybook(t, inv.Dir, uploadPlaybook)
	report, err := Execute(context.Background(), inv, pb, Options{DryRun: true, Dial: fakeDialer(map[string]*remotetest.Fake{"n1": fake}), LockDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(fake.Writes()) != 0 || report.Steps[0].Status != StatusPlanned {
		t.Fatalf("dry run: %d writes, status %s", len(fake.Writes()), report.Steps[0].Status)
	}
}

func TestUploadMissingSourceRefusedBeforeAnyChange(t *testing.T) {
	inv := testInventory(t, "n1")
	fake := newFakeNode(t, "n1", nodeState{localState: "Synced", size: 1})
	pb := userPlaybook(t, inv.Dir, strings.Replace(uploadPlaybook, "src: ca.pem", "src: nope.pem", 1))
	_, err := Execute(context.Background(), inv, pb, Options{Dial: fakeDialer(map[string]*remotetest.Fake{"n1": fake}), LockDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "nope.pem") {
		t.Fatalf("err = %v", err)
	}
	if len(fake.Writes()) != 0 {
		t.Fatal("a node was changed")
	}
}

func TestUserStepOptionsRefused(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"  - upload\n", "pb.yml:4:"},
		{"  - upload: {files: []}\n", "needs `files:`"},
		{"  - upload: {files: [{src: a, dest: rel/path}]}\n", "absolute"},
		{"  - upload: {files: [{src: a, dest: /x, mode: \"0666\"}]}\n", "world-writable"},
		{"  - upload: {files: [{src: a, dest: /x, mode: rw}]}\n", "octal"},
		{"  - upload: {files: [{src: a, dest: /x}, {src: b, dest: /x}]}\n", "twice"},
		{"  - upload: {files: [{src: a, dest: /x, colour: red}]}\n", "colour"},
		{"  - exec: {sudo: true}\n", "needs `command:`"},
		{"  - exec: {command: x, creates: relative}\n", "absolute"},
		{"  - exec: {command: x, timeout: soon}\n", "duration"},
		{"  - sst-user\n", "needs the database"},
	}
	for _, c := range cases {
		_, err := ParsePlaybook("pb.yml", []byte("name: x\npreflight: ssh\nsteps:\n"+c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.yaml, err, c.want)
		}
	}
	if _, err := ParsePlaybook("pb.yml", []byte("preflight: sometimes\nsteps: [exec: {command: x}]\n")); err == nil || !strings.Contains(err.Error(), "cluster or ssh") {
		t.Errorf("bad preflight: err = %v", err)
	}
}

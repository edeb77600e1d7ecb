package playbook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every example playbook loads.
func TestExamplePlaybooksLoad(t *testing.T) {
	files, err := filepath.Glob("../examples/playbooks/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example playbooks found: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pb, err := ParsePlaybook(f, data)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(pb.Steps) == 0 {
			t.Errorf("%s: no steps", f)
		}
	}
}

func TestPlaybookMistakesAllReported(t *testing.T) {
	_, err := ParsePlaybook("pb.yml", []byte("name: x\nsteps:\n  - upload-certz\n  - mycnf: {set: [{group: mysqld}]}\n  - tls-config: {extra: 1}\n"))
	if err == nil {
		t.Fatal("a broken playbook loaded")
	}
	for _, want := range []string{"pb.yml:3:", "upload-certz", "pb.yml:4:", "group and key are required", "pb.yml:5:", "takes no options"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestResolveUnknownBuiltin(t *testing.T) {
	if _, err := Resolve("no-such-playbook", t.TempDir()); err == nil || !strings.Contains(err.Error(), "built-in") {
		t.Fatalf("err = %v", err)
	}
}

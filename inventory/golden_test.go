package inventory

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// goldenFiles are the controller files present for the golden inventories:
// everything they name except what each one deliberately lacks.
func goldenFiles() fakeFiles {
	f := baseFiles()
	for _, p := range []string{"/home/op/.ssh/id_ed25519", "/inv/certs/ca.pem",
		"/inv/certs/db1-cert.pem", "/inv/certs/db1-key.pem", "/inv/certs/db2-cert.pem", "/inv/certs/db2-key.pem",
		"/inv/certs/db3-cert.pem", "/inv/certs/db4-cert.pem", "/inv/certs/db4-key.pem"} {
		f[p] = fakeFile{data: "x"}
	}
	return f
}

// TestGoldenErrors checks the full rendered error output of inventories
// with many mistakes. Run `go test ./inventory -run Golden -update` after
// a deliberate change to the messages, and review the diff.
func TestGoldenErrors(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*.yml"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(filepath.Base(in), data, testOptions(goldenFiles(), nil))
			var ve *ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("want a *ValidationError matching ErrInvalid, got %v", err)
			}
			got := err.Error() + "\n"
			golden := in[:len(in)-len(".yml")] + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if filepath.Base(in) == "mistakes.yml" {
				// The kinds of mistake this file exists to show, all in one report.
				if miss := containsAll([]string{got}, `unknown field "adress" (did you mean "address"?)`,
					`nodes[1].ssh.port: must be an integer`, `duplicate node name "db1"`,
					`file not found: /inv/certs/db3-key.pem`, `environment variable SUDO_PASSWORD is not set`,
					`inline secrets are not allowed`); len(miss) > 0 {
					t.Errorf("golden output lacks %q", miss)
				}
			}
			if got != string(want) {
				t.Errorf("error output differs from %s:\n--- got\n%s--- want\n%s", golden, got, want)
			}
		})
	}
}

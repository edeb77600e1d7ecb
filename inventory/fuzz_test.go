package inventory

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad: arbitrary bytes never panic, an error is always a
// *ValidationError whose every problem carries a line, and a success is a
// usable inventory.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.yml"))
	examples, _ := filepath.Glob(filepath.Join("..", "examples", "*.yml"))
	for _, p := range append(seeds, examples...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{"", "cluster: c\nnodes: [{name: a, address: h}]\n", "a: &a [*a]\n", "- [", "\xff", "cluster: c\n---\nx: 1\n",
		"cluster: c\nnodes:\n  - &n {name: a, address: h}\n  - *n\n", "ssh: {port: 0x16, sudo_password: 'env:PW'}\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := Parse("fuzz.yml", data, testOptions(everyFile{"pw\n"}, env("PW", "pw")))
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %T is not a *ValidationError matching ErrInvalid: %v", err, err)
			}
			if len(ve.Problems) == 0 {
				t.Fatal("ValidationError without problems")
			}
			for _, p := range ve.Problems {
				if p.Line < 1 || p.File != "fuzz.yml" || p.Message == "" {
					t.Fatalf("problem without a line, file or message: %+v", p)
				}
			}
			return
		}
		if inv.Cluster == "" || len(inv.Nodes) == 0 || inv.Concurrency < 1 {
			t.Fatalf("accepted an inventory without cluster, nodes or concurrency: %+v", inv)
		}
		for _, n := range inv.Nodes {
			if n.Name == "" || n.Address == "" || n.SSH.Port < 1 || n.SSH.Port > 65535 || n.Line < 1 {
				t.Fatalf("accepted an incomplete node: %+v", n)
			}
		}
	})
}

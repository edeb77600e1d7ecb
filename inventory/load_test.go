package inventory

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadRealFiles copies an example into a temporary folder, creates the
// files it references and loads it from disk with the real environment.
func TestLoadRealFiles(t *testing.T) {
	dir, home := t.TempDir(), t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("GALERA_SST_PASSWORD", "from-the-environment")
	data, err := os.ReadFile(filepath.Join("..", "examples", "mariadb-3node.yml"))
	if err != nil {
		t.Fatal(err)
	}
	inventory := filepath.Join(dir, "inventory.yml")
	write := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(inventory, string(data))
	write(filepath.Join(home, ".ssh", "id_ed25519"), "key")
	write(filepath.Join(home, ".ssh", "known_hosts"), "")
	for _, f := range []string{"ca.pem", "client-cert.pem", "client-key.pem"} {
		write(filepath.Join(dir, "certs", f), "pem")
	}

	// Before the node certificates exist, the error names every missing one.
	_, err = Load(inventory)
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("want ErrInvalid, got %v", err)
	}
	for _, node := range []string{"db1", "db2", "db3"} {
		for _, kind := range []string{"cert", "key"} {
			if missing := filepath.Join(dir, "certs", node+"-"+kind+".pem"); !strings.Contains(err.Error(), missing) {
				t.Errorf("error does not name %s:\n%v", missing, err)
			}
			write(filepath.Join(dir, "certs", node+"-"+kind+".pem"), "pem")
		}
	}

	got, err := Load(inventory)
	if err != nil {
		t.Fatal(err)
	}
	if got.Dir != dir || got.File != inventory || len(got.Nodes) != 3 {
		t.Errorf("dir %q, file %q, %d nodes", got.Dir, got.File, len(got.Nodes))
	}
	n := got.Nodes[2]
	if n.TLSFiles.ServerKey != filepath.Join(dir, "certs", "db3-key.pem") || n.SSH.Identities[0] != filepath.Join(home, ".ssh", "id_ed25519") {
		t.Errorf("db3 files %+v, identities %q", n.TLSFiles, n.SSH.Identities)
	}
	if got.SST.Password.Reveal() != "from-the-environment" {
		t.Error("sst password not read from the environment")
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yml"))
	if !errors.Is(err, ErrInvalid) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("want ErrInvalid wrapping ErrNotExist, got %v", err)
	}
}

func TestSecretFilePermissionsOnDisk(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "sst.pw")
	if err := os.WriteFile(pw, []byte("pw\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(pw, 0o644); err != nil { // umask may have narrowed it
		t.Fatal(err)
	}
	opts := Options{Home: dir, LookupEnv: os.LookupEnv, Files: OSFiles{}}
	src := "cluster: c\nssh: {host_key_policy: accept-new}\nsst: {method: mariabackup, user: u, password: file:sst.pw}\nnodes: [{name: a, address: h}]\n"
	got, err := Parse(filepath.Join(dir, "inventory.yml"), []byte(src), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0].Message, "can be read by group or others (mode 0644)") {
		t.Errorf("warnings = %v", got.Warnings)
	}
}

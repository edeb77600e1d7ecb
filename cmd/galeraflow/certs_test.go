package main

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/playbook"
	"github.com/galeraflow/galeraflow/playbook/certs"
	"github.com/galeraflow/galeraflow/remote"
)

// genInventory writes an inventory whose certificate files do not exist yet.
func genInventory(t *testing.T) (dir, inv string) {
	t.Helper()
	dir = t.TempDir()
	writeFile(t, dir, "known_hosts", "")
	inv = writeFile(t, dir, "inventory.yml", `cluster: prod
flavor: mariadb
ssh: {user: root, known_hosts: known_hosts}
tls:
  ca: pki/ca.pem
  server_cert: "pki/{node}-cert.pem"
  server_key: "pki/{node}-key.pem"
  client_cert: pki/client-cert.pem
  client_key: pki/client-key.pem
nodes:
  - {name: db1, address: 10.0.0.11}
  - {name: db2, address: 10.0.0.12}
`)
	return dir, inv
}

func parseFile(t *testing.T, path string) *certsInfo {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := certs.ParseCertificates(data)
	if err != nil {
		t.Fatal(err)
	}
	c := cs[0]
	var names []string
	names = append(names, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	return &certsInfo{cn: c.Subject.CommonName, issuer: c.Issuer.CommonName, sans: names, isCA: c.IsCA, pub: c.PublicKey}
}

type certsInfo struct {
	cn, issuer string
	sans       []string
	isCA       bool
	pub        any
}

func TestCertsGenerateAtTheInventorysPaths(t *testing.T) {
	dir, inv := genInventory(t)
	out, stderr, code := runApp(t, "certs", "generate", inv)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	pki := filepath.Join(dir, "pki")
	for name, mode := range map[string]os.FileMode{"ca.pem": 0o644, "ca-key.pem": 0o600, "db1-cert.pem": 0o644, "db1-key.pem": 0o600,
		"db2-cert.pem": 0o644, "db2-key.pem": 0o600, "client-cert.pem": 0o644, "client-key.pem": 0o600} {
		fi, err := os.Stat(filepath.Join(pki, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %04o, want %04o", name, fi.Mode().Perm(), mode)
		}
	}
	ca, db2 := parseFile(t, filepath.Join(pki, "ca.pem")), parseFile(t, filepath.Join(pki, "db2-cert.pem"))
	if !ca.isCA || ca.cn == db2.cn || db2.issuer != ca.cn {
		t.Errorf("CA %q (CA %v), db2 %q issued by %q", ca.cn, ca.isCA, db2.cn, db2.issuer)
	}
	for _, want := range []string{"db2", "localhost", "10.0.0.12", "127.0.0.1"} {
		if !slices.Contains(db2.sans, want) {
			t.Errorf("db2 SANs %v lack %s", db2.sans, want)
		}
	}
	if _, ok := db2.pub.(*ecdsa.PublicKey); !ok {
		t.Errorf("default key is %T, want ECDSA", db2.pub)
	}
	// The files pass the checks upload-certs and rotate apply.
	for _, n := range []string{"db1", "db2"} {
		files := certs.NodeFiles{Node: n}
		for slot, name := range map[*certs.File]string{&files.CA: "ca.pem", &files.ServerCert: n + "-cert.pem", &files.ServerKey: n + "-key.pem", &files.ClientCert: "client-cert.pem", &files.ClientKey: "client-key.pem"} {
			data, _ := os.ReadFile(filepath.Join(pki, name))
			*slot = certs.File{Path: name, Data: data}
		}
		ip := map[string]string{"db1": "10.0.0.11", "db2": "10.0.0.12"}[n]
		if r := certs.Check(files, certs.CheckOptions{Now: time.Now(), ExpectNames: []string{n, ip}, RequireIPSANs: true}); len(r.Problems) > 0 {
			t.Errorf("%s: %s", n, r)
		}
	}

	// Never overwrite without --force: nothing is written, every file named.
	before, _ := os.ReadFile(filepath.Join(pki, "db1-key.pem"))
	_, stderr, code = runApp(t, "certs", "generate", inv)
	if code != exitInvalid || !strings.Contains(stderr, "--force") || !strings.Contains(stderr, "db1-key.pem") {
		t.Fatalf("second generate: exit %d\n%s", code, stderr)
	}
	if after, _ := os.ReadFile(filepath.Join(pki, "db1-key.pem")); string(after) != string(before) {
		t.Error("a refused generate changed a key")
	}

	// --reuse-ca: new node certificates from the same CA; the CA stays.
	caBefore, _ := os.ReadFile(filepath.Join(pki, "ca.pem"))
	if _, stderr, code := runApp(t, "certs", "generate", "--reuse-ca", "--force", "--algorithm", "rsa2048", inv); code != exitOK {
		t.Fatalf("--reuse-ca: exit %d\n%s", code, stderr)
	}
	caAfter, _ := os.ReadFile(filepath.Join(pki, "ca.pem"))
	db1 := parseFile(t, filepath.Join(pki, "db1-cert.pem"))
	if string(caAfter) != string(caBefore) || db1.issuer != ca.cn {
		t.Error("--reuse-ca changed the CA or did not sign with it")
	}
	if k, ok := db1.pub.(*rsa.PublicKey); !ok || k.N.BitLen() != 2048 {
		t.Errorf("--algorithm rsa2048 made a %T", db1.pub)
	}
	if after, _ := os.ReadFile(filepath.Join(pki, "db1-key.pem")); string(after) == string(before) {
		t.Error("--reuse-ca --force kept the old key")
	}
}

func TestCertsGenerateOutDirAndJSON(t *testing.T) {
	_, inv := genInventory(t)
	out := t.TempDir()
	stdout, stderr, code := runApp(t, "--output", "json", "certs", "generate", "--out", out, "--algorithm", "ecdsa-p256", "--days", "90", inv)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var doc struct {
		Files []struct {
			Path, Mode, Serial string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Files) != 8 {
		t.Fatalf("json: %v\n%s", err, stdout)
	}
	for _, f := range doc.Files {
		if filepath.Dir(f.Path) != out {
			t.Errorf("%s written outside --out", f.Path)
		}
		if strings.HasSuffix(f.Path, "key.pem") && (f.Mode != "0600" || f.Serial != "") {
			t.Errorf("key %s: mode %s, serial %q", f.Path, f.Mode, f.Serial)
		}
	}
}

func TestCertsGenerateUsage(t *testing.T) {
	_, inv := genInventory(t)
	for _, args := range [][]string{
		{"certs", "generate", "--algorithm", "dsa", inv},
		{"certs", "generate", "--days", "0", inv},
		{"certs", "generate"},
		{"certs", "generate", "--reuse-ca", inv}, // no CA yet
		{"certs", "generate", "--bogus", inv},
		{"certs", "check", "--bogus", inv},
		{"certs", "check", "--warn-days", "-1", inv},
	} {
		if _, stderr, code := runApp(t, args...); code != exitInvalid {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, exitInvalid, stderr)
		}
	}
}

func TestCertsExitCodes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{fmt.Errorf("x: %w", playbook.ErrCertsExpiring), exitCertsWarn},
		{fmt.Errorf("x: %w", playbook.ErrCertsCritical), exitCertsFail},
		// An unreachable node says more than the certificates it could not read.
		{errors.Join(fmt.Errorf("%w", playbook.ErrCertsCritical), fmt.Errorf("n1: %w", remote.ErrUnreachable)), exitUnreachable},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
	help, _, _ := runApp(t, "--help")
	for _, want := range []string{"   9    certificates expire soon", "   10   certificates expired"} {
		if !strings.Contains(help, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| 9 |", "| 10 |"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README's exit code table lacks %q", want)
		}
	}
}

package certs

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The nodes judge certificates with OpenSSL, so where the openssl tool is
// installed it checks our results: -auth_level 2 is Debian 12's security
// level, -attime pins the tests' clock.

func opensslPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed: cannot compare with OpenSSL's own verification")
	}
	return p
}

func writeFiles(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func openssl(bin, dir string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func opensslVerify(bin, dir, ca, cert, purpose string) (string, error) {
	return openssl(bin, dir, "verify", "-auth_level", "2", "-attime", fmt.Sprint(now.Unix()),
		"-purpose", purpose, "-CAfile", ca, cert)
}

func opensslAccepts(t *testing.T, g generated) {
	bin := opensslPath(t)
	dir := writeFiles(t, map[string][]byte{
		"ca.pem": g.caCert, "ca-key.pem": g.caKey, "n1-cert.pem": g.nodeCert, "n1-key.pem": g.nodeKey,
		"client-cert.pem": g.clientCert, "client-key.pem": g.clientKey,
	})
	for _, v := range []struct{ cert, purpose string }{
		{"n1-cert.pem", "sslserver"}, {"n1-cert.pem", "sslclient"}, {"client-cert.pem", "sslclient"},
	} {
		if out, err := opensslVerify(bin, dir, "ca.pem", v.cert, v.purpose); err != nil || !strings.Contains(out, ": OK") {
			t.Errorf("openssl verify -purpose %s %s: %v\n%s", v.purpose, v.cert, err, out)
		}
	}
	if out, err := openssl(bin, dir, "x509", "-noout", "-in", "n1-cert.pem", "-checkip", "10.0.0.11", "-checkhost", "n1"); err != nil ||
		strings.Count(out, "does match certificate") != 2 {
		t.Errorf("openssl x509 -checkip/-checkhost: %v\n%s", err, out)
	}
	for _, key := range []string{"ca-key.pem", "n1-key.pem", "client-key.pem"} {
		if out, err := openssl(bin, dir, "pkey", "-noout", "-in", key); err != nil {
			t.Errorf("openssl pkey %s: %v\n%s", key, err, out)
		}
	}
	if out, err := openssl(bin, dir, "x509", "-noout", "-modulus", "-pubkey", "-in", "n1-cert.pem"); err != nil {
		t.Errorf("openssl x509 cannot read the node certificate: %v\n%s", err, out)
	}
}

// TestCheckAgreesWithOpenSSL runs the certificate scenarios through
// `openssl verify` for both TLS purposes: Check must report an error
// exactly when OpenSSL refuses the server certificate.
func TestCheckAgreesWithOpenSSL(t *testing.T) {
	bin := opensslPath(t)
	f := newFixture(t)
	names := []string{
		"all-good", "foreign-ca", "ca-regenerated-same-name", "expired", "not-yet-valid", "cn-equals-ca",
		"server-cert-without-clientauth", "server-cert-any-eku", "server-cert-no-eku", "rsa-1024",
		"ca-with-eku-excluding-clientauth", "ca-bundle-cert-from-first", "ca-bundle-cert-from-second",
		"ca-bundle-old-ca-expired", "only-ca-expired", "leaf-older-than-its-ca", "expiring-in-10-days",
	}
	byName := map[string]scenario{}
	for _, sc := range scenarios {
		byName[sc.name] = sc
	}
	for _, name := range names {
		sc, ok := byName[name]
		if !ok {
			t.Fatalf("no scenario %q", name)
		}
		t.Run(name, func(t *testing.T) {
			files := sc.files(t, f)
			files.ClientCert, files.ClientKey = File{}, File{}
			r := Check(files, baseOpts())
			weRefuse := false
			for _, p := range r.Problems {
				weRefuse = weRefuse || p.Severity == Error
			}
			dir := writeFiles(t, map[string][]byte{"ca.pem": files.CA.Data, "cert.pem": files.ServerCert.Data})
			var outs []string
			opensslRefuses := false
			for _, purpose := range []string{"sslserver", "sslclient"} {
				out, err := opensslVerify(bin, dir, "ca.pem", "cert.pem", purpose)
				outs = append(outs, out)
				opensslRefuses = opensslRefuses || err != nil
			}
			if weRefuse != opensslRefuses {
				t.Errorf("Check refuses: %v, openssl refuses: %v\nCheck:\n%sopenssl:\n%s", weRefuse, opensslRefuses, r, strings.Join(outs, ""))
			}
		})
	}
}

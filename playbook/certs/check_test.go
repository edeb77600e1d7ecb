package certs

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixture holds the certificates the scenarios combine.
type fixture struct {
	ca, ca2, foreign *issued
	node, client     *issued
	node2            *issued // another node's certificate under ca
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{}
	f.ca = mk(t, spec{cn: "Test CA", ca: true, notBefore: now.AddDate(-2, 0, 0), notAfter: now.AddDate(10, 0, 0)})
	f.ca2 = mk(t, spec{cn: "Test CA 2026", ca: true, notAfter: now.AddDate(10, 0, 0)})
	f.foreign = mk(t, spec{cn: "Someone Else's CA", ca: true})
	f.node = mk(t, nodeSpec(f.ca))
	f.node2 = mk(t, with(nodeSpec(f.ca), func(s *spec) { s.cn, s.dns, s.ips = "n2", []string{"n2"}, []string{"10.0.0.12"} }))
	f.client = mk(t, spec{cn: "galeraflow client", parent: f.ca, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	return f
}

func (f *fixture) files() NodeFiles {
	return NodeFiles{
		Node:       "n1",
		CA:         File{Path: "certs/ca.pem", Data: f.ca.certPEM},
		ServerCert: File{Path: "certs/n1-cert.pem", Data: f.node.certPEM},
		ServerKey:  File{Path: "certs/n1-key.pem", Data: f.node.keyPEM},
		ClientCert: File{Path: "certs/client-cert.pem", Data: f.client.certPEM},
		ClientKey:  File{Path: "certs/client-key.pem", Data: f.client.keyPEM},
	}
}

func baseOpts() CheckOptions {
	return CheckOptions{Now: now, WarnWithin: 30 * 24 * time.Hour, ExpectNames: []string{"n1", "10.0.0.11"}}
}

// withServer replaces the server certificate and key.
func withServer(files NodeFiles, c *issued) NodeFiles {
	files.ServerCert.Data, files.ServerKey.Data = c.certPEM, c.keyPEM
	return files
}

type scenario struct {
	name   string
	files  func(t testing.TB, f *fixture) NodeFiles
	opts   func(*CheckOptions)
	errors int
	warns  int
	want   []string // substrings some problem must contain
}

var scenarios = []scenario{
	{name: "all-good", files: func(_ testing.TB, f *fixture) NodeFiles { return f.files() }},
	{name: "no-client-files", files: func(_ testing.TB, f *fixture) NodeFiles {
		files := f.files()
		files.ClientCert, files.ClientKey = File{}, File{}
		return files
	}},
	{name: "key-of-another-cert", errors: 1,
		want: []string{"certs/n1-key.pem does not match certs/n1-cert.pem (public keys differ)"},
		files: func(_ testing.TB, f *fixture) NodeFiles {
			files := f.files()
			files.ServerKey.Data = f.node2.keyPEM
			return files
		}},
	{name: "key-of-another-algorithm", errors: 1,
		want: []string{"public keys differ: the key is RSA 2048, the certificate's is ECDSA P-256"},
		files: func(t testing.TB, f *fixture) NodeFiles {
			files := f.files()
			files.ServerKey.Data = mk(t, spec{cn: "rsa", rsaBits: 2048}).keyPEM
			return files
		}},
	{name: "foreign-ca", errors: 1,
		want: []string{`is not signed by any CA in certs/ca.pem: it was issued by "CN=Someone Else's CA"`},
		files: func(t testing.TB, f *fixture) NodeFiles {
			return withServer(f.files(), mk(t, nodeSpec(f.foreign)))
		}},
	{name: "ca-regenerated-same-name", errors: 2,
		want: []string{"was the CA regenerated?"},
		files: func(t testing.TB, f *fixture) NodeFiles {
			files := f.files()
			files.CA.Data = mk(t, spec{cn: "Test CA", ca: true, notAfter: now.AddDate(10, 0, 0)}).certPEM
			return files
		}},
	{name: "expired", errors: 1, want: []string{"expired on 2026-02-17, 12 days ago"},
		files: func(t testing.TB, f *fixture) NodeFiles {
			return withServer(f.files(), mk(t, with(nodeSpec(f.ca), func(s *spec) {
				s.notBefore, s.notAfter = now.AddDate(-1, 0, 0), now.Add(-12*24*time.Hour-time.Hour)
			})))
		}},
	{name: "expiring-in-10-days", warns: 1, want: []string{"expires on 2026-03-11, in 10 days (warning window: 30 days)"},
		files: func(t testing.TB, f *fixture) NodeFiles {
			return withServer(f.files(), mk(t, with(nodeSpec(f.ca), func(s *spec) {
				s.notAfter = now.Add(10*24*time.Hour + time.Hour)
			})))
		}},
	{name: "expiring-outside-window", opts: func(o *CheckOptions) { o.WarnWithin = 5 * 24 * time.Hour },
		files: func(t testing.TB, f *fixture) NodeFiles {
			return withServer(f.files(), mk(t, with(nodeSpec(f.ca), func(s *spec) {
				s.notAfter = now.Add(10*24*time.Hour + time.Hour)
			})))
		}},
	{name: "not-yet-valid", errors: 1, want: []string{"is not valid yet: valid from 2026-03-06 12:00:00 UTC, in 5 days"},
		files: func(t testing.TB, f *fixture) NodeFiles {
			return withServer(f.files(), mk(t, with(nodeSpec(f.ca), func(s *spec) {
				s.notBefore = now.Add(5 * 24 * time.Hour)
			})))
		}},
	{name: "cn-equals-ca", errors: 1, want: []string{`has the subject CN "test  ca", the same as the CA's ("Test CA") in certs/ca.pem`},
		files: func(t testing.TB, f *fixture) NodeFiles {
			return withServer(f.files(), mk(t, with(nodeSpec(f.ca), func(s *spec) { s.cn = "test  ca" })))
		}},
	{name: "server-cert-without-clientauth", errors: 1,
		want: []string{"certs/n1-cert.pem does not allow clientAuth (its extended key usage: serverAuth)"},
		files: func(t testing.TB, f *fixture) NodeFiles {
			return withServer(f.files(), mk(t, with(nodeSpec(f.ca), func(s *spec) {
				s.eku = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
			})))
		}},
	{name: "server-cert-any-eku", errors: 1,
		want: []string{"does not allow serverAuth, clientAuth (its extended key usage: anyExtendedKeyUsage; OpenSSL ignores anyExtendedKeyUsage)"},
		files: func(t testing.TB, f *fixture) NodeFiles {
			return withServer(f.files(), mk(t, with(nodeSpec(f.ca), func(s *spec) {
				s.eku = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
			})))
		}},
	{name: "server-cert-no-eku", files: func(t testing.TB, f *fixture) NodeFiles {
		return withServer(f.files(), mk(t, with(nodeSpec(f.ca), func(s *spec) { s.eku = nil })))
	}},
	{name: "client-cert-server-only", errors: 1, want: []string{"certs/client-cert.pem does not allow clientAuth"},
		files: func(t testing.TB, f *fixture) NodeFiles {
			files := f.files()
			c := mk(t, spec{cn: "client", parent: f.ca, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
			files.ClientCert.Data, files.ClientKey.Data = c.certPEM, c.keyPEM
			return files
		}},
	{name: "ca-with-eku-excluding-clientauth", errors: 1, want: []string{`chains to the CA "EKU CA", whose extended key usage (serverAuth) excludes clientAuth`},
		files: func(t testing.TB, f *fixture) NodeFiles {
			ca := mk(t, spec{cn: "EKU CA", ca: true, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
			files := withServer(f.files(), mk(t, nodeSpec(ca)))
			files.CA.Data = ca.certPEM
			files.ClientCert, files.ClientKey = File{}, File{}
			return files
		}},
	{name: "missing-ip-san", warns: 1, want: []string{"has no IP SAN for 10.0.0.11 (it lists: n1, localhost, 127.0.0.1)", "encrypt=3"},
		files: func(t testing.TB, f *fixture) NodeFiles {
			return withServer(f.files(), mk(t, with(nodeSpec(f.ca), func(s *spec) { s.ips = []string{"127.0.0.1"} })))
		}},
	{name: "missing-ip-san-required", errors: 1, opts: func(o *CheckOptions) { o.RequireIPSANs = true },
		want: []string{"has no IP SAN for 10.0.0.11"},
		files: func(t testing.TB, f *fixture) NodeFiles {
			return withServer(f.files(), mk(t, with(nodeSpec(f.ca), func(s *spec) { s.ips = nil })))
		}},
	{name: "missing-dns-san", warns: 2, opts: func(o *CheckOptions) { o.ExpectNames = []string{"n1", "n1.example.com", "10.0.0.11"} },
		want: []string{"has no DNS SAN for n1.example.com (it lists: 10.0.0.11)", "has no DNS SAN for n1 "},
		files: func(t testing.TB, f *fixture) NodeFiles {
			return withServer(f.files(), mk(t, with(nodeSpec(f.ca), func(s *spec) { s.dns, s.ips = nil, []string{"10.0.0.11"} })))
		}},
	{name: "rsa-1024", errors: 1, want: []string{"has a 1024-bit RSA key, too weak"},
		files: func(t testing.TB, f *fixture) NodeFiles {
			return withServer(f.files(), mk(t, with(nodeSpec(f.ca), func(s *spec) { s.rsaBits = 1024 })))
		}},
	{name: "garbage-ca", errors: 1, want: []string{"certs/ca.pem is not PEM: no -----BEGIN"},
		files: func(_ testing.TB, f *fixture) NodeFiles {
			files := f.files()
			files.CA.Data = []byte("this is not a certificate\n")
			return files
		}},
	{name: "empty-server-cert", errors: 1, want: []string{"certs/n1-cert.pem is empty"},
		files: func(_ testing.TB, f *fixture) NodeFiles {
			files := f.files()
			files.ServerCert.Data = nil
			return files
		}},
	{name: "damaged-pem", errors: 1, want: []string{"damaged PEM block"},
		files: func(_ testing.TB, f *fixture) NodeFiles {
			files := f.files()
			files.ServerCert.Data = f.node.certPEM[:len(f.node.certPEM)-30]
			return files
		}},
	{name: "der-instead-of-pem", errors: 1, want: []string{"looks like binary DER"},
		files: func(_ testing.TB, f *fixture) NodeFiles {
			files := f.files()
			files.ServerCert.Data = f.node.cert.Raw
			return files
		}},
	{name: "swapped-cert-and-key", errors: 2,
		want: []string{"certs/n1-cert.pem holds a private key, not a certificate", "certs/n1-key.pem holds a certificate, not a private key"},
		files: func(_ testing.TB, f *fixture) NodeFiles {
			files := f.files()
			files.ServerCert.Data, files.ServerKey.Data = files.ServerKey.Data, files.ServerCert.Data
			return files
		}},
	{name: "cert-file-with-key", errors: 1, warns: 1,
		want: []string{"certs/n1-cert.pem also holds a private key", "certs/n1-key.pem also holds a certificate"},
		files: func(_ testing.TB, f *fixture) NodeFiles {
			files := f.files()
			both := cat(f.node.certPEM, f.node.keyPEM)
			files.ServerCert.Data, files.ServerKey.Data = both, both
			return files
		}},
	{name: "encrypted-key", errors: 1, want: []string{"holds an encrypted private key, which MariaDB cannot read"},
		files: func(_ testing.TB, f *fixture) NodeFiles {
			files := f.files()
			files.ServerKey.Data = []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBAA==\n-----END ENCRYPTED PRIVATE KEY-----\n")
			return files
		}},
	{name: "ca-file-is-node-cert", errors: 2,
		want: []string{"certs/ca.pem is not a CA certificate", "certs/n1-cert.pem is the CA certificate itself"},
		files: func(_ testing.TB, f *fixture) NodeFiles {
			files := f.files()
			files.CA.Data = f.node.certPEM
			files.ClientCert, files.ClientKey = File{}, File{}
			return files
		}},
	{name: "ca-file-holds-ca-key", errors: 1, want: []string{"certs/ca.pem also holds a private key"},
		files: func(_ testing.TB, f *fixture) NodeFiles {
			files := f.files()
			files.CA.Data = cat(f.ca.certPEM, f.ca.keyPEM)
			return files
		}},
	{name: "ca-bundle-cert-from-first", files: func(_ testing.TB, f *fixture) NodeFiles {
		files := f.files()
		files.CA.Data = cat(f.ca.certPEM, f.ca2.certPEM)
		return files
	}},
	{name: "ca-bundle-cert-from-second", files: func(t testing.TB, f *fixture) NodeFiles {
		files := withServer(f.files(), mk(t, nodeSpec(f.ca2)))
		files.CA.Data = cat(f.ca.certPEM, f.ca2.certPEM)
		return files
	}},
	{name: "ca-bundle-old-ca-expired", warns: 1, want: []string{"certs/ca.pem (certificate 1 of 2, CN \"Old CA\") expired on", "drop it from the bundle"},
		files: func(t testing.TB, f *fixture) NodeFiles {
			old := mk(t, spec{cn: "Old CA", ca: true, notBefore: now.AddDate(-2, 0, 0), notAfter: now.AddDate(0, 0, -3)})
			files := f.files()
			files.CA.Data = cat(old.certPEM, f.ca.certPEM)
			return files
		}},
	{name: "only-ca-expired", errors: 1, want: []string{"certs/ca.pem expired on 2026-02-26, 3 days ago; make a new CA"},
		files: func(t testing.TB, f *fixture) NodeFiles {
			ca := mk(t, spec{cn: "Test CA", ca: true, notBefore: now.AddDate(-2, 0, 0), notAfter: now.AddDate(0, 0, -3)})
			files := withServer(f.files(), mk(t, with(nodeSpec(ca), func(s *spec) { s.notBefore = now.AddDate(-1, 0, 0) })))
			c := mk(t, spec{cn: "galeraflow client", parent: ca, notBefore: now.AddDate(-1, 0, 0), eku: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
			files.CA.Data, files.ClientCert.Data, files.ClientKey.Data = ca.certPEM, c.certPEM, c.keyPEM
			return files
		}},
	{name: "leaf-older-than-its-ca", errors: 2, want: []string{"no moment when it and every certificate of its chain are all valid"},
		files: func(t testing.TB, f *fixture) NodeFiles {
			ca := mk(t, spec{cn: "Test CA", ca: true, notBefore: now.AddDate(0, 0, -1), notAfter: now.AddDate(10, 0, 0)})
			files := withServer(f.files(), mk(t, with(nodeSpec(ca), func(s *spec) {
				s.notBefore, s.notAfter = now.AddDate(-1, 0, 0), now.AddDate(0, 0, -2)
			})))
			files.CA.Data = ca.certPEM
			files.ClientCert, files.ClientKey = File{}, File{}
			return files
		}},
	{name: "client-cert-without-key", errors: 1, want: []string{"no private key given for certs/client-cert.pem"},
		files: func(_ testing.TB, f *fixture) NodeFiles {
			files := f.files()
			files.ClientKey = File{}
			return files
		}},
	{name: "many-problems", errors: 4, warns: 1,
		want: []string{"expired on", "does not match", "does not allow clientAuth", "has no IP SAN"},
		files: func(t testing.TB, f *fixture) NodeFiles {
			files := withServer(f.files(), mk(t, with(nodeSpec(f.foreign), func(s *spec) {
				s.eku = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
				s.ips = nil
				s.notBefore, s.notAfter = now.AddDate(-1, 0, 0), now.AddDate(0, 0, -1)
			})))
			files.ServerKey.Data = f.node2.keyPEM
			return files
		}},
}

func TestCheckScenarios(t *testing.T) {
	f := newFixture(t)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			opts := baseOpts()
			if sc.opts != nil {
				sc.opts(&opts)
			}
			r := Check(sc.files(t, f), opts)
			got := r.String()
			errs, warns := 0, 0
			for _, p := range r.Problems {
				switch p.Severity {
				case Error:
					errs++
				case Warning:
					warns++
				}
				if p.Node != "n1" {
					t.Errorf("problem without node: %+v", p)
				}
			}
			if errs != sc.errors || warns != sc.warns {
				t.Errorf("got %d errors and %d warnings, want %d and %d:\n%s", errs, warns, sc.errors, sc.warns, got)
			}
			if r.HasErrors() != (sc.errors > 0) || (r.Err() != nil) != (sc.errors > 0) {
				t.Errorf("HasErrors/Err disagree with %d errors", sc.errors)
			}
			for _, w := range sc.want {
				if !strings.Contains(got, w) {
					t.Errorf("report lacks %q:\n%s", w, got)
				}
			}
			golden(t, filepath.Join("testdata", "check", sc.name+".txt"), got)
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update if intended):\n--- got\n%s--- want\n%s", path, got, want)
	}
}

func TestReportErrMatchesErrInvalid(t *testing.T) {
	f := newFixture(t)
	files := f.files()
	files.ServerKey.Data = f.node2.keyPEM
	err := Check(files, baseOpts()).Err()
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Err() = %v, want ErrInvalid", err)
	}
	if !strings.HasPrefix(err.Error(), "n1: certs/n1-key.pem does not match") {
		t.Errorf("Err() text %q does not start with node and file", err)
	}
	if err := Check(f.files(), baseOpts()).Err(); err != nil {
		t.Errorf("clean report: Err() = %v", err)
	}
}

func TestCheckRecordsCertInfo(t *testing.T) {
	f := newFixture(t)
	r := Check(f.files(), baseOpts())
	if len(r.Certs) != 3 {
		t.Fatalf("got %d cert infos, want 3 (CA, server, client)", len(r.Certs))
	}
	ca, node := r.Certs[0], r.Certs[1]
	if !ca.IsCA || node.IsCA {
		t.Errorf("IsCA: CA %v, node %v", ca.IsCA, node.IsCA)
	}
	if node.File != "certs/n1-cert.pem" || node.Subject != "CN=n1" || node.Issuer != "CN=Test CA" {
		t.Errorf("node info = %+v", node)
	}
	if node.DaysLeft != 365 {
		t.Errorf("DaysLeft = %d, want 365", node.DaysLeft)
	}
	if strings.Join(node.SANs, ",") != "n1,localhost,10.0.0.11,127.0.0.1" {
		t.Errorf("SANs = %v", node.SANs)
	}
	if node.FingerprintSHA256 != Fingerprint(f.node.cert.Raw) || len(node.FingerprintSHA256) != 95 {
		t.Errorf("fingerprint = %q", node.FingerprintSHA256)
	}
	if node.Serial != "03EA" { // 1002 = len("n1") + 1000
		t.Errorf("serial = %q", node.Serial)
	}
}

func TestCheckWithoutNow(t *testing.T) {
	f := newFixture(t)
	r := Check(f.files(), CheckOptions{})
	if !r.HasErrors() || !strings.Contains(r.String(), "Now is not set") {
		t.Errorf("zero Now accepted:\n%s", r)
	}
}

func TestCheckAbsentFiles(t *testing.T) {
	r := Check(NodeFiles{Node: "n3"}, baseOpts())
	got := r.String()
	for _, w := range []string{"no CA file given", "no server certificate given", "no private key given for (server certificate)"} {
		if !strings.Contains(got, w) {
			t.Errorf("report lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "client") {
		t.Errorf("absent client files reported:\n%s", got)
	}
}

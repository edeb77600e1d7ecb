package certs

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"
)

// generated is a CA with one node and one client certificate.
type generated struct {
	caCert, caKey, nodeCert, nodeKey, clientCert, clientKey []byte
}

func generateSet(t *testing.T, alg Algorithm) generated {
	t.Helper()
	var g generated
	var err error
	g.caCert, g.caKey, err = GenerateCA(CAOptions{CommonName: "prod-galera CA", Algorithm: alg, Now: now, Rand: testRand(1)})
	if err != nil {
		t.Fatal(err)
	}
	ca, err := LoadCA(g.caCert, g.caKey)
	if err != nil {
		t.Fatal(err)
	}
	g.nodeCert, g.nodeKey, err = GenerateLeaf(ca, LeafOptions{
		CommonName: "n1", DNSNames: []string{"n1", "localhost"}, IPAddresses: []string{"10.0.0.11", "127.0.0.1"},
		Usage: UsageNode, Algorithm: alg, Now: now, Rand: testRand(2),
	})
	if err != nil {
		t.Fatal(err)
	}
	g.clientCert, g.clientKey, err = GenerateLeaf(ca, LeafOptions{
		CommonName: "galeraflow client", Usage: UsageClient, Algorithm: alg, Now: now, Rand: testRand(3),
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func (g generated) files() NodeFiles {
	return NodeFiles{
		Node:       "n1",
		CA:         File{Path: "ca.pem", Data: g.caCert},
		ServerCert: File{Path: "n1-cert.pem", Data: g.nodeCert},
		ServerKey:  File{Path: "n1-key.pem", Data: g.nodeKey},
		ClientCert: File{Path: "client-cert.pem", Data: g.clientCert},
		ClientKey:  File{Path: "client-key.pem", Data: g.clientKey},
	}
}

func parseOne(t *testing.T, pemData []byte) *x509.Certificate {
	t.Helper()
	certs, err := ParseCertificates(pemData)
	if err != nil || len(certs) != 1 {
		t.Fatalf("%d certificates, %v", len(certs), err)
	}
	return certs[0]
}

func TestGenerateRoundTrip(t *testing.T) {
	for _, alg := range Algorithms() {
		t.Run(string(alg), func(t *testing.T) {
			if alg == RSA4096 && testing.Short() {
				t.Skip("RSA 4096 key generation is slow; skipped in -short")
			}
			g := generateSet(t, alg)
			t.Run("check", func(t *testing.T) {
				r := Check(g.files(), CheckOptions{Now: now, WarnWithin: 30 * 24 * time.Hour, ExpectNames: []string{"n1", "10.0.0.11"}, RequireIPSANs: true})
				if len(r.Problems) != 0 {
					t.Errorf("generated files have problems:\n%s", r)
				}
			})
			t.Run("keys are PKCS#8", func(t *testing.T) {
				for _, k := range [][]byte{g.caKey, g.nodeKey, g.clientKey} {
					if b, _ := pem.Decode(k); b == nil || b.Type != "PRIVATE KEY" {
						t.Errorf("key PEM is not a PKCS#8 PRIVATE KEY block:\n%s", k)
					}
				}
			})
			t.Run("openssl", func(t *testing.T) { opensslAccepts(t, g) })
		})
	}
}

func TestGenerateCAFields(t *testing.T) {
	certPEM, keyPEM, err := GenerateCA(CAOptions{Organization: "Example", Now: now, Rand: testRand(1)})
	if err != nil {
		t.Fatal(err)
	}
	ca := parseOne(t, certPEM)
	checks := []struct {
		what string
		ok   bool
	}{
		{"default CN", ca.Subject.CommonName == "galeraflow CA"},
		{"organization", len(ca.Subject.Organization) == 1 && ca.Subject.Organization[0] == "Example"},
		{"self-signed", ca.CheckSignatureFrom(ca) == nil},
		{"CA:TRUE", ca.BasicConstraintsValid && ca.IsCA},
		{"pathlen 0", ca.MaxPathLen == 0 && ca.MaxPathLenZero},
		{"key usage", ca.KeyUsage == x509.KeyUsageCertSign|x509.KeyUsageCRLSign},
		{"no EKU", len(ca.ExtKeyUsage) == 0},
		{"SKI", len(ca.SubjectKeyId) == 20},
		{"backdated one hour", ca.NotBefore.Equal(now.Add(-time.Hour))},
		{"10 years", ca.NotAfter.Equal(now.AddDate(10, 0, 0))},
		{"ECDSA P-256 by default", describeKey(ca.PublicKey) == "ECDSA P-256"},
		{"128-bit serial", ca.SerialNumber.Sign() > 0 && ca.SerialNumber.BitLen() <= 128 && ca.SerialNumber.BitLen() > 64},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("CA: %s: no", c.what)
		}
	}
	if _, err := LoadCA(certPEM, keyPEM); err != nil {
		t.Errorf("LoadCA: %v", err)
	}

	// Serial numbers follow Rand; keys do not have to.
	again, _, err := GenerateCA(CAOptions{Organization: "Example", Now: now, Rand: testRand(1)})
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := GenerateCA(CAOptions{Organization: "Example", Now: now, Rand: testRand(2)})
	if err != nil {
		t.Fatal(err)
	}
	if parseOne(t, again).SerialNumber.Cmp(ca.SerialNumber) != 0 {
		t.Error("same Rand seed gave another serial")
	}
	if parseOne(t, other).SerialNumber.Cmp(ca.SerialNumber) == 0 {
		t.Error("different Rand seeds gave the same serial")
	}

	custom, _, err := GenerateCA(CAOptions{Lifetime: 48 * time.Hour, Now: now, Rand: testRand(1)})
	if err != nil {
		t.Fatal(err)
	}
	if got := parseOne(t, custom).NotAfter; !got.Equal(now.Add(48 * time.Hour)) {
		t.Errorf("Lifetime 48h: NotAfter = %s", got)
	}
}

func TestGenerateLeafFields(t *testing.T) {
	g := generateSet(t, RSA2048)
	ca, node, client := parseOne(t, g.caCert), parseOne(t, g.nodeCert), parseOne(t, g.clientCert)
	ekus := func(c *x509.Certificate) string { return usageNames(c.ExtKeyUsage) }
	checks := []struct {
		what string
		ok   bool
	}{
		{"node EKU", ekus(node) == "serverAuth, clientAuth"},
		{"client EKU", ekus(client) == "clientAuth"},
		{"RSA leaf key usage", node.KeyUsage == x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment},
		{"AKI is the CA's SKI", bytes.Equal(node.AuthorityKeyId, ca.SubjectKeyId) && len(node.AuthorityKeyId) == 20},
		{"leaf SKI", len(node.SubjectKeyId) == 20 && !bytes.Equal(node.SubjectKeyId, ca.SubjectKeyId)},
		{"CA:FALSE", node.BasicConstraintsValid && !node.IsCA},
		{"SANs", strings.Join(sans(node), ",") == "n1,localhost,10.0.0.11,127.0.0.1"},
		{"IPv4 SANs are 4 bytes on the wire", bytes.Contains(node.Raw, []byte{10, 0, 0, 11})},
		{"825 days", node.NotAfter.Equal(now.Add(825 * 24 * time.Hour))},
		{"backdated", node.NotBefore.Equal(now.Add(-time.Hour))},
		{"signed by the CA", node.CheckSignatureFrom(ca) == nil},
		{"client has no SANs", len(sans(client)) == 0},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("leaf: %s: no", c.what)
		}
	}
	ecdsaSet := generateSet(t, ECDSAP256)
	if ku := parseOne(t, ecdsaSet.nodeCert).KeyUsage; ku != x509.KeyUsageDigitalSignature {
		t.Errorf("ECDSA leaf key usage = %v, want digitalSignature only", ku)
	}
}

func TestGenerateLeafRefuses(t *testing.T) {
	caPEM, caKeyPEM, err := GenerateCA(CAOptions{CommonName: "Test CA", Lifetime: 1000 * 24 * time.Hour, Now: now, Rand: testRand(1)})
	if err != nil {
		t.Fatal(err)
	}
	ca, err := LoadCA(caPEM, caKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	other := mk(t, spec{cn: "other"})
	good := LeafOptions{CommonName: "n1", Now: now, Rand: testRand(2)}
	tests := []struct {
		name string
		ca   CA
		opts func(*LeafOptions)
		want string
	}{
		{name: "CN equal to the CA's", opts: func(o *LeafOptions) { o.CommonName = "test ca" }, want: "common name equals the CA's"},
		{name: "empty CN", opts: func(o *LeafOptions) { o.CommonName = " " }, want: "common name is empty"},
		{name: "bad IP", opts: func(o *LeafOptions) { o.IPAddresses = []string{"10.0.0.300"} }, want: `"10.0.0.300" is not an IP address`},
		{name: "IP as DNS name", opts: func(o *LeafOptions) { o.DNSNames = []string{"10.0.0.1"} }, want: "is an IP address"},
		{name: "bad DNS name", opts: func(o *LeafOptions) { o.DNSNames = []string{"a b"} }, want: "is not a host name"},
		{name: "outlives the CA", opts: func(o *LeafOptions) { o.Lifetime = 1001 * 24 * time.Hour }, want: "would outlive its CA"},
		{name: "CA not yet valid", opts: func(o *LeafOptions) { o.Now = now.Add(-2 * time.Hour) }, want: "is not valid on"},
		{name: "CA expired", opts: func(o *LeafOptions) { o.Now = now.Add(1001 * 24 * time.Hour) }, want: "is not valid on"},
		{name: "no Now", opts: func(o *LeafOptions) { o.Now = time.Time{} }, want: "Now is not set"},
		{name: "negative lifetime", opts: func(o *LeafOptions) { o.Lifetime = -time.Hour }, want: "negative lifetime"},
		{name: "unknown algorithm", opts: func(o *LeafOptions) { o.Algorithm = "dsa" }, want: "unknown key algorithm"},
		{name: "unknown usage", opts: func(o *LeafOptions) { o.Usage = 7 }, want: "unknown usage"},
		{name: "CA key mismatch", ca: CA{Cert: ca.Cert, Key: other.key}, want: "key does not match"},
		{name: "CA is not a CA", ca: CA{Cert: other.cert, Key: other.key}, want: "is not a CA certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := good
			if tt.opts != nil {
				tt.opts(&opts)
			}
			useCA := ca
			if tt.ca.Cert != nil {
				useCA = tt.ca
			}
			_, _, err := GenerateLeaf(useCA, opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, _, err := GenerateLeaf(ca, good); err != nil {
		t.Errorf("the base options fail: %v", err)
	}
}

func TestGenerateCARefuses(t *testing.T) {
	if _, _, err := GenerateCA(CAOptions{}); err == nil {
		t.Error("zero Now accepted")
	}
	if _, _, err := GenerateCA(CAOptions{Now: now, Lifetime: -1}); err == nil {
		t.Error("negative lifetime accepted")
	}
	if _, _, err := GenerateCA(CAOptions{Now: now, Algorithm: "rsa-1024"}); err == nil {
		t.Error("rsa-1024 accepted")
	}
	if _, _, err := GenerateCA(CAOptions{Now: now, Rand: bytes.NewReader(make([]byte, 16))}); err == nil {
		t.Error("an all-zero serial accepted")
	}
}

func TestLoadCARefuses(t *testing.T) {
	a := mk(t, spec{cn: "A", ca: true})
	b := mk(t, spec{cn: "B", ca: true})
	leaf := mk(t, spec{cn: "leaf", parent: a})
	for _, tt := range []struct {
		name      string
		cert, key []byte
		want      string
	}{
		{"mismatch", a.certPEM, b.keyPEM, "does not match"},
		{"not a CA", leaf.certPEM, leaf.keyPEM, "is not a CA"},
		{"no cert", a.keyPEM, a.keyPEM, "CA certificate:"},
		{"no key", a.certPEM, a.certPEM, "CA key:"},
	} {
		if _, err := LoadCA(tt.cert, tt.key); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestSplitNamesAndParseAlgorithm(t *testing.T) {
	dns, ips := SplitNames("db1", "10.0.0.11", "", "::1", "db1.example.com")
	if strings.Join(dns, ",") != "db1,db1.example.com" || strings.Join(ips, ",") != "10.0.0.11,::1" {
		t.Errorf("SplitNames = %v, %v", dns, ips)
	}
	for in, want := range map[string]Algorithm{"": ECDSAP256, "ecdsa-p256": ECDSAP256, "rsa-2048": RSA2048, "rsa-4096": RSA4096} {
		if got, err := ParseAlgorithm(in); err != nil || got != want {
			t.Errorf("ParseAlgorithm(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseAlgorithm("rsa-1024"); err == nil {
		t.Error("rsa-1024 accepted")
	}
}

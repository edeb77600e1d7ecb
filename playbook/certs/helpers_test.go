package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"io"
	"math/big"
	"math/rand/v2"
	"net"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// now is the fixed "current time" of every test.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testRand is a deterministic random source: serial numbers repeat from
// run to run (keys do not: Go draws them from the system generator).
func testRand(seed uint64) io.Reader {
	var s [32]byte
	s[0] = byte(seed)
	s[1] = byte(seed >> 8)
	return rand.NewChaCha8(s)
}

// issued is a certificate with its key, in parsed and PEM form.
type issued struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM []byte
	keyPEM  []byte
}

// spec describes a certificate for tests, including the broken ones that
// GenerateLeaf refuses to make.
type spec struct {
	cn        string
	parent    *issued // nil: self-signed
	ca        bool
	noBC      bool // no basicConstraints at all
	eku       []x509.ExtKeyUsage
	ku        x509.KeyUsage
	dns       []string
	ips       []string
	notBefore time.Time // zero: now - 1 day
	notAfter  time.Time // zero: now + 365 days
	rsaBits   int       // 0: ECDSA P-256
	key       crypto.Signer
}

func mk(t testing.TB, s spec) *issued {
	t.Helper()
	key := s.key
	var err error
	switch {
	case key != nil:
	case s.rsaBits > 0:
		key, err = rsa.GenerateKey(testRand(7), s.rsaBits)
	default:
		key, err = ecdsa.GenerateKey(elliptic.P256(), testRand(7))
	}
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(int64(len(s.cn)) + 1000),
		Subject:      pkix.Name{CommonName: s.cn},
		NotBefore:    s.notBefore,
		NotAfter:     s.notAfter,
		ExtKeyUsage:  s.eku,
		KeyUsage:     s.ku,
		DNSNames:     s.dns,
	}
	for _, ip := range s.ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = now.Add(-24 * time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = now.Add(365 * 24 * time.Hour)
	}
	if !s.noBC {
		tmpl.BasicConstraintsValid = true
		tmpl.IsCA = s.ca
	}
	if s.ca && tmpl.KeyUsage == 0 {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	}
	if !s.ca && tmpl.KeyUsage == 0 {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	}
	parent, signer := tmpl, key
	if s.parent != nil {
		parent, signer = s.parent.cert, s.parent.key
	}
	der, err := x509.CreateCertificate(testRand(9), tmpl, parent, key.Public(), signer)
	if err != nil {
		t.Fatalf("%s: %v", s.cn, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return &issued{
		cert: cert, key: key,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}),
	}
}

// nodeSpec is a correct n1 certificate under parent, to be varied.
func nodeSpec(parent *issued) spec {
	return spec{
		cn: "n1", parent: parent,
		eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		dns: []string{"n1", "localhost"}, ips: []string{"10.0.0.11", "127.0.0.1"},
	}
}

func with(s spec, f func(*spec)) spec { f(&s); return s }

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

package certs

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"
)

// rewrap re-encodes a one-certificate PEM with another line width and line
// ending, as another tool might have written the same certificate.
func rewrap(t *testing.T, certPEM []byte, width int, eol string) []byte {
	t.Helper()
	certs, err := ParseCertificates(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(certs[0].Raw)
	var out strings.Builder
	out.WriteString("subject=CN = whatever" + eol + "-----BEGIN CERTIFICATE-----" + eol)
	for len(b64) > width {
		out.WriteString(b64[:width] + eol)
		b64 = b64[width:]
	}
	out.WriteString(b64 + eol + "-----END CERTIFICATE-----" + eol + eol)
	return []byte(out.String())
}

func TestEqualCertificates(t *testing.T) {
	a := mk(t, spec{cn: "A", ca: true})
	b := mk(t, spec{cn: "B", ca: true})
	tests := []struct {
		name   string
		x, y   []byte
		want   bool
		hasErr bool
	}{
		{name: "same bytes", x: a.certPEM, y: a.certPEM, want: true},
		{name: "rewrapped, CRLF, text around", x: a.certPEM, y: rewrap(t, a.certPEM, 76, "\r\n"), want: true},
		{name: "different certificate", x: a.certPEM, y: b.certPEM, want: false},
		{name: "bundle vs one", x: cat(a.certPEM, b.certPEM), y: a.certPEM, want: false},
		{name: "order matters", x: cat(a.certPEM, b.certPEM), y: cat(b.certPEM, a.certPEM), want: false},
		{name: "same bundle rewrapped", x: cat(a.certPEM, b.certPEM), y: cat(rewrap(t, a.certPEM, 64, "\n"), rewrap(t, b.certPEM, 70, "\n")), want: true},
		{name: "remote garbage", x: a.certPEM, y: []byte("oops"), hasErr: true},
		{name: "remote key", x: a.certPEM, y: a.keyPEM, hasErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EqualCertificates(tt.x, tt.y)
			if (err != nil) != tt.hasErr {
				t.Fatalf("err = %v, want error %v", err, tt.hasErr)
			}
			if got != tt.want {
				t.Errorf("EqualCertificates = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEqualKeys(t *testing.T) {
	r := mk(t, spec{cn: "r", rsaBits: 2048})
	pkcs1 := pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(r.key.(*rsa.PrivateKey)))
	other := mk(t, spec{cn: "o"})
	if eq, err := EqualKeys(r.keyPEM, pkcs1); err != nil || !eq {
		t.Errorf("PKCS#8 vs PKCS#1 of one key: %v, %v; want equal", eq, err)
	}
	if eq, err := EqualKeys(r.keyPEM, other.keyPEM); err != nil || eq {
		t.Errorf("two keys: %v, %v; want different", eq, err)
	}
	if _, err := EqualKeys(r.keyPEM, r.certPEM); err == nil {
		t.Error("a certificate compared as a key without error")
	}
}

func TestFingerprints(t *testing.T) {
	a := mk(t, spec{cn: "A", ca: true})
	b := mk(t, spec{cn: "B", ca: true})
	fps, err := Fingerprints(cat(a.certPEM, rewrap(t, b.certPEM, 76, "\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	if len(fps) != 2 || fps[0] != Fingerprint(a.cert.Raw) || fps[1] != Fingerprint(b.cert.Raw) || fps[0] == fps[1] {
		t.Errorf("fingerprints = %v", fps)
	}
	// The openssl format: 32 upper-case hex pairs joined by colons.
	if got := Fingerprint([]byte("x")); got != "2D:71:16:42:B7:26:B0:44:01:62:7C:A9:FB:AC:32:F5:C8:53:0F:B1:90:3C:C4:DB:02:25:87:17:92:1A:48:81" {
		t.Errorf("Fingerprint(x) = %s", got)
	}
	if _, err := Fingerprints([]byte("nope")); err == nil {
		t.Error("garbage fingerprinted")
	}
}

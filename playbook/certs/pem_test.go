package certs

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func TestParsePrivateKey(t *testing.T) {
	ec := mk(t, spec{cn: "ec"})
	rsaCert := mk(t, spec{cn: "rsa", rsaBits: 2048})
	ecKey := ec.key.(*ecdsa.PrivateKey)
	rsaKey := rsaCert.key.(*rsa.PrivateKey)
	sec1, err := x509.MarshalECPrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(testRand(3))
	if err != nil {
		t.Fatal(err)
	}
	edDER, err := x509.MarshalPKCS8PrivateKey(edKey)
	if err != nil {
		t.Fatal(err)
	}
	xKey, err := ecdh.X25519().GenerateKey(testRand(4))
	if err != nil {
		t.Fatal(err)
	}
	xDER, err := x509.MarshalPKCS8PrivateKey(xKey)
	if err != nil {
		t.Fatal(err)
	}
	legacyEncrypted := "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n"

	tests := []struct {
		name    string
		data    []byte
		wantKey string // describeKey of the public key
		wantErr error
		errText string
	}{
		{name: "pkcs8 ecdsa", data: ec.keyPEM, wantKey: "ECDSA P-256"},
		{name: "pkcs8 rsa", data: rsaCert.keyPEM, wantKey: "RSA 2048"},
		{name: "pkcs1 rsa", data: pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)), wantKey: "RSA 2048"},
		{name: "sec1 ec", data: pemBlock("EC PRIVATE KEY", sec1), wantKey: "ECDSA P-256"},
		{name: "sec1 ec after EC PARAMETERS", data: cat(pemBlock("EC PARAMETERS", []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}), pemBlock("EC PRIVATE KEY", sec1)), wantKey: "ECDSA P-256"},
		{name: "pkcs8 ed25519", data: pemBlock("PRIVATE KEY", edDER), wantKey: "Ed25519"},
		{name: "crlf line endings", data: []byte(strings.ReplaceAll(string(ec.keyPEM), "\n", "\r\n")), wantKey: "ECDSA P-256"},
		{name: "pkcs8 encrypted", data: pemBlock("ENCRYPTED PRIVATE KEY", []byte{1, 2, 3}), wantErr: ErrEncryptedKey, errText: "MariaDB cannot read"},
		{name: "legacy encrypted", data: []byte(legacyEncrypted), wantErr: ErrEncryptedKey},
		{name: "certificate", data: ec.certPEM, wantErr: ErrNoPrivateKey, errText: "holds a certificate, not a private key"},
		{name: "two keys", data: cat(ec.keyPEM, rsaCert.keyPEM), wantErr: ErrNoPrivateKey, errText: "holds 2 private keys"},
		{name: "only other blocks", data: pemBlock("CERTIFICATE REQUEST", []byte{1}), wantErr: ErrNoPrivateKey, errText: "found CERTIFICATE REQUEST"},
		{name: "x25519 cannot sign", data: pemBlock("PRIVATE KEY", xDER), wantErr: ErrBadPEMBlock, errText: "unsupported key algorithm"},
		{name: "bad der", data: pemBlock("PRIVATE KEY", []byte{0x30, 0x03, 1, 2, 3}), wantErr: ErrBadPEMBlock},
		{name: "unknown key type", data: pemBlock("DSA PRIVATE KEY", []byte{0x30, 0}), wantErr: ErrBadPEMBlock, errText: "unsupported key type"},
		{name: "empty", data: []byte("  \n"), wantErr: ErrNotPEM, errText: "is empty"},
		{name: "garbage", data: []byte("hello"), wantErr: ErrNotPEM},
		{name: "der", data: x509.MarshalPKCS1PrivateKey(rsaKey), wantErr: ErrNotPEM, errText: "binary DER"},
		{name: "truncated", data: ec.keyPEM[:40], wantErr: ErrBadPEMBlock},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := ParsePrivateKey(tt.data)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.errText) {
					t.Errorf("err %q lacks %q", err, tt.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := describeKey(key.Public()); got != tt.wantKey {
				t.Errorf("key = %s, want %s", got, tt.wantKey)
			}
		})
	}
}

func TestParseCertificates(t *testing.T) {
	a := mk(t, spec{cn: "A", ca: true})
	b := mk(t, spec{cn: "B", ca: true})
	withText := "Certificate:\n    Data: (openssl -text output)\n" + string(a.certPEM) + "\ntrailing words\n"
	tests := []struct {
		name    string
		data    []byte
		wantCNs string
		wantErr error
		errText string
	}{
		{name: "one", data: a.certPEM, wantCNs: "A"},
		{name: "bundle keeps order", data: cat(b.certPEM, a.certPEM), wantCNs: "B,A"},
		{name: "text around blocks", data: []byte(withText), wantCNs: "A"},
		{name: "crlf", data: []byte(strings.ReplaceAll(string(a.certPEM), "\n", "\r\n")), wantCNs: "A"},
		{name: "key only", data: a.keyPEM, wantErr: ErrNoCertificate, errText: "holds a private key, not a certificate"},
		{name: "csr only", data: pemBlock("CERTIFICATE REQUEST", []byte{1}), wantErr: ErrNoCertificate, errText: "found CERTIFICATE REQUEST"},
		{name: "bad der", data: cat(a.certPEM, pemBlock("CERTIFICATE", []byte{0x30, 0})), wantErr: ErrBadPEMBlock, errText: "certificate 2 of 2"},
		{name: "garbage", data: []byte("not a cert"), wantErr: ErrNotPEM},
		{name: "nil", data: nil, wantErr: ErrNotPEM, errText: "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certs, err := ParseCertificates(tt.data)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("err = %v, want %v containing %q", err, tt.wantErr, tt.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var cns []string
			for _, c := range certs {
				cns = append(cns, c.Subject.CommonName)
			}
			if got := strings.Join(cns, ","); got != tt.wantCNs {
				t.Errorf("CNs = %s, want %s", got, tt.wantCNs)
			}
		})
	}
}

package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
)

// Algorithm is the key type of a generated certificate.
type Algorithm string

const (
	ECDSAP256 Algorithm = "ecdsa-p256" // the default: small, fast, accepted everywhere
	RSA2048   Algorithm = "rsa-2048"
	RSA4096   Algorithm = "rsa-4096"
)

// Algorithms lists the accepted values, for flag help.
func Algorithms() []Algorithm { return []Algorithm{ECDSAP256, RSA2048, RSA4096} }

// ParseAlgorithm accepts the names above; "" means the default.
func ParseAlgorithm(s string) (Algorithm, error) {
	if s == "" {
		return ECDSAP256, nil
	}
	for _, a := range Algorithms() {
		if Algorithm(s) == a {
			return a, nil
		}
	}
	return "", fmt.Errorf("unknown key algorithm %q (want %s, %s or %s)", s, ECDSAP256, RSA2048, RSA4096)
}

// generateKey makes a key. rnd is passed on, but Go 1.26's key generation
// draws from the system's secure generator whatever it is given, so keys
// are never reproducible; only serial numbers follow rnd.
func generateKey(alg Algorithm, rnd io.Reader) (crypto.Signer, error) {
	switch alg {
	case "", ECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), rnd)
	case RSA2048:
		return rsa.GenerateKey(rnd, 2048)
	case RSA4096:
		return rsa.GenerateKey(rnd, 4096)
	}
	_, err := ParseAlgorithm(string(alg))
	return nil, err
}

// encodeKey writes key as PKCS#8 ("PRIVATE KEY"), the form MariaDB,
// Galera and socat were seen to accept.
func encodeKey(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func encodeCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// randomSerial: 128 random bits, as CAs are asked to use (at least 64).
func randomSerial(rnd io.Reader) (*big.Int, error) {
	var b [16]byte
	if _, err := io.ReadFull(rnd, b[:]); err != nil {
		return nil, fmt.Errorf("serial number: %w", err)
	}
	n := new(big.Int).SetBytes(b[:])
	if n.Sign() == 0 {
		return nil, fmt.Errorf("serial number: random source returned zeros")
	}
	return n, nil
}

// subjectKeyID follows RFC 7093 method 1: the leftmost 160 bits of the
// SHA-256 of the subjectPublicKey bits.
func subjectKeyID(pub crypto.PublicKey) ([]byte, error) {
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(info.PublicKey.Bytes)
	return sum[:20], nil
}

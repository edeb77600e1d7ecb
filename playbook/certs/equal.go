package certs

import (
	"bytes"
	"crypto"
	"fmt"
)

// Fingerprints returns the SHA-256 fingerprint of every certificate in
// pemData, in file order.
func Fingerprints(pemData []byte) ([]string, error) {
	c, err := scanPEM(pemData)
	if err != nil {
		return nil, err
	}
	if _, err := c.certificates(); err != nil {
		return nil, err
	}
	out := make([]string, len(c.certs))
	for i, b := range c.certs {
		out[i] = Fingerprint(b.Bytes)
	}
	return out, nil
}

// EqualCertificates reports whether two PEM files hold the same
// certificates in the same order, compared by DER: line endings, wrapping
// and text around the blocks do not count as a change. Order counts because
// a chain file must start with the leaf.
func EqualCertificates(a, b []byte) (bool, error) {
	ca, err := certDERs(a)
	if err != nil {
		return false, fmt.Errorf("first: %w", err)
	}
	cb, err := certDERs(b)
	if err != nil {
		return false, fmt.Errorf("second: %w", err)
	}
	if len(ca) != len(cb) {
		return false, nil
	}
	for i := range ca {
		if !bytes.Equal(ca[i], cb[i]) {
			return false, nil
		}
	}
	return true, nil
}

func certDERs(pemData []byte) ([][]byte, error) {
	c, err := scanPEM(pemData)
	if err != nil {
		return nil, err
	}
	if _, err := c.certificates(); err != nil {
		return nil, err
	}
	out := make([][]byte, len(c.certs))
	for i, b := range c.certs {
		out[i] = b.Bytes
	}
	return out, nil
}

// EqualKeys reports whether two PEM private keys are the same key, compared
// by public key: the same key in PKCS#1 and PKCS#8 form is equal.
func EqualKeys(a, b []byte) (bool, error) {
	ka, err := ParsePrivateKey(a)
	if err != nil {
		return false, fmt.Errorf("first: %w", err)
	}
	kb, err := ParsePrivateKey(b)
	if err != nil {
		return false, fmt.Errorf("second: %w", err)
	}
	return samePublicKey(ka.Public(), kb.Public()), nil
}

// samePublicKey relies on every stdlib public key type having Equal.
func samePublicKey(a, b crypto.PublicKey) bool {
	ea, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ea.Equal(b)
}

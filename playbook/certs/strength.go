package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
)

// minRSABits: Debian 12's OpenSSL 3 runs at security level 2, which
// refuses RSA keys under 2048 bits ("EE key too small", "CA key too small").
const minRSABits = 2048

// checkKeyStrength reports keys that OpenSSL on the nodes will refuse, or
// that not every MariaDB/Galera build can use.
func (c *checker) checkKeyStrength(file, label string, cert *x509.Certificate) {
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits < minRSABits {
			c.add(Error, file, "%s has a %d-bit RSA key, too weak for OpenSSL 3 at security level 2 (Debian 12 default: RSA keys need %d bits or more); reissue it with ECDSA P-256 or RSA 2048+",
				label, bits, minRSABits)
		}
	case *ecdsa.PublicKey:
		if k.Curve.Params().BitSize < 256 {
			c.add(Error, file, "%s has a key on curve %s, too weak for OpenSSL 3 at security level 2; reissue it with ECDSA P-256 or RSA 2048+",
				label, k.Curve.Params().Name)
		}
	case ed25519.PublicKey:
		c.add(Warning, file, "%s has an Ed25519 key, which not every TLS library MariaDB and Galera are built with accepts (wolfSSL builds, older OpenSSL); ECDSA P-256 or RSA 2048+ work everywhere",
			label)
	default:
		c.add(Error, file, "%s has a %s key, which TLS on the nodes cannot use; reissue it with ECDSA P-256 or RSA 2048+",
			label, cert.PublicKeyAlgorithm)
	}
	if weakSignature(cert) && !isSelfSigned(cert) { // a root's own signature is never checked
		c.add(Error, file, "%s is signed with %s, which OpenSSL 3 at security level 2 refuses; reissue it signed with SHA-256",
			label, cert.SignatureAlgorithm)
	}
}

// isSelfSigned by name only: checking the signature would fail on the very
// algorithms this is about.
func isSelfSigned(cert *x509.Certificate) bool {
	return string(cert.RawSubject) == string(cert.RawIssuer)
}

// describeKey names a public key for messages: "ECDSA P-256", "RSA 2048".
func describeKey(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

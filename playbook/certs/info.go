package certs

import (
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// CertInfo holds the facts about one certificate that reports show.
type CertInfo struct {
	File              string    `json:"file"`
	Subject           string    `json:"subject"`
	Issuer            string    `json:"issuer"`
	Serial            string    `json:"serial"` // hex, as `openssl x509 -serial` prints it
	NotBefore         time.Time `json:"not_before"`
	NotAfter          time.Time `json:"not_after"`
	DaysLeft          int       `json:"days_left"` // whole days until NotAfter; negative once expired
	SANs              []string  `json:"sans,omitempty"`
	FingerprintSHA256 string    `json:"fingerprint_sha256"`
	IsCA              bool      `json:"is_ca"`
}

// Describe returns the facts about cert as of now; file is only recorded.
func Describe(file string, cert *x509.Certificate, now time.Time) CertInfo {
	return CertInfo{
		File:              file,
		Subject:           cert.Subject.String(),
		Issuer:            cert.Issuer.String(),
		Serial:            serialHex(cert.SerialNumber),
		NotBefore:         cert.NotBefore.UTC(),
		NotAfter:          cert.NotAfter.UTC(),
		DaysLeft:          wholeDays(cert.NotAfter.Sub(now)),
		SANs:              sans(cert),
		FingerprintSHA256: Fingerprint(cert.Raw),
		IsCA:              cert.BasicConstraintsValid && cert.IsCA,
	}
}

// Fingerprint is the SHA-256 of a certificate's DER in the form
// `openssl x509 -noout -fingerprint -sha256` prints, so operators can
// compare the two by eye.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	var b strings.Builder
	for i, c := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", c)
	}
	return b.String()
}

func serialHex(n *big.Int) string {
	if n == nil {
		return ""
	}
	s := strings.ToUpper(n.Text(16))
	if len(s)%2 == 1 {
		s = "0" + s
	}
	return s
}

// sans lists DNS names then IP addresses, as in the certificate.
func sans(cert *x509.Certificate) []string {
	var out []string
	out = append(out, cert.DNSNames...)
	for _, ip := range cert.IPAddresses {
		out = append(out, ip.String())
	}
	return out
}

// wholeDays truncates toward zero, so 23h left is 0 days and 25h ago is -1.
func wholeDays(d time.Duration) int { return int(d / (24 * time.Hour)) }

// commonName names a certificate in messages: its CN, or its whole subject
// when it has no CN.
func commonName(cert *x509.Certificate) string {
	if cert.Subject.CommonName != "" {
		return fmt.Sprintf("%q", cert.Subject.CommonName)
	}
	if s := cert.Subject.String(); s != "" {
		return fmt.Sprintf("%q", s)
	}
	return "(empty subject)"
}

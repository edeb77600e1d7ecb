package certs

import (
	"crypto/x509"
	"fmt"
)

// checkCA checks the CA bundle and returns its certificates (nil when
// unreadable). During a CA rotation the bundle holds the old and the new
// CA, so a bad CA is only fatal when no good one is left beside it.
func (c *checker) checkCA(f File) []*x509.Certificate {
	name := f.name("CA")
	if f.absent() {
		c.add(Error, "", "no CA file given: nodes cannot verify each other without one")
		return nil
	}
	contents, err := scanPEM(f.Data)
	if err != nil {
		c.add(Error, name, "%s %v", name, err)
		return nil
	}
	if len(contents.keys) > 0 && len(contents.certs) > 0 {
		c.add(Error, name, "%s also holds a private key: the CA file is installed world-readable on every node, and the CA key must not leave the machine that signs certificates; remove the key block", name)
	}
	cas, err := contents.certificates()
	if err != nil {
		c.add(Error, name, "%s %v", name, err)
		return nil
	}
	usable := 0
	for _, ca := range cas {
		if c.opts.Now.After(ca.NotBefore) && c.opts.Now.Before(ca.NotAfter) && isCA(ca) {
			usable++
		}
	}
	for i, ca := range cas {
		label := certLabel(name, cas, i)
		c.report.Certs = append(c.report.Certs, Describe(name, ca, c.opts.Now))
		if !isCA(ca) {
			c.add(Error, name, "%s is not a CA certificate (no basicConstraints CA:TRUE): point the CA setting at the certificate of the CA that signed the node certificates", label)
		} else if ca.KeyUsage != 0 && ca.KeyUsage&x509.KeyUsageCertSign == 0 {
			c.add(Error, name, "%s may not sign certificates (its key usage lacks keyCertSign), so OpenSSL will not accept anything it signed; use a CA certificate with keyCertSign", label)
		}
		// An expired or future CA next to a usable one is the tail of a
		// rotation: worth cleaning up, not a reason to stop.
		dateSev, advice := Error, "make a new CA and reissue every certificate; nodes cannot verify each other, so this needs a full cluster restart"
		if usable > 0 {
			dateSev, advice = Warning, "drop it from the bundle once nothing it signed is in use"
		}
		c.checkDates(name, label, ca, dateSev, advice)
		c.checkKeyStrength(name, label, ca)
	}
	return cas
}

func isCA(cert *x509.Certificate) bool { return cert.BasicConstraintsValid && cert.IsCA }

// certLabel names certificate i of a file in messages: the path alone when
// the file holds one certificate.
func certLabel(path string, certs []*x509.Certificate, i int) string {
	if len(certs) == 1 {
		return path
	}
	return fmt.Sprintf("%s (certificate %d of %d, CN %s)", path, i+1, len(certs), commonName(certs[i]))
}

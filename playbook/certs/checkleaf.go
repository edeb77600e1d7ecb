package certs

import (
	"bytes"
	"crypto/x509"
	"strings"
)

// checkLeaf checks a node or client certificate file (leaf first, then any
// intermediates) and returns the leaf, or nil when none could be read.
func (c *checker) checkLeaf(f File, name string, r role, cas []*x509.Certificate, caName string) *x509.Certificate {
	if f.absent() {
		c.add(Error, "", "no %s certificate given", r.name)
		return nil
	}
	contents, err := scanPEM(f.Data)
	if err != nil {
		c.add(Error, name, "%s %v", name, err)
		return nil
	}
	if len(contents.keys) > 0 && len(contents.certs) > 0 {
		c.add(Error, name, "%s also holds a private key: certificate files are installed world-readable (0644), so the key would leak; keep the key in its own file", name)
	}
	certs, err := contents.certificates()
	if err != nil {
		c.add(Error, name, "%s %v", name, err)
		return nil
	}
	leaf := certs[0]
	for i, cert := range certs {
		label := certLabel(name, certs, i)
		c.report.Certs = append(c.report.Certs, Describe(name, cert, c.opts.Now))
		c.checkDates(name, label, cert, Error, "renew it; nodes with expired certificates cannot rejoin, so this needs a full cluster restart rather than a node-by-node rotation")
		c.checkKeyStrength(name, label, cert)
	}
	if c.checkDistinctFromCA(name, leaf, cas, caName) && len(cas) > 0 {
		c.checkChain(name, leaf, certs[1:], cas, caName, r)
	}
	c.checkLeafUsage(name, leaf, r)
	if leaf.KeyUsage != 0 && leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		c.add(Error, name, "%s lacks the digitalSignature key usage, which TLS 1.3 and ECDHE key exchange need; reissue it with keyUsage digitalSignature", name)
	}
	if r.sans {
		c.checkSANs(name, leaf)
	}
	return leaf
}

// checkDistinctFromCA refuses a leaf that is the CA, or shares its CN:
// OpenSSL then sees subject == issuer, takes the certificate for
// self-signed, and MariaDB and Galera reject it. It returns false when the
// leaf is the CA itself (nothing more to say about its chain).
func (c *checker) checkDistinctFromCA(name string, leaf *x509.Certificate, cas []*x509.Certificate, caName string) bool {
	for _, ca := range cas {
		if bytes.Equal(ca.Raw, leaf.Raw) {
			c.add(Error, name, "%s is the CA certificate itself (the same certificate as in %s): point it at this node's own certificate", name, caName)
			return false
		}
	}
	cn := canonicalCN(leaf.Subject.CommonName)
	for _, ca := range cas {
		if cn != "" && cn == canonicalCN(ca.Subject.CommonName) {
			c.add(Error, name, "%s has the subject CN %q, the same as the CA's (%q) in %s: OpenSSL takes such a certificate for self-signed and MariaDB refuses it; reissue it with a different CN, such as the node name",
				name, leaf.Subject.CommonName, ca.Subject.CommonName, caName)
			break
		}
	}
	return true
}

// canonicalCN approximates OpenSSL's name comparison, which ignores case
// and runs of spaces.
func canonicalCN(cn string) string { return strings.ToLower(strings.Join(strings.Fields(cn), " ")) }

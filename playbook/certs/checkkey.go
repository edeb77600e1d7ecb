package certs

import (
	"crypto/x509"
	"fmt"
)

// checkKey checks a private key file and that it belongs to leaf (when a
// leaf could be read).
func (c *checker) checkKey(f File, name, certName string, leaf *x509.Certificate) {
	if f.absent() {
		c.add(Error, "", "no private key given for %s", certName)
		return
	}
	contents, err := scanPEM(f.Data)
	if err != nil {
		c.add(Error, name, "%s %v", name, err)
		return
	}
	if len(contents.keys) > 0 && len(contents.certs) > 0 {
		// OpenSSL skips the certificate when it loads the key: untidy only.
		c.add(Warning, name, "%s also holds a certificate; OpenSSL ignores it when loading the key, but keep one thing per file", name)
	}
	key, err := contents.privateKey()
	if err != nil {
		c.add(Error, name, "%s %v", name, err)
		return
	}
	if leaf == nil || samePublicKey(key.Public(), leaf.PublicKey) {
		return
	}
	detail := "public keys differ"
	if k, l := describeKey(key.Public()), describeKey(leaf.PublicKey); k != l {
		detail = fmt.Sprintf("public keys differ: the key is %s, the certificate's is %s", k, l)
	}
	c.add(Error, name, "%s does not match %s (%s)", name, certName, detail)
}

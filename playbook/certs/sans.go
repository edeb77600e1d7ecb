package certs

import (
	"crypto/x509"
	"net"
	"strings"
)

// checkSANs wants every expected name of the node in the server
// certificate's subjectAltName. A missing IP matters most: with mariabackup
// SST and encrypt=3 the donor checks the joiner's IP against the joiner's
// certificate, and the SST fails without it.
func (c *checker) checkSANs(name string, leaf *x509.Certificate) {
	listed := strings.Join(sans(leaf), ", ")
	if listed == "" {
		listed = "none"
	}
	for _, want := range c.opts.ExpectNames {
		if want == "" || leaf.VerifyHostname(want) == nil {
			continue
		}
		if ip := net.ParseIP(want); ip != nil {
			sev := Warning
			if c.opts.RequireIPSANs {
				sev = Error
			}
			c.add(sev, name, "%s has no IP SAN for %s (it lists: %s): mariabackup SST with encrypt=3 makes the donor check the joiner's IP against this certificate, so an SST to this node would fail; reissue it with IP:%s in subjectAltName",
				name, want, listed, want)
			continue
		}
		c.add(Warning, name, "%s has no DNS SAN for %s (it lists: %s): clients that verify the server's identity (ssl-mode=VERIFY_IDENTITY, --ssl-verify-server-cert) will refuse it; reissue it with DNS:%s in subjectAltName",
			name, want, listed, want)
	}
}

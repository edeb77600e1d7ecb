package certs

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
)

// checkChain verifies leaf against the CA bundle. Dates are reported on
// their own (for every certificate), so the chain only has to verify at
// some instant: first now, then at each certificate's start of validity
// (if the validity periods overlap, they overlap from one of those).
func (c *checker) checkChain(name string, leaf *x509.Certificate, intermediates, cas []*x509.Certificate, caName string, r role) {
	roots := x509.NewCertPool()
	for _, ca := range cas {
		roots.AddCert(ca)
	}
	inter := x509.NewCertPool()
	for _, ic := range intermediates {
		inter.AddCert(ic)
	}
	verify := func(at time.Time) ([][]*x509.Certificate, error) {
		// Any: extended key usage is judged separately, by OpenSSL's rules.
		return leaf.Verify(x509.VerifyOptions{
			Roots: roots, Intermediates: inter, CurrentTime: at,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		})
	}
	chains, err := verify(c.opts.Now)
	if isDateError(err) {
		// Keep the first error that is not about dates: it says more.
		all := append(append([]*x509.Certificate{leaf}, intermediates...), cas...)
		for _, cert := range all {
			var e error
			if chains, e = verify(cert.NotBefore); e == nil {
				err = nil
				break
			}
			if isDateError(err) && !isDateError(e) {
				err = e
			}
		}
	}
	if err != nil {
		file := append([]*x509.Certificate{leaf}, intermediates...)
		if msg := chainMessage(name, leaf, file, cas, caName, err); msg != "" {
			c.add(Error, name, "%s", msg)
		}
		return
	}
	c.checkChainUsage(name, chains, r)
}

// chainMessage explains a failed verification; "" when the cause (a weak
// signature algorithm) is already reported by checkKeyStrength.
func chainMessage(name string, leaf *x509.Certificate, file, cas []*x509.Certificate, caName string, err error) string {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		for _, cert := range file {
			if weakSignature(cert) {
				return ""
			}
		}
		for _, cert := range file {
			for _, ca := range cas {
				if string(cert.RawIssuer) == string(ca.RawSubject) {
					return fmt.Sprintf("%s names the CA %s as its issuer, but was not signed by the key of the CA with that name in %s: was the CA regenerated? Reissue the certificate with the CA in %s, or use the CA that signed it",
						name, commonName(ca), caName, caName)
				}
			}
		}
		return fmt.Sprintf("%s is not signed by any CA in %s: it was issued by %q, and %s holds %s; reissue it with that CA, or add its CA to the bundle",
			name, caName, leaf.Issuer.String(), caName, subjects(cas))
	case errors.As(err, &invalid):
		switch invalid.Reason {
		case x509.Expired:
			// checkChain already tried every instant: the periods are disjoint.
			return fmt.Sprintf("%s cannot be verified: there is no moment when it and every certificate of its chain are all valid; reissue it with the CA in %s",
				name, caName)
		case x509.NotAuthorizedToSign:
			return fmt.Sprintf("%s was signed by %s, which is not a CA (no basicConstraints CA:TRUE)", name, commonName(invalid.Cert))
		}
	}
	return fmt.Sprintf("%s does not chain to the CA in %s: %v", name, caName, err)
}

func isDateError(err error) bool {
	var invalid x509.CertificateInvalidError
	return errors.As(err, &invalid) && invalid.Reason == x509.Expired
}

func subjects(cas []*x509.Certificate) string {
	out := make([]string, len(cas))
	for i, ca := range cas {
		out[i] = fmt.Sprintf("%q", ca.Subject.String())
	}
	return strings.Join(out, ", ")
}

func weakSignature(cert *x509.Certificate) bool {
	switch cert.SignatureAlgorithm {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return true
	}
	return false
}

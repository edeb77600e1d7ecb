package certs

import (
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
)

// Extended key usage is judged the way OpenSSL judges it on the nodes,
// not the way crypto/x509 does: with no EKU extension a certificate may be
// used for anything, but when the extension is present it must list the
// purpose itself. anyExtendedKeyUsage alone satisfies crypto/x509 yet
// OpenSSL 3 rejects it ("unsuitable certificate purpose" for both sslserver
// and sslclient), so it does not count here.

// missingUsages returns the usages in want that cert does not allow.
func missingUsages(cert *x509.Certificate, want []x509.ExtKeyUsage) []x509.ExtKeyUsage {
	if len(cert.ExtKeyUsage) == 0 && len(cert.UnknownExtKeyUsage) == 0 {
		return nil
	}
	var missing []x509.ExtKeyUsage
	for _, w := range want {
		if !slices.Contains(cert.ExtKeyUsage, w) {
			missing = append(missing, w)
		}
	}
	return missing
}

// why a certificate of a role needs a usage, for messages.
func usageReason(r role, u x509.ExtKeyUsage) string {
	switch {
	case u == x509.ExtKeyUsageServerAuth:
		return "mariadbd, Galera and the SST joiner present it as a server"
	case r.name == serverRole.name:
		return "a Galera node presents this same certificate as a client, to the other nodes for replication and to the joiner as SST donor"
	default:
		return "the mariadb client and mysqldump SST present it to the server"
	}
}

func (c *checker) checkLeafUsage(name string, leaf *x509.Certificate, r role) {
	missing := missingUsages(leaf, r.usage)
	if len(missing) == 0 {
		return
	}
	reasons := make([]string, len(missing))
	for i, u := range missing {
		reasons[i] = usageReason(r, u)
	}
	note := ""
	if slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageAny) {
		note = "; OpenSSL ignores anyExtendedKeyUsage"
	}
	c.add(Error, name, "%s does not allow %s (its extended key usage: %s%s), so OpenSSL on the other side refuses it (\"unsuitable certificate purpose\"): %s; reissue it with extendedKeyUsage %s",
		name, usageNames(missing), ekuList(leaf), note, strings.Join(reasons, "; "), usageNames(r.usage))
}

// checkChainUsage: OpenSSL applies the same purpose check to the CAs in
// the chain, so a CA whose EKU excludes the purpose poisons what it signs.
// One chain passing is enough.
func (c *checker) checkChainUsage(name string, chains [][]*x509.Certificate, r role) {
	var first string
	for _, chain := range chains {
		msg := ""
		for _, ca := range chain[1:] {
			if missing := missingUsages(ca, r.usage); len(missing) > 0 {
				msg = fmt.Sprintf("%s chains to the CA %s, whose extended key usage (%s) excludes %s, so OpenSSL refuses what it signed for that use; use a CA without an extendedKeyUsage extension",
					name, commonName(ca), ekuList(ca), usageNames(missing))
				break
			}
		}
		if msg == "" {
			return
		}
		if first == "" {
			first = msg
		}
	}
	if first != "" {
		c.add(Error, name, "%s", first)
	}
}

// ekuNames are OpenSSL's names, so messages match `openssl x509 -text`.
var ekuNames = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny:             "anyExtendedKeyUsage",
	x509.ExtKeyUsageServerAuth:      "serverAuth",
	x509.ExtKeyUsageClientAuth:      "clientAuth",
	x509.ExtKeyUsageCodeSigning:     "codeSigning",
	x509.ExtKeyUsageEmailProtection: "emailProtection",
	x509.ExtKeyUsageTimeStamping:    "timeStamping",
	x509.ExtKeyUsageOCSPSigning:     "OCSPSigning",
}

func usageNames(us []x509.ExtKeyUsage) string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = ekuName(u)
	}
	return strings.Join(out, ", ")
}

func ekuName(u x509.ExtKeyUsage) string {
	if n, ok := ekuNames[u]; ok {
		return n
	}
	return fmt.Sprintf("usage #%d", int(u))
}

func ekuList(cert *x509.Certificate) string {
	out := []string{usageNames(cert.ExtKeyUsage)}
	for _, oid := range cert.UnknownExtKeyUsage {
		out = append(out, oid.String())
	}
	s := strings.Trim(strings.Join(out, ", "), ", ")
	if s == "" {
		return "none"
	}
	return s
}

package certs

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

const (
	// DefaultLeafLifetime: 825 days, the longest lifetime clients such as
	// Apple's accept for TLS server certificates.
	DefaultLeafLifetime = 825 * 24 * time.Hour
	// backdate: certificates start an hour before Now, so a node whose
	// clock is a little behind the machine that made them accepts them.
	backdate = time.Hour
)

// CAOptions describe a new CA.
type CAOptions struct {
	CommonName   string        // default "galeraflow CA"
	Organization string        // optional
	Algorithm    Algorithm     // default ECDSA P-256
	Lifetime     time.Duration // default 10 years
	Now          time.Time     // required
	Rand         io.Reader     // serial numbers; default crypto/rand
}

// CA is a CA certificate with its key, able to sign leaves.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// Usage says what a leaf certificate is for.
type Usage int

const (
	// UsageNode: a node certificate, used as server and as client
	// (mariadbd, Galera replication, SST): serverAuth and clientAuth.
	UsageNode Usage = iota
	// UsageClient: the client certificate (mariadb client, mysqldump
	// SST): clientAuth only.
	UsageClient
)

// LeafOptions describe a node or client certificate.
type LeafOptions struct {
	CommonName   string   // required; must differ from the CA's
	Organization string   // optional
	DNSNames     []string // node names, "localhost"...
	IPAddresses  []string // node addresses, "127.0.0.1"...; an IP SAN is what encrypt=3 SST checks
	Usage        Usage
	Algorithm    Algorithm     // default ECDSA P-256
	Lifetime     time.Duration // default 825 days; may not outlive the CA
	Now          time.Time     // required
	Rand         io.Reader     // serial numbers; default crypto/rand
}

// GenerateCA makes a self-signed CA: basicConstraints CA:TRUE with path
// length 0 (it signs leaves only), key usage keyCertSign and cRLSign.
func GenerateCA(opts CAOptions) (certPEM, keyPEM []byte, err error) {
	if opts.Now.IsZero() {
		return nil, nil, errors.New("generate CA: Now is not set")
	}
	cn := opts.CommonName
	if cn == "" {
		cn = "galeraflow CA"
	}
	notAfter := opts.Now.AddDate(10, 0, 0)
	if opts.Lifetime < 0 {
		return nil, nil, fmt.Errorf("generate CA: negative lifetime %s", opts.Lifetime)
	} else if opts.Lifetime > 0 {
		notAfter = opts.Now.Add(opts.Lifetime)
	}
	rnd := randOrDefault(opts.Rand)
	key, err := generateKey(opts.Algorithm, rnd)
	if err != nil {
		return nil, nil, fmt.Errorf("generate CA: %w", err)
	}
	tmpl, err := baseTemplate(rnd, subject(cn, opts.Organization), opts.Now, notAfter, key.Public())
	if err != nil {
		return nil, nil, fmt.Errorf("generate CA: %w", err)
	}
	tmpl.BasicConstraintsValid = true
	tmpl.IsCA = true
	tmpl.MaxPathLen = 0
	tmpl.MaxPathLenZero = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	der, err := x509.CreateCertificate(rnd, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, fmt.Errorf("generate CA: %w", err)
	}
	keyPEM, err = encodeKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("generate CA: %w", err)
	}
	return encodeCert(der), keyPEM, nil
}

// LoadCA reads a CA certificate (the first in certPEM) and its key, and
// checks that they belong together and can sign.
func LoadCA(certPEM, keyPEM []byte) (CA, error) {
	certs, err := ParseCertificates(certPEM)
	if err != nil {
		return CA{}, fmt.Errorf("CA certificate: %w", err)
	}
	key, err := ParsePrivateKey(keyPEM)
	if err != nil {
		return CA{}, fmt.Errorf("CA key: %w", err)
	}
	ca := CA{Cert: certs[0], Key: key}
	return ca, ca.validate()
}

func (ca CA) validate() error {
	switch {
	case ca.Cert == nil || ca.Key == nil:
		return errors.New("CA: certificate or key missing")
	case !isCA(ca.Cert):
		return fmt.Errorf("CA: %s is not a CA certificate (no basicConstraints CA:TRUE)", commonName(ca.Cert))
	case !samePublicKey(ca.Key.Public(), ca.Cert.PublicKey):
		return fmt.Errorf("CA: the key does not match the certificate %s", commonName(ca.Cert))
	}
	return nil
}

// GenerateLeaf makes a node (UsageNode) or client (UsageClient)
// certificate signed by ca.
func GenerateLeaf(ca CA, opts LeafOptions) (certPEM, keyPEM []byte, err error) {
	tmpl, rnd, err := leafTemplate(ca, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("generate certificate %q: %w", opts.CommonName, err)
	}
	key, err := generateKey(opts.Algorithm, rnd)
	if err != nil {
		return nil, nil, fmt.Errorf("generate certificate %q: %w", opts.CommonName, err)
	}
	if tmpl.SubjectKeyId, err = subjectKeyID(key.Public()); err != nil {
		return nil, nil, fmt.Errorf("generate certificate %q: %w", opts.CommonName, err)
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	if opts.Algorithm == RSA2048 || opts.Algorithm == RSA4096 {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment // TLS 1.2 RSA key exchange
	}
	der, err := x509.CreateCertificate(rnd, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("generate certificate %q: %w", opts.CommonName, err)
	}
	keyPEM, err = encodeKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("generate certificate %q: %w", opts.CommonName, err)
	}
	return encodeCert(der), keyPEM, nil
}

// leafTemplate validates opts against ca and fills everything but the key.
func leafTemplate(ca CA, opts LeafOptions) (*x509.Certificate, io.Reader, error) {
	if err := ca.validate(); err != nil {
		return nil, nil, err
	}
	if opts.Now.IsZero() {
		return nil, nil, errors.New("Now is not set")
	}
	if strings.TrimSpace(opts.CommonName) == "" {
		return nil, nil, errors.New("common name is empty")
	}
	if canonicalCN(opts.CommonName) == canonicalCN(ca.Cert.Subject.CommonName) {
		return nil, nil, fmt.Errorf("common name equals the CA's (%q): OpenSSL would take the certificate for self-signed and MariaDB would refuse it; choose another name, such as the node name", ca.Cert.Subject.CommonName)
	}
	if opts.Now.Before(ca.Cert.NotBefore) || opts.Now.After(ca.Cert.NotAfter) {
		return nil, nil, fmt.Errorf("the CA %s is not valid on %s (valid %s to %s)", commonName(ca.Cert),
			opts.Now.UTC().Format(time.DateOnly), ca.Cert.NotBefore.UTC().Format(time.DateOnly), ca.Cert.NotAfter.UTC().Format(time.DateOnly))
	}
	lifetime := opts.Lifetime
	if lifetime < 0 {
		return nil, nil, fmt.Errorf("negative lifetime %s", lifetime)
	} else if lifetime == 0 {
		lifetime = DefaultLeafLifetime
	}
	notAfter := opts.Now.Add(lifetime)
	if notAfter.After(ca.Cert.NotAfter) {
		return nil, nil, fmt.Errorf("it would outlive its CA (the CA expires on %s, the certificate on %s): shorten the lifetime or make a new CA",
			ca.Cert.NotAfter.UTC().Format(time.DateOnly), notAfter.UTC().Format(time.DateOnly))
	}
	dns, err := checkDNSNames(opts.DNSNames)
	if err != nil {
		return nil, nil, err
	}
	ips, err := parseIPs(opts.IPAddresses)
	if err != nil {
		return nil, nil, err
	}
	var eku []x509.ExtKeyUsage
	switch opts.Usage {
	case UsageNode:
		eku = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	case UsageClient:
		eku = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	default:
		return nil, nil, fmt.Errorf("unknown usage %d", opts.Usage)
	}
	rnd := randOrDefault(opts.Rand)
	tmpl, err := baseTemplate(rnd, subject(opts.CommonName, opts.Organization), opts.Now, notAfter, nil)
	if err != nil {
		return nil, nil, err
	}
	tmpl.BasicConstraintsValid = true // CA:FALSE, stated
	tmpl.ExtKeyUsage = eku
	tmpl.DNSNames = dns
	tmpl.IPAddresses = ips
	tmpl.AuthorityKeyId = ca.Cert.SubjectKeyId
	return tmpl, rnd, nil
}

// baseTemplate fills what CA and leaf share; pub, when given, sets the
// SubjectKeyId.
func baseTemplate(rnd io.Reader, name pkix.Name, now, notAfter time.Time, pub crypto.PublicKey) (*x509.Certificate, error) {
	serial, err := randomSerial(rnd)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      name,
		NotBefore:    now.Add(-backdate).UTC(),
		NotAfter:     notAfter.UTC(),
	}
	if pub != nil {
		if tmpl.SubjectKeyId, err = subjectKeyID(pub); err != nil {
			return nil, err
		}
	}
	return tmpl, nil
}

func subject(cn, org string) pkix.Name {
	n := pkix.Name{CommonName: cn}
	if org != "" {
		n.Organization = []string{org}
	}
	return n
}

func randOrDefault(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}

// checkDNSNames refuses names that are IP addresses (they belong in IP
// SANs, where encrypt=3 SST looks) or not host names at all.
func checkDNSNames(names []string) ([]string, error) {
	for _, n := range names {
		switch {
		case n == "":
			return nil, errors.New("empty DNS name")
		case net.ParseIP(n) != nil:
			return nil, fmt.Errorf("DNS name %q is an IP address: list it under IP addresses", n)
		case strings.ContainsAny(n, " /:@,;"):
			return nil, fmt.Errorf("DNS name %q is not a host name", n)
		}
	}
	return names, nil
}

func parseIPs(addrs []string) ([]net.IP, error) {
	ips := make([]net.IP, 0, len(addrs))
	for _, a := range addrs {
		ip := net.ParseIP(strings.TrimSpace(a))
		if ip == nil {
			return nil, fmt.Errorf("%q is not an IP address", a)
		}
		ips = append(ips, ip)
	}
	return ips, nil
}

// SplitNames sorts node names and addresses into DNS names and IP
// addresses, for LeafOptions.
func SplitNames(names ...string) (dns, ips []string) {
	for _, n := range names {
		if n == "" {
			continue
		}
		if net.ParseIP(n) != nil {
			ips = append(ips, n)
		} else {
			dns = append(dns, n)
		}
	}
	return dns, ips
}

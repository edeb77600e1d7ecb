package certs

import (
	"crypto/x509"
	"fmt"
	"time"
)

// File is one TLS file as the operator gave it; the caller reads it.
type File struct {
	Path string
	Data []byte
}

// absent: not configured at all (as opposed to configured but empty).
func (f File) absent() bool { return f.Path == "" && len(f.Data) == 0 }

func (f File) name(role string) string {
	if f.Path != "" {
		return f.Path
	}
	return "(" + role + ")"
}

// NodeFiles are the files one node will get. ClientCert and ClientKey may
// both be absent (zero File): the client TLS settings are then not managed.
type NodeFiles struct {
	Node       string
	CA         File
	ServerCert File
	ServerKey  File
	ClientCert File
	ClientKey  File
}

// CheckOptions tune Check. Now is required.
type CheckOptions struct {
	Now time.Time
	// WarnWithin: certificates expiring within this window are a Warning
	// (for example 30 days); zero disables the warning.
	WarnWithin time.Duration
	// ExpectNames: the node's name and address, which the server
	// certificate's SANs (DNS or IP) should list.
	ExpectNames []string
	// RequireIPSANs makes a missing IP SAN an Error instead of a Warning.
	// Set it when SST runs over socat TLS (mariabackup/xtrabackup with
	// encrypt=3): the donor then checks the joiner's IP against its
	// certificate and the SST fails without it.
	RequireIPSANs bool
}

// role is what a certificate is used for on the node.
type role struct {
	name  string             // for messages: "server", "client"
	usage []x509.ExtKeyUsage // what OpenSSL on the peer will require
	sans  bool               // whether ExpectNames apply
}

// A Galera node's "server" certificate is also its client certificate:
// Galera presents it when connecting to other nodes, and the SST donor
// presents it to the joiner. So it needs serverAuth and clientAuth.
var (
	serverRole = role{name: "server", usage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, sans: true}
	clientRole = role{name: "client", usage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
)

type checker struct {
	opts   CheckOptions
	report Report
}

func (c *checker) add(sev Severity, file, format string, args ...any) {
	c.report.Problems = append(c.report.Problems, Problem{
		Node: c.report.Node, File: file, Severity: sev, Message: fmt.Sprintf(format, args...),
	})
}

// Check validates one node's TLS files the way MariaDB, Galera and socat
// (OpenSSL 3) will, and lists every problem found.
func Check(files NodeFiles, opts CheckOptions) Report {
	c := &checker{opts: opts, report: Report{Node: files.Node}}
	if opts.Now.IsZero() {
		c.add(Error, "", "internal: CheckOptions.Now is not set, so validity dates cannot be checked")
		return c.report
	}
	caName := files.CA.name("CA")
	cas := c.checkCA(files.CA)
	c.checkPair(files.ServerCert, files.ServerKey, serverRole, cas, caName)
	switch {
	case files.ClientCert.absent() && files.ClientKey.absent():
		// Client TLS files are optional.
	default:
		c.checkPair(files.ClientCert, files.ClientKey, clientRole, cas, caName)
	}
	return c.report
}

// checkPair checks a certificate file and its key file.
func (c *checker) checkPair(certFile, keyFile File, r role, cas []*x509.Certificate, caName string) {
	certName := certFile.name(r.name + " certificate")
	keyName := keyFile.name(r.name + " key")
	leaf := c.checkLeaf(certFile, certName, r, cas, caName)
	c.checkKey(keyFile, keyName, certName, leaf)
}

package playbook

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/playbook/certs"
)

// Issuing certificates on the controller: `certs generate` and
// `rotate --renew` make the same files the same way.

// IssueOptions describe the node and client certificates to make.
type IssueOptions struct {
	Algorithm certs.Algorithm
	// Lifetime: 0 means certs.DefaultLeafLifetime.
	Lifetime time.Duration
	Now      time.Time
}

// IssueNodeCert makes a node certificate: CN the node's name, SANs its
// name and address plus localhost and 127.0.0.1 (the node's own client and
// SST scripts connect there), serverAuth and clientAuth.
func IssueNodeCert(ca certs.CA, name, address string, o IssueOptions) (certPEM, keyPEM []byte, err error) {
	dns, ips := certs.SplitNames(name, address, "localhost", "127.0.0.1")
	return certs.GenerateLeaf(ca, certs.LeafOptions{
		CommonName: name, DNSNames: dedupe(dns), IPAddresses: dedupe(ips), Usage: certs.UsageNode,
		Algorithm: o.Algorithm, Lifetime: o.Lifetime, Now: o.Now,
	})
}

// IssueClientCert makes the client certificate (clientAuth only).
func IssueClientCert(ca certs.CA, cn string, o IssueOptions) (certPEM, keyPEM []byte, err error) {
	return certs.GenerateLeaf(ca, certs.LeafOptions{CommonName: cn, Usage: certs.UsageClient, Algorithm: o.Algorithm, Lifetime: o.Lifetime, Now: o.Now})
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// DefaultCAKeyPath is where the CA key is looked for: next to the CA
// certificate, "ca.pem" → "ca-key.pem".
func DefaultCAKeyPath(caPath string) string {
	return strings.TrimSuffix(caPath, ".pem") + "-key.pem"
}

// AlgorithmOf names the algorithm of an existing key, so a renewed
// certificate keeps the kind of key the operator chose.
func AlgorithmOf(pub crypto.PublicKey) certs.Algorithm {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() > 2048 {
			return certs.RSA4096
		}
		return certs.RSA2048
	case *ecdsa.PublicKey:
		return certs.ECDSAP256
	}
	return certs.ECDSAP256
}

// WriteLocalFile replaces path atomically (a temporary file in the same
// folder, synced, then renamed over it) with the given mode, so a reader
// never sees half a key and a crash leaves the old file or the new one.
func WriteLocalFile(path string, data []byte, mode fs.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

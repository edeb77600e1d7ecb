package playbook

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/galeraflow/galeraflow/playbook/certs"
)

// Sentinels for `certs check` and `rotate`, mapped to exit codes so cron
// and monitoring can tell "renew soon" from "broken or about to break".
var (
	// ErrCertsExpiring: a certificate expires within the warning window.
	ErrCertsExpiring = errors.New("certificates expire soon")
	// ErrCertsCritical: a certificate in use expires within the failure
	// window or has expired, or a node's files are broken (missing, key
	// and certificate apart, chain not verifying).
	ErrCertsCritical = errors.New("certificates expired, about to expire or broken")
)

// Levels of a node's certificates.
const (
	LevelOK   = "ok"
	LevelWarn = "warn"
	LevelFail = "fail"
)

// TLSFileReport is one TLS file of a node (or of the inventory).
type TLSFileReport struct {
	Role    string `json:"role"` // ca, server-cert, server-key, client-cert, client-key
	Path    string `json:"path"`
	Missing bool   `json:"missing,omitempty"`
	// Access is "owner:group mode" on a node.
	Access string           `json:"access,omitempty"`
	Certs  []certs.CertInfo `json:"certs,omitempty"`
	// KeyMatches (certificates only): the key file holds this certificate's key.
	KeyMatches *bool `json:"key_matches,omitempty"`
	// Chain (certificates only): "ok", or why it does not verify against
	// the CA file next to it.
	Chain string `json:"chain,omitempty"`
	Error string `json:"error,omitempty"`
}

// NodeCerts is the verdict on one node's TLS files.
type NodeCerts struct {
	Node string `json:"node"`
	// Source is "node" (read over SSH) or "local" (the inventory's files).
	Source string          `json:"source"`
	Files  []TLSFileReport `json:"files"`
	// DaysLeft and NotAfter: the soonest expiry among the certificates in
	// use (leaves and the CAs that sign them).
	DaysLeft int       `json:"days_left"`
	NotAfter time.Time `json:"not_after"`
	Level    string    `json:"level"`
	Problems []string  `json:"problems,omitempty"`
}

// tlsMaterial is what analyzeTLS judges: parsed where it came from.
type tlsMaterial struct {
	node, source string
	ca           fileBytes
	leaves       []leafMaterial
}

type fileBytes struct {
	path    string
	missing bool
	access  string
	data    []byte
}

type leafMaterial struct {
	role      string // server or client
	cert      fileBytes
	keyPath   string
	keyAccess string
	keyGone   bool
	keyPublic crypto.PublicKey
	keyErr    string
}

// certWindow is the certs check thresholds; zero days disable a level.
type certWindow struct {
	now                time.Time
	warnDays, failDays int
}

func (w certWindow) level(notAfter time.Time) string {
	left := notAfter.Sub(w.now)
	switch {
	case left <= 0 || w.failDays > 0 && left < time.Duration(w.failDays)*24*time.Hour:
		return LevelFail
	case w.warnDays > 0 && left < time.Duration(w.warnDays)*24*time.Hour:
		return LevelWarn
	}
	return LevelOK
}

// analyzeTLS reports every file and the node's verdict.
func analyzeTLS(m tlsMaterial, w certWindow) *NodeCerts {
	nc := &NodeCerts{Node: m.node, Source: m.source, Level: LevelOK}
	fail := func(format string, args ...any) {
		nc.Problems = append(nc.Problems, fmt.Sprintf(format, args...))
		nc.Level = LevelFail
	}
	caRep := TLSFileReport{Role: "ca", Path: m.ca.path, Missing: m.ca.missing, Access: m.ca.access}
	var cas []*x509.Certificate
	if m.ca.missing {
		fail("%s is missing", m.ca.path)
	} else if parsed, err := certs.ParseCertificates(m.ca.data); err != nil {
		caRep.Error = err.Error()
		fail("%s: %v", m.ca.path, err)
	} else {
		cas = parsed
		for _, c := range cas {
			caRep.Certs = append(caRep.Certs, certs.Describe(m.ca.path, c, w.now))
		}
	}
	nc.Files = append(nc.Files, caRep)
	var soonest *x509.Certificate
	note := func(c *x509.Certificate) {
		if soonest == nil || c.NotAfter.Before(soonest.NotAfter) {
			soonest = c
		}
	}
	for _, l := range m.leaves {
		rep, used := analyzeLeaf(l, cas, w, fail)
		for _, c := range used {
			note(c)
		}
		nc.Files = append(nc.Files, rep...)
	}
	if soonest == nil {
		for _, c := range cas {
			note(c)
		}
	}
	if soonest != nil {
		nc.NotAfter = soonest.NotAfter.UTC()
		nc.DaysLeft = int(soonest.NotAfter.Sub(w.now) / (24 * time.Hour))
		lv := w.level(soonest.NotAfter)
		switch {
		case lv == LevelFail && !soonest.NotAfter.After(w.now):
			fail("%s expired on %s", certName(soonest), soonest.NotAfter.UTC().Format(time.DateOnly))
		case lv == LevelFail:
			fail("%s expires on %s, in %d days (--fail-days %d)", certName(soonest), soonest.NotAfter.UTC().Format(time.DateOnly), nc.DaysLeft, w.failDays)
		case lv == LevelWarn && nc.Level == LevelOK:
			nc.Level = LevelWarn
			nc.Problems = append(nc.Problems, fmt.Sprintf("%s expires on %s, in %d days (--warn-days %d)", certName(soonest), soonest.NotAfter.UTC().Format(time.DateOnly), nc.DaysLeft, w.warnDays))
		}
	}
	return nc
}

// analyzeLeaf reports a certificate and its key; used are the certificates
// whose expiry matters (the leaf and the CA its chain ends at, or every
// CA when the chain does not verify).
func analyzeLeaf(l leafMaterial, cas []*x509.Certificate, w certWindow, fail func(string, ...any)) ([]TLSFileReport, []*x509.Certificate) {
	rep := TLSFileReport{Role: l.role + "-cert", Path: l.cert.path, Missing: l.cert.missing, Access: l.cert.access}
	keyRep := TLSFileReport{Role: l.role + "-key", Path: l.keyPath, Missing: l.keyGone, Access: l.keyAccess, Error: l.keyErr}
	switch {
	case l.keyGone:
		fail("%s is missing", l.keyPath)
	case l.keyErr != "":
		fail("%s: %s", l.keyPath, l.keyErr)
	}
	if l.cert.missing {
		fail("%s is missing", l.cert.path)
		return []TLSFileReport{rep, keyRep}, nil
	}
	chain, err := certs.ParseCertificates(l.cert.data)
	if err != nil {
		rep.Error = err.Error()
		fail("%s: %v", l.cert.path, err)
		return []TLSFileReport{rep, keyRep}, nil
	}
	leaf := chain[0]
	for _, c := range chain {
		rep.Certs = append(rep.Certs, certs.Describe(l.cert.path, c, w.now))
	}
	used := []*x509.Certificate{leaf}
	if l.keyPublic != nil {
		ok := samePublic(l.keyPublic, leaf.PublicKey)
		rep.KeyMatches = &ok
		if !ok {
			fail("%s does not match %s", l.keyPath, l.cert.path)
		}
	}
	if len(cas) > 0 {
		root, err := verifyChain(leaf, chain[1:], cas, w.now)
		if err != nil {
			rep.Chain = err.Error()
			fail("%s does not verify against %s: %v", l.cert.path, "the CA file", err)
			used = append(used, cas...)
		} else {
			rep.Chain = "ok"
			used = append(used, root)
		}
	}
	return []TLSFileReport{rep, keyRep}, used
}

// verifyChain checks trust apart from dates (expiry is judged on its own):
// at now when the leaf is valid then, else within the leaf's validity. It
// returns the CA the chain ends at.
func verifyChain(leaf *x509.Certificate, inter, cas []*x509.Certificate, now time.Time) (*x509.Certificate, error) {
	at := now
	if at.After(leaf.NotAfter) {
		at = leaf.NotAfter.Add(-time.Minute)
	} else if at.Before(leaf.NotBefore) {
		at = leaf.NotBefore.Add(time.Minute)
	}
	roots, pool := x509.NewCertPool(), x509.NewCertPool()
	for _, c := range cas {
		roots.AddCert(c)
	}
	for _, c := range inter {
		pool.AddCert(c)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: pool, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return nil, err
	}
	c := chains[0]
	return c[len(c)-1], nil
}

func certName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return fmt.Sprintf("%q", c.Subject.CommonName)
	}
	return c.Subject.String()
}

// remoteMaterial turns what was read on a node into tlsMaterial.
func remoteMaterial(r *RemoteTLS) tlsMaterial {
	fb := func(f RemoteFile) fileBytes {
		return fileBytes{path: f.Path, missing: !f.Exists, access: fileAccess(f), data: f.Data}
	}
	m := tlsMaterial{node: r.Node, source: "node", ca: fb(r.CA)}
	pairs := []struct {
		role      string
		cert, key RemoteFile
	}{{"server", r.ServerCert, r.ServerKey}, {"client", r.ClientCert, r.ClientKey}}
	for _, p := range pairs {
		if p.cert.Path == "" {
			continue
		}
		m.leaves = append(m.leaves, leafMaterial{role: p.role, cert: fb(p.cert), keyPath: p.key.Path,
			keyAccess: fileAccess(p.key), keyGone: !p.key.Exists, keyPublic: p.key.Public, keyErr: p.key.Err})
	}
	return m
}

func fileAccess(f RemoteFile) string {
	if !f.Exists || f.Owner == "" {
		return ""
	}
	return fmt.Sprintf("%s:%s %04o", f.Owner, f.Group, f.Mode)
}

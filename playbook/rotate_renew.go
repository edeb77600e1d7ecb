package playbook

import (
	"fmt"
	"os"
	"time"

	"github.com/galeraflow/galeraflow/playbook/certs"
)

// rotate --renew: when the certificates on the nodes are due and the
// inventory holds the same ones, issue new node certificates (and a new
// client certificate) with the inventory's CA and write them over the
// inventory's files, then roll them out like any same-CA rotation. The
// controller that runs cron keeps the CA key; the nodes never see it.

func (s Rotate) caKeyPath(rts []*rotTarget) string {
	if s.CAKey != "" {
		return s.CAKey
	}
	return DefaultCAKeyPath(rts[0].t.Node.TLSFiles.CA)
}

// loadCA reads the inventory's CA and its key.
func (s Rotate) loadCA(rts []*rotTarget) (certs.CA, error) {
	path := s.caKeyPath(rts)
	key, err := os.ReadFile(path)
	if err != nil {
		return certs.CA{}, fmt.Errorf("--renew needs the CA key: %w (give it with --ca-key)", err)
	}
	ca, err := certs.LoadCA(rts[0].files.ca, key)
	if err != nil {
		return certs.CA{}, fmt.Errorf("--renew: %s and %s: %w", rts[0].t.Node.TLSFiles.CA, path, err)
	}
	return ca, nil
}

// renewLifetime is the new certificates' lifetime: the default or the
// asked one, but never past the CA.
func (s Rotate) renewLifetime(ca certs.CA, now time.Time) time.Duration {
	life := s.Lifetime
	if life <= 0 {
		life = certs.DefaultLeafLifetime
	}
	if left := ca.Cert.NotAfter.Sub(now) - time.Hour; life > left {
		life = left
	}
	return life
}

// checkRenew refuses at plan time what renew would fail on: no CA key, or
// a CA that itself expires within the window (renewed leaves could not
// outlive it: a new CA and the new-CA path are needed).
func (s Rotate) checkRenew(rts []*rotTarget, now time.Time) error {
	ca, err := s.loadCA(rts)
	if err != nil {
		return err
	}
	within := s.RenewWithin
	if within <= 0 {
		within = DefaultRenewWithin
	}
	if s.renewLifetime(ca, now) < within {
		return fmt.Errorf("%w: the CA %q itself expires on %s: make a new CA and certificates (`galeraflow certs generate --force INVENTORY`), then run rotate (it takes the new-CA path)",
			ErrCertsExpiring, ca.Cert.Subject.CommonName, ca.Cert.NotAfter.UTC().Format(time.DateOnly))
	}
	return nil
}

// renew issues and writes the new files, and points the targets at them.
func (s Rotate) renew(run *Run, rts []*rotTarget) error {
	ca, err := s.loadCA(rts)
	if err != nil {
		return err
	}
	now := run.now()
	opts := IssueOptions{Lifetime: s.renewLifetime(ca, now), Now: now}
	var clientCert, clientKey []byte
	for _, rt := range rts {
		n, tf := rt.t.Node, rt.t.Node.TLSFiles
		o := opts
		o.Algorithm = AlgorithmOf(rt.node.local.serverPub)
		cert, key, err := IssueNodeCert(ca, n.Name, n.Address, o)
		if err != nil {
			return fmt.Errorf("%s: renew: %w", n.Name, err)
		}
		rt.files.serverCert, rt.files.serverKey = cert, key
		if tf.ClientCert != "" {
			if clientCert == nil {
				cn := "galeraflow client"
				if c := firstCert(rt.files.clientCert); c != nil && c.Subject.CommonName != "" {
					cn = c.Subject.CommonName
				}
				o.Algorithm = AlgorithmOf(rt.node.local.clientPub)
				if clientCert, clientKey, err = IssueClientCert(ca, cn, o); err != nil {
					return fmt.Errorf("renew the client certificate: %w", err)
				}
			}
			rt.files.clientCert, rt.files.clientKey = clientCert, clientKey
		}
		if _, err := validateCerts(run, rt.t, rt.certFiles()); err != nil {
			return fmt.Errorf("%s: renewed %w", n.Name, err)
		}
	}
	// Write only once every file was made and checked.
	written := map[string]bool{}
	for _, rt := range rts {
		tf := rt.t.Node.TLSFiles
		for _, f := range []struct {
			path string
			data []byte
			key  bool
		}{{tf.ServerCert, rt.files.serverCert, false}, {tf.ServerKey, rt.files.serverKey, true}, {tf.ClientCert, rt.files.clientCert, false}, {tf.ClientKey, rt.files.clientKey, true}} {
			if f.path == "" || written[f.path] {
				continue
			}
			mode := certMode
			if f.key {
				mode = keyMode
			}
			if err := WriteLocalFile(f.path, f.data, mode); err != nil {
				return fmt.Errorf("renew: %w", err)
			}
			written[f.path] = true
		}
		rt.node.local = rt.files.tls(tf.ClientCert != "")
	}
	run.Log.Info("renewed certificates written over the inventory's files", "files", len(written))
	return nil
}

package playbook

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/inventory"
	"github.com/galeraflow/galeraflow/playbook/certs"
)

// CertsCheckOptions tune CheckCerts.
type CertsCheckOptions struct {
	Dial Dialer
	Now  time.Time
	// WarnDays and FailDays: certificates expiring within that many days
	// make the result warn or fail; 0 disables the level.
	WarnDays, FailDays int
}

// CertsReport is `galeraflow certs check`: the certificates on every node
// and in the inventory.
type CertsReport struct {
	Cluster  string    `json:"cluster"`
	Checked  time.Time `json:"checked"`
	WarnDays int       `json:"warn_days"`
	FailDays int       `json:"fail_days"`
	// Result is the worst level found: ok, warn or fail; "error" when a
	// node could not be read.
	Result string       `json:"result"`
	Nodes  []*NodeCerts `json:"nodes"`
	Local  []*NodeCerts `json:"local"`
	Errors []string     `json:"errors,omitempty"`
}

// CheckCerts reads the TLS files on every node (one round trip each) and
// the inventory's files, and judges both. The error matches
// ErrCertsCritical or ErrCertsExpiring by the worst level, or carries the
// connection errors of nodes that could not be read.
func CheckCerts(ctx context.Context, inv *inventory.Inventory, opts CertsCheckOptions) (*CertsReport, error) {
	if inv.TLS == nil {
		return nil, fmt.Errorf("%w: the inventory has no tls block: there are no certificates to check", ErrInvalidInput)
	}
	w := certWindow{now: opts.Now, warnDays: opts.WarnDays, failDays: opts.FailDays}
	rep := &CertsReport{Cluster: inv.Cluster, Checked: opts.Now.UTC(), WarnDays: opts.WarnDays, FailDays: opts.FailDays}
	conns, _ := Connect(ctx, inv, opts.Dial)
	defer CloseAll(conns)
	rep.Nodes = make([]*NodeCerts, len(conns))
	errs := make([]error, len(conns))
	_ = ForEach(ctx, len(conns), inv.Concurrency, func(ctx context.Context, i int) error {
		c := conns[i]
		if c.Host == nil {
			errs[i] = c.Err
			return nil
		}
		paths := TLSPaths(inv.TLS.RemoteDir, c.Node.TLSFiles.ClientCert != "")
		r, err := ReadRemoteTLS(ctx, c.Host, paths, inv.Timeouts.Command)
		if err != nil {
			errs[i] = err
			return nil
		}
		rep.Nodes[i] = analyzeTLS(remoteMaterial(r), w)
		return nil
	})
	for i, n := range inv.Nodes {
		rep.Local = append(rep.Local, localCerts(n, inv, w))
		if rep.Nodes[i] == nil {
			rep.Nodes[i] = &NodeCerts{Node: n.Name, Source: "node", Level: LevelFail}
		}
	}
	rep.Result = LevelOK
	for _, nc := range append(append([]*NodeCerts{}, rep.Nodes...), rep.Local...) {
		rep.Result = worse(rep.Result, nc.Level)
	}
	if err := errors.Join(errs...); err != nil {
		for _, e := range errs {
			if e != nil {
				rep.Errors = append(rep.Errors, e.Error())
			}
		}
		rep.Result = "error"
		return rep, err
	}
	switch rep.Result {
	case LevelFail:
		return rep, fmt.Errorf("%w: %s", ErrCertsCritical, problemsOf(rep, LevelFail))
	case LevelWarn:
		return rep, fmt.Errorf("%w: %s", ErrCertsExpiring, problemsOf(rep, LevelWarn))
	}
	return rep, nil
}

func worse(a, b string) string {
	rank := map[string]int{LevelOK: 0, LevelWarn: 1, LevelFail: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// problemsOf names the nodes at a level and their first problem.
func problemsOf(rep *CertsReport, level string) string {
	var parts []string
	for _, nc := range append(append([]*NodeCerts{}, rep.Nodes...), rep.Local...) {
		if nc.Level != level {
			continue
		}
		where := nc.Node
		if nc.Source == "local" {
			where += " (inventory files)"
		}
		msg := level
		if len(nc.Problems) > 0 {
			msg = nc.Problems[0]
		}
		parts = append(parts, where+": "+msg)
	}
	return strings.Join(parts, "\n")
}

// localCerts judges the inventory's files for one node: certs.Check's
// errors fail it, and the same expiry window applies.
func localCerts(n inventory.Node, inv *inventory.Inventory, w certWindow) *NodeCerts {
	m, files := localMaterial(n)
	nc := analyzeTLS(m, w)
	report := certs.Check(files, certs.CheckOptions{
		Now:           w.now,
		ExpectNames:   []string{n.Name, n.Address},
		RequireIPSANs: inv.SST != nil && inv.SST.Method != inventory.SSTMysqldump,
	})
	for _, p := range report.Problems {
		if p.Severity == certs.Error {
			nc.Problems = append(nc.Problems, p.Message)
			nc.Level = LevelFail
		}
	}
	return nc
}

// localMaterial reads a node's files on the controller. The private keys
// are reduced to their public keys here; NodeFiles keeps them for Check.
func localMaterial(n inventory.Node) (tlsMaterial, certs.NodeFiles) {
	tf := n.TLSFiles
	files := certs.NodeFiles{Node: n.Name}
	read := func(p string) (fileBytes, []byte) {
		data, err := os.ReadFile(p)
		return fileBytes{path: p, missing: err != nil, data: data}, data
	}
	m := tlsMaterial{node: n.Name, source: "local"}
	var caData []byte
	m.ca, caData = read(tf.CA)
	files.CA = certs.File{Path: tf.CA, Data: caData}
	pairs := []struct {
		role, cert, key string
		cf, kf          *certs.File
	}{{"server", tf.ServerCert, tf.ServerKey, &files.ServerCert, &files.ServerKey}, {"client", tf.ClientCert, tf.ClientKey, &files.ClientCert, &files.ClientKey}}
	for _, p := range pairs {
		if p.cert == "" {
			continue
		}
		cb, cdata := read(p.cert)
		*p.cf = certs.File{Path: p.cert, Data: cdata}
		l := leafMaterial{role: p.role, cert: cb, keyPath: p.key}
		kdata, err := os.ReadFile(p.key)
		if err != nil {
			l.keyGone = true
		} else if key, err := certs.ParsePrivateKey(kdata); err != nil {
			l.keyErr = err.Error()
		} else {
			l.keyPublic = key.Public()
		}
		*p.kf = certs.File{Path: p.key, Data: kdata}
		m.leaves = append(m.leaves, l)
	}
	return m, files
}

package playbook

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/playbook/certs"
)

// Rotation paths, from the lightest to the heaviest.
const (
	PathNone        = "none"         // nothing to do
	PathSameCA      = "same-ca"      // new node certificates, same CA: node by node
	PathNewCA       = "new-ca"       // new CA: the three-phase dual-trust rollout
	PathFullRestart = "full-restart" // expired certificates or new paths: stop all, bootstrap
)

// How a node takes its new files on the rolling paths.
const (
	MethodReload  = "reload"  // FLUSH LOCAL SSL + socket.ssl_reload: no restart
	MethodRestart = "restart" // restart this one node, wait until Synced
)

// Phases of the rolling paths.
const (
	PhaseBundle = "trust-both-cas" // new CA: every node trusts the old and the new CA
	PhaseLeaves = "node-certs"     // the node certificates (and client certificate)
	PhaseFinal  = "drop-old-ca"    // new CA: every node trusts the new CA only
)

// rotNode is one node as the decision sees it: what it holds, what it
// runs and what the inventory wants there.
type rotNode struct {
	name string
	// on the node
	ca, serverCert, clientCert []byte
	serverPub, clientPub       crypto.PublicKey
	broken                     []string // missing or unreadable files, mismatched keys
	haveSSL, replicationSSL    bool
	running                    runningPaths
	reload                     reloadSupport
	servedSerial               string // from a TLS client; "" when not probed
	// in the inventory
	want  RemoteTLSPaths
	local localTLS
}

// runningPaths are the files the running server and Galera were started
// with (@@ssl_*, socket.ssl_* of wsrep_provider_options).
type runningPaths struct {
	ca, cert, key             string
	provCA, provCert, provKey string
}

// reloadSupport says which live reloads the node's versions allow.
type reloadSupport struct {
	serverSQL string // the statement that reloads the server's TLS; "" for none
	provider  bool   // socket.ssl_reload
	why       string // why not, for the plan
}

// localTLS are the inventory's files for one node (keys reduced to their
// public keys; the private keys are read again when uploaded).
type localTLS struct {
	ca, serverCert, clientCert []byte
	serverPub, clientPub       crypto.PublicKey
	withClient                 bool
}

// rotOptions tune the decision.
type rotOptions struct {
	now time.Time
	// renewWithin: node certificates expiring sooner are due.
	renewWithin time.Duration
	// renew: issue new node certificates with the inventory's CA key when
	// they are due and the inventory has none newer.
	renew bool
	// restartNodes: restart nodes one at a time even where a live reload
	// would do.
	restartNodes bool
}

// Rotation is the decision and, after Apply, what happened.
type Rotation struct {
	Path   string `json:"path"`
	Method string `json:"method,omitempty"`
	Reason string `json:"reason"`
	// MethodReason says why the nodes restart rather than reload.
	MethodReason string          `json:"method_reason,omitempty"`
	Renew        bool            `json:"renew,omitempty"`
	Phases       []*RotatePhase  `json:"phases,omitempty"`
	Nodes        []*NodeRotation `json:"nodes"`
	Duration     time.Duration   `json:"duration_ns"`
}

// RotatePhase is one pass over the nodes.
type RotatePhase struct {
	Name     string        `json:"name"`
	Nodes    []string      `json:"nodes"`
	Done     bool          `json:"done"`
	Duration time.Duration `json:"duration_ns"`
	// updates per node, in Nodes order (not reported).
	updates []nodeUpdate
}

// NodeRotation is one node before and after.
type NodeRotation struct {
	Node string `json:"node"`
	// Serial and DaysLeft of the node's server certificate, as found.
	Serial   string `json:"serial,omitempty"`
	DaysLeft int    `json:"days_left"`
	// Served is the serial a TLS client saw before, and After after.
	Served   string        `json:"served,omitempty"`
	After    string        `json:"served_after,omitempty"`
	Took     time.Duration `json:"took_ns,omitempty"`
	Verified []string      `json:"verified,omitempty"`
}

// nodeUpdate is what one node gets in one phase.
type nodeUpdate struct {
	node string
	// files to write: CA bundle, server cert/key, client cert/key
	ca, leaves bool
	caData     []byte // the CA file to write when ca is set
	// why, for the plan
	why string
}

// decideRotation chooses the path. It only compares; the caller has read
// everything and validated the inventory's files.
func decideRotation(nodes []*rotNode, o rotOptions) (*Rotation, error) {
	rot := &Rotation{Path: PathNone}
	for _, n := range nodes {
		nr := &NodeRotation{Node: n.name, Served: n.servedSerial}
		if c := firstCert(n.serverCert); c != nil {
			nr.Serial, nr.DaysLeft = serialOf(c), int(c.NotAfter.Sub(o.now)/(24*time.Hour))
		}
		rot.Nodes = append(rot.Nodes, nr)
	}
	for _, n := range nodes {
		if !n.haveSSL {
			return nil, fmt.Errorf("%s: the server does not use TLS (have_ssl is not YES): rotate replaces certificates in use; enable TLS first with `galeraflow run`", n.name)
		}
	}
	if why := pathChanges(nodes); why != "" {
		return fullPath(rot, "the TLS file paths change: "+why), nil
	}
	if why := brokenOnNodes(nodes); why != "" {
		return fullPath(rot, why), nil
	}
	if why := expiredOnNodes(nodes, o.now); why != "" {
		return fullPath(rot, why), nil
	}
	method, methodWhy := chooseMethod(nodes, o)
	rot.Method, rot.MethodReason = method, methodWhy

	newCA := false
	for _, n := range nodes {
		if eq, _ := certs.EqualCertificates(n.ca, n.local.ca); !eq {
			newCA = true
		}
	}
	if newCA {
		rot.Path = PathNewCA
		rot.Reason = "the inventory's CA differs from the CA on " + strings.Join(namesWhere(nodes, func(n *rotNode) bool {
			eq, _ := certs.EqualCertificates(n.ca, n.local.ca)
			return !eq
		}), ", ") + ": trust both, replace the node certificates, then drop the old CA"
		rot.Phases = newCAPhases(nodes)
		return rot, nil
	}

	var leaves, stale, due []string
	var updates []nodeUpdate
	for _, n := range nodes {
		switch {
		case !sameLeaves(n):
			leaves = append(leaves, n.name)
			updates = append(updates, nodeUpdate{node: n.name, leaves: true, why: "its certificate differs from the inventory's"})
		case n.servedSerial != "" && n.servedSerial != serialOrEmpty(n.serverCert):
			stale = append(stale, n.name)
			updates = append(updates, nodeUpdate{node: n.name, why: "its files are in place but the server presents serial " + n.servedSerial + ": reload"})
		case dueSoon(n, o):
			due = append(due, n.name)
		}
	}
	switch {
	case len(updates) > 0:
		rot.Path = PathSameCA
		var parts []string
		if len(leaves) > 0 {
			parts = append(parts, "new node certificates for "+strings.Join(leaves, ", "))
		}
		if len(stale) > 0 {
			parts = append(parts, "files not yet in use on "+strings.Join(stale, ", "))
		}
		rot.Reason = strings.Join(parts, "; ") + " (same CA)"
		rot.Phases = []*RotatePhase{phaseOf(PhaseLeaves, updates)}
	case len(due) > 0 && o.renew:
		rot.Path, rot.Renew = PathSameCA, true
		rot.Reason = fmt.Sprintf("the certificates of %s expire within %s and the inventory has no newer ones: issue new ones with the inventory's CA", strings.Join(due, ", "), daysText(o.renewWithin))
		for _, n := range nodes {
			updates = append(updates, nodeUpdate{node: n.name, leaves: true, why: "renewed certificate"})
		}
		rot.Phases = []*RotatePhase{phaseOf(PhaseLeaves, updates)}
	case len(due) > 0:
		return rot, fmt.Errorf("%w: the certificates of %s expire within %s and the inventory's files are the same ones: issue new ones (`galeraflow certs generate --reuse-ca --force INVENTORY`) or pass --renew",
			ErrCertsExpiring, strings.Join(due, ", "), daysText(o.renewWithin))
	default:
		rot.Reason = "every node holds and serves the inventory's certificates"
		rot.Method = ""
	}
	return rot, nil
}

func fullPath(rot *Rotation, why string) *Rotation {
	rot.Path, rot.Reason, rot.Method = PathFullRestart, why, ""
	return rot
}

// newCAPhases plans the dual-trust rollout; nodes already past a phase (an
// earlier run that stopped) are left out of it.
func newCAPhases(nodes []*rotNode) []*RotatePhase {
	var p1, p2, p3 []nodeUpdate
	for _, n := range nodes {
		caNow := n.ca
		if !certs.BundleContains(n.ca, n.local.ca) {
			both, err := certs.Bundle(n.ca, n.local.ca)
			if err == nil {
				caNow = both
				p1 = append(p1, nodeUpdate{node: n.name, ca: true, caData: both, why: "CA file: the old and the new CA"})
			}
		}
		if !sameLeaves(n) {
			p2 = append(p2, nodeUpdate{node: n.name, leaves: true, why: "certificates signed by the new CA"})
		}
		if eq, _ := certs.EqualCertificates(caNow, n.local.ca); !eq {
			p3 = append(p3, nodeUpdate{node: n.name, ca: true, caData: n.local.ca, why: "CA file: the new CA only"})
		}
	}
	return []*RotatePhase{phaseOf(PhaseBundle, p1), phaseOf(PhaseLeaves, p2), phaseOf(PhaseFinal, p3)}
}

func phaseOf(name string, ups []nodeUpdate) *RotatePhase {
	p := &RotatePhase{Name: name, Nodes: []string{}, updates: ups}
	for _, u := range ups {
		p.Nodes = append(p.Nodes, u.node)
	}
	p.Done = len(ups) == 0
	return p
}

// chooseMethod: a live reload where every node supports it, else one node
// restart at a time.
func chooseMethod(nodes []*rotNode, o rotOptions) (string, string) {
	if o.restartNodes {
		return MethodRestart, "--restart-nodes: restart each node instead of reloading"
	}
	for _, n := range nodes {
		if n.reload.serverSQL == "" || n.replicationSSL && !n.reload.provider {
			return MethodRestart, n.name + ": " + n.reload.why
		}
	}
	return MethodReload, ""
}

// pathChanges names the first running file that is not where the
// inventory puts it.
func pathChanges(nodes []*rotNode) string {
	for _, n := range nodes {
		pairs := []struct{ what, have, want string }{
			{"ssl_ca", n.running.ca, n.want.CA}, {"ssl_cert", n.running.cert, n.want.ServerCert}, {"ssl_key", n.running.key, n.want.ServerKey},
		}
		if n.replicationSSL {
			pairs = append(pairs, struct{ what, have, want string }{"socket.ssl_ca", n.running.provCA, n.want.CA},
				struct{ what, have, want string }{"socket.ssl_cert", n.running.provCert, n.want.ServerCert},
				struct{ what, have, want string }{"socket.ssl_key", n.running.provKey, n.want.ServerKey})
		}
		for _, p := range pairs {
			if cleanPath(p.have) != cleanPath(p.want) {
				return fmt.Sprintf("%s runs with %s=%s, the inventory puts it at %s", n.name, p.what, orDash(p.have), p.want)
			}
		}
	}
	return ""
}

func cleanPath(p string) string {
	if p == "" {
		return ""
	}
	return path.Clean(p)
}

func brokenOnNodes(nodes []*rotNode) string {
	for _, n := range nodes {
		if len(n.broken) > 0 {
			return fmt.Sprintf("%s's TLS files cannot be rotated in place (%s): a node that restarts with them would not come back", n.name, strings.Join(n.broken, "; "))
		}
	}
	return ""
}

// expiredOnNodes: a node whose certificate or CA is no longer valid cannot
// make new TLS connections; only the full restart is safe.
func expiredOnNodes(nodes []*rotNode, now time.Time) string {
	for _, n := range nodes {
		for _, f := range []struct {
			what string
			data []byte
		}{{"server certificate", n.serverCert}, {"client certificate", n.clientCert}} {
			if c := firstCert(f.data); c != nil && (now.After(c.NotAfter) || now.Before(c.NotBefore)) {
				return fmt.Sprintf("%s's %s is not valid now (valid %s to %s)", n.name, f.what, c.NotBefore.UTC().Format(time.DateOnly), c.NotAfter.UTC().Format(time.DateOnly))
			}
		}
		cas, _ := certs.ParseCertificates(n.ca)
		valid := 0
		for _, c := range cas {
			if !now.After(c.NotAfter) && !now.Before(c.NotBefore) {
				valid++
			}
		}
		if len(cas) > 0 && valid == 0 {
			return fmt.Sprintf("%s's CA file holds no CA valid now", n.name)
		}
	}
	return ""
}

func sameLeaves(n *rotNode) bool {
	eq, _ := certs.EqualCertificates(n.serverCert, n.local.serverCert)
	if !eq || !samePublic(n.serverPub, n.local.serverPub) {
		return false
	}
	if !n.local.withClient {
		return true
	}
	eq, _ = certs.EqualCertificates(n.clientCert, n.local.clientCert)
	return eq && samePublic(n.clientPub, n.local.clientPub)
}

func dueSoon(n *rotNode, o rotOptions) bool {
	for _, data := range [][]byte{n.serverCert, n.clientCert} {
		if c := firstCert(data); c != nil && c.NotAfter.Sub(o.now) < o.renewWithin {
			return true
		}
	}
	return false
}

func firstCert(data []byte) *x509.Certificate {
	if len(data) == 0 {
		return nil
	}
	cs, err := certs.ParseCertificates(data)
	if err != nil {
		return nil
	}
	return cs[0]
}

func serialOrEmpty(data []byte) string {
	if c := firstCert(data); c != nil {
		return serialOf(c)
	}
	return ""
}

func namesWhere(nodes []*rotNode, pred func(*rotNode) bool) []string {
	var out []string
	for _, n := range nodes {
		if pred(n) {
			out = append(out, n.name)
		}
	}
	return out
}

func daysText(d time.Duration) string {
	n := int(d / (24 * time.Hour))
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

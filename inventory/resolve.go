package inventory

import (
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/inventory/secret"
)

// Defaults that do not depend on the flavor.
const (
	defaultPlaybook       = "ssl"
	defaultConcurrency    = 10
	defaultPort           = 22
	defaultConnectTimeout = 10 * time.Second
	defaultKeepAlive      = 15 * time.Second
	defaultKnownHosts     = "~/.ssh/known_hosts"
	defaultSSHConfig      = "~/.ssh/config"
	defaultDatadir        = "/var/lib/mysql"
	defaultRemoteDir      = "/etc/mysql/ssl"
	defaultCommandTimeout = 2 * time.Minute
	defaultStopTimeout    = 5 * time.Minute
	defaultStartTimeout   = 30 * time.Minute
)

var (
	// names end up in file names ({node}) and in wsrep_cluster_name.
	namePattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	playbookPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
)

// resolver turns decoded values into the effective inventory: defaults,
// paths, secrets, files.
type resolver struct {
	opts    Options
	rep     *report
	secrets map[secretKey]secret.Secret
}

func (r *resolver) inventory(raw rawInventory, file string) *Inventory {
	inv := &Inventory{File: file, Dir: r.opts.Dir}
	inv.Cluster = r.name(raw.cluster)
	inv.Flavor = Flavor(raw.flavor.v)
	inv.Playbook = r.playbook(raw.playbook)
	inv.Concurrency = raw.concurrency.get(defaultConcurrency)
	inv.Timeouts = Timeouts{
		Command: raw.timeouts.command.get(defaultCommandTimeout),
		Stop:    raw.timeouts.stop.get(defaultStopTimeout),
		Start:   raw.timeouts.start.get(defaultStartTimeout),
	}
	inv.TLS = r.tls(raw.tls)
	inv.SST = r.sst(raw.sst)
	for _, rn := range raw.nodes {
		inv.Nodes = append(inv.Nodes, r.node(rn, raw, inv.Flavor))
	}
	return inv
}

func (r *resolver) name(s opt[string]) string {
	switch {
	case !s.set || s.v == "":
		r.rep.errorf(s.o, "is required")
	case !namePattern.MatchString(s.v):
		r.rep.errorf(s.o, "must start with a letter or digit and use only letters, digits, '-', '_', '.' (at most 64), got %q", truncate(s.v))
	default:
		return s.v
	}
	return ""
}

func (r *resolver) playbook(p opt[string]) string {
	switch {
	case !p.set || p.v == "":
		return defaultPlaybook
	case strings.Contains(p.v, "/") || strings.HasSuffix(p.v, ".yml") || strings.HasSuffix(p.v, ".yaml"):
		f, _ := r.existingFile(p, "")
		return f
	case !playbookPattern.MatchString(p.v):
		r.rep.errorf(p.o, "must be a built-in playbook name (lowercase letters, digits, '-') or a path to a .yml file, got %q", truncate(p.v))
		return ""
	}
	return p.v
}

func (r *resolver) node(rn rawNode, raw rawInventory, f Flavor) Node {
	m := rn.overrides.merge(raw.overrides)
	n := Node{
		Name:    r.name(rn.name),
		Address: r.address(rn.address),
		Line:    rn.at.line,
		SSH:     r.ssh(m.ssh),
	}
	n.Paths, n.Service, n.MySQL = r.paths(m.paths, &n.explicit), r.service(m.service, &n.explicit), r.mysql(m.mysql, &n.explicit)
	if raw.tls.present && n.Name != "" {
		n.TLSFiles = r.tlsFiles(raw.tls, n.Name)
	}
	n.applyFlavor(f)
	return n
}

func (r *resolver) ssh(s rawSSH) SSH {
	out := SSH{
		User:               s.user.get(r.opts.User),
		Port:               s.port.get(defaultPort),
		IdentityPassphrase: r.secret(s.passphrase),
		Agent:              s.agent.get(true),
		HostKeyPolicy:      s.policy.get(HostKeyStrict),
		SudoPassword:       r.secret(s.sudoPassword),
		ConnectTimeout:     s.connectTimeout.get(defaultConnectTimeout),
		KeepAlive:          s.keepalive.get(defaultKeepAlive),
	}
	if s.port.bad {
		out.Port = 0 // unknown: keeps it out of the duplicate address:port check
	}
	if s.user.set && (s.user.v == "" || strings.ContainsAny(s.user.v, " \t@:/")) {
		r.rep.errorf(s.user.o, "must be a login name (leave it out for the current user), got %q", truncate(s.user.v))
	}
	for _, id := range s.identities.v {
		if p, ok := r.existingFile(id, ""); ok {
			out.Identities = append(out.Identities, p)
		}
	}
	out.KnownHosts = r.knownHosts(s)
	if out.HostKeyPolicy == HostKeyInsecure {
		r.rep.warnf(s.policy.o, "host keys are not verified (insecure-ignore): anyone on the path can impersonate the nodes")
	}
	if s.bastion.set && s.bastion.v != "" {
		if _, err := ParseBastion(s.bastion.v); err != nil {
			r.rep.errorf(s.bastion.o, "%v", err)
		} else {
			out.Bastion = s.bastion.v
		}
	}
	switch {
	case s.sshConfig.set && (s.sshConfig.v == "none" || s.sshConfig.v == ""):
	case s.sshConfig.set:
		out.SSHConfig, _ = r.existingFile(s.sshConfig, "")
	case r.opts.Home != "":
		if p := filepath.Join(r.opts.Home, defaultSSHConfig[2:]); r.exists(p) {
			out.SSHConfig = p
		}
	}
	return out
}

// knownHosts resolves ssh.known_hosts. A missing file is not an error
// (accept-new creates it) but under strict it means no host can be
// verified, so say so before the first connection fails.
func (r *resolver) knownHosts(s rawSSH) string {
	kh := s.knownHosts
	if !kh.set {
		if r.opts.Home == "" {
			return ""
		}
		kh.v = defaultKnownHosts
	}
	p, ok := r.controllerPath(kh)
	if ok && s.policy.get(HostKeyStrict) == HostKeyStrict && !r.exists(p) {
		r.rep.warnf(kh.o, "%s does not exist: with host_key_policy strict no node can be verified (add their keys with ssh-keyscan, or use accept-new once)", p)
	}
	return p
}

func (r *resolver) paths(p rawPaths, ex *explicitFields) Paths {
	var out Paths
	if p.config.set && p.config.v != "" {
		out.Config, ex.config = r.nodePath(p.config), true
	}
	if p.dropin.set && p.dropin.v != "" {
		out.Dropin = r.nodePath(p.dropin)
	}
	out.Datadir = defaultDatadir
	if p.datadir.set {
		out.Datadir = r.nodePath(p.datadir)
	}
	if p.mysqld.set && p.mysqld.v != "" {
		out.Mysqld, ex.mysqld = r.nodeCommand(p.mysqld), true
	}
	return out
}

func (r *resolver) service(s rawService, ex *explicitFields) Service {
	var out Service
	// "" means the flavor's default, like leaving the field out.
	pick := func(o opt[string], dst *string, explicit *bool) {
		if o.set && strings.TrimSpace(o.v) != "" {
			*dst, *explicit = o.v, true
		}
	}
	pick(s.start, &out.Start, &ex.start)
	pick(s.stop, &out.Stop, &ex.stop)
	pick(s.bootstrap, &out.Bootstrap, &ex.bootstrap)
	pick(s.status, &out.Status, &ex.status)
	return out
}

func (r *resolver) mysql(m rawMySQL, ex *explicitFields) MySQL {
	out := MySQL{
		User:           m.user.v,
		Password:       r.secret(m.password),
		ConnectTimeout: m.connectTimeout.get(defaultConnectTimeout),
	}
	if m.client.set && strings.TrimSpace(m.client.v) != "" {
		out.Client, ex.client = m.client.v, true
	}
	if m.password.set && m.password.v != "" && out.User == "" {
		r.rep.errorf(m.password.o, "only allowed with mysql.user (without a user galeraflow connects as root over the unix socket)")
	}
	if m.socket.set && m.socket.v != "" {
		out.Socket = r.nodePath(m.socket)
	}
	return out
}

// tlsFileFields are the TLS settings that name controller files.
func tlsFileFields(t rawTLS) []opt[string] {
	return []opt[string]{t.ca, t.serverCert, t.serverKey, t.clientCert, t.clientKey}
}

var placeholderPattern = regexp.MustCompile(`\{[^{}]*\}`)

func (r *resolver) tls(t rawTLS) *TLS {
	if !t.present {
		return nil
	}
	for _, f := range []struct {
		v    opt[string]
		what string
	}{{t.ca, "the CA certificate"}, {t.serverCert, "each node's certificate"}, {t.serverKey, "each node's private key"}} {
		if !f.v.set || f.v.v == "" {
			r.rep.errorf(f.v.o, "is required (%s)", f.what)
		}
	}
	hasCert, hasKey := t.clientCert.set && t.clientCert.v != "", t.clientKey.set && t.clientKey.v != ""
	if hasCert != hasKey {
		missing := t.clientKey.o
		if !hasCert {
			missing = t.clientCert.o
		}
		r.rep.errorf(missing, "client_cert and client_key go together: set both or neither")
	}
	for _, f := range tlsFileFields(t) {
		for _, ph := range placeholderPattern.FindAllString(f.v, -1) {
			if ph != "{node}" {
				r.rep.errorf(f.o, "unknown placeholder %s (only {node} is supported)", ph)
			}
		}
	}
	out := &TLS{
		RemoteDir:        defaultRemoteDir,
		Replication:      t.replication.get(true),
		RequireClientSSL: t.requireClientSSL.get(false),
	}
	if t.remoteDir.set {
		out.RemoteDir = r.nodePath(t.remoteDir)
	}
	return out
}

// tlsFiles resolves one node's certificate files; every one must exist.
func (r *resolver) tlsFiles(t rawTLS, node string) TLSFiles {
	file := func(o opt[string]) string {
		if !o.set || o.v == "" {
			return ""
		}
		forNode := ""
		if strings.Contains(o.v, "{node}") {
			o.v, forNode = strings.ReplaceAll(o.v, "{node}", node), node
		}
		p, _ := r.existingFile(o, forNode)
		return p
	}
	return TLSFiles{
		CA: file(t.ca), ServerCert: file(t.serverCert), ServerKey: file(t.serverKey),
		ClientCert: file(t.clientCert), ClientKey: file(t.clientKey),
	}
}

func (r *resolver) sst(s rawSST) *SST {
	if !s.present {
		return nil
	}
	if s.user.set && s.user.v != "" && !sqlUserPattern.MatchString(s.user.v) {
		r.rep.errorf(s.user.o, "must be a MySQL user name of at most 32 letters, digits, '_', '.', '-', '$', got %q", truncate(s.user.v))
	}
	return &SST{
		Method:   s.method.v,
		User:     s.user.v,
		Password: r.secret(s.password),
		at: sstOrigins{
			block: s.o, method: s.method.o, user: s.user.o, password: s.password.o,
			passwordSet: s.passwordWritten(),
		},
	}
}

// sqlUserPattern keeps sst.user safe inside wsrep_sst_auth (user:password)
// and within MySQL's 32-character limit.
var sqlUserPattern = regexp.MustCompile(`^[A-Za-z0-9_.$-]{1,32}$`)

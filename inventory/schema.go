package inventory

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The known keys of every block, in the order documentation shows them.
var (
	topKeys     = []string{"cluster", "flavor", "playbook", "concurrency", "ssh", "paths", "service", "mysql", "tls", "sst", "timeouts", "nodes"}
	nodeKeys    = []string{"name", "address", "ssh", "paths", "service", "mysql"}
	sshKeys     = []string{"user", "port", "identity", "identities", "identity_passphrase", "agent", "known_hosts", "host_key_policy", "bastion", "ssh_config", "sudo_password", "connect_timeout", "keepalive"}
	pathsKeys   = []string{"config", "dropin", "datadir", "mysqld"}
	serviceKeys = []string{"start", "stop", "bootstrap", "status"}
	mysqlKeys   = []string{"client", "user", "password", "socket", "connect_timeout"}
	tlsKeys     = []string{"ca", "server_cert", "server_key", "client_cert", "client_key", "remote_dir", "replication", "require_client_ssl"}
	sstKeys     = []string{"method", "user", "password"}
	timeoutKeys = []string{"command", "stop", "start"}

	hostKeyPolicies = []string{HostKeyStrict, HostKeyAcceptNew, HostKeyInsecure}
	sstMethods      = []string{SSTMysqldump, SSTMariabackup, SSTXtrabackupV2, SSTRsync}
)

// overridable are the blocks a node may override, with their keys.
func overridable() map[string][]string {
	return map[string][]string{"ssh": sshKeys, "paths": pathsKeys, "service": serviceKeys, "mysql": mysqlKeys}
}

// nestedHints suggests "ssh.port" for a "port" written one level too high.
func nestedHints(atTop bool) map[string]string {
	where := map[string][]string{}
	for block, keys := range overridable() {
		for _, k := range keys {
			where[k] = append(where[k], block+"."+k)
		}
	}
	hints := map[string]string{}
	for k, places := range where {
		slices.Sort(places)
		hints[k] = "did you mean " + strings.Join(places, " or ") + "?"
	}
	if atTop {
		for _, k := range []string{"name", "address"} {
			hints[k] = "node fields go under nodes:"
		}
	} else {
		for _, k := range []string{"cluster", "flavor", "playbook", "concurrency", "tls", "sst", "timeouts"} {
			hints[k] = k + " can only be set at the top level"
		}
	}
	return hints
}

type rawInventory struct {
	cluster, flavor, playbook opt[string]
	concurrency               opt[int]
	overrides
	tls      rawTLS
	sst      rawSST
	timeouts rawTimeouts
	nodesAt  origin
	nodes    []rawNode
	// nodesWritten is true when the list had entries, valid or not.
	nodesWritten bool
}

// overrides are the blocks written at the top level and, per node, over them.
type overrides struct {
	ssh     rawSSH
	paths   rawPaths
	service rawService
	mysql   rawMySQL
}

type rawNode struct {
	path          string
	at            pos
	name, address opt[string]
	overrides
}

type rawSSH struct {
	user                                   opt[string]
	port                                   opt[int]
	identities                             opt[[]opt[string]]
	passphrase, sudoPassword               opt[string] // secret references
	agent                                  opt[bool]
	knownHosts, policy, bastion, sshConfig opt[string]
	connectTimeout, keepalive              opt[time.Duration]
}

type rawPaths struct{ config, dropin, datadir, mysqld opt[string] }

type rawService struct{ start, stop, bootstrap, status opt[string] }

type rawMySQL struct {
	client, user, password, socket opt[string]
	connectTimeout                 opt[time.Duration]
}

type rawTLS struct {
	present                                          bool
	o                                                origin
	ca, serverCert, serverKey, clientCert, clientKey opt[string]
	remoteDir                                        opt[string]
	replication, requireClientSSL                    opt[bool]
}

type rawSST struct {
	present                bool
	o                      origin
	method, user, password opt[string]
}

// passwordWritten is true when a reference was written, even one that was
// rejected or failed to resolve (those are reported on their own).
func (s rawSST) passwordWritten() bool {
	return s.password.bad || (s.password.set && s.password.v != "")
}

type rawTimeouts struct{ command, stop, start opt[time.Duration] }

func (d *decoder) inventory(root *yaml.Node) rawInventory {
	b := d.block(root, "", pos{1, 1}, topKeys, nestedHints(true))
	var inv rawInventory
	inv.cluster = d.str(b, "cluster")
	inv.flavor = d.enum(b, "flavor", flavorNames, true)
	inv.playbook = d.str(b, "playbook")
	inv.concurrency = d.integer(b, "concurrency", 1, 1000)
	inv.overrides = d.overrides(b)
	inv.tls = d.tls(b)
	inv.sst = d.sst(b)
	inv.timeouts = d.timeouts(b)
	inv.nodesAt, inv.nodes, inv.nodesWritten = d.nodes(b)
	return inv
}

func (d *decoder) overrides(parent block) overrides {
	sub := func(key string, keys []string) block {
		return d.block(parent.vals[key], join(parent.path, key), parent.origin(key).at, keys, nil)
	}
	return overrides{
		ssh:     d.ssh(sub("ssh", sshKeys)),
		paths:   d.paths(sub("paths", pathsKeys)),
		service: d.service(sub("service", serviceKeys)),
		mysql:   d.mysql(sub("mysql", mysqlKeys)),
	}
}

func (d *decoder) nodes(top block) (origin, []rawNode, bool) {
	o := top.origin("nodes")
	n, _, ok := d.value(top, "nodes")
	if !ok || isNull(n) {
		return o, nil, false
	}
	if n.Kind != yaml.SequenceNode {
		d.rep.errorf(o, "must be a list of nodes, got %s", describe(n))
		return o, nil, true
	}
	var out []rawNode
	for i, item := range n.Content {
		path := fmt.Sprintf("nodes[%d]", i)
		b := d.block(item, path, posOf(item), nodeKeys, nestedHints(false))
		if !b.present {
			if it := d.deref(item); it != nil && isNull(it) {
				d.rep.errorf(origin{field: path, at: posOf(item)}, "empty node entry")
			}
			continue
		}
		out = append(out, rawNode{
			path:      path,
			at:        b.at,
			name:      d.str(b, "name"),
			address:   d.str(b, "address"),
			overrides: d.overrides(b),
		})
	}
	return o, out, len(n.Content) > 0
}

func (d *decoder) ssh(b block) rawSSH {
	var s rawSSH
	s.user = d.str(b, "user")
	s.port = d.integer(b, "port", 1, 65535)
	one, list := d.str(b, "identity"), d.strList(b, "identities")
	switch {
	case one.set && list.set:
		d.rep.errorf(list.o, "set either identity or identities, not both")
	case one.set:
		s.identities = opt[[]opt[string]]{set: true, o: one.o}
		if one.v != "" {
			s.identities.v = []opt[string]{one}
		}
	case list.set:
		s.identities = list
	}
	s.passphrase = d.secretRef(b, "identity_passphrase")
	s.agent = d.boolean(b, "agent")
	s.knownHosts = d.str(b, "known_hosts")
	s.policy = d.enum(b, "host_key_policy", hostKeyPolicies, false)
	s.bastion = d.str(b, "bastion")
	s.sshConfig = d.str(b, "ssh_config")
	s.sudoPassword = d.secretRef(b, "sudo_password")
	s.connectTimeout = d.duration(b, "connect_timeout")
	s.keepalive = d.duration(b, "keepalive")
	return s
}

func (d *decoder) paths(b block) rawPaths {
	return rawPaths{config: d.str(b, "config"), dropin: d.str(b, "dropin"), datadir: d.str(b, "datadir"), mysqld: d.str(b, "mysqld")}
}

func (d *decoder) service(b block) rawService {
	return rawService{start: d.str(b, "start"), stop: d.str(b, "stop"), bootstrap: d.str(b, "bootstrap"), status: d.str(b, "status")}
}

func (d *decoder) mysql(b block) rawMySQL {
	return rawMySQL{
		client:         d.str(b, "client"),
		user:           d.str(b, "user"),
		password:       d.secretRef(b, "password"),
		socket:         d.str(b, "socket"),
		connectTimeout: d.duration(b, "connect_timeout"),
	}
}

func (d *decoder) tls(top block) rawTLS {
	b := d.block(top.vals["tls"], "tls", top.origin("tls").at, tlsKeys, nil)
	return rawTLS{
		present:          b.present,
		o:                origin{field: "tls", at: b.at},
		ca:               d.str(b, "ca"),
		serverCert:       d.str(b, "server_cert"),
		serverKey:        d.str(b, "server_key"),
		clientCert:       d.str(b, "client_cert"),
		clientKey:        d.str(b, "client_key"),
		remoteDir:        d.str(b, "remote_dir"),
		replication:      d.boolean(b, "replication"),
		requireClientSSL: d.boolean(b, "require_client_ssl"),
	}
}

func (d *decoder) sst(top block) rawSST {
	b := d.block(top.vals["sst"], "sst", top.origin("sst").at, sstKeys, nil)
	if _, ok := b.vals["method"]; b.present && !ok {
		d.rep.errorf(b.origin("method"), "is required: one of %s", strings.Join(sstMethods, ", "))
	}
	return rawSST{
		present:  b.present,
		o:        origin{field: "sst", at: b.at},
		method:   d.enum(b, "method", sstMethods, false),
		user:     d.str(b, "user"),
		password: d.secretRef(b, "password"),
	}
}

func (d *decoder) timeouts(top block) rawTimeouts {
	b := d.block(top.vals["timeouts"], "timeouts", top.origin("timeouts").at, timeoutKeys, nil)
	return rawTimeouts{command: d.duration(b, "command"), stop: d.duration(b, "stop"), start: d.duration(b, "start")}
}

// merge lays a node's overrides over the top-level blocks, field by field.
func (n overrides) merge(top overrides) overrides {
	s, t := n.ssh, top.ssh
	return overrides{
		ssh: rawSSH{
			user: s.user.or(t.user), port: s.port.or(t.port), identities: s.identities.or(t.identities),
			passphrase: s.passphrase.or(t.passphrase), sudoPassword: s.sudoPassword.or(t.sudoPassword),
			agent: s.agent.or(t.agent), knownHosts: s.knownHosts.or(t.knownHosts), policy: s.policy.or(t.policy),
			bastion: s.bastion.or(t.bastion), sshConfig: s.sshConfig.or(t.sshConfig),
			connectTimeout: s.connectTimeout.or(t.connectTimeout), keepalive: s.keepalive.or(t.keepalive),
		},
		paths: rawPaths{
			config: n.paths.config.or(top.paths.config), dropin: n.paths.dropin.or(top.paths.dropin),
			datadir: n.paths.datadir.or(top.paths.datadir), mysqld: n.paths.mysqld.or(top.paths.mysqld),
		},
		service: rawService{
			start: n.service.start.or(top.service.start), stop: n.service.stop.or(top.service.stop),
			bootstrap: n.service.bootstrap.or(top.service.bootstrap), status: n.service.status.or(top.service.status),
		},
		mysql: rawMySQL{
			client: n.mysql.client.or(top.mysql.client), user: n.mysql.user.or(top.mysql.user),
			password: n.mysql.password.or(top.mysql.password), socket: n.mysql.socket.or(top.mysql.socket),
			connectTimeout: n.mysql.connectTimeout.or(top.mysql.connectTimeout),
		},
	}
}

package inventory

import (
	"slices"
	"strings"
	"testing"
)

// inv builds an inventory from a cluster line, extra top-level YAML (which
// starts on line 2) and a one-node list after it.
func inv(extra string) string {
	return "cluster: c\n" + extra + "nodes:\n  - {name: db1, address: 10.0.0.1}\n"
}

// ruleFiles are the controller files the rule cases may refer to.
func ruleFiles() fakeFiles {
	f := baseFiles()
	for _, p := range []string{"/inv/ca.pem", "/inv/db1-cert.pem", "/inv/db1-key.pem", "/inv/db2-cert.pem",
		"/inv/client.pem", "/inv/client-key.pem", "/home/op/.ssh/id_a", "/inv/pb.yml"} {
		f[p] = fakeFile{data: "x"}
	}
	f["/inv/secrets/pw"] = fakeFile{data: "s3cret\n"}
	f["/inv/secrets/empty"] = fakeFile{data: "\n"}
	f["/inv/secrets/open"] = fakeFile{data: "pw", mode: 0o644}
	f["/inv/certs"] = fakeFile{dir: true}
	return f
}

func TestRules(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// want are the exact rendered problems, in order; nil means valid.
		want []string
	}{
		{"valid minimal", inv(""), nil},
		{"missing cluster", "nodes:\n  - {name: db1, address: h}\n",
			[]string{"inventory.yml:1:1: cluster: is required"}},
		{"bad cluster name", "cluster: prod galera\nnodes: [{name: a, address: h}]\n",
			[]string{`inventory.yml:1:10: cluster: must start with a letter or digit and use only letters, digits, '-', '_', '.' (at most 64), got "prod galera"`}},
		{"bad node name", "cluster: c\nnodes: [{name: ../x, address: h}]\n",
			[]string{`inventory.yml:2:16: nodes[0].name: must start with a letter or digit and use only letters, digits, '-', '_', '.' (at most 64), got "../x"`}},
		{"misspelled top key", inv("flavour: mariadb\n"),
			[]string{`inventory.yml:2:1: flavour: unknown field "flavour" (did you mean "flavor"?)`}},
		{"node key at top", inv("address: h\n"),
			[]string{`inventory.yml:2:1: address: unknown field "address" (node fields go under nodes:)`}},
		{"ssh key at top", inv("port: 22\n"),
			[]string{`inventory.yml:2:1: port: unknown field "port" (did you mean ssh.port?)`}},
		{"key in two blocks", inv("connect_timeout: 1s\n"),
			[]string{`inventory.yml:2:1: connect_timeout: unknown field "connect_timeout" (did you mean mysql.connect_timeout or ssh.connect_timeout?)`}},
		{"top-only key in node", "cluster: c\nnodes:\n  - {name: a, address: h, tls: {}}\n",
			[]string{`inventory.yml:3:27: nodes[0].tls: unknown field "tls" (tls can only be set at the top level)`}},
		{"duplicate key", inv("flavor: mariadb\nflavor: pxc57\n"),
			[]string{`inventory.yml:3:1: flavor: duplicate key "flavor" (first at line 2)`}},
		{"merge key", "cluster: c\nx: &d {port: 22}\nnodes:\n  - name: a\n    address: h\n    ssh:\n      <<: *d\n",
			[]string{`inventory.yml:2:1: x: unknown field "x"`,
				`inventory.yml:7:7: nodes[0].ssh: merge keys (<<) are not supported: put shared settings in the top-level ssh, paths, service and mysql blocks`}},
		{"aliases are followed", "cluster: c\nnodes:\n  - &n {name: a, address: h}\n  - {name: b, address: h2, ssh: {port: 2}}\n", nil},
		{"bad flavor", inv("flavor: maria\n"),
			[]string{`inventory.yml:2:9: flavor: must be one of mariadb, pxc57, pxc80, mysql-wsrep (or leave it out), got "maria"`}},
		{"concurrency range", inv("concurrency: 0\n"),
			[]string{`inventory.yml:2:14: concurrency: must be 1..1000, got 0`}},
		{"concurrency type", inv("concurrency: ten\n"),
			[]string{`inventory.yml:2:14: concurrency: must be an integer, got string "ten"`}},
		{"no nodes key", "cluster: c\n", []string{"inventory.yml:1:1: nodes: at least one node is required"}},
		{"empty nodes", "cluster: c\nnodes: []\n", []string{"inventory.yml:2:8: nodes: at least one node is required"}},
		{"nodes not a list", "cluster: c\nnodes: {name: a}\n",
			[]string{"inventory.yml:2:8: nodes: must be a list of nodes, got a mapping"}},
		{"node not a mapping", "cluster: c\nnodes: [db1]\n",
			[]string{`inventory.yml:2:9: nodes[0]: must be a mapping of fields, got string "db1"`}},
		{"node missing fields", "cluster: c\nnodes:\n  - ssh: {port: 22}\n",
			[]string{"inventory.yml:3:5: nodes[0].name: is required", "inventory.yml:3:5: nodes[0].address: is required (host name or IP address)"}},
		{"misspelled node key", "cluster: c\nnodes:\n  - name: a\n    adress: h\n",
			[]string{"inventory.yml:3:5: nodes[0].address: is required (host name or IP address)",
				`inventory.yml:4:5: nodes[0].adress: unknown field "adress" (did you mean "address"?)`}},
		{"address with user", "cluster: c\nnodes: [{name: a, address: root@h}]\n",
			[]string{"inventory.yml:2:28: nodes[0].address: must not contain a user: set ssh.user instead"}},
		{"address with port", "cluster: c\nnodes: [{name: a, address: 'h:22'}]\n",
			[]string{`inventory.yml:2:28: nodes[0].address: "h:22" is neither an IP address nor a host name (the port goes in ssh.port)`}},
		{"ipv6 address", "cluster: c\nnodes: [{name: a, address: 'fd00::1'}]\n", nil},
		{"duplicate node name", "cluster: c\nnodes:\n  - {name: a, address: h1}\n  - {name: a, address: h2}\n",
			[]string{`inventory.yml:4:12: nodes[1].name: duplicate node name "a" (first at line 3)`}},
		{"duplicate endpoint", "cluster: c\nnodes:\n  - {name: a, address: H1}\n  - {name: b, address: h1}\n",
			[]string{`inventory.yml:4:24: nodes[1].address: h1 port 22 is already node a's (line 3)`}},
		{"same address other port", "cluster: c\nnodes:\n  - {name: a, address: h1}\n  - {name: b, address: h1, ssh: {port: 2222}}\n", nil},
		{"ssh port range", "cluster: c\nnodes:\n  - {name: a, address: h, ssh: {port: 70000}}\n",
			[]string{"inventory.yml:3:39: nodes[0].ssh.port: must be 1..65535, got 70000"}},
		{"ssh port type", inv("ssh: {port: '22'}\n"),
			[]string{`inventory.yml:2:13: ssh.port: must be an integer, got string "22"`}},
		{"ssh block type", inv("ssh: root\n"),
			[]string{`inventory.yml:2:6: ssh: must be a mapping of fields, got string "root"`}},
		{"identity and identities", inv("ssh: {identity: ~/.ssh/id_a, identities: [~/.ssh/id_a]}\n"),
			[]string{"inventory.yml:2:42: ssh.identities: set either identity or identities, not both"}},
		{"identity missing", inv("ssh:\n  identities: [~/.ssh/id_a, keys/id_b]\n"),
			[]string{"inventory.yml:3:29: ssh.identities[1]: file not found: /inv/keys/id_b"}},
		{"identity is a folder", inv("ssh: {identity: certs}\n"),
			[]string{"inventory.yml:2:17: ssh.identity: /inv/certs is a folder, not a file"}},
		{"tilde user", inv("ssh: {identity: ~bob/id}\n"),
			[]string{"inventory.yml:2:17: ssh.identity: ~user is not supported: write the full path"}},
		{"bad policy", inv("ssh: {host_key_policy: yolo}\n"),
			[]string{`inventory.yml:2:24: ssh.host_key_policy: must be one of strict, accept-new, insecure-ignore, got "yolo"`}},
		{"bad bastion", inv("ssh: {bastion: 'ops@b1, @b2'}\n"),
			[]string{`inventory.yml:2:16: ssh.bastion: bastion hop 2: bad user in "@b2" (want [user@]host[:port])`}},
		{"bad bastion port", inv("ssh: {bastion: 'b1:99999'}\n"),
			[]string{`inventory.yml:2:16: ssh.bastion: bastion hop 1: port must be 1..65535, got "99999"`}},
		{"ssh_config missing", inv("ssh: {ssh_config: ~/.ssh/other}\n"),
			[]string{"inventory.yml:2:19: ssh.ssh_config: file not found: /home/op/.ssh/other"}},
		{"bad user", inv("ssh: {user: 'ops@h'}\n"),
			[]string{`inventory.yml:2:13: ssh.user: must be a login name (leave it out for the current user), got "ops@h"`}},
		{"duration without unit", inv("ssh: {connect_timeout: 10}\n"),
			[]string{"inventory.yml:2:24: ssh.connect_timeout: must be a duration like 10s, 2m or 1h30m, got integer 10 (a number needs a unit)"}},
		{"bad duration", inv("timeouts:\n  start: soon\n"),
			[]string{`inventory.yml:3:10: timeouts.start: must be a duration like 10s, 2m or 1h30m, got "soon"`}},
		{"negative duration", inv("timeouts: {stop: -1s}\n"),
			[]string{"inventory.yml:2:18: timeouts.stop: must be positive, got -1s"}},
		{"bool as yes", inv("ssh: {agent: yes}\n"),
			[]string{`inventory.yml:2:14: ssh.agent: must be true or false, got string "yes" (write true or false)`}},
		{"relative node path", inv("paths: {config: etc/my.cnf, datadir: ~/data}\n"),
			[]string{`inventory.yml:2:17: paths.config: must be an absolute path on the node, got "etc/my.cnf"`,
				`inventory.yml:2:38: paths.datadir: must be an absolute path on the node, got "~/data"`}},
		{"mysqld relative", inv("paths: {mysqld: bin/mysqld}\n"),
			[]string{`inventory.yml:2:17: paths.mysqld: must be an absolute path on the node, got "bin/mysqld"`}},
		{"mysqld name", inv("paths: {mysqld: mariadbd, dropin: /etc/mysql/conf.d/99-galeraflow.cnf}\n"), nil},
		{"mysql password without user", inv("mysql: {password: env:PW}\n"),
			[]string{"inventory.yml:2:19: mysql.password: only allowed with mysql.user (without a user galeraflow connects as root over the unix socket)"}},
		{"mysql socket relative", inv("mysql: {socket: run/mysqld.sock}\n"),
			[]string{`inventory.yml:2:17: mysql.socket: must be an absolute path on the node, got "run/mysqld.sock"`}},
		{"tls required files", inv("tls: {remote_dir: /etc/ssl/db}\n"),
			[]string{"inventory.yml:2:6: tls.ca: is required (the CA certificate)",
				"inventory.yml:2:6: tls.server_cert: is required (each node's certificate)",
				"inventory.yml:2:6: tls.server_key: is required (each node's private key)"}},
		{"tls client pair", inv("tls: {ca: ca.pem, server_cert: '{node}-cert.pem', server_key: '{node}-key.pem', client_cert: client.pem}\n"),
			[]string{"inventory.yml:2:6: tls.client_key: client_cert and client_key go together: set both or neither"}},
		{"tls placeholder", inv("tls: {ca: ca.pem, server_cert: '{host}-cert.pem', server_key: '{node}-key.pem'}\n"),
			[]string{"inventory.yml:2:32: tls.server_cert: unknown placeholder {host} (only {node} is supported)",
				"inventory.yml:2:32: tls.server_cert: file not found: /inv/{host}-cert.pem"}},
		{"tls remote_dir relative", inv("tls: {ca: ca.pem, server_cert: '{node}-cert.pem', server_key: '{node}-key.pem', remote_dir: ssl}\n"),
			[]string{`inventory.yml:2:93: tls.remote_dir: must be an absolute path on the node, got "ssl"`}},
		{"tls file per node", "cluster: c\ntls:\n  ca: ca.pem\n  server_cert: '{node}-cert.pem'\n  server_key: '{node}-key.pem'\nnodes:\n  - {name: db1, address: h1}\n  - {name: db2, address: h2}\n",
			[]string{"inventory.yml:5:15: tls.server_key: file not found: /inv/db2-key.pem (for node db2)"}},
		{"sst method required", inv("sst: {user: u}\n"),
			[]string{"inventory.yml:2:6: sst.method: is required: one of mysqldump, mariabackup, xtrabackup-v2, rsync"}},
		{"sst bad method", inv("sst: {method: clone}\n"),
			[]string{`inventory.yml:2:15: sst.method: must be one of mysqldump, mariabackup, xtrabackup-v2, rsync, got "clone"`}},
		{"mysqldump needs credentials", inv("sst: {method: mysqldump}\n"),
			[]string{"inventory.yml:2:6: sst.user: is required with method mysqldump (galeraflow creates this user for the SST)",
				"inventory.yml:2:6: sst.password: is required with method mysqldump (env:NAME or file:PATH)"}},
		{"mysqldump ok", inv("sst: {method: mysqldump, user: sst_user, password: file:secrets/pw}\n"), nil},
		{"rsync password without user", inv("sst: {method: rsync, password: env:PW}\n"),
			[]string{"inventory.yml:2:32: sst.password: only allowed with sst.user"}},
		{"mariabackup on pxc", inv("flavor: pxc57\nsst: {method: mariabackup, user: u, password: env:PW}\n"),
			[]string{"inventory.yml:3:15: sst.method: mariabackup is MariaDB's method: pxc57 uses xtrabackup-v2"}},
		{"pxc80 only xtrabackup", inv("flavor: pxc80\nsst: {method: mysqldump, user: u, password: env:PW}\n"),
			[]string{"inventory.yml:3:15: sst.method: PXC 8.0 supports only xtrabackup-v2"}},
		{"xtrabackup on mariadb needs user", inv("flavor: mariadb\nsst: {method: xtrabackup-v2}\n"),
			[]string{"inventory.yml:3:6: sst.user: is required with method xtrabackup-v2 (galeraflow creates this user for the SST)",
				"inventory.yml:3:6: sst.password: is required with method xtrabackup-v2 (env:NAME or file:PATH)"}},
		{"xtrabackup on mariadb allowed", inv("flavor: mariadb\nsst: {method: xtrabackup-v2, user: u, password: env:PW}\n"), nil},
		{"xtrabackup unknown flavor deferred", inv("sst: {method: xtrabackup-v2}\n"), nil},
		{"bad sst user", inv("sst: {method: mariabackup, user: 'a:b', password: env:PW}\n"),
			[]string{`inventory.yml:2:34: sst.user: must be a MySQL user name of at most 32 letters, digits, '_', '.', '-', '$', got "a:b"`}},
		{"inline secret", inv("ssh: {sudo_password: hunter2}\n"),
			[]string{"inventory.yml:2:22: ssh.sudo_password: inline secrets are not allowed: use env:NAME or file:PATH"}},
		{"inline number secret", inv("ssh: {sudo_password: 12345}\n"),
			[]string{"inventory.yml:2:22: ssh.sudo_password: inline secrets are not allowed: use env:NAME or file:PATH"}},
		{"secret mapping", inv("ssh: {sudo_password: {env: PW}}\n"),
			[]string{"inventory.yml:2:22: ssh.sudo_password: must be a secret reference (env:NAME or file:PATH)"}},
		{"bad env name", inv("ssh: {sudo_password: 'env:1PW'}\n"),
			[]string{"inventory.yml:2:22: ssh.sudo_password: env: needs a variable name (letters, digits, _), e.g. env:GALERA_SST_PASSWORD"}},
		{"env unset", inv("ssh: {sudo_password: env:NOPE}\n"),
			[]string{"inventory.yml:2:22: ssh.sudo_password: environment variable NOPE is not set"}},
		{"env empty", inv("ssh: {sudo_password: env:EMPTY}\n"),
			[]string{"inventory.yml:2:22: ssh.sudo_password: environment variable EMPTY is empty"}},
		{"secret file missing", inv("ssh: {identity_passphrase: file:secrets/none}\n"),
			[]string{"inventory.yml:2:28: ssh.identity_passphrase: secret file /inv/secrets/none does not exist"}},
		{"secret file empty", inv("ssh: {identity_passphrase: file:secrets/empty}\n"),
			[]string{"inventory.yml:2:28: ssh.identity_passphrase: secret file /inv/secrets/empty is empty (the secret is its first line)"}},
		{"secret file empty path", inv("ssh: {identity_passphrase: 'file:'}\n"),
			[]string{"inventory.yml:2:28: ssh.identity_passphrase: file: needs a path, e.g. file:secrets/sst.pw"}},
		{"playbook name", inv("playbook: rotate-certs\n"), nil},
		{"playbook file", inv("playbook: pb.yml\n"), nil},
		{"playbook file missing", inv("playbook: playbooks/x.yml\n"),
			[]string{"inventory.yml:2:11: playbook: file not found: /inv/playbooks/x.yml"}},
		{"playbook bad name", inv("playbook: SSL!\n"),
			[]string{`inventory.yml:2:11: playbook: must be a built-in playbook name (lowercase letters, digits, '-') or a path to a .yml file, got "SSL!"`}},
		{"non-string key", inv("1: x\n"),
			[]string{"inventory.yml:2:1: keys must be plain strings, got integer 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problems(t, tt.src, testOptions(ruleFiles(), env("PW", "pw", "EMPTY", "")))
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems:\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(tt.want, "\n      "))
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		files fakeFiles
		want  []string
	}{
		{"none", inv(""), ruleFiles(), nil},
		{"insecure host keys", "cluster: c\nnodes:\n  - {name: a, address: h, ssh: {host_key_policy: insecure-ignore}}\n", ruleFiles(),
			[]string{"inventory.yml:3:50: nodes[0].ssh.host_key_policy: host keys are not verified (insecure-ignore): anyone on the path can impersonate the nodes"}},
		{"known_hosts missing under strict", inv(""), fakeFiles{},
			[]string{"inventory.yml:1:1: ssh.known_hosts: /home/op/.ssh/known_hosts does not exist: with host_key_policy strict no node can be verified (add their keys with ssh-keyscan, or use accept-new once)"}},
		{"known_hosts missing under accept-new", inv("ssh: {host_key_policy: accept-new}\n"), fakeFiles{}, nil},
		{"open secret file", inv("ssh: {sudo_password: file:secrets/open}\n"), ruleFiles(),
			[]string{"inventory.yml:2:22: ssh.sudo_password: secret file /inv/secrets/open can be read by group or others (mode 0644): chmod 600 it"}},
		{"pxc80 ignores sst credentials", inv("flavor: pxc80\nsst: {method: xtrabackup-v2, user: u, password: env:PW}\n"), ruleFiles(),
			[]string{"inventory.yml:3:36: sst.user: sst.user and sst.password are not used: PXC 8.0 has no wsrep_sst_auth"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.src, testOptions(tt.files, env("PW", "pw")))
			var ws []string
			for _, w := range got.Warnings {
				ws = append(ws, w.String())
			}
			if !slices.Equal(ws, tt.want) {
				t.Errorf("warnings:\n got: %s\nwant: %s", strings.Join(ws, "\n      "), strings.Join(tt.want, "\n      "))
			}
		})
	}
}

// Package inventory loads a galeraflow inventory: a strict YAML file that
// names a Galera cluster, its nodes and how to reach and operate them.
//
// Load and Parse decode the file, apply defaults (top-level blocks are
// merged into every node field by field, then flavor defaults fill what is
// still unset), resolve controller paths and secret references, and
// validate everything in one pass. Every problem found is returned at once
// in a *ValidationError, each with the file, line, column and field path,
// so a user can fix the whole file in one edit. The package knows nothing
// of SSH; it only describes what the playbook and remote layers need.
//
// The schema, with defaults:
//
//	cluster: prod-galera       # required; letters, digits, '-', '_', '.'
//	flavor: mariadb            # mariadb | pxc57 | pxc80 | mysql-wsrep; omitted = detect (see WithFlavor)
//	playbook: ssl              # a built-in playbook name, or a .yml path
//	concurrency: 10            # 1..1000
//	ssh:                       # every node; a node's ssh: overrides field by field
//	  user: <current user>
//	  port: 22
//	  identity: ~/.ssh/id_ed25519   # or identities: [a, b]; default none (agent + ~/.ssh/id_*)
//	  identity_passphrase: env:NAME # secret reference
//	  agent: true
//	  known_hosts: ~/.ssh/known_hosts
//	  host_key_policy: strict       # strict | accept-new | insecure-ignore (a warning)
//	  bastion: ""                   # [user@]host[:port], comma-separated chain
//	  ssh_config: ~/.ssh/config     # when it exists; "none" disables
//	  sudo_password: ""             # secret reference; "" = sudo -n
//	  connect_timeout: 10s
//	  keepalive: 15s
//	paths:                     # on the node, absolute; nodes may override
//	  config: <by flavor>      # /etc/mysql/my.cnf (mariadb), /etc/my.cnf (others)
//	  dropin: ""
//	  datadir: /var/lib/mysql
//	  mysqld: <by flavor>      # mariadbd (mariadb), mysqld (others); a name or absolute path
//	service:                   # shell commands run as root; by flavor; nodes may override
//	  start, stop, bootstrap, status
//	mysql:                     # nodes may override
//	  client: <by flavor>      # mariadb (mariadb), mysql (others)
//	  user: ""                 # "" = root over the unix socket through sudo
//	  password: ""             # secret reference, only with user
//	  socket: ""
//	  connect_timeout: 10s
//	tls:                       # optional; files on this machine, {node} = node name
//	  ca, server_cert, server_key   # required
//	  client_cert, client_key       # optional, together
//	  remote_dir: /etc/mysql/ssl
//	  replication: true
//	  require_client_ssl: false
//	sst:                       # optional
//	  method: mariabackup      # mysqldump | mariabackup | xtrabackup-v2 | rsync (required)
//	  user: sst_user           # required by mysqldump, mariabackup, and xtrabackup-v2 except on pxc80
//	  password: env:NAME       # secret reference, required with user
//	timeouts: {command: 2m, stop: 5m, start: 30m}
//	nodes:                     # required, unique names and address:port
//	  - name: db1
//	    address: 10.0.0.11     # host name or IP; no user or port here
//	    ssh: {port: 2222}      # optional overrides: ssh, paths, service, mysql
//
// Secret references are env:NAME (set and non-empty) or file:PATH (its first
// line); anything else is refused without being echoed. Controller paths
// expand "~/" and are relative to the inventory's folder; node paths must be
// absolute. Field paths in messages use 0-based list indexes (nodes[0]).
package inventory

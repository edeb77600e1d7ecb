package inventory

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaults(t *testing.T) {
	got := mustParse(t, "cluster: c\nflavor: mariadb\nnodes: [{name: db1, address: 10.0.0.1}]\n",
		testOptions(baseFiles(), nil))
	if got.Playbook != "ssl" || got.Concurrency != 10 || got.TLS != nil || got.SST != nil {
		t.Errorf("playbook %q, concurrency %d, tls %v, sst %v", got.Playbook, got.Concurrency, got.TLS, got.SST)
	}
	if want := (Timeouts{Command: 2 * time.Minute, Stop: 5 * time.Minute, Start: 30 * time.Minute}); got.Timeouts != want {
		t.Errorf("timeouts = %+v, want %+v", got.Timeouts, want)
	}
	n := got.Nodes[0]
	wantSSH := SSH{User: "op", Port: 22, Agent: true, KnownHosts: "/home/op/.ssh/known_hosts",
		HostKeyPolicy: "strict", ConnectTimeout: 10 * time.Second, KeepAlive: 15 * time.Second}
	if !equalSSH(n.SSH, wantSSH) {
		t.Errorf("ssh = %+v\nwant %+v", n.SSH, wantSSH)
	}
	if want := (Paths{Config: "/etc/mysql/my.cnf", Datadir: "/var/lib/mysql", Mysqld: "mariadbd"}); n.Paths != want {
		t.Errorf("paths = %+v, want %+v", n.Paths, want)
	}
	if n.MySQL.Client != "mariadb" || n.MySQL.User != "" || !n.MySQL.Password.IsZero() || n.MySQL.ConnectTimeout != 10*time.Second {
		t.Errorf("mysql = %+v", n.MySQL)
	}
	if n.Line != 3 {
		t.Errorf("line = %d, want 3", n.Line)
	}
}

func equalSSH(a, b SSH) bool {
	return a.User == b.User && a.Port == b.Port && slices.Equal(a.Identities, b.Identities) &&
		a.IdentityPassphrase == b.IdentityPassphrase && a.Agent == b.Agent && a.KnownHosts == b.KnownHosts &&
		a.HostKeyPolicy == b.HostKeyPolicy && a.Bastion == b.Bastion && a.SSHConfig == b.SSHConfig &&
		a.SudoPassword == b.SudoPassword && a.ConnectTimeout == b.ConnectTimeout && a.KeepAlive == b.KeepAlive
}

func TestTLSAndSSTDefaults(t *testing.T) {
	files := ruleFiles()
	got := mustParse(t, inv("tls: {ca: ca.pem, server_cert: '{node}-cert.pem', server_key: '{node}-key.pem'}\nsst: {method: rsync}\n"),
		testOptions(files, nil))
	if want := (TLS{RemoteDir: "/etc/mysql/ssl", Replication: true}); *got.TLS != want {
		t.Errorf("tls = %+v, want %+v", *got.TLS, want)
	}
	if got.SST.Method != "rsync" || got.SST.User != "" {
		t.Errorf("sst = %+v", got.SST)
	}
}

func TestOverrides(t *testing.T) {
	src := `cluster: c
flavor: mariadb
ssh:
  user: deploy
  port: 2200
  identity: ~/.ssh/id_a
  bastion: ops@b1
  sudo_password: env:SUDO
  agent: false
paths: {datadir: /data/mysql, dropin: /etc/mysql/conf.d/99-galeraflow.cnf}
service: {stop: /usr/local/sbin/stop-db}
mysql: {user: admin, password: env:ADMIN}
nodes:
  - {name: n1, address: h1}
  - name: n2
    address: h2
    ssh: {port: 22, bastion: "", user: root, identities: []}
  - name: n3
    address: h3
    ssh: {sudo_password: "", keepalive: 1m}
    paths: {config: /etc/my.cnf, datadir: /srv/db}
    service: {start: /usr/local/sbin/start-db, stop: ""}
    mysql: {client: /opt/mariadb/bin/mariadb, user: "", password: ""}
`
	files := ruleFiles()
	got := mustParse(t, src, testOptions(files, env("SUDO", "sudo-pw", "ADMIN", "admin-pw")))
	n1, n2, n3 := got.Nodes[0], got.Nodes[1], got.Nodes[2]

	// n1 inherits every top-level field.
	if n1.SSH.User != "deploy" || n1.SSH.Port != 2200 || !slices.Equal(n1.SSH.Identities, []string{"/home/op/.ssh/id_a"}) ||
		n1.SSH.Bastion != "ops@b1" || n1.SSH.SudoPassword.Reveal() != "sudo-pw" || n1.SSH.Agent {
		t.Errorf("n1 ssh = %+v", n1.SSH)
	}
	if want := (Paths{Config: "/etc/mysql/my.cnf", Dropin: "/etc/mysql/conf.d/99-galeraflow.cnf", Datadir: "/data/mysql", Mysqld: "mariadbd"}); n1.Paths != want {
		t.Errorf("n1 paths = %+v, want %+v", n1.Paths, want)
	}
	if want := (Service{Start: "systemctl start mariadb", Stop: "/usr/local/sbin/stop-db", Bootstrap: "galera_new_cluster", Status: "systemctl is-active mariadb"}); n1.Service != want {
		t.Errorf("n1 service = %+v, want %+v", n1.Service, want)
	}
	if n1.MySQL.User != "admin" || n1.MySQL.Password.Reveal() != "admin-pw" {
		t.Errorf("n1 mysql = %+v", n1.MySQL)
	}

	// n2 overrides some ssh fields, with "" and [] meaning "none", and keeps the rest.
	if n2.SSH.User != "root" || n2.SSH.Port != 22 || n2.SSH.Identities != nil || n2.SSH.Bastion != "" ||
		n2.SSH.SudoPassword.Reveal() != "sudo-pw" || n2.SSH.Agent {
		t.Errorf("n2 ssh = %+v", n2.SSH)
	}

	// n3 overrides secrets, durations, paths, service and mysql field by field;
	// "" for a flavor-dependent field means the flavor's default.
	if !n3.SSH.SudoPassword.IsZero() || n3.SSH.KeepAlive != time.Minute || n3.SSH.Port != 2200 {
		t.Errorf("n3 ssh = %+v", n3.SSH)
	}
	if want := (Paths{Config: "/etc/my.cnf", Dropin: "/etc/mysql/conf.d/99-galeraflow.cnf", Datadir: "/srv/db", Mysqld: "mariadbd"}); n3.Paths != want {
		t.Errorf("n3 paths = %+v, want %+v", n3.Paths, want)
	}
	if want := (Service{Start: "/usr/local/sbin/start-db", Stop: "systemctl stop mariadb", Bootstrap: "galera_new_cluster", Status: "systemctl is-active mariadb"}); n3.Service != want {
		t.Errorf("n3 service = %+v, want %+v", n3.Service, want)
	}
	if n3.MySQL.Client != "/opt/mariadb/bin/mariadb" || n3.MySQL.User != "" || !n3.MySQL.Password.IsZero() {
		t.Errorf("n3 mysql = %+v", n3.MySQL)
	}
}

func TestOverrideErrorsPointAtTheirLine(t *testing.T) {
	// A password inherited without the user it needs is reported where it was written.
	src := "cluster: c\nmysql: {password: env:ADMIN}\nnodes:\n  - {name: a, address: h, mysql: {user: admin}}\n  - {name: b, address: h2}\n"
	got := problems(t, src, testOptions(ruleFiles(), env("ADMIN", "x")))
	want := []string{"inventory.yml:2:19: mysql.password: only allowed with mysql.user (without a user galeraflow connects as root over the unix socket)"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestFlavorDefaults(t *testing.T) {
	tests := []struct {
		flavor  Flavor
		paths   Paths
		service Service
		client  string
	}{
		{FlavorMariaDB, Paths{Config: "/etc/mysql/my.cnf", Datadir: "/var/lib/mysql", Mysqld: "mariadbd"},
			Service{"systemctl start mariadb", "systemctl stop mariadb", "galera_new_cluster", "systemctl is-active mariadb"}, "mariadb"},
		{FlavorPXC57, Paths{Config: "/etc/my.cnf", Datadir: "/var/lib/mysql", Mysqld: "mysqld"},
			Service{"systemctl start mysql", "systemctl stop mysql", "systemctl start mysql@bootstrap.service", "systemctl is-active mysql"}, "mysql"},
		{FlavorPXC80, Paths{Config: "/etc/my.cnf", Datadir: "/var/lib/mysql", Mysqld: "mysqld"},
			Service{"systemctl start mysql", "systemctl stop mysql", "systemctl start mysql@bootstrap.service", "systemctl is-active mysql"}, "mysql"},
		{FlavorMySQLWsrep, Paths{Config: "/etc/my.cnf", Datadir: "/var/lib/mysql", Mysqld: "mysqld"},
			Service{"systemctl start mysql", "systemctl stop mysql", "mysqld_bootstrap", "systemctl is-active mysql"}, "mysql"},
		{FlavorUnknown, Paths{Datadir: "/var/lib/mysql"}, Service{}, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.flavor), func(t *testing.T) {
			src := "cluster: c\nflavor: '" + string(tt.flavor) + "'\nnodes: [{name: a, address: h}]\n"
			n := mustParse(t, src, testOptions(baseFiles(), nil)).Nodes[0]
			if n.Paths != tt.paths || n.Service != tt.service || n.MySQL.Client != tt.client {
				t.Errorf("got %+v %+v %q\nwant %+v %+v %q", n.Paths, n.Service, n.MySQL.Client, tt.paths, tt.service, tt.client)
			}
		})
	}
}

func TestWithFlavor(t *testing.T) {
	src := `cluster: c
tls: {ca: ca.pem, server_cert: '{node}-cert.pem', server_key: '{node}-key.pem'}
nodes:
  - {name: db1, address: h1, ssh: {identity: ~/.ssh/id_a}}
  - {name: db2, address: h2, service: {bootstrap: /usr/local/sbin/lab-bootstrap}, paths: {config: /etc/mysql/custom.cnf}}
`
	files := ruleFiles()
	files["/inv/db2-key.pem"] = fakeFile{data: "x"}
	orig := mustParse(t, src, testOptions(files, nil))
	if orig.Flavor != FlavorUnknown || orig.Nodes[0].Service.Start != "" {
		t.Fatalf("before detection: flavor %q, start %q", orig.Flavor, orig.Nodes[0].Service.Start)
	}
	pxc := orig.WithFlavor(FlavorPXC57)
	if pxc.Flavor != FlavorPXC57 || pxc.Nodes[0].Service.Bootstrap != "systemctl start mysql@bootstrap.service" ||
		pxc.Nodes[0].Paths.Config != "/etc/my.cnf" || pxc.Nodes[0].MySQL.Client != "mysql" {
		t.Errorf("pxc57 node 0 = %+v %+v", pxc.Nodes[0].Paths, pxc.Nodes[0].Service)
	}
	if n := pxc.Nodes[1]; n.Service.Bootstrap != "/usr/local/sbin/lab-bootstrap" || n.Paths.Config != "/etc/mysql/custom.cnf" || n.Service.Stop != "systemctl stop mysql" {
		t.Errorf("explicit fields lost: %+v %+v", n.Paths, n.Service)
	}
	// Applying another flavor later still keeps the explicit fields and
	// replaces the defaults of the previous one.
	maria := pxc.WithFlavor(FlavorMariaDB)
	if n := maria.Nodes[1]; n.Service.Bootstrap != "/usr/local/sbin/lab-bootstrap" || n.Service.Stop != "systemctl stop mariadb" || n.Paths.Mysqld != "mariadbd" {
		t.Errorf("mariadb node 1 = %+v %+v", n.Paths, n.Service)
	}
	// The receiver is untouched, including shared slices.
	pxc.Nodes[0].SSH.Identities[0] = "changed"
	pxc.TLS.RemoteDir = "/changed"
	if orig.Flavor != FlavorUnknown || orig.Nodes[0].Service.Start != "" || orig.Nodes[0].SSH.Identities[0] != "/home/op/.ssh/id_a" || orig.TLS.RemoteDir != "/etc/mysql/ssl" {
		t.Errorf("WithFlavor modified its receiver: %+v", orig.Nodes[0])
	}
}

func TestCheckFlavor(t *testing.T) {
	src := inv("sst: {method: xtrabackup-v2}\n")
	unknown := mustParse(t, src, testOptions(ruleFiles(), nil))
	if err := unknown.CheckFlavor(); err != nil {
		t.Errorf("unknown flavor: %v", err)
	}
	if err := unknown.WithFlavor(FlavorPXC80).CheckFlavor(); err != nil {
		t.Errorf("pxc80 needs no sst user: %v", err)
	}
	err := unknown.WithFlavor(FlavorPXC57).CheckFlavor()
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "inventory.yml:2:6: sst.user: is required with method xtrabackup-v2") {
		t.Errorf("pxc57 without sst.user: %v", err)
	}
	mb := mustParse(t, inv("sst: {method: mariabackup, user: u, password: env:PW}\n"), testOptions(ruleFiles(), env("PW", "x")))
	if err := mb.WithFlavor(FlavorMariaDB).CheckFlavor(); err != nil {
		t.Errorf("mariabackup on mariadb: %v", err)
	}
	if err := mb.WithFlavor(FlavorMySQLWsrep).CheckFlavor(); err == nil || !strings.Contains(err.Error(), "mariabackup is MariaDB's method: mysql-wsrep uses xtrabackup-v2") {
		t.Errorf("mariabackup on mysql-wsrep: %v", err)
	}
}

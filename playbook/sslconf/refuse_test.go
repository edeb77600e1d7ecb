package sslconf

import (
	"errors"
	"strings"
	"testing"
)

// Every refusal names the field to change and says why.
func TestRefusals(t *testing.T) {
	maria := func(method string) Input { return baseInput(FlavorMariaDB, versions[FlavorMariaDB], method) }
	with := func(in Input, edit func(*Input)) Input {
		if edit != nil {
			edit(&in)
		}
		return in
	}
	cases := []struct {
		name  string
		in    Input
		field string
		says  string
	}{
		{"no flavor", with(maria("mysqldump"), func(in *Input) { in.Flavor = "" }), "flavor", "is required"},
		{"unknown flavor", with(maria("mysqldump"), func(in *Input) { in.Flavor = "percona" }), "flavor", `unknown flavor "percona"`},
		{"mariadb flavor, mysql version", with(maria("mysqldump"), func(in *Input) { in.ServerVersion = "8.0.36-28.1" }), "flavor", "server reports 8.0.36-28.1"},
		{"pxc57 flavor, 8.0 server", with(baseInput(FlavorPXC57, "8.0.36-28.1", "xtrabackup-v2"), nil), "flavor", "expects 5.7.x"},
		{"pxc80 flavor, 5.7 server", with(baseInput(FlavorPXC80, "5.7.44-31.65", "xtrabackup-v2"), nil), "flavor", "expects 8.x"},
		{"mariadb 5.5", with(maria("mysqldump"), func(in *Input) { in.ServerVersion = "5.5.68-MariaDB" }), "flavor", "MariaDB 10.1 or later"},
		{"no method", maria(""), "sst.method", "is required"},
		{"unknown method", maria("clone"), "sst.method", `unknown method "clone"`},
		{"xtrabackup v1", maria("xtrabackup"), "sst.method", "xtrabackup (v1)"},
		{"rsync mariadb", maria("rsync"), "sst.method", "stunnel"},
		{"rsync pxc80", baseInput(FlavorPXC80, "", "rsync"), "sst.method", "use xtrabackup-v2"},
		{"rsync_wan", maria("rsync_wan"), "sst.method", "clear text"},
		{"mysqldump pxc80", baseInput(FlavorPXC80, "", "mysqldump"), "sst.method", "wsrep_sst_auth and the mysqldump SST were removed in PXC 8.0"},
		{"mariabackup pxc80", baseInput(FlavorPXC80, "", "mariabackup"), "sst.method", "only xtrabackup-v2"},
		{"mariabackup pxc57", baseInput(FlavorPXC57, "", "mariabackup"), "sst.method", "MariaDB's tool"},
		{"mariabackup mysql-wsrep", baseInput(FlavorMySQLWsrep, "", "mariabackup"), "sst.method", "MariaDB's tool"},
		{"mariabackup on old mariadb", with(maria("mariabackup"), func(in *Input) { in.ServerVersion = "10.2.9-MariaDB" }), "sst.method", "10.1.26 or 10.2.10"},
		{"mariabackup on 10.1.25", with(maria("mariabackup"), func(in *Input) { in.ServerVersion = "10.1.25-MariaDB" }), "sst.method", "10.1.26"},
		{"xtrabackup-v2 on pxc 5.7.15", baseInput(FlavorPXC57, "5.7.15-27.18", "xtrabackup-v2"), "sst.method", "encrypt=4 came in 5.7.16"},
		{"no CA", with(maria("mysqldump"), func(in *Input) { in.Files.CA = "" }), "tls.ca", "is required"},
		{"no server cert", with(maria("mysqldump"), func(in *Input) { in.Files.ServerCert = "" }), "tls.server_cert", "is required"},
		{"no server key", with(maria("mysqldump"), func(in *Input) { in.Files.ServerKey = "" }), "tls.server_key", "is required"},
		{"relative CA", with(maria("mysqldump"), func(in *Input) { in.Files.CA = "ssl/ca.pem" }), "tls.ca", "absolute path"},
		{"space in path", with(maria("mariabackup"), func(in *Input) { in.Files.ServerCert = "/etc/my ssl/cert.pem" }), "tls.server_cert", "' '"},
		{"semicolon in path", with(maria("mariabackup"), func(in *Input) { in.Files.ServerKey = "/etc/ssl/a;b.pem" }), "tls.server_key", "';'"},
		{"quote in path", with(maria("mariabackup"), func(in *Input) { in.Files.CA = "/etc/ssl/o'ca.pem" }), "tls.ca", `'\''`},
		{"comma in path", with(maria("mariabackup"), func(in *Input) { in.Files.CA = "/etc/ssl/a,b.pem" }), "tls.ca", "','"},
		{"directory as CA", with(maria("mariabackup"), func(in *Input) { in.Files.CA = "/etc/ssl/" }), "tls.ca", "directory"},
		{"client cert without key", with(maria("mysqldump"), func(in *Input) { in.Files.ClientCert = "/etc/ssl/c.pem" }), "tls.client_key", "with tls.client_cert"},
		{"client key without cert", with(maria("mysqldump"), func(in *Input) { in.Files.ClientKey = "/etc/ssl/c.pem" }), "tls.client_cert", "with tls.client_key"},
		{"relative client cert", with(maria("mysqldump"), func(in *Input) {
			in.Files.ClientCert, in.Files.ClientKey = "c.pem", "/etc/ssl/k.pem"
		}), "tls.client_cert", "absolute"},
		{"mysqldump without user", with(maria("mysqldump"), func(in *Input) { in.SSTUser = "" }), "sst.user", "is required with method mysqldump"},
		{"mariabackup without password", with(maria("mariabackup"), func(in *Input) { in.SSTPassword = "" }), "sst.password", "is required with method mariabackup"},
		{"pxc57 xtrabackup without user", with(baseInput(FlavorPXC57, "", "xtrabackup-v2"), func(in *Input) { in.SSTUser = "" }), "sst.user", "is required"},
		{"colon in user", with(maria("mysqldump"), func(in *Input) { in.SSTUser = "a:b" }), "sst.user", "':'"},
		{"dollar in user", with(maria("mysqldump"), func(in *Input) { in.SSTUser = "a$b" }), "sst.user", "'$'"},
		{"long user", with(maria("mysqldump"), func(in *Input) { in.SSTUser = strings.Repeat("u", 33) }), "sst.user", "32"},
		{"NUL in password", with(maria("mysqldump"), func(in *Input) { in.SSTPassword = "a\x00b" }), "sst.password", "NUL"},
		{"invalid UTF-8 password", with(maria("mysqldump"), func(in *Input) { in.SSTPassword = "\xff" }), "sst.password", "UTF-8"},
		{"require ssl, unknown mariadb", with(maria("mysqldump"), func(in *Input) { in.ServerVersion, in.RequireClientSSL = "", true }), "tls.require_client_ssl", "needs the server version"},
		{"require ssl, mariadb 10.5.1", with(maria("mysqldump"), func(in *Input) { in.ServerVersion, in.RequireClientSSL = "10.5.1-MariaDB", true }), "tls.require_client_ssl", "added in 10.5.2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Settings(c.in)
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("Settings = %v, %v; want a *Error on %s", r, err, c.field)
			}
			if fe.Field != c.field {
				t.Errorf("field = %q, want %q (%v)", fe.Field, c.field, err)
			}
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("error %q does not say %q", err, c.says)
			}
			if !strings.HasPrefix(err.Error(), c.field+": ") {
				t.Errorf("error %q does not start with the field", err)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Errorf("error exposes the password: %q", err)
			}
		})
	}
}

// Edge cases that must pass, next to the refusals they resemble.
func TestAccepted(t *testing.T) {
	cases := []struct {
		name string
		in   Input
	}{
		{"require ssl on mariadb 10.5.2", func() Input {
			in := baseInput(FlavorMariaDB, "10.5.2-MariaDB", "mariabackup")
			in.RequireClientSSL = true
			return in
		}()},
		{"require ssl on pxc57 with unknown version", func() Input {
			in := baseInput(FlavorPXC57, "", "xtrabackup-v2")
			in.RequireClientSSL = true
			return in
		}()},
		{"pxc80 needs no sst user", func() Input {
			in := baseInput(FlavorPXC80, "", "xtrabackup-v2")
			in.SSTUser, in.SSTPassword = "", ""
			return in
		}()},
		{"method case and spaces", baseInput(FlavorMariaDB, "", " MariaBackup ")},
		{"password with every awkward byte", func() Input {
			in := baseInput(FlavorMariaDB, "", "mysqldump")
			in.SSTPassword = "a:b#c;d'e\"f\\g h\n€😀"
			return in
		}()},
		{"pxc 5.7.16 xtrabackup", baseInput(FlavorPXC57, "5.7.16-27.19", "xtrabackup-v2")},
		{"mariabackup on 10.2.10", baseInput(FlavorMariaDB, "10.2.10-MariaDB", "mariabackup")},
		{"path with + and @", func() Input {
			in := baseInput(FlavorMariaDB, "", "mariabackup")
			in.Files.CA = "/etc/mysql/ssl/ca+2026@prod.pem"
			return in
		}()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Settings(c.in); err != nil {
				t.Fatalf("Settings: %v", err)
			}
		})
	}
}

package sslconf

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseVersion(t *testing.T) {
	cases := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"10.11.14-MariaDB-0+deb12u2", "10.11.14", false},
		{"5.5.5-10.4.34-MariaDB-log", "10.4.34", false},
		{"8.0.36-28.1", "8.0.36", false},
		{"5.7.44-31.65-log", "5.7.44", false},
		{"  8.0.35 ", "8.0.35", false},
		{"", "unknown", false},
		{"5.5.5-8.0.1", "5.5.5", false}, // the prefix is MariaDB's only
		{"10.11", "", true},
		{"MariaDB", "", true},
		{"1.2.3.4", "", true},
	}
	for _, c := range cases {
		v, err := parseVersion(c.in)
		if (err != nil) != c.wantErr {
			t.Errorf("parseVersion(%q) error = %v, want error %t", c.in, err, c.wantErr)
			continue
		}
		if err == nil && v.String() != c.want {
			t.Errorf("parseVersion(%q) = %s, want %s", c.in, v, c.want)
		}
	}
}

func TestVersionCompare(t *testing.T) {
	v := version{major: 10, minor: 5, patch: 2, known: true}
	if !v.atLeast(10, 5, 2) || v.atLeast(10, 5, 3) || !v.atLeast(10, 4, 99) || v.atLeast(11, 0, 0) {
		t.Error("atLeast is wrong around 10.5.2")
	}
	if v.below(10, 5, 2) || !v.below(10, 6, 0) {
		t.Error("below is wrong around 10.5.2")
	}
	var unknown version
	if unknown.atLeast(0, 0, 0) || unknown.below(99, 0, 0) {
		t.Error("an unknown version must be neither at least nor below anything")
	}
}

// The method written, per flavor and version, including the remapping.
func TestEffectiveMethod(t *testing.T) {
	cases := []struct {
		flavor           Flavor
		version, method  string
		want             string
		wantNoteContains string
	}{
		{FlavorMariaDB, "10.11.14-MariaDB", "xtrabackup-v2", "mariabackup", "does not exist on MariaDB 10.3"},
		{FlavorMariaDB, "", "xtrabackup-v2", "mariabackup", "does not exist on MariaDB 10.3"},
		{FlavorMariaDB, "10.2.10-MariaDB", "xtrabackup-v2", "mariabackup", "only partly compatible"},
		{FlavorMariaDB, "10.1.26-MariaDB", "xtrabackup-v2", "mariabackup", "only partly compatible"},
		{FlavorMariaDB, "10.1.25-MariaDB", "xtrabackup-v2", "xtrabackup-v2", "no mariabackup yet"},
		{FlavorMariaDB, "10.11.14-MariaDB", "mariabackup", "mariabackup", ""},
		{FlavorMariaDB, "10.11.14-MariaDB", "mysqldump", "mysqldump", ""},
		{FlavorPXC57, "5.7.44-31.65", "xtrabackup-v2", "xtrabackup-v2", ""},
		{FlavorPXC57, "5.7.44-31.65", "mysqldump", "mysqldump", ""},
		{FlavorPXC80, "8.0.36-28.1", "xtrabackup-v2", "xtrabackup-v2", ""},
		{FlavorMySQLWsrep, "8.0.35", "xtrabackup-v2", "xtrabackup-v2", ""},
		{FlavorMySQLWsrep, "5.7.44", "mysqldump", "mysqldump", ""},
	}
	for _, c := range cases {
		in := baseInput(c.flavor, c.version, c.method)
		r, err := Settings(in)
		if err != nil {
			t.Errorf("%s %s %s: %v", c.flavor, c.version, c.method, err)
			continue
		}
		if r.Method != c.want {
			t.Errorf("%s %s %s: method %s, want %s", c.flavor, c.version, c.method, r.Method, c.want)
		}
		if got := valueOf(r, "mysqld", "wsrep_sst_method"); got != c.want {
			t.Errorf("%s %s %s: wsrep_sst_method = %q, want %q", c.flavor, c.version, c.method, got, c.want)
		}
		if c.wantNoteContains != "" && !anyContains(r.Notes, c.wantNoteContains) {
			t.Errorf("%s %s %s: notes %q lack %q", c.flavor, c.version, c.method, r.Notes, c.wantNoteContains)
		}
	}
}

// Which [sst] form each flavor gets, and what it removes.
func TestSSTForm(t *testing.T) {
	maria, _ := Settings(baseInput(FlavorMariaDB, "", "mariabackup"))
	for k, want := range map[string]string{"encrypt": "3", "tca": "/etc/mysql/ssl/ca.pem", "tcert": "/etc/mysql/ssl/db1-cert.pem", "tkey": "/etc/mysql/ssl/db1-key.pem"} {
		if got := valueOf(maria, "sst", k); got != want {
			t.Errorf("mariadb [sst] %s = %q, want %q", k, got, want)
		}
	}
	if !removes(maria, "sst", "ssl-ca") || !removes(maria, "sst", "tcapath") {
		t.Error("mariadb must remove [sst] ssl-ca (ignored) and tcapath (widens trust)")
	}
	for _, f := range []Flavor{FlavorPXC57, FlavorPXC80, FlavorMySQLWsrep} {
		r, err := Settings(baseInput(f, "", "xtrabackup-v2"))
		if err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]string{"encrypt": "4", "ssl-ca": "/etc/mysql/ssl/ca.pem", "ssl-cert": "/etc/mysql/ssl/db1-cert.pem", "ssl-key": "/etc/mysql/ssl/db1-key.pem"} {
			if got := valueOf(r, "sst", k); got != want {
				t.Errorf("%s [sst] %s = %q, want %q", f, k, got, want)
			}
		}
		if !removes(r, "sst", "tca") || !removes(r, "sst", "tcert") || !removes(r, "sst", "tkey") {
			t.Errorf("%s must remove [sst] tca/tcert/tkey", f)
		}
	}
	dump, _ := Settings(baseInput(FlavorMariaDB, "", "mysqldump"))
	for _, s := range dump.Settings {
		if s.Group == "sst" {
			t.Errorf("mysqldump touches [sst]: %v", s)
		}
	}
}

func TestReplication(t *testing.T) {
	for _, c := range []struct {
		flavor  Flavor
		version string
		pxc     bool
	}{
		{FlavorMariaDB, "", false},
		{FlavorMySQLWsrep, "", false},
		{FlavorPXC57, "5.7.15-27.18", false},
		{FlavorPXC57, "5.7.16-27.19", true},
		{FlavorPXC57, "", true},
		{FlavorPXC80, "", true},
	} {
		method := "xtrabackup-v2"
		if c.flavor == FlavorMariaDB || c.version == "5.7.15-27.18" {
			method = "mysqldump"
		}
		in := baseInput(c.flavor, c.version, method)
		off, err := Settings(in)
		if err != nil {
			t.Fatal(err)
		}
		in.Replication = true
		on, err := Settings(in)
		if err != nil {
			t.Fatal(err)
		}
		if len(on.Settings) != len(off.Settings)+1 {
			t.Errorf("%s %s: replication adds %d settings, want 1", c.flavor, c.version, len(on.Settings)-len(off.Settings))
		}
		var merge *Setting
		for i, s := range on.Settings {
			if s.Op == OpMergeProviderOptions {
				merge = &on.Settings[i]
			}
		}
		pxc := valueOf(on, "mysqld", "pxc_encrypt_cluster_traffic") == "ON"
		if pxc != c.pxc || (merge != nil) == c.pxc {
			t.Errorf("%s %s: pxc_encrypt_cluster_traffic %t, provider merge %t; want pxc switch %t", c.flavor, c.version, pxc, merge != nil, c.pxc)
			continue
		}
		if merge != nil {
			want := map[string]string{
				"socket.ssl": "YES", "socket.ssl_ca": "/etc/mysql/ssl/ca.pem",
				"socket.ssl_cert": "/etc/mysql/ssl/db1-cert.pem", "socket.ssl_key": "/etc/mysql/ssl/db1-key.pem",
			}
			if merge.Group != "mysqld" || merge.Key != "wsrep_provider_options" || !reflect.DeepEqual(merge.ProviderOptions, want) {
				t.Errorf("%s: merge = %+v", c.flavor, *merge)
			}
		}
	}
}

func TestClientCertificate(t *testing.T) {
	in := baseInput(FlavorMariaDB, "", "mysqldump")
	r, _ := Settings(in)
	if valueOf(r, "client", "ssl-ca") != in.Files.CA || !removes(r, "client", "ssl-cert") || !removes(r, "client", "ssl-key") {
		t.Errorf("without a client certificate: want ssl-ca set, ssl-cert/ssl-key removed:\n%s", r)
	}
	in.Files.ClientCert, in.Files.ClientKey = "/etc/mysql/ssl/c.pem", "/etc/mysql/ssl/k.pem"
	r, _ = Settings(in)
	if valueOf(r, "client", "ssl-cert") != "/etc/mysql/ssl/c.pem" || valueOf(r, "client", "ssl-key") != "/etc/mysql/ssl/k.pem" || removes(r, "client", "ssl-cert") {
		t.Errorf("with a client certificate:\n%s", r)
	}
}

func TestPXC80RemovesSSTAuth(t *testing.T) {
	r, err := Settings(baseInput(FlavorPXC80, "", "xtrabackup-v2"))
	if err != nil {
		t.Fatal(err)
	}
	if !removes(r, "mysqld", "wsrep_sst_auth") || valueOf(r, "mysqld", "wsrep_sst_auth") != "" {
		t.Errorf("pxc80 must remove wsrep_sst_auth and never set it:\n%s", r)
	}
}

func TestDeterministic(t *testing.T) {
	in := baseInput(FlavorMariaDB, versions[FlavorMariaDB], "mariabackup")
	in.Replication, in.RequireClientSSL = true, true
	a, _ := Settings(in)
	for i := 0; i < 20; i++ {
		b, _ := Settings(in)
		if a.String() != b.String() {
			t.Fatalf("two runs differ:\n%s\n%s", a, b)
		}
	}
}

func valueOf(r Result, group, key string) string {
	for _, s := range r.Settings {
		if s.Op == OpSet && s.Group == group && s.Key == key {
			return s.Value
		}
	}
	return ""
}

func removes(r Result, group, key string) bool {
	for _, s := range r.Settings {
		if s.Op == OpRemove && s.Group == group && s.Key == key {
			return true
		}
	}
	return false
}

func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

package sstuser

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/galeraflow/galeraflow/playbook/galera"
)

func TestBuildRefuses(t *testing.T) {
	ok := Input{Flavor: FlavorMariaDB, ServerVersion: "10.11.14-MariaDB", User: "sst_user", Password: "pw", Method: MethodMariabackup}
	with := func(edit func(*Input)) Input { in := ok; edit(&in); return in }
	cases := []struct {
		name   string
		in     Input
		says   string
		target error
	}{
		{"unknown flavor", with(func(in *Input) { in.Flavor = "galera" }), `flavor: unknown flavor "galera"`, ErrInvalid},
		{"rsync", with(func(in *Input) { in.Method = "rsync" }), "sst.method", ErrInvalid},
		{"empty method", with(func(in *Input) { in.Method = "" }), "sst.method", ErrInvalid},
		{"mysqldump on pxc80", with(func(in *Input) { in.Flavor, in.ServerVersion, in.Method = FlavorPXC80, "", MethodMysqldump }), "only xtrabackup-v2", ErrInvalid},
		{"mariabackup on pxc57", with(func(in *Input) { in.Flavor, in.ServerVersion = FlavorPXC57, "" }), "does not run on pxc57", ErrInvalid},
		{"mysql-wsrep xtrabackup, unknown version", with(func(in *Input) { in.Flavor, in.ServerVersion, in.Method = FlavorMySQLWsrep, "", MethodXtrabackupV2 }), "BACKUP_ADMIN", ErrInvalid},
		{"bad version", with(func(in *Input) { in.ServerVersion = "ten" }), "server version", ErrInvalid},
		{"empty user", with(func(in *Input) { in.User = "" }), "sst.user", galera.ErrInvalidAccount},
		{"newline in user", with(func(in *Input) { in.User = "a\nb" }), "control character", galera.ErrInvalidAccount},
		{"user too long for MySQL", with(func(in *Input) {
			in.Flavor, in.ServerVersion, in.Method, in.User = FlavorPXC57, "", MethodXtrabackupV2, strings.Repeat("u", 33)
		}), "at most 32", galera.ErrInvalidAccount},
		{"space in host", with(func(in *Input) { in.Host = "db 1" }), "space", galera.ErrInvalidAccount},
		{"empty password", with(func(in *Input) { in.Password = "" }), "sst.password", galera.ErrInvalidPassword},
		{"NUL in password", with(func(in *Input) { in.Password = "a\x00b" }), "NUL", galera.ErrInvalidPassword},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Build(c.in, Current{})
			if err == nil {
				t.Fatalf("Build = %v, want an error", p)
			}
			if !strings.Contains(err.Error(), c.says) || !errors.Is(err, ErrInvalid) {
				t.Errorf("error %q: want ErrInvalid saying %q", err, c.says)
			}
			if c.target != ErrInvalid && !strings.Contains(err.Error(), c.target.Error()) {
				t.Errorf("error %q does not carry %q", err, c.target)
			}
		})
	}
}

func TestPXC80HasNothingToDo(t *testing.T) {
	p, err := Build(Input{Flavor: FlavorPXC80, Method: MethodXtrabackupV2}, Current{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Changed || len(p.Statements) != 0 || !strings.Contains(p.Summary, "mysql.pxc.sst.user") {
		t.Errorf("pxc80 plan = %+v", p)
	}
}

// The default host is '%': the mysqldump donor logs in from another node.
func TestDefaultHost(t *testing.T) {
	in := Input{Flavor: FlavorMariaDB, User: "sst", Password: "pw", Method: MethodMysqldump}
	p, _ := Build(in, Current{})
	if !strings.Contains(p.Masked[1], "'sst'@'%'") {
		t.Errorf("default host: %q", p.Masked)
	}
	in.Host = "10.0.0.%"
	p, _ = Build(in, Current{})
	if !strings.Contains(p.Masked[1], "'sst'@'10.0.0.%'") {
		t.Errorf("explicit host: %q", p.Masked)
	}
}

// An inspection that found nothing different plans nothing, and a caller's
// own login check (PasswordMatches) overrides the digest.
func TestPasswordComparison(t *testing.T) {
	in := Input{Flavor: FlavorMariaDB, ServerVersion: "10.11.14-MariaDB", User: "sst", Password: "pw", Method: MethodMariabackup}
	cur := Current{Exists: true, SSLType: "ANY", Plugin: nativePlugin, AuthDigest: digestOf("pw"), Grants: serverGrants(in)}
	if p, _ := Build(in, cur); p.Changed {
		t.Errorf("same password: %v", p)
	}
	cur.AuthDigest = strings.ToUpper(cur.AuthDigest)
	if p, _ := Build(in, cur); p.Changed {
		t.Errorf("digest case must not matter: %v", p)
	}
	cur.PasswordMatches = ptr(false)
	if p, _ := Build(in, cur); !p.Changed || !strings.Contains(p.Masked[1], "IDENTIFIED BY '****'") {
		t.Errorf("caller says the password differs: %v", p)
	}
	cur.PasswordMatches, cur.AuthDigest = nil, ""
	if p, _ := Build(in, cur); !p.Changed {
		t.Errorf("no digest: the password must be set: %v", p)
	}
}

// Hashes of real MariaDB 10.11 accounts (SELECT authentication_string).
func TestNativeHash(t *testing.T) {
	for pw, want := range map[string]string{
		"pw":            "*D821809F681A40A6E379B50D0463EFAE20BDD122",
		"x":             "*B69027D44F6E5EDC07F1AEAD1477967B16F28227",
		"a'b\\c%ü€😀\nd": "*D31274FD7B87ED8992C609B47ABCA6FE5D8C0AA4",
	} {
		if got := nativeHash(pw); got != want {
			t.Errorf("nativeHash(%q) = %s, want %s", pw, got, want)
		}
	}
}

func TestMySQLPluginSwitch(t *testing.T) {
	for _, c := range []struct {
		flavor  Flavor
		version string
		plugin  string
		want    string
	}{
		{FlavorMySQLWsrep, "8.0.35", "auth_socket", "IDENTIFIED WITH caching_sha2_password BY '****'"},
		{FlavorPXC57, "5.7.44-31.65", "auth_socket", "IDENTIFIED WITH mysql_native_password BY '****'"},
		{FlavorMySQLWsrep, "8.0.35", "caching_sha2_password", "ALTER USER 'sst'@'%' IDENTIFIED BY '****'"},
		{FlavorMariaDB, "10.11.14-MariaDB", "unix_socket", "ALTER USER 'sst'@'%' IDENTIFIED BY '****'"},
	} {
		method := MethodXtrabackupV2
		if c.flavor == FlavorMariaDB {
			method = MethodMariabackup
		}
		in := Input{Flavor: c.flavor, ServerVersion: c.version, User: "sst", Password: "pw", Method: method}
		cur := Current{Exists: true, SSLType: "ANY", Plugin: c.plugin, Grants: serverGrants(in)}
		p, err := Build(in, cur)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Masked) != 2 || !strings.Contains(p.Masked[1], c.want) {
			t.Errorf("%s %s: %q, want %q", c.flavor, c.plugin, p.Masked, c.want)
		}
	}
}

func TestPrivilegesFor(t *testing.T) {
	cases := []struct {
		flavor, method, version string
		want                    []string
	}{
		{"mariadb", "mariabackup", "10.11.14-MariaDB", []string{"RELOAD", "PROCESS", "LOCK TABLES", "BINLOG MONITOR"}},
		{"mariadb", "mariabackup", "10.5.2-MariaDB", []string{"RELOAD", "PROCESS", "LOCK TABLES", "BINLOG MONITOR"}},
		{"mariadb", "mariabackup", "10.5.1-MariaDB", []string{"RELOAD", "PROCESS", "LOCK TABLES", "REPLICATION CLIENT"}},
		{"mariadb", "mariabackup", "", []string{"RELOAD", "PROCESS", "LOCK TABLES", "REPLICATION CLIENT"}},
		{"mariadb", "mysqldump", "", []string{"ALL PRIVILEGES"}},
		{"mariadb", "xtrabackup-v2", "10.1.20-MariaDB", []string{"RELOAD", "PROCESS", "LOCK TABLES", "REPLICATION CLIENT"}},
		{"pxc57", "xtrabackup-v2", "5.7.44-31.65", []string{"RELOAD", "PROCESS", "LOCK TABLES", "REPLICATION CLIENT"}},
		{"pxc57", "mysqldump", "", []string{"ALL PRIVILEGES"}},
		{"mysql-wsrep", "xtrabackup-v2", "8.0.35", []string{"RELOAD", "PROCESS", "LOCK TABLES", "REPLICATION CLIENT", "BACKUP_ADMIN"}},
		{"mysql-wsrep", "xtrabackup-v2", "5.7.44", []string{"RELOAD", "PROCESS", "LOCK TABLES", "REPLICATION CLIENT"}},
		{"pxc80", "xtrabackup-v2", "8.0.36-28.1", nil},
		{"pxc80", "mysqldump", "", nil},
		{"pxc57", "mariabackup", "", nil},
		{"mariadb", "rsync", "", nil},
	}
	for _, c := range cases {
		if got := PrivilegesFor(c.flavor, c.method, c.version); !reflect.DeepEqual(got, c.want) {
			t.Errorf("PrivilegesFor(%s, %s, %q) = %q, want %q", c.flavor, c.method, c.version, got, c.want)
		}
	}
}

// REPLICATION CLIENT and BINLOG MONITOR are one privilege on MariaDB only.
func TestNormPriv(t *testing.T) {
	held := newPrivSet(FlavorMariaDB, []string{"replication  client", "lock tables"})
	if m := missing([]string{"BINLOG MONITOR", "LOCK TABLES"}, held, FlavorMariaDB); len(m) != 0 {
		t.Errorf("mariadb: missing %q", m)
	}
	heldMySQL := newPrivSet(FlavorPXC57, []string{"BINLOG MONITOR"})
	if m := missing([]string{"REPLICATION CLIENT"}, heldMySQL, FlavorPXC57); len(m) != 1 {
		t.Errorf("pxc57: REPLICATION CLIENT must not be satisfied by another name: %q", m)
	}
}

func TestHoldsAll(t *testing.T) {
	ref := newPrivSet(FlavorMariaDB, []string{"SELECT", "RELOAD", "GRANT OPTION", "USAGE"})
	for _, c := range []struct {
		held     []string
		ref      privSet
		all, ok  bool
		scenario string
	}{
		{[]string{"SELECT", "RELOAD"}, ref, true, true, "everything the runner has, bar GRANT OPTION"},
		{[]string{"SELECT"}, ref, false, true, "one missing"},
		{[]string{"ALL"}, nil, true, true, "written as ALL"},
		{[]string{"SELECT"}, nil, false, false, "no reference"},
		{nil, newPrivSet(FlavorMariaDB, []string{"USAGE"}), false, false, "reference with nothing real"},
	} {
		all, ok := holdsAll(newPrivSet(FlavorMariaDB, c.held), c.ref)
		if all != c.all || ok != c.ok {
			t.Errorf("%s: holdsAll = %t, %t; want %t, %t", c.scenario, all, ok, c.all, c.ok)
		}
	}
}

func TestSessionPrefix(t *testing.T) {
	for osu, want := range map[string][]string{
		"TOI":   {"SET SESSION wsrep_OSU_method = 'TOI';"},
		" toi ": {"SET SESSION wsrep_OSU_method = 'TOI';"},
		"RSU":   {"SET SESSION wsrep_OSU_method = 'RSU';"},
		"ROI":   nil, // the seed's typo is not a method
		"":      nil,
	} {
		if got := SessionPrefix(osu); !reflect.DeepEqual(got, want) {
			t.Errorf("SessionPrefix(%q) = %q, want %q", osu, got, want)
		}
	}
}

func TestVerifySQL(t *testing.T) {
	if got, want := VerifySQL("sst_user", ""), "SELECT User, Host, ssl_type FROM mysql.user WHERE User = 'sst_user' AND Host = '%';"; got != want {
		t.Errorf("VerifySQL = %q, want %q", got, want)
	}
	if got, want := VerifySQL("o'brien", "10.0.0.%"), "SELECT User, Host, ssl_type FROM mysql.user WHERE User = 'o''brien' AND Host = '10.0.0.%';"; got != want {
		t.Errorf("VerifySQL = %q, want %q", got, want)
	}
	got := VerifySQL(`back\slash`, "%")
	if !strings.HasPrefix(got, galera.SessionSQLMode+"\n") || !strings.Contains(got, `User = 'back\\slash'`) {
		t.Errorf("a backslash needs the sql_mode fix first: %q", got)
	}
}

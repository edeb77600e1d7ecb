package sstuser

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const testPassword = "s3cr'et\\pw"

// digestOf is what InspectSQL's account row reports for a native password.
func digestOf(password string) string {
	d := sha256.Sum256([]byte(nativeHash(password)))
	return hex.EncodeToString(d[:])
}

func ptr(b bool) *bool { return &b }

// serverGrants is how the server lists the privileges Build grants, as
// ParseInspect would return them.
func serverGrants(in Input) []string {
	var g []string
	for _, p := range PrivilegesFor(string(in.Flavor), in.Method, in.ServerVersion) {
		g = append(g, p)
	}
	v, _ := parseVersion(in.ServerVersion)
	for _, t := range tablePrivilegesFor(in.Flavor, in.Method, v) {
		g = append(g, t.String())
	}
	return g
}

// rootPrivileges stands for the reference rows of an account with ALL.
var rootPrivileges = []string{"SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "RELOAD", "SHUTDOWN", "PROCESS", "FILE", "SUPER"}

// scenarios are the states of a node the golden files show.
func scenarios(in Input) []struct {
	title string
	cur   Current
} {
	plugin := nativePlugin
	var matches *bool
	if mysql8(in.Flavor, mustVersion(in.ServerVersion)) {
		// MySQL 8's default plugin salts its hashes: only a login attempt
		// (by the caller) can tell whether the password matches.
		plugin, matches = "caching_sha2_password", ptr(true)
	}
	fine := Current{
		Exists: true, SSLType: "ANY", Plugin: plugin, AuthDigest: digestOf(in.Password),
		PasswordMatches: matches, Grants: serverGrants(in),
	}
	if in.Method == MethodMysqldump {
		// The server lists ALL PRIVILEGES one by one: the same list as the
		// account running galeraflow.
		fine.Grants, fine.Reference = rootPrivileges, rootPrivileges
	}
	noSSL := fine
	noSSL.SSLType = ""
	wrongPassword := fine
	wrongPassword.AuthDigest = digestOf("old password")
	if matches != nil {
		wrongPassword.PasswordMatches = ptr(false)
	}
	unknown := fine
	unknown.PasswordMatches = nil
	fresh := Current{}
	if in.Method == MethodMysqldump {
		fresh.Reference = rootPrivileges
	}
	out := []struct {
		title string
		cur   Current
	}{
		{"fresh user", fresh},
		{"user exists without SSL", noSSL},
		{"user exists, all fine", fine},
		{"password differs", wrongPassword},
	}
	if plugin != nativePlugin {
		out = append(out, struct {
			title string
			cur   Current
		}{"password not comparable (" + plugin + ", no login attempt)", unknown})
	}
	return out
}

func mustVersion(s string) version {
	v, err := parseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

func renderPlan(title string, in Input, cur Current) string {
	var b strings.Builder
	fmt.Fprintf(&b, "=== %s\n", title)
	p, err := Build(in, cur)
	if err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
		return b.String()
	}
	fmt.Fprintf(&b, "summary: %s\nchanged: %t\n", p.Summary, p.Changed)
	b.WriteString("statements:\n")
	for _, s := range p.Statements {
		fmt.Fprintf(&b, "  %s\n", s)
	}
	b.WriteString("masked:\n")
	for _, s := range p.Masked {
		fmt.Fprintf(&b, "  %s\n", s)
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	return b.String()
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

var goldenCases = []struct {
	name    string
	flavor  Flavor
	version string
	method  string
}{
	{"mariadb-mariabackup", FlavorMariaDB, "10.11.14-MariaDB-0+deb12u2", MethodMariabackup},
	{"mariadb-mysqldump", FlavorMariaDB, "10.11.14-MariaDB-0+deb12u2", MethodMysqldump},
	{"mariadb-10.4-mariabackup", FlavorMariaDB, "10.4.34-MariaDB", MethodMariabackup},
	{"mariadb-10.1-mysqldump", FlavorMariaDB, "10.1.48-MariaDB", MethodMysqldump},
	{"pxc57-xtrabackup-v2", FlavorPXC57, "5.7.44-31.65", MethodXtrabackupV2},
	{"pxc57-mysqldump", FlavorPXC57, "5.7.44-31.65", MethodMysqldump},
	{"pxc80-xtrabackup-v2", FlavorPXC80, "8.0.36-28.1", MethodXtrabackupV2},
	{"mysql-wsrep-8.0-xtrabackup-v2", FlavorMySQLWsrep, "8.0.35-26.16", MethodXtrabackupV2},
	{"mysql-wsrep-8.0-mysqldump", FlavorMySQLWsrep, "8.0.35-26.16", MethodMysqldump},
	{"mysql-wsrep-5.7-xtrabackup-v2", FlavorMySQLWsrep, "5.7.44-25.36", MethodXtrabackupV2},
}

func TestGoldenPlans(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			in := Input{Flavor: c.flavor, ServerVersion: c.version, User: "sst_user", Password: testPassword, Method: c.method}
			var b strings.Builder
			fmt.Fprintf(&b, "flavor=%s version=%q method=%s user=%s host=%q\n", in.Flavor, in.ServerVersion, in.Method, in.User, in.Host)
			for _, s := range scenarios(in) {
				b.WriteString(renderPlan(s.title, in, s.cur))
			}
			checkGolden(t, c.name, b.String())
		})
	}
}

// Warnings and kept settings, one file.
func TestGoldenWarnings(t *testing.T) {
	in := Input{Flavor: FlavorMariaDB, ServerVersion: "10.11.14-MariaDB", User: "sst_user", Password: testPassword, Method: MethodMariabackup}
	fine := Current{Exists: true, SSLType: "ANY", Plugin: nativePlugin, AuthDigest: digestOf(testPassword), Grants: serverGrants(in)}
	var b strings.Builder
	anon := fine
	anon.Anonymous = []string{"localhost", "db1"}
	b.WriteString(renderPlan("anonymous ''@'localhost' shadows 'sst_user'@'%' for the local mariabackup login", in, anon))
	more := fine
	more.Grants = append(append([]string(nil), fine.Grants...), "SUPER", "FILE")
	b.WriteString(renderPlan("more privileges than mariabackup needs", in, more))
	x509 := fine
	x509.SSLType = "X509"
	b.WriteString(renderPlan("ssl_type X509 is kept (mariabackup)", in, x509))
	dump := in
	dump.Method = MethodMysqldump
	x509.Grants, x509.Reference = rootPrivileges, rootPrivileges
	b.WriteString(renderPlan("ssl_type X509 is kept (mysqldump: needs a client certificate)", dump, x509))
	noRef := x509
	noRef.SSLType, noRef.Reference = "ANY", nil
	b.WriteString(renderPlan("mysqldump, privileges of the running account unknown", dump, noRef))
	unix := fine
	unix.Plugin, unix.AuthDigest = "unix_socket", digestOf("")
	b.WriteString(renderPlan("user authenticates by unix_socket", in, unix))
	old := fine
	old.Grants = []string{"RELOAD", "PROCESS", "LOCK TABLES", "REPLICATION CLIENT"}
	b.WriteString(renderPlan("REPLICATION CLIENT as an older MariaDB listed it", in, old))
	checkGolden(t, "mariadb-warnings", b.String())
}

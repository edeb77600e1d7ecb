package sslconf

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const testPassword = "S3cr#t:pw'\"\\x"

var versions = map[Flavor]string{
	FlavorMariaDB:    "10.11.14-MariaDB-0+deb12u2",
	FlavorPXC57:      "5.7.44-31.65",
	FlavorPXC80:      "8.0.36-28.1",
	FlavorMySQLWsrep: "8.0.35-26.16",
}

var allFlavors = []Flavor{FlavorMariaDB, FlavorPXC57, FlavorPXC80, FlavorMySQLWsrep}
var allMethods = []string{MethodMysqldump, MethodMariabackup, MethodXtrabackupV2, MethodRsync}

func baseInput(f Flavor, version, method string) Input {
	return Input{
		Flavor:        f,
		ServerVersion: version,
		SSTMethod:     method,
		SSTUser:       "sst_user",
		SSTPassword:   testPassword,
		Files: Paths{
			CA:         "/etc/mysql/ssl/ca.pem",
			ServerCert: "/etc/mysql/ssl/db1-cert.pem",
			ServerKey:  "/etc/mysql/ssl/db1-key.pem",
		},
	}
}

// variants are the two inputs each golden file shows: TLS for SST and
// clients only, then replication TLS and a client certificate too, with
// require_client_ssl when requireClient is set.
func variants(f Flavor, version, method string, requireClient bool) []struct {
	title string
	in    Input
} {
	off := baseInput(f, version, method)
	on := off
	on.Replication = true
	on.RequireClientSSL = requireClient
	on.Files.ClientCert = "/etc/mysql/ssl/client-cert.pem"
	on.Files.ClientKey = "/etc/mysql/ssl/client-key.pem"
	return []struct {
		title string
		in    Input
	}{
		{"replication off, require_client_ssl off, no client certificate", off},
		{fmt.Sprintf("replication on, require_client_ssl %t, client certificate", requireClient), on},
	}
}

// render shows one case: the input that matters, then the result or the
// refusal.
func render(title string, in Input) string {
	var b strings.Builder
	fmt.Fprintf(&b, "=== %s\n", title)
	fmt.Fprintf(&b, "flavor=%s version=%q sst.method=%s\n", in.Flavor, in.ServerVersion, in.SSTMethod)
	r, err := Settings(in)
	if err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
		return b.String()
	}
	b.WriteString(r.String())
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

func TestGoldenFlavorMethod(t *testing.T) {
	for _, f := range allFlavors {
		for _, m := range allMethods {
			name := string(f) + "-" + m
			t.Run(name, func(t *testing.T) {
				var b strings.Builder
				for _, v := range variants(f, versions[f], m, true) {
					b.WriteString(render(v.title, v.in))
				}
				checkGolden(t, name, b.String())
			})
		}
	}
}

// Version-dependent cases, one file each.
func TestGoldenVersions(t *testing.T) {
	cases := []struct {
		name, version, method string
		flavor                Flavor
	}{
		{"mariadb-unknown-version-xtrabackup-v2", "", MethodXtrabackupV2, FlavorMariaDB},
		{"mariadb-10.2.44-xtrabackup-v2", "10.2.44-MariaDB", MethodXtrabackupV2, FlavorMariaDB},
		{"mariadb-10.2.9-xtrabackup-v2", "10.2.9-MariaDB", MethodXtrabackupV2, FlavorMariaDB},
		{"mariadb-10.4.34-mariabackup", "5.5.5-10.4.34-MariaDB-log", MethodMariabackup, FlavorMariaDB},
		{"pxc57-5.7.14-mysqldump", "5.7.14-26.17", MethodMysqldump, FlavorPXC57},
		{"mysql-wsrep-5.7.44-xtrabackup-v2", "5.7.44", MethodXtrabackupV2, FlavorMySQLWsrep},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b strings.Builder
			for _, v := range variants(c.flavor, c.version, c.method, false) {
				b.WriteString(render(v.title, v.in))
			}
			checkGolden(t, c.name, b.String())
		})
	}
}

package mycnf

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var sslFiles = map[string]string{
	"socket.ssl_key":  "/etc/mysql/ssl/server-key.pem",
	"socket.ssl_cert": "/etc/mysql/ssl/server-cert.pem",
	"socket.ssl_ca":   "/etc/mysql/ssl/ca.pem",
}

// goldenCases: testdata/<in> edited by edits gives testdata/<name>.golden.
var goldenCases = []struct {
	name, in string
	edits    []Edit
	mask     bool // the golden file holds MaskSecrets of the output
}{
	{"50-server-tls", "debian-50-server.cnf", []Edit{
		{Op: OpSet, Group: "mysqld", Key: "bind-address", Value: "0.0.0.0"},
		{Op: OpSet, Group: "mysqld", Key: "ssl-ca", Value: "/etc/mysql/ssl/ca.pem"},
		{Op: OpSet, Group: "mysqld", Key: "ssl-cert", Value: "/etc/mysql/ssl/server-cert.pem"},
		{Op: OpSet, Group: "mysqld", Key: "ssl-key", Value: "/etc/mysql/ssl/server-key.pem"},
		{Op: OpSet, Group: "mariadb-10.11", Key: "require_secure_transport", Value: "ON"},
	}, false},
	{"60-galera-mariabackup", "debian-60-galera.cnf", []Edit{
		{Op: OpSet, Group: "galera", Key: "wsrep_on", Value: "ON"},
		{Op: OpSet, Group: "galera", Key: "wsrep_cluster_name", Value: "prod galera"},
		{Op: OpSet, Group: "galera", Key: "wsrep_cluster_address", Value: "gcomm://10.0.0.11,10.0.0.12,10.0.0.13"},
		{Op: OpSet, Group: "galera", Key: "wsrep_sst_method", Value: "mariabackup"},
		{Op: OpSet, Group: "galera", Key: "wsrep_sst_auth", Value: "sst_user:not-a-real-password"},
		{Op: OpMergeProviderOptions, Group: "galera", Options: sslFiles},
		{Op: OpSet, Group: "sst", Key: "encrypt", Value: "3"},
		{Op: OpSet, Group: "sst", Key: "tca", Value: "/etc/mysql/ssl/ca.pem"},
		{Op: OpSet, Group: "sst", Key: "tcert", Value: "/etc/mysql/ssl/server-cert.pem"},
		{Op: OpSet, Group: "sst", Key: "tkey", Value: "/etc/mysql/ssl/server-key.pem"},
	}, true},
	{"mariadb-cnf-append", "debian-mariadb.cnf", []Edit{
		{Op: OpSet, Group: "client", Key: "ssl-ca", Value: "/etc/mysql/ssl/ca.pem"},
		{Op: OpSet, Group: "client", Key: "ssl-cert", Value: "/etc/mysql/ssl/client-cert.pem"},
		{Op: OpSet, Group: "client", Key: "ssl-key", Value: "/etc/mysql/ssl/client-key.pem"},
		{Op: OpSet, Group: "client-server", Key: "socket", Value: "/run/mysqld/mysqld.sock"}, // unchanged
	}, false},
	{"spellings", "spellings.cnf", []Edit{
		{Op: OpSet, Group: "mysqld", Key: "wsrep_sst_method", Value: "mariabackup"},
		{Op: OpSet, Group: "mysqld", Key: "wsrep-sst-auth", Value: "sst_user:not-a-real-password"},
		{Op: OpSet, Group: "mysqld", Key: "skip_name_resolve", Value: "ON"},
		{Op: OpDisable, Group: "galera", Key: "wsrep-sst-method", Marker: "galeraflow: set in [mysqld]"},
		{Op: OpRemove, Group: "mysqld", Key: "wsrep-provider"},
	}, true},
	{"crlf", "crlf.cnf", []Edit{
		{Op: OpSet, Group: "mysqld", Key: "bind-address", Value: "0.0.0.0"},
		{Op: OpSet, Group: "mysqld", Key: "ssl_ca", Value: "/ca.pem"},
		{Op: OpSet, Group: "sst", Key: "encrypt", Value: "3"},
	}, false},
	{"no-final-newline", "no-final-newline.cnf", []Edit{
		{Op: OpSet, Group: "galera", Key: "wsrep_sst_method", Value: "mariabackup"},
		{Op: OpSet, Group: "sst", Key: "encrypt", Value: "3"},
	}, false},
	{"quoted", "quoted.cnf", []Edit{
		{Op: OpSet, Group: "mysqld", Key: "init_connect", Value: "SET NAMES utf8mb4; SET sql_mode='TRADITIONAL'"},
		{Op: OpSet, Group: "mysqld", Key: "log_error", Value: "/var/log/mysql/error#2.log"},
		{Op: OpSet, Group: "mysqld", Key: "report_host", Value: "db1 # not a comment"},
		{Op: OpSet, Group: "mysqld", Key: "plugin_load_add", Value: "auth_ed25519;server_audit;wsrep_info"},
	}, false},
	{"provider-merge", "provider.cnf", []Edit{
		{Op: OpMergeProviderOptions, Group: "galera", Options: sslFiles},
	}, false},
	{"provider-remove", "provider.cnf", []Edit{
		{Op: OpRemoveProviderOptions, Group: "galera", Names: []string{"gcs.fc_limit"}},
	}, false},
	{"provider-from-elsewhere", "debian-60-galera.cnf", []Edit{
		// The file does not define it: merge into the value read elsewhere.
		{Op: OpMergeProviderOptions, Group: "galera", Options: sslFiles, Value: "gcache.size=2G"},
	}, false},
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", tc.in))
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(tc.in, in)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(f.Bytes(), in) {
				t.Fatal("parse and render changed the input")
			}
			changed, err := Apply(f, tc.edits)
			if err != nil || !changed {
				t.Fatalf("Apply: changed %v, err %v", changed, err)
			}
			out := f.Bytes()
			if again, err := Apply(f, tc.edits); again || err != nil || !bytes.Equal(f.Bytes(), out) {
				t.Errorf("second Apply: changed %v err %v", again, err)
			}
			reparsed, err := Parse(tc.in, out)
			if err != nil {
				t.Fatalf("output does not parse: %v", err)
			}
			checkEffects(t, reparsed, tc.edits)
			if tc.mask {
				out = MaskSecrets(out)
			}
			golden := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("output differs from %s (rerun with -update to accept):\n%s", golden, out)
			}
		})
	}
}

// checkEffects verifies that the server would read what each edit asked for.
func checkEffects(t *testing.T, f *File, edits []Edit) {
	t.Helper()
	for _, e := range edits {
		o, ok := f.Lookup(e.Group, e.key())
		switch e.Op {
		case OpSet:
			if !ok || o.Value != e.Value {
				t.Errorf("%s: reads back %+v", e, o)
			}
		case OpRemove, OpDisable:
			if ok {
				t.Errorf("%s: still defined at line %d", e, o.Line)
			}
		case OpMergeProviderOptions:
			_, values := ProviderOptions(o.Value)
			for n, v := range e.Options {
				if values[n] != v {
					t.Errorf("%s: %s = %q in %q", e, n, values[n], o.Value)
				}
			}
		case OpRemoveProviderOptions:
			_, values := ProviderOptions(o.Value)
			for _, n := range e.Names {
				if _, there := values[n]; there {
					t.Errorf("%s: %s still in %q", e, n, o.Value)
				}
			}
		}
	}
}

package playbook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/inventory"
	"github.com/galeraflow/galeraflow/playbook/certs"
	"github.com/galeraflow/galeraflow/remote"
	"github.com/galeraflow/galeraflow/remote/remotetest"
)

// A scripted node for executor and step tests: the fake answers the
// read-only commands galeraflow sends (facts, file probes, directory
// listings) from its in-memory state, so a test asserts what was written
// and which commands ran, not canned strings.

// nodeState is what a fake node's server reports.
type nodeState struct {
	localState string // wsrep_local_state_comment
	size       int
}

func newFakeNode(t *testing.T, name string, st nodeState) *remotetest.Fake {
	f := remotetest.NewFake(t, name)
	debianConfig(f)
	f.ExpectMatch(`^true$`).Sudo(true).AnyTimes()
	f.ExpectFunc("facts query", func(c string) bool { return strings.Contains(c, "-N -B") }).AnyTimes().
		Do(func(call remotetest.Call) (remote.Result, error) {
			if !strings.Contains(call.Stdin, "SHOW GLOBAL STATUS") {
				return remote.Result{}, fmt.Errorf("unexpected SQL: %s", call.Stdin)
			}
			state := map[string]string{"Synced": "4", "Donor/Desynced": "2"}[st.localState]
			rows := []string{
				"version\t10.11.14-MariaDB-0+deb12u2",
				"version_comment\tDebian 12",
				"wsrep_cluster_status\tPrimary",
				"wsrep_local_state\t" + state,
				"wsrep_local_state_comment\t" + st.localState,
				fmt.Sprintf("wsrep_cluster_size\t%d", st.size),
				"wsrep_cluster_state_uuid\t6f0a5f2e-0000-11ef-8000-000000000001",
				"wsrep_local_state_uuid\t6f0a5f2e-0000-11ef-8000-000000000001",
				"wsrep_provider_version\t26.4.23(r1234)",
				"wsrep_ready\tON",
				"wsrep_connected\tON",
				"wsrep_cluster_conf_id\t3",
				"wsrep_on\tON",
				"wsrep_osu_method\tTOI",
				"wsrep_sst_method\trsync",
				"have_ssl\tDISABLED",
			}
			return remote.Result{Stdout: []byte(strings.Join(rows, "\n") + "\n")}, nil
		})
	f.ExpectFunc("probe files", func(c string) bool { return strings.Contains(c, "sha256sum") }).AnyTimes().
		Do(func(call remotetest.Call) (remote.Result, error) {
			var out strings.Builder
			for _, p := range shellArgs(t, call.Command) {
				switch ff := f.File(p); {
				case ff != nil:
					sum := sha256.Sum256(ff.Data)
					fmt.Fprintf(&out, "%s %s %o %s\n", ff.Owner, ff.Group, ff.Mode.Perm(), hex.EncodeToString(sum[:]))
				case isFakeDir(f, p):
					fmt.Fprintf(&out, "mysql mysql 750 -\n")
				default:
					out.WriteString("-\n")
				}
			}
			return remote.Result{Stdout: []byte(out.String())}, nil
		})
	f.ExpectFunc("list dir", func(c string) bool { return strings.Contains(c, "ls -1A") }).AnyTimes().
		Do(func(call remotetest.Call) (remote.Result, error) {
			args := shellArgs(t, call.Command)
			dir := args[len(args)-1]
			var names []string
			for _, p := range f.Paths() {
				if path.Dir(p) == dir {
					names = append(names, path.Base(p))
				}
			}
			if len(names) == 0 {
				return remote.Result{ExitStatus: 3}, nil
			}
			sort.Strings(names)
			return remote.Result{Stdout: []byte(strings.Join(names, "\n") + "\n")}, nil
		})
	return f
}

// isFakeDir treats a path with files below it as an existing directory.
func isFakeDir(f *remotetest.Fake, p string) bool {
	for _, q := range f.Paths() {
		if strings.HasPrefix(q, p+"/") {
			return true
		}
	}
	return false
}

// debianConfig lays out /etc/mysql as MariaDB 10.11's Debian packages do.
func debianConfig(f *remotetest.Fake) {
	f.SetFile("/etc/mysql/mariadb.cnf", "# The MariaDB configuration file\n[client-server]\nsocket = /run/mysqld/mysqld.sock\n\n!includedir /etc/mysql/conf.d/\n!includedir /etc/mysql/mariadb.conf.d/\n", 0o644, "", "")
	f.Symlink("/etc/mysql/my.cnf", "/etc/mysql/mariadb.cnf")
	f.SetFile("/etc/mysql/conf.d/mysql.cnf", "[mysql]\n", 0o644, "", "")
	f.SetFile("/etc/mysql/mariadb.conf.d/50-server.cnf", "[server]\n\n[mysqld]\nuser = mysql\nbind-address = 0.0.0.0\n", 0o644, "", "")
	f.SetFile("/etc/mysql/mariadb.conf.d/60-galera.cnf", "[galera]\nwsrep_on = ON\nwsrep_provider = /usr/lib/galera/libgalera_smm.so\nwsrep_cluster_address = gcomm://n1,n2,n3\nwsrep_provider_options = \"gcache.size=64M\"\n", 0o644, "", "")
}

// shellArgs returns the words after "sh -c SCRIPT sh" in a probe command.
func shellArgs(t *testing.T, cmd string) []string {
	t.Helper()
	i := strings.LastIndex(cmd, "' sh ")
	if i < 0 {
		t.Fatalf("not a probe command: %q", cmd)
	}
	var words []string
	rest := cmd[i+len("' sh "):]
	for rest != "" {
		rest = strings.TrimLeft(rest, " ")
		if strings.HasPrefix(rest, "'") {
			end := strings.Index(rest[1:], "'")
			words = append(words, rest[1:end+1])
			rest = rest[end+2:]
			continue
		}
		w, r, _ := strings.Cut(rest, " ")
		words = append(words, w)
		rest = r
	}
	return words
}

// testInventory writes an inventory for the fake nodes, with certificate
// files in a temp dir.
func testInventory(t *testing.T, names ...string) *inventory.Inventory {
	t.Helper()
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	caCert, caKey, err := certs.GenerateCA(certs.CAOptions{CommonName: "test CA", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	ca, err := certs.LoadCA(caCert, caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf := func(cn string, usage certs.Usage, ips ...string) (string, string) {
		c, k, err := certs.GenerateLeaf(ca, certs.LeafOptions{CommonName: cn, DNSNames: []string{cn}, IPAddresses: ips, Usage: usage, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return string(c), string(k)
	}
	write("ca.pem", string(caCert))
	cc, ck := leaf("client", certs.UsageClient)
	write("client-cert.pem", cc)
	write("client-key.pem", ck)
	write("sst.pw", "s3cret-'pw\n")
	var nodes strings.Builder
	for i, n := range names {
		addr := fmt.Sprintf("10.0.0.%d", i+1)
		c, k := leaf(n, certs.UsageNode, addr)
		write(n+"-cert.pem", c)
		write(n+"-key.pem", k)
		fmt.Fprintf(&nodes, "  - {name: %s, address: %s}\n", n, addr)
	}
	doc := `cluster: test
flavor: mariadb
ssh: {user: root, known_hosts: ` + filepath.Join(dir, "known_hosts") + `}
tls:
  ca: ca.pem
  server_cert: "{node}-cert.pem"
  server_key: "{node}-key.pem"
  client_cert: client-cert.pem
  client_key: client-key.pem
sst: {method: mysqldump, user: sst_user, password: "file:sst.pw"}
nodes:
` + nodes.String()
	write("known_hosts", "")
	write("inventory.yml", doc)
	inv, err := inventory.Load(filepath.Join(dir, "inventory.yml"))
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// fakeDialer hands out the fakes by node name.
func fakeDialer(fakes map[string]*remotetest.Fake) Dialer {
	return func(ctx context.Context, n inventory.Node) (remote.Host, error) {
		f, ok := fakes[n.Name]
		if !ok {
			return nil, fmt.Errorf("%s: %w", n.Name, remote.ErrUnreachable)
		}
		return f, nil
	}
}

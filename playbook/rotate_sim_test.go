package playbook

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/inventory"
	"github.com/galeraflow/galeraflow/playbook/certs"
	"github.com/galeraflow/galeraflow/remote"
	"github.com/galeraflow/galeraflow/remote/remotetest"
)

// tlsSim is a cluster whose servers hold TLS state the way MariaDB and
// Galera do: the files on disk, what the server loaded (FLUSH SSL replaces
// its certificate and CA), what Galera loaded (socket.ssl_reload replaces
// its certificate but only adds CAs). TLS probes are answered from that
// state, so a test sees what a client would: which serial a port presents,
// whether the connecting node's CA verifies it, whether the server accepts
// the connecting node's certificate.
type tlsSim struct {
	t      *testing.T
	mu     sync.Mutex
	order  []string
	nodes  map[string]*tlsSimNode
	byAddr map[string]*tlsSimNode
	// events: "reload n1 ca=old+new cert=new" in order across nodes.
	events []string
	names  map[string]string // CA fingerprint → name, for events
	cas    map[string][]byte // name → CA certificate
}

type tlsSimNode struct {
	name, addr string
	fake       *remotetest.Fake
	// loaded state
	serverCert, serverCA []byte
	galeraCert           []byte
	galeraCAs            [][]byte
	ignoreFlush          bool // the reload "succeeds" but changes nothing
	galeraIgnoresCA      bool // socket.ssl_reload takes the certificate, not the CA
}

const simDir = "/etc/mysql/ssl"

func newTLSSim(t *testing.T, inv *inventory.Inventory) *tlsSim {
	s := &tlsSim{t: t, nodes: map[string]*tlsSimNode{}, byAddr: map[string]*tlsSimNode{}, names: map[string]string{}, cas: map[string][]byte{}}
	for _, n := range inv.Nodes {
		node := &tlsSimNode{name: n.Name, addr: n.Address}
		node.fake = s.script(node)
		s.order = append(s.order, n.Name)
		s.nodes[n.Name], s.byAddr[n.Address] = node, node
		// The node runs with the inventory's files as they are now.
		tf := n.TLSFiles
		p := TLSPaths(simDir, tf.ClientCert != "")
		for _, f := range []struct {
			local, remote string
			mode          os.FileMode
		}{{tf.CA, p.CA, 0o644}, {tf.ServerCert, p.ServerCert, 0o644}, {tf.ServerKey, p.ServerKey, 0o600}, {tf.ClientCert, p.ClientCert, 0o644}, {tf.ClientKey, p.ClientKey, 0o600}} {
			data, err := os.ReadFile(f.local)
			if err != nil {
				t.Fatal(err)
			}
			node.fake.SetFile(f.remote, string(data), f.mode, "mysql", "mysql")
		}
		s.load(node, true)
	}
	return s
}

// nameCA names a CA in events ("old", "new").
func (s *tlsSim) nameCA(data []byte, name string) {
	for _, fp := range mustFingerprints(s.t, data) {
		s.names[fp] = name
	}
	s.cas[name] = data
}

func mustFingerprints(t *testing.T, data []byte) []string {
	fps, err := certs.Fingerprints(data)
	if err != nil {
		t.Fatal(err)
	}
	return fps
}

// load is FLUSH LOCAL SSL plus socket.ssl_reload=1 (or a start).
func (s *tlsSim) load(n *tlsSimNode, start bool) {
	ca, cert := n.fake.File(simDir+"/ca.pem").Data, n.fake.File(simDir+"/server-cert.pem").Data
	n.serverCert, n.serverCA, n.galeraCert = cert, ca, cert
	switch {
	case start:
		n.galeraCAs = [][]byte{ca}
	case !n.galeraIgnoresCA:
		n.galeraCAs = append(n.galeraCAs, ca)
	}
}

func (s *tlsSim) script(n *tlsSimNode) *remotetest.Fake {
	f := remotetest.NewFake(s.t, n.name)
	f.ExpectMatch(`^true$`).Sudo(true).AnyTimes()
	f.ExpectFunc("sql", func(c string) bool { return strings.Contains(c, "-N -B") }).AnyTimes().
		Do(func(call remotetest.Call) (remote.Result, error) { return s.sql(n, call.Stdin), nil })
	f.ExpectFunc("read TLS files", func(c string) bool { return strings.Contains(c, "##galeraflow openssl") }).Sudo(true).AnyTimes().
		Do(func(call remotetest.Call) (remote.Result, error) {
			return s.readFiles(n, shellArgs(s.t, call.Command)), nil
		})
	f.ExpectFunc("TLS probe", func(c string) bool { return strings.Contains(c, "s_client") }).Sudo(true).AnyTimes().
		Do(func(call remotetest.Call) (remote.Result, error) {
			return s.probe(n, shellArgs(s.t, call.Command)), nil
		})
	return f
}

func (s *tlsSim) sql(n *tlsSimNode, stdin string) remote.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows := []string{}
	switch {
	case strings.Contains(stdin, "FLUSH LOCAL SSL"):
		if !strings.Contains(stdin, "socket.ssl_reload=1") {
			s.t.Errorf("%s: reload without socket.ssl_reload: %q", n.name, stdin)
		}
		if !n.ignoreFlush {
			s.load(n, false)
		}
		s.events = append(s.events, fmt.Sprintf("reload %s ca=%s cert=%s", n.name, s.caName(n.serverCA), s.certName(n.serverCert)))
		return remote.Result{}
	case strings.Contains(stdin, "'ssl_ca'"):
		rows = append(rows, "have_ssl\tYES", "ssl_ca\t"+simDir+"/ca.pem", "ssl_cert\t"+simDir+"/server-cert.pem", "ssl_key\t"+simDir+"/server-key.pem", "port\t3306",
			"wsrep_provider_options\tgmcast.listen_addr = ssl://0.0.0.0:4567; socket.ssl = YES; socket.ssl_ca = "+simDir+"/ca.pem; socket.ssl_cert = "+simDir+"/server-cert.pem; socket.ssl_key = "+simDir+"/server-key.pem")
	default: // facts and wsrep status
		rows = append(rows, "version\t10.11.14-MariaDB-0+deb12u2", "version_comment\tDebian 12",
			"wsrep_cluster_status\tPrimary", "wsrep_local_state\t4", "wsrep_local_state_comment\tSynced",
			fmt.Sprintf("wsrep_cluster_size\t%d", len(s.order)), "wsrep_cluster_state_uuid\t"+simUUID, "wsrep_local_state_uuid\t"+simUUID,
			"wsrep_provider_version\t4.23(rXXXX)", "wsrep_ready\tON", "wsrep_connected\tON", "wsrep_cluster_conf_id\t3",
			"wsrep_on\tON", "wsrep_osu_method\tTOI", "wsrep_sst_method\tmysqldump", "have_ssl\tYES", "ssl_cert\t"+simDir+"/server-cert.pem",
			"wsrep_provider_options\tsocket.ssl = YES")
	}
	return remote.Result{Stdout: []byte(strings.Join(rows, "\n") + "\n")}
}

// readFiles answers readTLSScript: certificates as they are, keys as
// their public keys (the node has openssl).
func (s *tlsSim) readFiles(n *tlsSimNode, args []string) remote.Result {
	var b strings.Builder
	b.WriteString("##galeraflow openssl 1\n")
	for i := 0; i+1 < len(args); i += 2 {
		kind, p := args[i], args[i+1]
		ff := n.fake.File(p)
		switch {
		case ff == nil:
			b.WriteString("##galeraflow missing\n")
		case kind == "key":
			key, err := certs.ParsePrivateKey(ff.Data)
			if err != nil {
				b.WriteString("##galeraflow badkey mysql mysql 600\n")
				continue
			}
			der, _ := x509.MarshalPKIXPublicKey(key.Public())
			fmt.Fprintf(&b, "##galeraflow pub mysql mysql 600\n%s", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
		default:
			fmt.Fprintf(&b, "##galeraflow cert mysql mysql 644\n%s\n", ff.Data)
		}
	}
	b.WriteString("##galeraflow end\n")
	return remote.Result{Stdout: []byte(b.String())}
}

// probe answers s_client: ADDR [-starttls mysql] -CAfile CA -cert C -key K [-tls1_2].
func (s *tlsSim) probe(from *tlsSimNode, args []string) remote.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	opt := map[string]string{}
	for i := 1; i+1 < len(args); i++ {
		if strings.HasPrefix(args[i], "-") && !strings.HasPrefix(args[i+1], "-") {
			opt[args[i]] = args[i+1]
		}
	}
	host, port, _ := strings.Cut(args[0], ":")
	to := s.byAddr[host]
	if to == nil {
		return remote.Result{Stdout: []byte("connect:errno=111\n##galeraflow exit 1\n")}
	}
	served, trust := to.serverCert, [][]byte{to.serverCA}
	if port == "4567" {
		served, trust = to.galeraCert, to.galeraCAs
		if opt["-starttls"] != "" {
			s.t.Errorf("STARTTLS on the Galera port")
		}
	} else if opt["-starttls"] != "mysql" {
		s.t.Errorf("no -starttls mysql on the server port")
	}
	var out strings.Builder
	out.WriteString("CONNECTED(00000003)\n---\nServer certificate\n")
	out.Write(served)
	verify := "0 (ok)"
	if !chainsTo(served, from.fake.File(opt["-CAfile"]).Data) {
		verify = "21 (unable to verify the first certificate)"
	}
	client := from.fake.File(opt["-cert"]).Data
	accepted := false
	for _, ca := range trust {
		accepted = accepted || chainsTo(client, ca)
	}
	if !accepted {
		out.WriteString("80EBE8EE707F0000:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:../ssl/record/rec_layer_s3.c:1601:SSL alert number 48\n")
	}
	fmt.Fprintf(&out, "    Verify return code: %s\n##galeraflow exit 0\n", verify)
	return remote.Result{Stdout: []byte(out.String())}
}

func chainsTo(certPEM, caPEM []byte) bool {
	cs, err := certs.ParseCertificates(certPEM)
	if err != nil {
		return false
	}
	cas, err := certs.ParseCertificates(caPEM)
	if err != nil {
		return false
	}
	_, err = verifyChain(cs[0], nil, cas, time.Now())
	return err == nil
}

func (s *tlsSim) caName(data []byte) string {
	var parts []string
	for _, fp := range mustFingerprints(s.t, data) {
		name := s.names[fp]
		if name == "" {
			name = "?"
		}
		parts = append(parts, name)
	}
	return strings.Join(parts, "+")
}

// certName is the issuer's name: which CA signed the loaded certificate.
func (s *tlsSim) certName(data []byte) string {
	for name, ca := range s.cas {
		if chainsTo(data, ca) {
			return name
		}
	}
	return "?"
}

func (s *tlsSim) fakes() map[string]*remotetest.Fake {
	m := map[string]*remotetest.Fake{}
	for n, node := range s.nodes {
		m[n] = node.fake
	}
	return m
}

func (s *tlsSim) execute(t *testing.T, inv *inventory.Inventory, step Rotate, dry bool) (*Report, error) {
	t.Helper()
	step.every = 5 * time.Millisecond
	return Execute(context.Background(), inv, RotatePlaybook(step), Options{DryRun: dry, Dial: fakeDialer(s.fakes()), LockDir: t.TempDir()})
}

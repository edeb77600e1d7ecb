package playbook

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/inventory"
	"github.com/galeraflow/galeraflow/playbook/certs"
)

// rotFixture is an inventory whose files a test replaces between runs.
type rotFixture struct {
	dir   string
	names []string
	inv   *inventory.Inventory
}

// simNodes names three nodes with addresses 10.0.0.1-3 (as newPKI does).
var simNodes = []string{"n1", "n2", "n3"}

// newRotFixture writes p's files and an inventory naming them.
func newRotFixture(t *testing.T, p pki) *rotFixture {
	t.Helper()
	f := &rotFixture{dir: t.TempDir(), names: simNodes}
	f.put(t, p)
	var nodes strings.Builder
	for i, n := range f.names {
		nodes.WriteString("  - {name: " + n + ", address: 10.0.0." + string(rune('1'+i)) + "}\n")
	}
	f.write(t, "sst.pw", []byte("s3cret\n"))
	f.write(t, "known_hosts", nil)
	f.write(t, "inventory.yml", []byte(`cluster: test
flavor: mariadb
ssh: {user: root, known_hosts: known_hosts}
tls:
  ca: ca.pem
  server_cert: "{node}-cert.pem"
  server_key: "{node}-key.pem"
  client_cert: client-cert.pem
  client_key: client-key.pem
sst: {method: mysqldump, user: sst_user, password: "file:sst.pw"}
timeouts: {command: 2s, stop: 2s, start: 2s}
nodes:
`+nodes.String()))
	inv, err := inventory.Load(filepath.Join(f.dir, "inventory.yml"))
	if err != nil {
		t.Fatal(err)
	}
	f.inv = inv
	return f
}

func (f *rotFixture) write(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(f.dir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// put writes p's CA, node and client files over the inventory's.
func (f *rotFixture) put(t *testing.T, p pki) {
	t.Helper()
	f.write(t, "ca.pem", p.caPEM)
	for _, n := range f.names {
		f.write(t, n+"-cert.pem", p.leaf[n][0])
		f.write(t, n+"-key.pem", p.leaf[n][1])
	}
	f.write(t, "client-cert.pem", p.leaf["client"][0])
	f.write(t, "client-key.pem", p.leaf["client"][1])
}

// withClient adds a client certificate to p.
func withClient(t *testing.T, p pki) pki {
	t.Helper()
	c, k, err := IssueClientCert(p.ca, "client", IssueOptions{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	p.leaf["client"] = [2][]byte{c, k}
	return p
}

// reissued is p's CA with new node and client certificates.
func reissued(t *testing.T, p pki) pki {
	t.Helper()
	out := pki{ca: p.ca, caPEM: p.caPEM, caKey: p.caKey, leaf: map[string][2][]byte{}}
	for i, n := range simNodes {
		c, k, err := IssueNodeCert(p.ca, n, "10.0.0."+string(rune('1'+i)), IssueOptions{Now: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		out.leaf[n] = [2][]byte{c, k}
	}
	return withClient(t, out)
}

func simPKI(t *testing.T, cn string) pki {
	return withClient(t, newPKI(t, cn, time.Now().Add(-time.Hour), 400*24*time.Hour, simNodes...))
}

func (s *tlsSim) reloads() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.events...)
}

func (s *tlsSim) writes() []string {
	var out []string
	for _, n := range s.order {
		for _, w := range s.nodes[n].fake.Writes() {
			out = append(out, n+" "+filepath.Base(w.Path))
		}
	}
	return out
}

func TestRotateNothingToDo(t *testing.T) {
	old := simPKI(t, "old CA")
	f := newRotFixture(t, old)
	sim := newTLSSim(t, f.inv)
	rep, err := sim.execute(t, f.inv, Rotate{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if rot := RotationOf(rep); rot == nil || rot.Path != PathNone || rep.Changed() {
		t.Fatalf("rotation %+v, changed %v", rot, rep.Changed())
	}
	if w, r := sim.writes(), sim.reloads(); len(w)+len(r) != 0 {
		t.Errorf("a no-op rotation wrote %v and reloaded %v", w, r)
	}
}

func TestRotateSameCALiveNodeByNode(t *testing.T) {
	old := simPKI(t, "old CA")
	f := newRotFixture(t, old)
	sim := newTLSSim(t, f.inv)
	sim.nameCA(old.caPEM, "old")
	next := reissued(t, old)
	f.put(t, next)

	// A dry run shows the path and changes nothing.
	rep, err := sim.execute(t, f.inv, Rotate{}, true)
	if err != nil || RotationOf(rep).Path != PathSameCA || len(sim.writes())+len(sim.reloads()) != 0 {
		t.Fatalf("dry run: %v, path %s, writes %v, reloads %v", err, RotationOf(rep).Path, sim.writes(), sim.reloads())
	}

	rep, err = sim.execute(t, f.inv, Rotate{}, false)
	if err != nil {
		t.Fatal(err)
	}
	rot := RotationOf(rep)
	if rot.Path != PathSameCA || rot.Method != MethodReload {
		t.Fatalf("path %s method %s", rot.Path, rot.Method)
	}
	want := []string{"reload n1 ca=old cert=old", "reload n2 ca=old cert=old", "reload n3 ca=old cert=old"}
	if got := sim.reloads(); !reflect.DeepEqual(got, want) {
		t.Errorf("reloads %v, want %v", got, want)
	}
	for _, n := range simNodes {
		node := sim.nodes[n]
		if !bytes.Equal(node.serverCert, next.leaf[n][0]) || !bytes.Equal(node.galeraCert, next.leaf[n][0]) {
			t.Errorf("%s does not present its new certificate", n)
		}
		out := rot.Nodes[indexOf(simNodes, n)]
		if out.After != serialOrEmpty(next.leaf[n][0]) || out.After == out.Served {
			t.Errorf("%s: served %s → %s, want %s", n, out.Served, out.After, serialOrEmpty(next.leaf[n][0]))
		}
		// 2 own ports, and 3 probes with each of the 2 other nodes.
		if len(out.Verified) != 8 {
			t.Errorf("%s: %d verifications: %v", n, len(out.Verified), out.Verified)
		}
	}
	// Written: the node files, not the CA.
	for _, w := range sim.writes() {
		if strings.HasSuffix(w, "ca.pem") {
			t.Errorf("same-CA rotation wrote %s", w)
		}
	}
	// A second run has nothing to do.
	if rep, err := sim.execute(t, f.inv, Rotate{}, false); err != nil || RotationOf(rep).Path != PathNone {
		t.Errorf("second run: %v %+v", err, RotationOf(rep))
	}
}

func TestRotateNewCAThreePhasesNeverTwoAtOnce(t *testing.T) {
	old, next := simPKI(t, "old CA"), simPKI(t, "new CA")
	f := newRotFixture(t, old)
	sim := newTLSSim(t, f.inv)
	sim.nameCA(old.caPEM, "old")
	sim.nameCA(next.caPEM, "new")
	f.put(t, next)

	rep, err := sim.execute(t, f.inv, Rotate{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if rot := RotationOf(rep); rot.Path != PathNewCA || len(rot.Phases) != 3 || !rot.Phases[2].Done {
		t.Fatalf("rotation %+v", rot)
	}
	var want []string
	for _, step := range []string{"ca=old+new cert=old", "ca=old+new cert=new", "ca=new cert=new"} {
		for _, n := range simNodes {
			want = append(want, "reload "+n+" "+step)
		}
	}
	if got := sim.reloads(); !reflect.DeepEqual(got, want) {
		t.Errorf("reloads:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, n := range simNodes {
		if eq, _ := certs.EqualCertificates(sim.nodes[n].fake.File(simDir+"/ca.pem").Data, next.caPEM); !eq {
			t.Errorf("%s: CA file is not the new CA alone", n)
		}
	}
}

// A node whose Galera did not take the new CA in phase 1 refuses the
// first node with a new certificate: the probes see it before the
// rotation goes on, and that node's files go back.
func TestRotateNewCAStopsWhenAPeerDoesNotTrustTheNewCA(t *testing.T) {
	old, next := simPKI(t, "old CA"), simPKI(t, "new CA")
	f := newRotFixture(t, old)
	sim := newTLSSim(t, f.inv)
	sim.nameCA(old.caPEM, "old")
	sim.nameCA(next.caPEM, "new")
	f.put(t, next)
	sim.nodes["n3"].galeraIgnoresCA = true

	_, err := sim.execute(t, f.inv, Rotate{}, false)
	if !errors.Is(err, ErrPartial) || !strings.Contains(err.Error(), "n3 refused n1's certificate (unknown ca)") {
		t.Fatalf("err = %v", err)
	}
	if !bytes.Equal(sim.nodes["n1"].serverCert, old.leaf["n1"][0]) {
		t.Error("n1 still presents the certificate n3 refuses")
	}
	for _, n := range []string{"n2", "n3"} {
		if c := sim.nodes[n].fake.File(simDir + "/server-cert.pem").Data; !bytes.Equal(c, old.leaf[n][0]) {
			t.Errorf("%s got a new certificate after the failure", n)
		}
	}
}

// A node whose reload does not take is caught by the probes: its files go
// back, the nodes after it are not touched, and the run is partial.
func TestRotateUndoesANodeThatDoesNotPresentItsNewCertificate(t *testing.T) {
	old := simPKI(t, "old CA")
	f := newRotFixture(t, old)
	sim := newTLSSim(t, f.inv)
	sim.nameCA(old.caPEM, "old")
	next := reissued(t, old)
	f.put(t, next)
	sim.nodes["n2"].ignoreFlush = true

	_, err := sim.execute(t, f.inv, Rotate{}, false)
	if !errors.Is(err, ErrPartial) || !strings.Contains(err.Error(), "n2") || !strings.Contains(err.Error(), "the reload did not take") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "previous files are back in use") {
		t.Errorf("the error does not say the files were put back: %v", err)
	}
	n2 := sim.nodes["n2"].fake
	if !bytes.Equal(n2.File(simDir+"/server-cert.pem").Data, old.leaf["n2"][0]) || !bytes.Equal(n2.File(simDir+"/server-key.pem").Data, old.leaf["n2"][1]) {
		t.Error("n2's old certificate and key are not back")
	}
	if len(sim.nodes["n3"].fake.Writes()) != 0 {
		t.Error("n3 was touched after n2 failed")
	}
	if !bytes.Equal(sim.nodes["n1"].serverCert, next.leaf["n1"][0]) {
		t.Error("n1, rotated before n2, lost its new certificate")
	}
}

func TestRotateRefusesAKeyThatDoesNotMatchBeforeTouchingANode(t *testing.T) {
	old := simPKI(t, "old CA")
	f := newRotFixture(t, old)
	sim := newTLSSim(t, f.inv)
	next := reissued(t, old)
	next.leaf["n2"] = [2][]byte{next.leaf["n2"][0], next.leaf["n1"][1]}
	f.put(t, next)
	_, err := sim.execute(t, f.inv, Rotate{}, false)
	if !errors.Is(err, ErrInvalidInput) || !errors.Is(err, ErrPreflight) || !strings.Contains(err.Error(), "n2") {
		t.Fatalf("err = %v", err)
	}
	if w, r := sim.writes(), sim.reloads(); len(w)+len(r) != 0 {
		t.Errorf("refused rotation wrote %v, reloaded %v", w, r)
	}
}

func TestRotateFullRestartNeedsConfirmation(t *testing.T) {
	old := simPKI(t, "old CA")
	f := newRotFixture(t, old)
	sim := newTLSSim(t, f.inv)
	f.inv.TLS.RemoteDir = "/etc/mysql/tls"
	_, err := sim.execute(t, f.inv, Rotate{}, false)
	if !errors.Is(err, ErrConfirmationNeeded) || !strings.Contains(err.Error(), "paths change") {
		t.Fatalf("err = %v", err)
	}
	if w := sim.writes(); len(w) != 0 {
		t.Errorf("wrote %v", w)
	}
	// Confirmed for another path: refused.
	f.inv.TLS.RemoteDir = simDir
	f.put(t, reissued(t, old))
	if _, err := sim.execute(t, f.inv, Rotate{ExpectPath: PathFullRestart, AllowFullRestart: true}, false); err == nil || !strings.Contains(err.Error(), "changed since it was confirmed") {
		t.Errorf("err = %v", err)
	}
}

// --renew: the nodes' certificates are due and the inventory has the same
// ones; new ones are issued with the CA key beside the CA, written over the
// inventory's files, and rolled out live. Without the key: refused at plan.
func TestRotateRenewIssuesAndRollsOut(t *testing.T) {
	old := simPKI(t, "old CA")
	f := newRotFixture(t, old)
	sim := newTLSSim(t, f.inv)
	sim.nameCA(old.caPEM, "old")
	due := Rotate{RenewWithin: 500 * 24 * time.Hour, Renew: true}

	_, err := sim.execute(t, f.inv, due, false)
	if !errors.Is(err, ErrPreflight) || !strings.Contains(err.Error(), "CA key") {
		t.Fatalf("without a CA key: %v", err)
	}
	f.write(t, "ca-key.pem", old.caKey)
	if _, err := sim.execute(t, f.inv, Rotate{RenewWithin: due.RenewWithin}, false); !errors.Is(err, ErrCertsExpiring) {
		t.Fatalf("due without --renew: %v", err)
	}

	rep, err := sim.execute(t, f.inv, due, false)
	if err != nil {
		t.Fatal(err)
	}
	if rot := RotationOf(rep); rot.Path != PathSameCA || !rot.Renew {
		t.Fatalf("rotation %+v", rot)
	}
	for _, n := range simNodes {
		local, err := os.ReadFile(filepath.Join(f.dir, n+"-cert.pem"))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(local, old.leaf[n][0]) {
			t.Errorf("%s: the inventory's certificate was not renewed", n)
		}
		if !bytes.Equal(sim.nodes[n].serverCert, local) {
			t.Errorf("%s does not present the renewed certificate", n)
		}
		if fi, err := os.Stat(filepath.Join(f.dir, n+"-key.pem")); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: renewed key file %v, %v", n, fi, err)
		}
	}
	if len(sim.reloads()) != 3 {
		t.Errorf("reloads: %v", sim.reloads())
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

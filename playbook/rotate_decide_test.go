package playbook

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/playbook/certs"
)

var decideNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// pki is a CA with node certificates made at some instant.
type pki struct {
	ca    certs.CA
	caPEM []byte
	caKey []byte
	leaf  map[string][2][]byte // node → cert, key
}

func newPKI(t *testing.T, cn string, made time.Time, life time.Duration, nodes ...string) pki {
	t.Helper()
	caPEM, keyPEM, err := certs.GenerateCA(certs.CAOptions{CommonName: cn, Now: made})
	if err != nil {
		t.Fatal(err)
	}
	ca, err := certs.LoadCA(caPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	p := pki{ca: ca, caPEM: caPEM, caKey: keyPEM, leaf: map[string][2][]byte{}}
	for i, n := range nodes {
		c, k, err := IssueNodeCert(ca, n, "10.0.0."+string(rune('1'+i)), IssueOptions{Now: made, Lifetime: life})
		if err != nil {
			t.Fatal(err)
		}
		p.leaf[n] = [2][]byte{c, k}
	}
	return p
}

func pubOf(t *testing.T, keyPEM []byte) any {
	t.Helper()
	k, err := certs.ParsePrivateKey(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return k.Public()
}

// rotNodes: the nodes hold `have`, the inventory names `want`; healthy,
// reloadable, every file at the inventory's paths.
func rotNodes(t *testing.T, have, want pki, names ...string) []*rotNode {
	t.Helper()
	paths := TLSPaths("/etc/mysql/ssl", false)
	var out []*rotNode
	for _, n := range names {
		out = append(out, &rotNode{
			name: n, ca: have.caPEM, serverCert: have.leaf[n][0], serverPub: pubOf(t, have.leaf[n][1]),
			haveSSL: true, replicationSSL: true,
			running:      runningPaths{ca: paths.CA, cert: paths.ServerCert, key: paths.ServerKey, provCA: paths.CA, provCert: paths.ServerCert, provKey: paths.ServerKey},
			reload:       reloadSupport{serverSQL: "FLUSH LOCAL SSL", provider: true},
			servedSerial: serialOrEmpty(have.leaf[n][0]),
			want:         paths,
			local:        localTLS{ca: want.caPEM, serverCert: want.leaf[n][0], serverPub: pubOf(t, want.leaf[n][1])},
		})
	}
	return out
}

func phaseNodes(rot *Rotation) map[string][]string {
	m := map[string][]string{}
	for _, ph := range rot.Phases {
		m[ph.Name] = ph.Nodes
	}
	return m
}

func TestDecideRotationPaths(t *testing.T) {
	names := []string{"n1", "n2", "n3"}
	year := 365 * 24 * time.Hour
	old := newPKI(t, "old CA", decideNow.Add(-100*24*time.Hour), year, names...)
	sameCA := old // same CA, new node certificates
	sameCA.leaf = map[string][2][]byte{}
	for i, n := range names {
		c, k, err := IssueNodeCert(old.ca, n, "10.0.0."+string(rune('1'+i)), IssueOptions{Now: decideNow, Lifetime: year})
		if err != nil {
			t.Fatal(err)
		}
		sameCA.leaf[n] = [2][]byte{c, k}
	}
	newCA := newPKI(t, "new CA", decideNow, year, names...)
	o := rotOptions{now: decideNow, renewWithin: 30 * 24 * time.Hour}

	t.Run("nothing to do", func(t *testing.T) {
		rot, err := decideRotation(rotNodes(t, old, old, names...), o)
		if err != nil || rot.Path != PathNone || rot.Method != "" {
			t.Fatalf("rot=%+v err=%v", rot, err)
		}
	})
	t.Run("same CA, one node differs", func(t *testing.T) {
		want := old
		want.leaf = map[string][2][]byte{"n1": old.leaf["n1"], "n2": sameCA.leaf["n2"], "n3": old.leaf["n3"]}
		rot, err := decideRotation(rotNodes(t, old, want, names...), o)
		if err != nil || rot.Path != PathSameCA || rot.Method != MethodReload {
			t.Fatalf("rot=%+v err=%v", rot, err)
		}
		if got := phaseNodes(rot); !reflect.DeepEqual(got, map[string][]string{PhaseLeaves: {"n2"}}) {
			t.Errorf("phases = %v", got)
		}
	})
	t.Run("same CA, files in place but not loaded", func(t *testing.T) {
		nodes := rotNodes(t, old, old, names...)
		nodes[2].servedSerial = "ABCD"
		rot, err := decideRotation(nodes, o)
		if err != nil || rot.Path != PathSameCA || len(rot.Phases) != 1 || rot.Phases[0].updates[0].leaves || rot.Phases[0].Nodes[0] != "n3" {
			t.Fatalf("rot=%+v err=%v", rot, err)
		}
	})
	t.Run("new CA: three phases in order, every node in each", func(t *testing.T) {
		rot, err := decideRotation(rotNodes(t, old, newCA, names...), o)
		if err != nil || rot.Path != PathNewCA {
			t.Fatalf("rot=%+v err=%v", rot, err)
		}
		var order []string
		for _, ph := range rot.Phases {
			order = append(order, ph.Name)
			if !reflect.DeepEqual(ph.Nodes, names) {
				t.Errorf("%s: nodes %v", ph.Name, ph.Nodes)
			}
			for _, u := range ph.updates {
				// Never the bundle and the new certificates at once.
				if u.ca && u.leaves {
					t.Errorf("%s: %s gets a CA file and certificates in one update", ph.Name, u.node)
				}
			}
		}
		if !reflect.DeepEqual(order, []string{PhaseBundle, PhaseLeaves, PhaseFinal}) {
			t.Errorf("phase order %v", order)
		}
		bundle := rot.Phases[0].updates[0].caData
		if !certs.BundleContains(bundle, old.caPEM) || !certs.BundleContains(bundle, newCA.caPEM) {
			t.Error("phase 1 CA file does not hold both CAs")
		}
		if eq, _ := certs.EqualCertificates(rot.Phases[2].updates[0].caData, newCA.caPEM); !eq {
			t.Error("phase 3 CA file is not the new CA alone")
		}
	})
	t.Run("new CA resumed: phases done on some nodes are skipped", func(t *testing.T) {
		nodes := rotNodes(t, old, newCA, names...)
		both, _ := certs.Bundle(old.caPEM, newCA.caPEM)
		for _, n := range nodes {
			n.ca = both // phase 1 done everywhere
		}
		nodes[0].serverCert, nodes[0].serverPub = newCA.leaf["n1"][0], pubOf(t, newCA.leaf["n1"][1]) // phase 2 done on n1
		rot, err := decideRotation(nodes, o)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{PhaseBundle: {}, PhaseLeaves: {"n2", "n3"}, PhaseFinal: names}
		if got := phaseNodes(rot); !reflect.DeepEqual(got, want) {
			t.Errorf("phases = %v, want %v", got, want)
		}
		if !rot.Phases[0].Done {
			t.Error("phase 1 should be marked done")
		}
	})
	t.Run("expired certificate on a node: full restart", func(t *testing.T) {
		expired := newPKI(t, "old CA", decideNow.Add(-400*24*time.Hour), 300*24*time.Hour, names...)
		rot, err := decideRotation(rotNodes(t, expired, newCA, names...), o)
		if err != nil || rot.Path != PathFullRestart || !strings.Contains(rot.Reason, "not valid now") {
			t.Fatalf("rot=%+v err=%v", rot, err)
		}
	})
	t.Run("new paths: full restart", func(t *testing.T) {
		nodes := rotNodes(t, old, old, names...)
		nodes[1].want = TLSPaths("/etc/mysql/tls", false)
		rot, err := decideRotation(nodes, o)
		if err != nil || rot.Path != PathFullRestart || !strings.Contains(rot.Reason, "n2 runs with ssl_ca=/etc/mysql/ssl/ca.pem") {
			t.Fatalf("rot=%+v err=%v", rot, err)
		}
	})
	t.Run("broken files on a node: full restart", func(t *testing.T) {
		nodes := rotNodes(t, old, sameCA, names...)
		nodes[0].broken = []string{"/etc/mysql/ssl/server-key.pem is missing"}
		rot, err := decideRotation(nodes, o)
		if err != nil || rot.Path != PathFullRestart || !strings.Contains(rot.Reason, "n1") {
			t.Fatalf("rot=%+v err=%v", rot, err)
		}
	})
	t.Run("due, nothing newer, no --renew: refused with the expiring sentinel", func(t *testing.T) {
		oo := o
		oo.renewWithin = 400 * 24 * time.Hour
		_, err := decideRotation(rotNodes(t, old, old, names...), oo)
		if !errors.Is(err, ErrCertsExpiring) || !strings.Contains(err.Error(), "--renew") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("due with --renew: same CA, renewed", func(t *testing.T) {
		oo := o
		oo.renewWithin, oo.renew = 400*24*time.Hour, true
		rot, err := decideRotation(rotNodes(t, old, old, names...), oo)
		if err != nil || rot.Path != PathSameCA || !rot.Renew || len(rot.Phases[0].Nodes) != 3 {
			t.Fatalf("rot=%+v err=%v", rot, err)
		}
	})
	t.Run("TLS off: refused", func(t *testing.T) {
		nodes := rotNodes(t, old, old, names...)
		nodes[1].haveSSL = false
		if _, err := decideRotation(nodes, o); err == nil || !strings.Contains(err.Error(), "galeraflow run") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestDecideRotationMethod(t *testing.T) {
	names := []string{"n1", "n2"}
	year := 365 * 24 * time.Hour
	old := newPKI(t, "old CA", decideNow.Add(-time.Hour), year, names...)
	newCA := newPKI(t, "new CA", decideNow, year, names...)
	o := rotOptions{now: decideNow, renewWithin: 30 * 24 * time.Hour}
	for _, tc := range []struct {
		name   string
		change func([]*rotNode, *rotOptions)
		want   string
	}{
		{"reload everywhere", func([]*rotNode, *rotOptions) {}, MethodReload},
		{"old Galera with replication TLS", func(n []*rotNode, _ *rotOptions) {
			n[1].reload = reloadSupport{serverSQL: "FLUSH LOCAL SSL", why: "Galera 25.3.37 cannot reload"}
		}, MethodRestart},
		{"old Galera without replication TLS", func(n []*rotNode, _ *rotOptions) {
			n[1].reload = reloadSupport{serverSQL: "FLUSH LOCAL SSL"}
			n[1].replicationSSL = false
			n[1].running.provCA, n[1].running.provCert, n[1].running.provKey = "", "", ""
		}, MethodReload},
		{"server cannot reload", func(n []*rotNode, _ *rotOptions) { n[0].reload = reloadSupport{provider: true, why: "10.3"} }, MethodRestart},
		{"--restart-nodes", func(_ []*rotNode, o *rotOptions) { o.restartNodes = true }, MethodRestart},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nodes, oo := rotNodes(t, old, newCA, names...), o
			tc.change(nodes, &oo)
			rot, err := decideRotation(nodes, oo)
			if err != nil || rot.Method != tc.want {
				t.Fatalf("method = %q (%s), err %v; want %s", rot.Method, rot.MethodReason, err, tc.want)
			}
		})
	}
}

func TestReloadFor(t *testing.T) {
	for _, tc := range []struct {
		version, comment, provider string
		sql                        string
		provOK                     bool
	}{
		{"10.11.14-MariaDB-0+deb12u2", "Debian 12", "4.23(rXXXX)", "FLUSH LOCAL SSL", true}, // Debian's galera-4 short form
		{"10.11.14-MariaDB-0+deb12u2", "Debian 12", "26.4.23(r1234)", "FLUSH LOCAL SSL", true},
		{"10.4.18-MariaDB", "", "26.4.7(r1)", "FLUSH LOCAL SSL", false},
		{"10.3.39-MariaDB", "", "25.3.37(r1)", "", false},
		{"8.0.36-28.1", "Percona XtraDB Cluster (GPL), Release rel28, Revision bfb687f, WSREP version 26.1.4.3", "26.4.16(r1)", "ALTER INSTANCE RELOAD TLS", true},
		{"5.7.44-31.65-log", "Percona XtraDB Cluster (GPL), Release rel31", "3.65(r1)", "", false},
	} {
		rs := reloadFor(&Facts{ServerVersion: tc.version, VersionComment: tc.comment, ProviderVersion: tc.provider})
		if rs.serverSQL != tc.sql || rs.provider != tc.provOK {
			t.Errorf("%s / %s: got %q provider %v (%s), want %q %v", tc.version, tc.provider, rs.serverSQL, rs.provider, rs.why, tc.sql, tc.provOK)
		}
	}
}

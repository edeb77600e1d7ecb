package playbook

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/inventory"
	"github.com/galeraflow/galeraflow/playbook/certs"
	"github.com/galeraflow/galeraflow/playbook/galera"
	"github.com/galeraflow/galeraflow/playbook/mycnf"
)

// rotTarget is one node during a rotation: what was read at plan time and
// the inventory's files (private keys included, for the upload).
type rotTarget struct {
	t      *Target
	node   *rotNode
	remote *RemoteTLS
	// addr and ports a TLS client connects to
	sqlPort, galeraPort int
	// the inventory's files as bytes: ca, server cert/key, client cert/key
	files rotFiles
}

type rotFiles struct {
	ca, serverCert, serverKey, clientCert, clientKey []byte
}

// rotVarsSQL reads the running TLS paths and ports in one call.
const rotVarsSQL = "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('have_ssl', 'ssl_ca', 'ssl_cert', 'ssl_key', 'port', 'wsrep_provider_options')"

// readRotTarget reads one node: its TLS files, its running settings and
// the certificate its server presents.
func readRotTarget(ctx context.Context, run *Run, t *Target) (*rotTarget, error) {
	inv := run.Inv
	withClient := t.Node.TLSFiles.ClientCert != ""
	paths := TLSPaths(inv.TLS.RemoteDir, withClient)
	rt := &rotTarget{t: t, sqlPort: 3306, galeraPort: 4567}
	files, local, err := readRotLocal(t.Node)
	if err != nil {
		return nil, err
	}
	rt.files = files
	rt.remote, err = ReadRemoteTLS(ctx, t.Host, paths, inv.Timeouts.Command)
	if err != nil {
		return nil, err
	}
	qctx, cancel := context.WithTimeout(ctx, inv.Timeouts.Command)
	vars, err := MySQLClient(t.Node).QueryMap(qctx, t.Host, rotVarsSQL)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("%s: read TLS settings: %w", t.Node.Name, err)
	}
	if p, err := strconv.Atoi(vars["port"]); err == nil && p > 0 {
		rt.sqlPort = p
	}
	prov := vars["wsrep_provider_options"]
	rt.galeraPort = galeraPort(prov)
	_, pv := mycnf.ProviderOptions(prov)
	n := &rotNode{
		name: t.Node.Name, want: paths, local: local,
		ca: rt.remote.CA.Data, serverCert: rt.remote.ServerCert.Data, clientCert: rt.remote.ClientCert.Data,
		serverPub: rt.remote.ServerKey.Public, clientPub: rt.remote.ClientKey.Public,
		haveSSL:        strings.EqualFold(vars["have_ssl"], "YES"),
		replicationSSL: strings.EqualFold(strings.TrimSpace(pv["socket.ssl"]), "YES"),
		running: runningPaths{ca: vars["ssl_ca"], cert: vars["ssl_cert"], key: vars["ssl_key"],
			provCA: strings.TrimSpace(pv["socket.ssl_ca"]), provCert: strings.TrimSpace(pv["socket.ssl_cert"]), provKey: strings.TrimSpace(pv["socket.ssl_key"])},
		reload: reloadFor(t.Facts),
		broken: brokenFiles(rt.remote, run.now()),
	}
	rt.node = n
	if n.haveSSL && rt.remote.OpenSSL {
		// The files the server runs with, wherever the inventory puts them.
		req := rt.selfProbe(false)
		if r := n.running; r.ca != "" && r.cert != "" && r.key != "" {
			req.caFile, req.certFile, req.keyFile = r.ca, r.cert, r.key
		}
		sc, err := tlsProbe(ctx, req, inv.Timeouts.Command)
		if err != nil {
			return nil, fmt.Errorf("%s: see which certificate the server presents: %w", t.Node.Name, err)
		}
		n.servedSerial = sc.Serial
	}
	return rt, nil
}

// selfProbe connects from the node to its own server (galera: its Galera
// port) with its own files.
func (rt *rotTarget) selfProbe(galeraSide bool) probeRequest {
	return rt.probeTo(rt, galeraSide)
}

// probeTo connects from rt's node to to's server or Galera port, with
// rt's own CA, certificate and key.
func (rt *rotTarget) probeTo(to *rotTarget, galeraSide bool) probeRequest {
	p := rt.remote.Paths
	req := probeRequest{from: rt.t, host: to.t.Node.Address, port: to.sqlPort, starttls: "mysql",
		caFile: p.CA, certFile: p.ServerCert, keyFile: p.ServerKey}
	if galeraSide {
		req.port, req.starttls, req.tls12 = to.galeraPort, "", true
	}
	return req
}

// readRotLocal reads a node's files from the inventory.
func readRotLocal(n inventory.Node) (rotFiles, localTLS, error) {
	tf := n.TLSFiles
	var lf rotFiles
	var err error
	read := func(p string) []byte {
		if p == "" || err != nil {
			return nil
		}
		var data []byte
		if data, err = os.ReadFile(p); err != nil {
			err = fmt.Errorf("%s: read %w", n.Name, err)
		}
		return data
	}
	lf.ca, lf.serverCert, lf.serverKey = read(tf.CA), read(tf.ServerCert), read(tf.ServerKey)
	lf.clientCert, lf.clientKey = read(tf.ClientCert), read(tf.ClientKey)
	if err != nil {
		return lf, localTLS{}, err
	}
	return lf, lf.tls(tf.ClientCert != ""), nil
}

// tls reduces the files to what the decision compares.
func (lf rotFiles) tls(withClient bool) localTLS {
	lt := localTLS{ca: lf.ca, serverCert: lf.serverCert, clientCert: lf.clientCert, withClient: withClient}
	if k, err := certs.ParsePrivateKey(lf.serverKey); err == nil {
		lt.serverPub = k.Public()
	}
	if k, err := certs.ParsePrivateKey(lf.clientKey); withClient && err == nil {
		lt.clientPub = k.Public()
	}
	return lt
}

// brokenFiles lists what keeps the node's files from being replaced in
// place: missing or unreadable files, keys that do not match, chains that
// do not verify.
func brokenFiles(r *RemoteTLS, now time.Time) []string {
	var out []string
	nc := analyzeTLS(remoteMaterial(r), certWindow{now: now})
	for _, f := range nc.Files {
		switch {
		case f.Missing:
			out = append(out, f.Path+" is missing")
		case f.Error != "":
			out = append(out, f.Path+": "+f.Error)
		case f.KeyMatches != nil && !*f.KeyMatches:
			out = append(out, f.Path+" does not match its key")
		case f.Chain != "" && f.Chain != "ok":
			out = append(out, f.Path+" does not verify against the CA file: "+f.Chain)
		}
	}
	return out
}

// reloadFor says which live reloads the node's server and provider allow.
func reloadFor(f *Facts) reloadSupport {
	var rs reloadSupport
	if f == nil {
		rs.why = "its versions are unknown"
		return rs
	}
	sv, err := galera.ParseServerVersion(f.ServerVersion, f.VersionComment)
	switch {
	case err != nil:
		rs.why = "server version unknown: " + err.Error()
	case sv.Flavor == galera.FlavorMariaDB && sv.AtLeast(10, 4, 0):
		rs.serverSQL = "FLUSH LOCAL SSL"
	case (sv.Flavor == galera.FlavorPXC80 || sv.Flavor == galera.FlavorMySQLWsrep) && sv.AtLeast(8, 0, 16):
		rs.serverSQL = "ALTER INSTANCE RELOAD TLS"
	default:
		rs.why = fmt.Sprintf("server %s cannot reload its TLS files (MariaDB 10.4+ or MySQL 8.0.16+ can)", sv.Raw)
	}
	pv, err := galera.ParseProviderVersion(f.ProviderVersion)
	switch {
	case err != nil:
		if rs.why == "" {
			rs.why = "Galera version unknown: " + err.Error()
		}
	case galera.SupportsSSLReload(pv):
		rs.provider = true
	case rs.why == "":
		rs.why = fmt.Sprintf("Galera %s cannot reload its TLS files (socket.ssl_reload needs Galera 26.4.8+)", pv)
	}
	return rs
}

package sslconf

// Group names. The wsrep settings go to [mysqld]: every flavor's server reads
// it; the caller may move them to the group its files already use.
const (
	groupServer = "mysqld"
	groupClient = "client"
	groupSST    = "sst"
)

// serverTLS turns on the server's TLS. Every flavor reads these three
// server variables; MariaDB's mariabackup SST and PXC's
// pxc-encrypt-cluster-traffic fall back to them as well.
func serverTLS(p Paths) []Setting {
	return []Setting{
		set(groupServer, "ssl_ca", p.CA, "server TLS: the CA that signed the node and client certificates"),
		set(groupServer, "ssl_cert", p.ServerCert, "server TLS: this node's certificate"),
		set(groupServer, "ssl_key", p.ServerKey, "server TLS: this node's private key"),
	}
}

// clientTLS configures the node's own client programs. The mysqldump SST
// donor connects to the joiner with them, so ssl-ca makes it verify the
// joiner's certificate chain (without ssl-ca the client still encrypts but
// trusts any certificate).
//
// Without a client certificate only ssl-ca is written, and leftover
// ssl-cert/ssl-key are removed: the SST user needs REQUIRE SSL, not X509, so
// no client certificate is required, and a stale one signed by another CA
// would make the server reject the handshake. The server's key is not reused
// for [client]: every local user's client programs read [client] and would
// fail on a key only mysql may read.
func clientTLS(p Paths, method string) []Setting {
	why := "client TLS: verify the server's certificate against the CA"
	if method == MethodMysqldump {
		why = "client TLS, used by the mysqldump SST donor: verify the joiner's certificate against the CA"
	}
	s := []Setting{set(groupClient, "ssl-ca", p.CA, why)}
	if p.ClientCert == "" {
		return append(s,
			remove(groupClient, "ssl-cert", "no client certificate configured: a leftover one could be refused by the server"),
			remove(groupClient, "ssl-key", "no client certificate configured: drop its key too"),
		)
	}
	return append(s,
		set(groupClient, "ssl-cert", p.ClientCert, "client TLS: certificate presented to the server"),
		set(groupClient, "ssl-key", p.ClientKey, "client TLS: key of the client certificate"),
	)
}

// requireSecureTransport refuses plain TCP clients. MariaDB has the variable
// from 10.5.2, MySQL (so every PXC and MySQL-wsrep release) from 5.7.8. An
// unknown variable in [mysqld] stops the server from starting, so on MariaDB
// the version must be known.
func requireSecureTransport(f Flavor, v version) (Setting, error) {
	if f == FlavorMariaDB {
		if !v.known {
			return Setting{}, refuse("tls.require_client_ssl", "needs the server version to check that MariaDB supports require_secure_transport (10.5.2+): run `galeraflow check` first")
		}
		if v.below(10, 5, 2) {
			return Setting{}, refuse("tls.require_client_ssl", "MariaDB %s has no require_secure_transport (added in 10.5.2): turn it off, or require SSL per account", v.String())
		}
	}
	return set(groupServer, "require_secure_transport", "ON", "refuse client connections over TCP without TLS (local socket connections stay allowed)"), nil
}

func set(group, key, value, why string) Setting {
	return Setting{Op: OpSet, Group: group, Key: key, Value: value, Why: why}
}

func remove(group, key, why string) Setting {
	return Setting{Op: OpRemove, Group: group, Key: key, Why: why}
}

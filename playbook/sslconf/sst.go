package sslconf

// sstTLS returns the [sst] settings that encrypt a physical SST and what the
// operator must know. mysqldump needs none: it is a client connection, made
// secure by clientTLS and the SST user's REQUIRE SSL.
func sstTLS(f Flavor, method string, p Paths) ([]Setting, []string) {
	if method == MethodMysqldump {
		return nil, nil
	}
	switch f {
	case FlavorMariaDB:
		return sstMariaDB(p)
	case FlavorPXC57, FlavorPXC80, FlavorMySQLWsrep:
		return sstEncrypt4(f, p)
	}
	return nil, nil
}

// sstMariaDB writes the seed's encrypt=3 with tca/tcert/tkey. MariaDB's
// scripts (mariabackup, and xtrabackup-v2 on 10.1/10.2) verify the peer
// against tca, and under encrypt=3 the donor also checks that the joiner's
// certificate names the joiner's address (seen on 10.11: a certificate
// without the joiner's IP fails the SST).
//
// The newer [sst] ssl-ca/ssl-cert/ssl-key are removed: whenever any of
// tca/tcert/tkey is present, MariaDB ignores them (and only logs that it
// did), so they would just mislead whoever reads the file. tcapath is
// removed because it is used next to tca and would widen the trust to every
// CA in that directory.
func sstMariaDB(p Paths) ([]Setting, []string) {
	const stale = "ignored by MariaDB's SST while tca/tcert/tkey are set: removed so the file says what is used"
	s := []Setting{
		set(groupSST, "encrypt", "3", "SST over TLS with certificate and key (socat with OpenSSL); the donor checks the joiner's certificate against its address"),
		set(groupSST, "tca", p.CA, "SST TLS: the CA both ends verify the peer against"),
		set(groupSST, "tcert", p.ServerCert, "SST TLS: this node's certificate"),
		set(groupSST, "tkey", p.ServerKey, "SST TLS: this node's private key"),
		remove(groupSST, "tcapath", "would add every CA in a directory to the trust of tca"),
		remove(groupSST, "ssl-ca", stale),
		remove(groupSST, "ssl-capath", stale),
		remove(groupSST, "ssl-cert", stale),
		remove(groupSST, "ssl-key", stale),
	}
	notes := []string{
		"encrypt=3: the donor checks the joiner's certificate against the joiner's address: node certificates need the node's IP address (and name) in subjectAltName",
		"the physical SST streams through socat: every node needs socat built with OpenSSL",
	}
	return s, notes
}

// sstEncrypt4 writes encrypt=4 with ssl-ca/ssl-cert/ssl-key for the
// xtrabackup-v2 script of PXC and Codership. It is the only mode that
// verifies the peer there: their encrypt=3 runs socat with verify=0 and is
// deprecated (PXC 5.7, MySQL-wsrep), and PXC 8.0 removed encrypt=1/2/3.
//
// tca/tcert/tkey are removed: Codership's script reads ssl-ca/ssl-cert/
// ssl-key only when none of them is set, so a leftover would break the SST
// under encrypt=4; PXC ignores them.
func sstEncrypt4(f Flavor, p Paths) ([]Setting, []string) {
	const stale = "not used by encrypt=4 (a leftover stops Codership's script from reading ssl-ca/ssl-cert/ssl-key)"
	s := []Setting{
		set(groupSST, "encrypt", "4", "SST over TLS with CA, certificate and key: both ends verify the peer against the CA"),
		set(groupSST, "ssl-ca", p.CA, "SST TLS: the CA both ends verify the peer against"),
		set(groupSST, "ssl-cert", p.ServerCert, "SST TLS: this node's certificate"),
		set(groupSST, "ssl-key", p.ServerKey, "SST TLS: this node's private key"),
		remove(groupSST, "tca", stale),
		remove(groupSST, "tcert", stale),
		remove(groupSST, "tkey", stale),
	}
	note := "xtrabackup-v2 streams through socat: every node needs socat built with OpenSSL and a Percona XtraBackup matching the server"
	if f == FlavorPXC80 {
		// PXC 8.0 installs the XtraBackup it needs with the server.
		note = "xtrabackup-v2 streams through socat: every node needs socat built with OpenSSL"
	}
	return s, []string{note}
}

package sslconf

// ProviderOptionsKey is the server variable that holds Galera's options.
const ProviderOptionsKey = "wsrep_provider_options"

// replicationTLS turns on TLS for Galera's group communication (replication
// and IST).
//
// MariaDB and MySQL-wsrep: socket.ssl_* in wsrep_provider_options, merged into
// the existing string because a later definition replaces the whole string.
// socket.ssl=YES is written too: Galera turns TLS on by itself once a key and
// certificate are set, but an explicit socket.ssl=NO left in the string would
// keep it off.
//
// PXC 5.7.16+ and 8.0: pxc_encrypt_cluster_traffic=ON, PXC's own switch. It
// sets socket.ssl_* from [mysqld] ssl_ca/ssl_cert/ssl_key (written by
// serverTLS) and leaves the rest of wsrep_provider_options alone, so the
// certificates are configured in one place. Older PXC 5.7 lacks the switch
// and gets the Galera options instead.
func replicationTLS(f Flavor, v version, p Paths) []Setting {
	if f == FlavorPXC80 || f == FlavorPXC57 && !v.below(5, 7, 16) {
		return []Setting{set(groupServer, "pxc_encrypt_cluster_traffic", "ON",
			"Galera replication and IST over TLS: PXC derives socket.ssl_* from ssl_ca/ssl_cert/ssl_key")}
	}
	return []Setting{{
		Op:    OpMergeProviderOptions,
		Group: groupServer,
		Key:   ProviderOptionsKey,
		ProviderOptions: map[string]string{
			"socket.ssl":      "YES",
			"socket.ssl_ca":   p.CA,
			"socket.ssl_cert": p.ServerCert,
			"socket.ssl_key":  p.ServerKey,
		},
		Why: "Galera replication and IST over TLS (merged: the other provider options stay)",
	}}
}

// replicationNotes says what the operator must know about replication TLS
// whether or not it was asked for.
func replicationNotes(f Flavor, on bool) []string {
	var n []string
	if on {
		n = append(n, "replication TLS cannot be rolled in node by node: a node without it cannot join a TLS cluster, so the whole cluster must stop and bootstrap again")
	}
	if f == FlavorPXC80 && !on {
		n = append(n, "PXC 8.0 turns pxc_encrypt_cluster_traffic ON by default: unless the configuration turns it off, replication already uses TLS, now with the ssl_ca/ssl_cert/ssl_key written here")
	}
	return n
}

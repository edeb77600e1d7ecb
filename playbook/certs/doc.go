// Package certs checks and makes the TLS files galeraflow installs on
// MariaDB/Galera nodes: a CA bundle, each node's certificate and key (used
// by mariadbd, by Galera replication and by the SST scripts), and the
// client certificate and key (used by the mariadb client and mysqldump SST).
//
// Check runs before any node is touched and lists every problem it finds,
// judged the way OpenSSL 3 on the nodes will judge the files, which is
// stricter than crypto/x509 in places (anyExtendedKeyUsage, CN equal to the
// CA's, key sizes). GenerateCA and GenerateLeaf make files that pass Check.
// Fingerprints, Equal* and Bundle* serve change detection and the dual-trust
// CA rotation.
//
// Standard library only; time and randomness come from the caller.
package certs

// Package sslconf decides which option-file settings turn on TLS for a
// Galera node: the server's own TLS, the node's client TLS (which the
// mysqldump SST donor uses), TLS for the State Snapshot Transfer script, and
// optionally TLS for Galera replication traffic and a TLS requirement for
// clients. It knows the differences between the four flavors galeraflow
// supports (MariaDB, PXC 5.7, PXC 8.0, Codership MySQL-wsrep) and refuses
// combinations that cannot be made secure, naming the inventory field to
// change.
//
// It is pure: Settings computes a list of edits and notes; the caller applies
// them with the option-file editor (playbook/mycnf) and decides which file
// and group hold the wsrep settings. Standard library only.
//
// Spelling: server variables in [mysqld] are written with '_' as MariaDB
// documents them (ssl_ca, wsrep_sst_method). Options of the client and of the
// SST scripts ([client], [sst]) are written with '-' as those tools document
// them (ssl-ca, ssl-cert). Every reader involved treats '-' and '_' alike, so
// this is only about reading naturally next to the vendors' manuals.
package sslconf

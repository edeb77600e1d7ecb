package mycnf

// The groups MariaDB programs read (10.11; checked with my_print_defaults).
// They are functions so that no caller can change a shared list.

// ServerGroups returns the groups mariadbd reads. version is the server's
// major.minor ("10.11"); "" leaves out the versioned groups.
func ServerGroups(version string) []string {
	g := []string{"mysqld", "server", "mariadb", "mariadbd", "client-server", "galera"}
	if version != "" {
		g = append(g, "mysqld-"+version, "mariadb-"+version, "mariadbd-"+version)
	}
	return g
}

// ClientGroups returns the groups the mariadb command-line client reads
// (the mysqldump SST connects with it, using the donor's [client] options).
func ClientGroups() []string {
	return []string{"mysql", "mariadb-client", "client", "client-server", "client-mariadb"}
}

// ClientLibraryGroups returns the groups every client built on the MariaDB
// client library reads, besides its own (mariadb-dump adds [mysqldump] and
// [mariadb-dump], for example).
func ClientLibraryGroups() []string {
	return []string{"client", "client-server", "client-mariadb"}
}

// SSTGroupSets returns the group sets the mariabackup SST script tries, in
// order, for its TLS options (encrypt, ssl-mode, tca...): see
// Set.FirstDefined. The server's groups come first, then [sst],
// [xtrabackup], [mariabackup].
func SSTGroupSets(version string) [][]string {
	return [][]string{ServerGroups(version), {"sst"}, {"xtrabackup"}, {"mariabackup"}}
}

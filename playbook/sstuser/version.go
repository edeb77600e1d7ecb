package sstuser

import "github.com/galeraflow/galeraflow/playbook/galera"

// version is the server version; known is false when it was not given.
type version struct {
	galera.ServerVersion
	known bool
}

// parseVersion reads SELECT VERSION(); "" gives an unknown version.
func parseVersion(s string) (version, error) {
	if s == "" {
		return version{}, nil
	}
	v, err := galera.ParseServerVersion(s, "")
	if err != nil {
		return version{}, err
	}
	return version{ServerVersion: v, known: true}, nil
}

// atLeast reports whether v is known and major.minor.patch or newer.
func (v version) atLeast(major, minor, patch int) bool {
	return v.known && v.ServerVersion.AtLeast(major, minor, patch)
}

// below reports whether v is known and older than major.minor.patch.
func (v version) below(major, minor, patch int) bool {
	return v.known && !v.ServerVersion.AtLeast(major, minor, patch)
}

// mysql8 reports whether a MySQL-based flavor runs 8.x: PXC 8.0 always,
// MySQL-wsrep when its version says so.
func mysql8(f Flavor, v version) bool {
	return f == FlavorPXC80 || f == FlavorMySQLWsrep && v.known && v.Major >= 8
}

package galera

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ProviderVersion is a Galera library version, e.g. 26.4.23: wsrep API 26,
// Galera 4, release 23.
type ProviderVersion struct {
	API      int    `json:"api"`                // wsrep API version: 25 for Galera 3, 26 for Galera 4
	Major    int    `json:"major"`              // Galera major: 3 or 4
	Minor    int    `json:"minor"`              // release within the major
	Revision string `json:"revision,omitempty"` // source revision, e.g. "r1e5a1f9c"; informative
}

func (v ProviderVersion) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.API, v.Major, v.Minor)
	if v.Revision != "" {
		s += "(" + v.Revision + ")"
	}
	return s
}

// AtLeast reports whether v is the Galera release major.minor or newer.
func (v ProviderVersion) AtLeast(major, minor int) bool {
	if v.Major != major {
		return v.Major > major
	}
	return v.Minor >= minor
}

// ErrInvalidVersion marks a version string that does not parse.
var ErrInvalidVersion = errors.New("invalid version")

// ParseProviderVersion parses wsrep_provider_version. Servers report the
// API-prefixed form "26.4.23(r1e5a1f9c)"; Galera's own log line and some
// builds use the short form "4.23(r1e5a1f9c)" or "3.28(rb3295e6)", where the
// API is implied by the major.
func ParseProviderVersion(s string) (ProviderVersion, error) {
	s = strings.TrimSpace(s)
	num, rev := s, ""
	if i := strings.IndexByte(s, '('); i >= 0 {
		if !strings.HasSuffix(s, ")") {
			return ProviderVersion{}, fmt.Errorf("%w: provider version %q", ErrInvalidVersion, s)
		}
		num, rev = s[:i], s[i+1:len(s)-1]
	}
	parts, err := numbers(num)
	if err != nil {
		return ProviderVersion{}, fmt.Errorf("%w: provider version %q", ErrInvalidVersion, s)
	}
	v := ProviderVersion{Revision: rev}
	switch len(parts) {
	case 3:
		v.API, v.Major, v.Minor = parts[0], parts[1], parts[2]
	case 2:
		v.Major, v.Minor = parts[0], parts[1]
		switch v.Major {
		case 3:
			v.API = 25
		case 4:
			v.API = 26
		}
	default:
		return ProviderVersion{}, fmt.Errorf("%w: provider version %q: want api.major.minor", ErrInvalidVersion, s)
	}
	if v.API == 0 {
		return ProviderVersion{}, fmt.Errorf("%w: provider version %q: unknown Galera major %d", ErrInvalidVersion, s, v.Major)
	}
	return v, nil
}

// numbers parses "1.2.3" into its parts; every part must be a decimal number.
func numbers(s string) ([]int, error) {
	fields := strings.Split(s, ".")
	out := make([]int, len(fields))
	for i, f := range fields {
		if f == "" || strings.TrimLeft(f, "0123456789") != "" || len(f) > 9 {
			return nil, ErrInvalidVersion
		}
		out[i], _ = strconv.Atoi(f)
	}
	return out, nil
}

// SupportsSSLReload reports whether the provider reloads its TLS certificate
// and key at the same paths with
// SET GLOBAL wsrep_provider_options='socket.ssl_reload=1'.
// The option appeared in Galera 4.8 (26.4.8; MariaDB 10.4.19/10.5.10 ship it);
// Galera 3 (25.3.x, MariaDB 10.3 and older, PXC 5.7, MySQL-wsrep 5.7) never
// got it, so there a certificate change needs a restart.
func SupportsSSLReload(v ProviderVersion) bool {
	return v.AtLeast(4, 8)
}

// Flavor is the Galera server family; the values match the inventory's
// `flavor:` field.
type Flavor string

const (
	FlavorUnknown    Flavor = ""
	FlavorMariaDB    Flavor = "mariadb"
	FlavorPXC57      Flavor = "pxc57"
	FlavorPXC80      Flavor = "pxc80"
	FlavorMySQLWsrep Flavor = "mysql-wsrep"
)

// ServerVersion is what SELECT VERSION(), @@version_comment say.
type ServerVersion struct {
	Flavor Flavor `json:"flavor"`
	Major  int    `json:"major"`
	Minor  int    `json:"minor"`
	Patch  int    `json:"patch"`
	Raw    string `json:"raw"`
}

func (v ServerVersion) String() string {
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// AtLeast reports whether v is major.minor.patch or newer.
func (v ServerVersion) AtLeast(major, minor, patch int) bool {
	if v.Major != major {
		return v.Major > major
	}
	if v.Minor != minor {
		return v.Minor > minor
	}
	return v.Patch >= patch
}

// ParseServerVersion reads the server's version ("10.11.19-MariaDB-0+deb12u1-log",
// "8.0.36-28.1", "5.7.44-31.65-log") and version comment, and guesses the
// flavor:
//
//	MariaDB:     "MariaDB" in the version (or comment)
//	PXC:         comment "Percona XtraDB Cluster ..."; 5.7 → pxc57, 8.x → pxc80
//	MySQL-wsrep: comment or version mentioning wsrep (Codership's builds say
//	             "..., wsrep_26.21")
//
// Anything else (plain MySQL, Percona Server without the cluster) is
// FlavorUnknown with no error: it is not a Galera server, which the caller
// reports in its own words. Percona XtraDB Cluster 5.6 and older is
// FlavorUnknown too: galeraflow does not support it.
func ParseServerVersion(version, comment string) (ServerVersion, error) {
	raw := strings.TrimSpace(version)
	v := ServerVersion{Raw: raw}
	s := raw
	// Old MariaDB servers prefix "5.5.5-" in the handshake for the sake of
	// old replication clients; it is not the version.
	if strings.HasPrefix(s, "5.5.5-") && strings.Contains(s, "MariaDB") {
		s = s[len("5.5.5-"):]
	}
	end := 0
	for end < len(s) && (s[end] == '.' || '0' <= s[end] && s[end] <= '9') {
		end++
	}
	parts, err := numbers(s[:end])
	if err != nil || len(parts) != 3 {
		return ServerVersion{}, fmt.Errorf("%w: server version %q: want major.minor.patch", ErrInvalidVersion, raw)
	}
	v.Major, v.Minor, v.Patch = parts[0], parts[1], parts[2]

	lv, lc := strings.ToLower(raw), strings.ToLower(comment)
	switch {
	case strings.Contains(lv, "mariadb") || strings.Contains(lc, "mariadb"):
		v.Flavor = FlavorMariaDB
	case strings.Contains(lc, "percona xtradb cluster"):
		switch {
		case v.Major == 5 && v.Minor == 7:
			v.Flavor = FlavorPXC57
		case v.Major == 8:
			v.Flavor = FlavorPXC80
		}
	case strings.Contains(lc, "wsrep") || strings.Contains(lv, "wsrep"):
		v.Flavor = FlavorMySQLWsrep
	}
	return v, nil
}

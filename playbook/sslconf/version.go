package sslconf

import (
	"fmt"
	"strconv"
	"strings"
)

// version is the numeric part of SELECT VERSION(); known is false when the
// caller did not know it.
type version struct {
	major, minor, patch int
	known               bool
	raw                 string
}

// parseVersion reads "10.11.14-MariaDB-0+deb12u2", "8.0.36-28.1",
// "5.7.44-31.65-log". Old MariaDB servers prefix "5.5.5-" for the sake of old
// replication clients; that prefix is not the version.
func parseVersion(s string) (version, error) {
	raw := strings.TrimSpace(s)
	if raw == "" {
		return version{}, nil
	}
	s = raw
	if rest, ok := strings.CutPrefix(s, "5.5.5-"); ok && strings.Contains(s, "MariaDB") {
		s = rest
	}
	end := 0
	for end < len(s) && (s[end] == '.' || '0' <= s[end] && s[end] <= '9') {
		end++
	}
	parts := strings.Split(s[:end], ".")
	if len(parts) != 3 {
		return version{}, fmt.Errorf("server version %q: want major.minor.patch", raw)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || len(p) > 6 {
			return version{}, fmt.Errorf("server version %q: want major.minor.patch", raw)
		}
		n[i] = v
	}
	return version{major: n[0], minor: n[1], patch: n[2], known: true, raw: raw}, nil
}

// atLeast reports whether v is known and major.minor.patch or newer.
func (v version) atLeast(major, minor, patch int) bool {
	if !v.known {
		return false
	}
	if v.major != major {
		return v.major > major
	}
	if v.minor != minor {
		return v.minor > minor
	}
	return v.patch >= patch
}

// below reports whether v is known and older than major.minor.patch.
func (v version) below(major, minor, patch int) bool {
	return v.known && !v.atLeast(major, minor, patch)
}

func (v version) String() string {
	if !v.known {
		return "unknown"
	}
	return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch)
}

// checkFlavorVersion refuses a version the flavor cannot have, which means
// the inventory's flavor is wrong (or galeraflow talked to another server).
func checkFlavorVersion(f Flavor, v version) error {
	if !v.known {
		return nil
	}
	ok := false
	want := ""
	switch f {
	case FlavorMariaDB:
		// Galera is built into MariaDB from 10.1; older releases, and any
		// MySQL numbering (5.7, 8.0), mean the flavor is wrong.
		ok, want = v.atLeast(10, 1, 0), "MariaDB 10.1 or later"
	case FlavorPXC57:
		ok, want = v.major == 5 && v.minor == 7, "5.7.x"
	case FlavorPXC80:
		ok, want = v.major == 8, "8.x"
	case FlavorMySQLWsrep:
		ok, want = v.major == 8 || v.major == 5 && v.minor == 7, "5.7.x or 8.x"
	}
	if ok {
		return nil
	}
	return refuse("flavor", "%s expects %s but the server reports %s: correct the flavor", f, want, v.raw)
}

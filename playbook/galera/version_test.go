package galera

import (
	"errors"
	"testing"
)

func TestParseProviderVersion(t *testing.T) {
	tests := []struct {
		in     string
		want   ProviderVersion
		reload bool
	}{
		{"26.4.23(r1e5a1f9c)", ProviderVersion{26, 4, 23, "r1e5a1f9c"}, true},
		{"26.4.8(r4f08e94f)", ProviderVersion{26, 4, 8, "r4f08e94f"}, true},
		{"26.4.7(r1d7aa7f)", ProviderVersion{26, 4, 7, "r1d7aa7f"}, false},
		{"25.3.37(r3e1b3b2)", ProviderVersion{25, 3, 37, "r3e1b3b2"}, false},
		{"25.3.19(r3667)", ProviderVersion{25, 3, 19, "r3667"}, false},
		{"3.28(rb3295e6)", ProviderVersion{25, 3, 28, "rb3295e6"}, false},
		{"4.21(r1234)", ProviderVersion{26, 4, 21, "r1234"}, true},
		{" 26.4.10 ", ProviderVersion{26, 4, 10, ""}, true},
		{"26.5.0(rX)", ProviderVersion{26, 5, 0, "rX"}, true},
	}
	for _, tt := range tests {
		got, err := ParseProviderVersion(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseProviderVersion(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			continue
		}
		if SupportsSSLReload(got) != tt.reload {
			t.Errorf("SupportsSSLReload(%v) = %v, want %v", got, !tt.reload, tt.reload)
		}
	}
	for _, bad := range []string{"", "26", "26.4.x", "26.4.23(r1", "2.6.4.23", "5.9(r1)", "26..4", "26.4.-1", "Galera"} {
		if _, err := ParseProviderVersion(bad); !errors.Is(err, ErrInvalidVersion) {
			t.Errorf("ParseProviderVersion(%q): %v, want ErrInvalidVersion", bad, err)
		}
	}
	if s := (ProviderVersion{26, 4, 23, "r1e5a1f9c"}).String(); s != "26.4.23(r1e5a1f9c)" {
		t.Errorf("String = %s", s)
	}
}

func TestParseServerVersion(t *testing.T) {
	tests := []struct {
		version, comment string
		flavor           Flavor
		major, minor     int
		patch            int
	}{
		{"10.11.19-MariaDB-0+deb12u1-log", "Debian 12", FlavorMariaDB, 10, 11, 19},
		{"10.4.19-MariaDB-1:10.4.19+maria~focal", "mariadb.org binary distribution", FlavorMariaDB, 10, 4, 19},
		{"11.4.5-MariaDB-deb12", "MariaDB Server", FlavorMariaDB, 11, 4, 5},
		{"5.5.5-10.6.12-MariaDB", "", FlavorMariaDB, 10, 6, 12},
		{"5.7.44-31.65-log", "Percona XtraDB Cluster (GPL), Release rel31, Revision 7e51ab0, WSREP version 31.65, wsrep_31.65", FlavorPXC57, 5, 7, 44},
		{"8.0.36-28.1", "Percona XtraDB Cluster (GPL), Release rel28, Revision bfb687f, WSREP version 26.1.4.3", FlavorPXC80, 8, 0, 36},
		{"8.4.3-3.1", "Percona XtraDB Cluster (GPL), Release rel3, Revision 1a2b3c4, WSREP version 26.1.4.3", FlavorPXC80, 8, 4, 3},
		{"5.6.51-91.0-56", "Percona XtraDB Cluster (GPL), Release rel91.0, WSREP version 25.34", FlavorUnknown, 5, 6, 51},
		{"8.0.40", "MySQL Community Server - GPL, wsrep_26.21", FlavorMySQLWsrep, 8, 0, 40},
		{"5.7.44-log", "Source distribution, wsrep_25.36", FlavorMySQLWsrep, 5, 7, 44},
		{"8.0.36", "MySQL Community Server - GPL", FlavorUnknown, 8, 0, 36},
		{"8.0.36-28", "Percona Server (GPL), Release 28, Revision 47601f19", FlavorUnknown, 8, 0, 36},
	}
	for _, tt := range tests {
		got, err := ParseServerVersion(tt.version, tt.comment)
		if err != nil {
			t.Errorf("ParseServerVersion(%q): %v", tt.version, err)
			continue
		}
		if got.Flavor != tt.flavor || got.Major != tt.major || got.Minor != tt.minor || got.Patch != tt.patch || got.Raw != tt.version {
			t.Errorf("ParseServerVersion(%q, %q) = %+v, want %s %d.%d.%d", tt.version, tt.comment, got, tt.flavor, tt.major, tt.minor, tt.patch)
		}
	}
	for _, bad := range []string{"", "MariaDB", "10.11", "10.x.1-MariaDB", "v10.11.1"} {
		if _, err := ParseServerVersion(bad, ""); !errors.Is(err, ErrInvalidVersion) {
			t.Errorf("ParseServerVersion(%q): %v, want ErrInvalidVersion", bad, err)
		}
	}
}

func TestServerVersionAtLeast(t *testing.T) {
	v := ServerVersion{Major: 10, Minor: 5, Patch: 10}
	for _, c := range []struct {
		a, b, c int
		want    bool
	}{
		{10, 5, 10, true}, {10, 5, 9, true}, {10, 4, 30, true}, {10, 5, 11, false}, {10, 6, 0, false}, {11, 0, 0, false}, {5, 7, 99, true},
	} {
		if got := v.AtLeast(c.a, c.b, c.c); got != c.want {
			t.Errorf("%v.AtLeast(%d.%d.%d) = %v", v, c.a, c.b, c.c, got)
		}
	}
}

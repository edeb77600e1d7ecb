package sslconf

import "strings"

// methodChoice is the SST method galeraflow writes and what the operator
// must know about the choice.
type methodChoice struct {
	method string
	notes  []string
}

// chooseMethod maps the method the user asked for to the one the flavor and
// version can run over TLS, or refuses.
func chooseMethod(f Flavor, v version, asked string) (methodChoice, error) {
	m := strings.ToLower(strings.TrimSpace(asked))
	switch m {
	case "":
		return methodChoice{}, refuse("sst.method", "is required: one of mysqldump, mariabackup, xtrabackup-v2")
	case MethodRsync, "rsync_wan":
		// MariaDB's rsync script wraps rsync in stunnel only when stunnel
		// happens to be installed, and silently sends plain text otherwise;
		// PXC's and Codership's rsync scripts have no TLS at all.
		return methodChoice{}, refuse("sst.method", "%s cannot be secured: the rsync SST sends data in clear text unless stunnel is installed on every node, and falls back to clear text without a word when it is not; use %s", m, physicalFor(f, v))
	case "xtrabackup":
		return methodChoice{}, refuse("sst.method", "xtrabackup (v1) has no TLS and was removed; use %s", physicalFor(f, v))
	case MethodMysqldump, MethodMariabackup, MethodXtrabackupV2:
	default:
		return methodChoice{}, refuse("sst.method", "unknown method %q: one of mysqldump, mariabackup, xtrabackup-v2", asked)
	}
	switch f {
	case FlavorMariaDB:
		return chooseMariaDB(v, m)
	case FlavorPXC80:
		if m != MethodXtrabackupV2 {
			return methodChoice{}, refuse("sst.method", "%s on pxc80: PXC 8.0 supports only xtrabackup-v2 (wsrep_sst_auth and the mysqldump SST were removed in PXC 8.0); use xtrabackup-v2", m)
		}
	case FlavorPXC57, FlavorMySQLWsrep:
		if m == MethodMariabackup {
			return methodChoice{}, refuse("sst.method", "mariabackup on %s: mariabackup is MariaDB's tool; use xtrabackup-v2", f)
		}
		// encrypt=4, the only mode that verifies the peer, came with PXC
		// 5.7.16 (PXC-713); encrypt=3 before it runs socat with verify=0.
		if f == FlavorPXC57 && m == MethodXtrabackupV2 && v.below(5, 7, 16) {
			return methodChoice{}, refuse("sst.method", "xtrabackup-v2 on PXC %s cannot verify the peer (encrypt=4 came in 5.7.16): upgrade PXC, or use mysqldump", v.String())
		}
	}
	return methodChoice{method: m}, nil
}

// MariaDB ships mariabackup from 10.1.26 and 10.2.10; from 10.3 on Percona
// XtraBackup no longer reads MariaDB's data files, so xtrabackup-v2 is gone.
func hasMariabackup(v version) bool {
	if !v.known || v.atLeast(10, 3, 0) {
		return true
	}
	if v.major == 10 && v.minor == 2 {
		return v.patch >= 10
	}
	return v.atLeast(10, 1, 26)
}

func chooseMariaDB(v version, m string) (methodChoice, error) {
	switch {
	case m == MethodMariabackup && !hasMariabackup(v):
		return methodChoice{}, refuse("sst.method", "mariabackup needs MariaDB 10.1.26 or 10.2.10 and later; this server is %s: use xtrabackup-v2 or mysqldump, or upgrade", v.raw)
	case m == MethodXtrabackupV2 && hasMariabackup(v):
		why := "xtrabackup-v2 does not exist on MariaDB 10.3 and later: using mariabackup, its MariaDB counterpart"
		if v.known && v.below(10, 3, 0) {
			why = "Percona XtraBackup is only partly compatible with MariaDB " + v.String() + ": using mariabackup, which this server ships"
		}
		return methodChoice{method: MethodMariabackup, notes: []string{why}}, nil
	case m == MethodXtrabackupV2:
		return methodChoice{method: m, notes: []string{"MariaDB " + v.String() + " has no mariabackup yet: keeping xtrabackup-v2 (Percona XtraBackup 2.3/2.4 must be installed); upgrade to 10.1.26+ or 10.2.10+ for mariabackup"}}, nil
	}
	return methodChoice{method: m}, nil
}

// physicalFor names the method to suggest instead of one that cannot work.
func physicalFor(f Flavor, v version) string {
	switch {
	case f == FlavorMariaDB && hasMariabackup(v):
		return "mariabackup or mysqldump"
	case f == FlavorPXC80:
		return "xtrabackup-v2"
	}
	return "xtrabackup-v2 or mysqldump"
}

// needsAuth reports whether the flavor's SST methods (every one galeraflow
// accepts) read wsrep_sst_auth. PXC 8.0 removed the variable: it creates its
// own SST user at startup.
func needsAuth(f Flavor) bool {
	return f != FlavorPXC80
}

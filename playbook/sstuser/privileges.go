package sstuser

import (
	"sort"
	"strings"
)

// allPrivileges is how the mysqldump SST's need is written.
const allPrivileges = "ALL PRIVILEGES"

// PrivilegesFor returns the least global privileges (ON *.*) the SST user
// needs for method on the flavor, or nil when the flavor has no SST user
// for it (PXC 8.0 creates its own; unknown combinations).
//
//   - mysqldump: ALL PRIVILEGES. The donor's client loads the whole dump on
//     the joiner: it drops and creates every schema, writes the mysql
//     tables and sets global variables, so nothing less works.
//   - mariabackup: RELOAD, PROCESS, LOCK TABLES and BINLOG MONITOR (MariaDB
//     10.5.2 renamed REPLICATION CLIENT to BINLOG MONITOR and kept the old
//     name as an alias, so REPLICATION CLIENT when the version is older or
//     unknown).
//   - xtrabackup-v2: RELOAD, PROCESS, LOCK TABLES, REPLICATION CLIENT, plus
//     BACKUP_ADMIN on MySQL 8 (LOCK INSTANCE FOR BACKUP and
//     performance_schema.log_status), where the table privileges of
//     tablePrivilegesFor are needed too.
func PrivilegesFor(flavor, method, serverVersion string) []string {
	f := Flavor(flavor)
	v, _ := parseVersion(serverVersion) // unparsable reads as unknown
	switch method {
	case MethodMysqldump:
		if f == FlavorPXC80 {
			return nil
		}
		return []string{allPrivileges}
	case MethodMariabackup:
		if f != FlavorMariaDB {
			return nil
		}
		if v.atLeast(10, 5, 2) {
			return []string{"RELOAD", "PROCESS", "LOCK TABLES", "BINLOG MONITOR"}
		}
		return []string{"RELOAD", "PROCESS", "LOCK TABLES", "REPLICATION CLIENT"}
	case MethodXtrabackupV2:
		switch {
		case f == FlavorPXC80:
			return nil
		case mysql8(f, v):
			return []string{"RELOAD", "PROCESS", "LOCK TABLES", "REPLICATION CLIENT", "BACKUP_ADMIN"}
		case f == FlavorMariaDB || f == FlavorPXC57 || f == FlavorMySQLWsrep:
			return []string{"RELOAD", "PROCESS", "LOCK TABLES", "REPLICATION CLIENT"}
		}
	}
	return nil
}

// tablePrivilegesFor returns the table privileges Percona XtraBackup 8.0
// documents for its user: log_status for the consistent binlog/redo
// position, replication_group_members to tell whether the server is in a
// Group Replication cluster. Both tables exist in every MySQL 8.0.
func tablePrivilegesFor(f Flavor, method string, v version) []tablePriv {
	if method != MethodXtrabackupV2 || f == FlavorPXC80 || !mysql8(f, v) {
		return nil
	}
	return []tablePriv{
		{"SELECT", "performance_schema", "log_status"},
		{"SELECT", "performance_schema", "replication_group_members"},
	}
}

type tablePriv struct{ priv, schema, table string }

// String is the form Current.Grants uses.
func (t tablePriv) String() string { return t.priv + " ON " + t.schema + "." + t.table }

// normPriv puts a privilege name in the form the comparison uses: upper
// case, single spaces, and on MariaDB REPLICATION CLIENT under its 10.5.2+
// name (the server shows one or the other by version).
func normPriv(f Flavor, p string) string {
	p = strings.ToUpper(strings.Join(strings.Fields(p), " "))
	if f == FlavorMariaDB && p == "REPLICATION CLIENT" {
		return "BINLOG MONITOR"
	}
	if p == "ALL" {
		return allPrivileges
	}
	return p
}

// privSet is a set of normalized privileges.
type privSet map[string]bool

func newPrivSet(f Flavor, list []string) privSet {
	s := privSet{}
	for _, p := range list {
		s[normPriv(f, p)] = true
	}
	return s
}

// holdsAll reports whether held amounts to ALL PRIVILEGES: written as such
// (a caller that read SHOW GRANTS), or every global privilege of the
// account galeraflow runs as. ok is false when that cannot be told.
func holdsAll(held privSet, reference privSet) (all, ok bool) {
	if held[allPrivileges] {
		return true, true
	}
	n := 0
	for p := range reference {
		if p == "GRANT OPTION" || p == "USAGE" {
			continue
		}
		n++
		if !held[p] {
			return false, true
		}
	}
	return n > 0, n > 0
}

// missing returns the wanted privileges not in held, in wanted's order.
func missing(wanted []string, held privSet, f Flavor) []string {
	var out []string
	for _, p := range wanted {
		if !held[normPriv(f, p)] {
			out = append(out, p)
		}
	}
	return out
}

// extra returns the global privileges held beyond wanted, sorted.
func extra(held privSet, wanted []string, f Flavor) []string {
	want := newPrivSet(f, wanted)
	var out []string
	for p := range held {
		if !want[p] && p != "USAGE" && !strings.Contains(p, " ON ") {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

package sstuser

import (
	"strings"

	"github.com/galeraflow/galeraflow/playbook/galera"
)

// SessionPrefix returns the statements to run before Plan.Statements in the
// same client call. For "TOI" (run once, on one node) it sets the session
// to TOI, so the user statements replicate even when the server's default
// is RSU: SET GLOBAL would not change the session already open. For "RSU"
// (run on every node) it sets the session to RSU, so each node's statements
// stay local. Anything else returns nil: the caller must choose.
func SessionPrefix(osu string) []string {
	switch strings.ToUpper(strings.TrimSpace(osu)) {
	case "TOI":
		return []string{"SET SESSION wsrep_OSU_method = 'TOI';"}
	case "RSU":
		return []string{"SET SESSION wsrep_OSU_method = 'RSU';"}
	}
	return nil
}

// VerifySQL returns the check to run on every node after the user was
// created (TOI gives no per-node success signal): one row
// User, Host, ssl_type, which must show ANY. It reads mysql.user, which on
// MariaDB 10.4+ is a view that still shows ssl_type; the same query works
// on every flavor. Names that needed backslash escapes get
// galera.SessionSQLMode in front, so they read the same in every sql_mode.
func VerifySQL(user, host string) string {
	if host == "" {
		host = DefaultHost
	}
	q := "SELECT User, Host, ssl_type FROM mysql.user WHERE User = " + galera.QuoteString(user) + " AND Host = " + galera.QuoteString(host) + ";"
	if !galera.ModeIndependent(user + host) {
		q = galera.SessionSQLMode + "\n" + q
	}
	return q
}

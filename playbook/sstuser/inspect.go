package sstuser

import (
	"fmt"
	"strings"

	"github.com/galeraflow/galeraflow/playbook/galera"
)

// InspectSQL returns read-only SQL that reports what Build needs, on every
// flavor. Run it with the client's batch output (-N -B); each row starts with
// a tag, then tab-separated fields:
//
//	account    <ssl_type> <plugin> <sha256 of the stored authentication string>
//	global     <privilege>               (one row per global privilege held)
//	table      <schema> <table> <privilege>
//	reference  <privilege>               (mysqldump only: the global privileges
//	                                      of the account running the query)
//	anonymous  <host>                    (one row per anonymous account)
//
// No account row means the user does not exist. It reads mysql.user and
// information_schema, never SHOW GRANTS, which fails for a missing user and
// would stop the script. On MariaDB 10.4+ mysql.user is a view over
// mysql.global_priv that still shows every column used here.
//
// The password is not in it: the stored hash is compared through its
// SHA-256, computed by the server (see Build).
func InspectSQL(in Input) string {
	f := in.Flavor
	v, _ := parseVersion(in.ServerVersion)
	user, host := galera.QuoteString(in.User), galera.QuoteString(hostOf(in))
	grantee := galera.QuoteString("'" + in.User + "'@'" + hostOf(in) + "'")

	// MariaDB before 10.4 keeps native hashes in Password, with plugin ''.
	plugin, hash := "plugin", "authentication_string"
	if f == FlavorMariaDB {
		plugin = "IF(plugin = '', '" + nativePlugin + "', plugin)"
		hash = "IF(authentication_string <> '', authentication_string, Password)"
	}
	q := []string{
		galera.SessionSQLMode,
		fmt.Sprintf("SELECT 'account', ssl_type, %s, LOWER(SHA2(%s, 256)) FROM mysql.user WHERE User = %s AND Host = %s;", plugin, hash, user, host),
		fmt.Sprintf("SELECT 'global', PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = %s;", grantee),
		fmt.Sprintf("SELECT 'table', TABLE_SCHEMA, TABLE_NAME, PRIVILEGE_TYPE FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = %s;", grantee),
	}
	if mysql8(f, v) {
		// MySQL 8 keeps dynamic privileges (BACKUP_ADMIN) in their own table.
		q = append(q, fmt.Sprintf("SELECT 'global', PRIV FROM mysql.global_grants WHERE USER = %s AND HOST = %s;", user, host))
	}
	if in.Method == MethodMysqldump {
		// CURRENT_USER() is user@host unquoted; the host is what follows the
		// last '@' (a host cannot hold one).
		const cu = "CURRENT_USER()"
		const h = "SUBSTRING_INDEX(" + cu + ", '@', -1)"
		q = append(q, "SELECT 'reference', PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = CONCAT('''', LEFT("+cu+", CHAR_LENGTH("+cu+") - CHAR_LENGTH("+h+") - 1), '''@''', "+h+", '''');")
	}
	q = append(q, "SELECT 'anonymous', Host FROM mysql.user WHERE User = '';")
	return strings.Join(q, "\n") + "\n"
}

// ParseInspect reads the rows of InspectSQL (as remote.DecodeBatch returns
// them: one slice of fields per row, NULL as "NULL").
func ParseInspect(rows [][]string) (Current, error) {
	var c Current
	for i, r := range rows {
		if len(r) == 0 || len(r) == 1 && r[0] == "" {
			continue
		}
		want := map[string]int{"account": 4, "global": 2, "table": 4, "reference": 2, "anonymous": 2}[r[0]]
		if want == 0 {
			return Current{}, fmt.Errorf("inspect row %d: unknown tag %q", i+1, r[0])
		}
		if len(r) != want {
			return Current{}, fmt.Errorf("inspect row %d (%s): %d fields, want %d", i+1, r[0], len(r), want)
		}
		switch r[0] {
		case "account":
			if c.Exists {
				return Current{}, fmt.Errorf("inspect row %d: a second account row", i+1)
			}
			c.Exists = true
			c.SSLType = strings.ToUpper(r[1])
			c.Plugin = r[2]
			if r[3] != "NULL" {
				c.AuthDigest = strings.ToLower(r[3])
			}
		case "global":
			c.Grants = appendNew(c.Grants, r[1])
		case "table":
			c.Grants = appendNew(c.Grants, r[3]+" ON "+r[1]+"."+r[2])
		case "reference":
			c.Reference = appendNew(c.Reference, r[1])
		case "anonymous":
			c.Anonymous = appendNew(c.Anonymous, r[1])
		}
	}
	if !c.Exists && len(c.Grants) > 0 {
		return Current{}, fmt.Errorf("inspect: privileges listed for an account that does not exist")
	}
	return c, nil
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func hostOf(in Input) string {
	if in.Host == "" {
		return DefaultHost
	}
	return in.Host
}

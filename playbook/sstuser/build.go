package sstuser

import (
	"errors"
	"fmt"
	"strings"

	"github.com/galeraflow/galeraflow/playbook/galera"
)

// ErrInvalid marks input Build refuses; the message names the field.
var ErrInvalid = errors.New("invalid SST user request")

// maskedPassword stands for the password in Plan.Masked.
const maskedPassword = "'****'"

// Build plans the statements that make the node's SST user match in, given
// what the node has (cur). Nothing to do gives Changed=false and no
// statements.
//
// Forms, by flavor:
//   - MariaDB: CREATE USER ... IDENTIFIED BY, then GRANT ... REQUIRE SSL
//     (the seed's form, corrected; it replicates under TOI and other nodes
//     show ssl_type ANY). An existing user is fixed with ALTER USER
//     (10.2+), or SET PASSWORD and GRANT USAGE ... REQUIRE SSL on 10.1.
//   - MySQL 5.7 and 8 (PXC 5.7, MySQL-wsrep): CREATE USER ... IDENTIFIED BY
//     ... REQUIRE SSL, then GRANT. MySQL 8 GRANT can neither create users
//     nor set SSL, and 5.7 deprecated doing so.
//   - PXC 8.0: no statements; it creates its own SST user.
//
// A missing user is created with CREATE USER, not CREATE USER IF NOT EXISTS:
// if it appeared since the inspection, failing is better than leaving an
// account whose password nobody checked. An ssl_type of X509 or SPECIFIED
// is kept: it already requires TLS, and weakening it is not galeraflow's
// call. Extra privileges are reported, not revoked.
func Build(in Input, cur Current) (Plan, error) {
	v, err := parseVersion(in.ServerVersion)
	if err != nil {
		return Plan{}, fmt.Errorf("%w: server version: %v", ErrInvalid, err)
	}
	if err := checkInput(in, v); err != nil {
		return Plan{}, err
	}
	if in.Flavor == FlavorPXC80 {
		return Plan{Summary: "PXC 8.0 creates and manages its own SST user (mysql.pxc.sst.user): nothing to do"}, nil
	}
	acct, err := galera.AccountFor(galera.Flavor(in.Flavor), in.User, hostOf(in))
	if err != nil {
		return Plan{}, fmt.Errorf("%w: sst.user: %v", ErrInvalid, err)
	}
	if err := galera.ValidatePassword(in.Password); err != nil {
		return Plan{}, fmt.Errorf("%w: sst.password: %v", ErrInvalid, err)
	}

	b := builder{f: in.Flavor, v: v, acct: acct, pw: galera.QuoteString(in.Password)}
	privs := PrivilegesFor(string(in.Flavor), in.Method, in.ServerVersion)
	tables := tablePrivilegesFor(in.Flavor, in.Method, v)
	if !cur.Exists {
		b.create(privs, tables)
		return b.plan(fmt.Sprintf("create %s with %s, REQUIRE SSL", acct, strings.Join(privList(privs, tables), ", ")), warnings(in, cur, nil)), nil
	}

	var did []string
	match := passwordMatches(cur, in.Password)
	setPassword := match == nil || !*match
	requireSSL := cur.SSLType == ""
	with := switchPlugin(in.Flavor, v, cur.Plugin)
	if setPassword || requireSSL {
		b.alter(setPassword, requireSSL, with)
	}
	switch {
	case setPassword && with != "":
		did = append(did, "set a password (it authenticated with "+cur.Plugin+", which takes none)")
	case setPassword && match == nil && saltedPlugins[cur.Plugin]:
		did = append(did, "set the password ("+cur.Plugin+" salts its hashes, so only a login attempt could tell whether it matches)")
	case setPassword && match == nil:
		did = append(did, "set the password (the stored one could not be compared)")
	case setPassword:
		did = append(did, "set the password")
	}
	if requireSSL {
		did = append(did, "require SSL")
	}

	held := newPrivSet(in.Flavor, cur.Grants)
	var warn []string
	grant := missing(privs, held, in.Flavor)
	if len(privs) == 1 && privs[0] == allPrivileges {
		all, known := holdsAll(held, newPrivSet(in.Flavor, cur.Reference))
		grant = nil
		if !all {
			grant = privs
		}
		if !known {
			warn = append(warn, "could not tell whether the user holds ALL PRIVILEGES (no privileges listed for the account running galeraflow): granting them again")
		}
	} else if x := extra(held, privs, in.Flavor); len(x) > 0 {
		warn = append(warn, fmt.Sprintf("%s holds privileges %s does not need: %s (not revoked)", acct, in.Method, strings.Join(x, ", ")))
	}
	var grantTables []tablePriv
	for _, t := range tables {
		if !held[normPriv(in.Flavor, t.String())] {
			grantTables = append(grantTables, t)
		}
	}
	if len(grant) > 0 || len(grantTables) > 0 {
		b.grant(grant, grantTables)
		did = append(did, "grant "+strings.Join(privList(grant, grantTables), ", "))
	}
	if len(did) == 0 {
		return Plan{Summary: acct + " already matches: unchanged", Warnings: warnings(in, cur, warn)}, nil
	}
	return b.plan(acct+": "+strings.Join(did, "; "), warnings(in, cur, warn)), nil
}

// saltedPlugins store hashes Build cannot compare with a candidate.
var saltedPlugins = map[string]bool{"caching_sha2_password": true, "sha256_password": true, "ed25519": true}

// switchPlugin returns the plugin an existing MySQL user must be moved to
// when it authenticates without a password (auth_socket and the like):
// MySQL's ALTER USER ... IDENTIFIED BY keeps the account's plugin, which
// would then read the password as something else. MariaDB's ALTER USER ...
// IDENTIFIED BY replaces the plugin by itself.
func switchPlugin(f Flavor, v version, plugin string) string {
	if f == FlavorMariaDB || plugin == "" || plugin == nativePlugin || saltedPlugins[plugin] {
		return ""
	}
	if mysql8(f, v) {
		return "caching_sha2_password"
	}
	return nativePlugin
}

// checkInput refuses requests Build cannot plan.
func checkInput(in Input, v version) error {
	switch in.Flavor {
	case FlavorMariaDB, FlavorPXC57, FlavorPXC80, FlavorMySQLWsrep:
	default:
		return fmt.Errorf("%w: flavor: unknown flavor %q", ErrInvalid, string(in.Flavor))
	}
	switch in.Method {
	case MethodMysqldump, MethodXtrabackupV2, MethodMariabackup:
	default:
		return fmt.Errorf("%w: sst.method: %q needs no SST user galeraflow can create (mysqldump, mariabackup, xtrabackup-v2)", ErrInvalid, in.Method)
	}
	if in.Flavor == FlavorPXC80 && in.Method != MethodXtrabackupV2 {
		return fmt.Errorf("%w: sst.method: %s on pxc80: PXC 8.0 supports only xtrabackup-v2", ErrInvalid, in.Method)
	}
	if in.Flavor != FlavorPXC80 && PrivilegesFor(string(in.Flavor), in.Method, in.ServerVersion) == nil {
		return fmt.Errorf("%w: sst.method: %s does not run on %s", ErrInvalid, in.Method, in.Flavor)
	}
	// BACKUP_ADMIN exists on MySQL 8 only: granting it on 5.7 fails, and
	// XtraBackup 8 fails without it.
	if in.Flavor == FlavorMySQLWsrep && in.Method == MethodXtrabackupV2 && !v.known {
		return fmt.Errorf("%w: the server version of mysql-wsrep is needed to choose the xtrabackup-v2 privileges (BACKUP_ADMIN exists only on 8.0): run `galeraflow check` first", ErrInvalid)
	}
	return nil
}

// warnings adds what may break the SST but is not Build's to change.
func warnings(in Input, cur Current, warn []string) []string {
	host := hostOf(in)
	for _, a := range cur.Anonymous {
		// The physical SST logs in over the local socket, which the server
		// matches as host localhost: there an anonymous ''@'localhost' wins
		// over 'user'@'%' (the more specific host goes first) and the login
		// is refused. The mysqldump donor logs in from another node, which
		// anonymous accounts made by the installer do not match.
		if a == "localhost" && host != "localhost" && in.Method != MethodMysqldump {
			warn = append(warn, fmt.Sprintf("the anonymous account ''@'localhost' wins over %s@%s for local logins, so the %s SST would be refused: drop it (DROP USER ''@'localhost')", galera.QuoteString(in.User), galera.QuoteString(host), in.Method))
		}
	}
	if in.Method == MethodMysqldump && (cur.SSLType == "X509" || cur.SSLType == "SPECIFIED") {
		warn = append(warn, fmt.Sprintf("ssl_type %s kept: the mysqldump donor must present a client certificate the joiner accepts (tls.client_cert)", cur.SSLType))
	}
	return warn
}

func privList(privs []string, tables []tablePriv) []string {
	out := append([]string(nil), privs...)
	for _, t := range tables {
		out = append(out, t.String())
	}
	return out
}

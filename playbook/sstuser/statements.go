package sstuser

import (
	"strings"

	"github.com/galeraflow/galeraflow/playbook/galera"
)

// builder collects each statement twice, once with the quoted password and
// once with the mask, from the same function: the masked text never held
// the password, so no replacement can miss an occurrence or hit a lookalike.
type builder struct {
	f            Flavor
	v            version
	acct         string // 'user'@'host', quoted
	pw           string // the password, quoted
	real, masked []string
}

func (b *builder) add(stmt func(pw string) string) {
	b.real = append(b.real, stmt(b.pw))
	b.masked = append(b.masked, stmt(maskedPassword))
}

func (b *builder) mariadb() bool { return b.f == FlavorMariaDB }

// create adds the statements for a missing user.
func (b *builder) create(privs []string, tables []tablePriv) {
	on := strings.Join(privs, ", ")
	if b.mariadb() {
		b.add(func(pw string) string { return "CREATE USER " + b.acct + " IDENTIFIED BY " + pw + ";" })
		b.add(func(string) string { return "GRANT " + on + " ON *.* TO " + b.acct + " REQUIRE SSL;" })
		return
	}
	b.add(func(pw string) string { return "CREATE USER " + b.acct + " IDENTIFIED BY " + pw + " REQUIRE SSL;" })
	b.grant(privs, tables)
}

// alter fixes the password and/or the TLS requirement of an existing user,
// switching it to plugin with when that is set. MariaDB 10.1 has no ALTER
// USER.
func (b *builder) alter(setPassword, requireSSL bool, with string) {
	if b.mariadb() && b.v.below(10, 2, 0) {
		if setPassword {
			b.add(func(pw string) string { return "SET PASSWORD FOR " + b.acct + " = PASSWORD(" + pw + ");" })
		}
		if requireSSL {
			b.add(func(string) string { return "GRANT USAGE ON *.* TO " + b.acct + " REQUIRE SSL;" })
		}
		return
	}
	b.add(func(pw string) string {
		s := "ALTER USER " + b.acct
		switch {
		case setPassword && with != "":
			s += " IDENTIFIED WITH " + with + " BY " + pw
		case setPassword:
			s += " IDENTIFIED BY " + pw
		}
		if requireSSL {
			s += " REQUIRE SSL"
		}
		return s + ";"
	})
}

// grant adds the missing global and table privileges.
func (b *builder) grant(privs []string, tables []tablePriv) {
	if len(privs) > 0 {
		on := strings.Join(privs, ", ")
		b.add(func(string) string { return "GRANT " + on + " ON *.* TO " + b.acct + ";" })
	}
	for _, t := range tables {
		// The names are constants of this package: they always quote.
		schema, _ := galera.QuoteIdent(t.schema)
		table, _ := galera.QuoteIdent(t.table)
		b.add(func(string) string { return "GRANT " + t.priv + " ON " + schema + "." + table + " TO " + b.acct + ";" })
	}
}

// plan returns the statements behind the session's sql_mode fix, which
// makes the backslash escapes of the quoted names and password mean what
// they say.
func (b *builder) plan(summary string, warnings []string) Plan {
	return Plan{
		Statements: append([]string{galera.SessionSQLMode}, b.real...),
		Masked:     append([]string{galera.SessionSQLMode}, b.masked...),
		Changed:    true,
		Summary:    summary,
		Warnings:   warnings,
	}
}

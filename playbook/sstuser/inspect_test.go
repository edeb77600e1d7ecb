package sstuser

import (
	"reflect"
	"strings"
	"testing"

	"github.com/galeraflow/galeraflow/playbook/galera"
)

func TestParseInspect(t *testing.T) {
	digest := digestOf("pw")
	cases := []struct {
		name string
		rows [][]string
		want Current
	}{
		{"missing user", nil, Current{}},
		{"missing user, anonymous accounts, reference", [][]string{
			{"reference", "SELECT"}, {"reference", "RELOAD"},
			{"anonymous", "localhost"}, {"anonymous", "db1"},
		}, Current{Reference: []string{"SELECT", "RELOAD"}, Anonymous: []string{"localhost", "db1"}}},
		{"mariadb 10.11 user as the server lists it", [][]string{
			{"account", "ANY", "mysql_native_password", digest},
			{"global", "RELOAD"}, {"global", "PROCESS"}, {"global", "LOCK TABLES"}, {"global", "BINLOG MONITOR"},
		}, Current{Exists: true, SSLType: "ANY", Plugin: "mysql_native_password", AuthDigest: digest,
			Grants: []string{"RELOAD", "PROCESS", "LOCK TABLES", "BINLOG MONITOR"}}},
		{"no ssl, table grant, duplicate dynamic privilege", [][]string{
			{"account", "", "caching_sha2_password", strings.ToUpper(digest)},
			{"global", "BACKUP_ADMIN"},
			{"table", "performance_schema", "log_status", "SELECT"},
			{"global", "BACKUP_ADMIN"},
		}, Current{Exists: true, Plugin: "caching_sha2_password", AuthDigest: digest,
			Grants: []string{"BACKUP_ADMIN", "SELECT ON performance_schema.log_status"}}},
		{"NULL digest, lower-case ssl_type", [][]string{{"account", "x509", "unix_socket", "NULL"}},
			Current{Exists: true, SSLType: "X509", Plugin: "unix_socket"}},
		{"blank lines are skipped", [][]string{{""}, {}, {"account", "ANY", "p", "d"}},
			Current{Exists: true, SSLType: "ANY", Plugin: "p", AuthDigest: "d"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseInspect(c.rows)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("ParseInspect =\n%+v\nwant\n%+v", got, c.want)
			}
		})
	}
}

func TestParseInspectErrors(t *testing.T) {
	cases := []struct {
		name string
		rows [][]string
		says string
	}{
		{"unknown tag", [][]string{{"user", "x"}}, `unknown tag "user"`},
		{"short account row", [][]string{{"account", "ANY", "p"}}, "3 fields, want 4"},
		{"long global row", [][]string{{"account", "ANY", "p", "d"}, {"global", "RELOAD", "x"}}, "row 2 (global): 3 fields, want 2"},
		{"two accounts", [][]string{{"account", "ANY", "p", "d"}, {"account", "", "p", "d"}}, "second account row"},
		{"grants without account", [][]string{{"global", "RELOAD"}}, "does not exist"},
		{"a header line", [][]string{{"User", "Host", "ssl_type"}}, "unknown tag"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseInspect(c.rows)
			if err == nil || !strings.Contains(err.Error(), c.says) {
				t.Errorf("error = %v, want one saying %q", err, c.says)
			}
		})
	}
}

// The rows InspectSQL asks for match what ParseInspect reads, per flavor.
func TestInspectSQL(t *testing.T) {
	for _, c := range []struct {
		in                                   Input
		globalGrants, reference, mariaHashes bool
	}{
		{Input{Flavor: FlavorMariaDB, ServerVersion: "10.11.14-MariaDB", User: "sst", Method: MethodMariabackup}, false, false, true},
		{Input{Flavor: FlavorMariaDB, User: "sst", Method: MethodMysqldump}, false, true, true},
		{Input{Flavor: FlavorPXC57, ServerVersion: "5.7.44-31.65", User: "sst", Method: MethodXtrabackupV2}, false, false, false},
		{Input{Flavor: FlavorMySQLWsrep, ServerVersion: "8.0.35", User: "sst", Method: MethodXtrabackupV2}, true, false, false},
		{Input{Flavor: FlavorMySQLWsrep, User: "sst", Method: MethodMysqldump}, false, true, false},
	} {
		q := InspectSQL(c.in)
		if !strings.HasPrefix(q, galera.SessionSQLMode+"\n") {
			t.Errorf("%v: does not start with the sql_mode fix", c.in)
		}
		for _, tag := range []string{"'account'", "'global'", "'table'", "'anonymous'"} {
			if !strings.Contains(q, "SELECT "+tag) {
				t.Errorf("%v: no %s rows", c.in, tag)
			}
		}
		if got := strings.Contains(q, "mysql.global_grants"); got != c.globalGrants {
			t.Errorf("%v: reads mysql.global_grants %t, want %t", c.in, got, c.globalGrants)
		}
		if got := strings.Contains(q, "'reference'"); got != c.reference {
			t.Errorf("%v: reference rows %t, want %t", c.in, got, c.reference)
		}
		if got := strings.Contains(q, "Password)"); got != c.mariaHashes {
			t.Errorf("%v: reads MariaDB's Password column %t, want %t", c.in, got, c.mariaHashes)
		}
		if !strings.Contains(q, "WHERE User = 'sst' AND Host = '%'") || !strings.Contains(q, "GRANTEE = '''sst''@''%'''") {
			t.Errorf("%v: account not matched as 'sst'@'%%':\n%s", c.in, q)
		}
		for _, forbidden := range []string{"SHOW GRANTS", "INSERT", "UPDATE ", "DELETE", "GRANT ", "CREATE", "ALTER", "DROP"} {
			if strings.Contains(q, forbidden) {
				t.Errorf("%v: inspection is not read-only: contains %q", c.in, forbidden)
			}
		}
	}
}

// A hostile user name stays one literal in every statement.
func TestInspectSQLQuotesNames(t *testing.T) {
	in := Input{Flavor: FlavorMariaDB, User: `a'b\c`, Host: "10.0.0.%", Method: MethodMariabackup}
	q := InspectSQL(in)
	if !strings.Contains(q, `User = 'a''b\\c' AND Host = '10.0.0.%'`) {
		t.Errorf("user not quoted by galera.QuoteString:\n%s", q)
	}
	// information_schema shows the grantee unescaped ('a'b\c'@'10.0.0.%' on
	// MariaDB 10.11), so the whole string is quoted once.
	if !strings.Contains(q, `GRANTEE = '''a''b\\c''@''10.0.0.%'''`) {
		t.Errorf("grantee not quoted:\n%s", q)
	}
}

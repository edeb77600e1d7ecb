package remote

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/galeraflow/galeraflow/inventory/secret"
)

func secretFor(v string) secret.Secret { return secret.New(v, "test") }

func TestDecodeBatch(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Rows
	}{
		{"empty", "", nil},
		{"one empty value", "\n", Rows{{""}}},
		{"one row", "a\tb\n", Rows{{"a", "b"}}},
		{"no trailing newline", "a\tb", Rows{{"a", "b"}}},
		{"two rows", "k1\tv1\nk2\tv2\n", Rows{{"k1", "v1"}, {"k2", "v2"}}},
		{"empty columns", "\t\n", Rows{{"", ""}}},
		{"NULL stays a word", "NULL\tx\n", Rows{{"NULL", "x"}}},
		{"escaped tab and newline", `a\tb` + "\t" + `c\nd` + "\n", Rows{{"a\tb", "c\nd"}}},
		{"escaped backslash", `C:\\dir` + "\n", Rows{{`C:\dir`}}},
		{"escaped backslash before n", `\\n` + "\n", Rows{{`\n`}}},
		{"nul byte", `a\0b` + "\n", Rows{{"a\x00b"}}},
		{"unknown escape kept", `a\qb` + "\n", Rows{{`a\qb`}}},
		{"trailing backslash kept", `ab\` + "\n", Rows{{`ab\`}}},
		{"provider options", "wsrep_provider_options\tbase_dir = /var/lib/mysql/; socket.ssl = YES;\n",
			Rows{{"wsrep_provider_options", "base_dir = /var/lib/mysql/; socket.ssl = YES;"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DecodeBatch([]byte(tt.in))
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("DecodeBatch(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// encodeBatch is what the client does to a value in batch mode.
func encodeBatch(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\x00", `\0`).Replace(s)
}

func FuzzDecodeBatch(f *testing.F) {
	for _, s := range []string{"", "a\tb\n", `a\tb\\c\0` + "\n", `\`, "\t\t\n\n", `x\n\t\0\\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rows := DecodeBatch([]byte(s)) // must not panic
		for _, r := range rows {
			if len(r) == 0 {
				t.Fatalf("row without columns from %q", s)
			}
		}
		// Round trip: one encoded value decodes to itself.
		if utf8.ValidString(s) {
			got := DecodeBatch([]byte(encodeBatch(s) + "\n"))
			if len(got) != 1 || len(got[0]) != 1 || got[0][0] != s {
				t.Fatalf("round trip of %q gave %q", s, got)
			}
		}
	})
}

func TestParseSQLError(t *testing.T) {
	tests := []struct {
		in   string
		want *SQLError
	}{
		{"ERROR 1045 (28000) at line 1: Access denied for user 'x'@'localhost' (using password: YES)\n",
			&SQLError{Code: 1045, State: "28000", Line: 1, Message: "Access denied for user 'x'@'localhost' (using password: YES)"}},
		{"ERROR 2002 (HY000): Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)\n",
			&SQLError{Code: 2002, State: "HY000", Message: "Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)"}},
		{"ERROR 1133 (28000) at line 3: Can't find any matching row in the user table",
			&SQLError{Code: 1133, State: "28000", Line: 3, Message: "Can't find any matching row in the user table"}},
		{"WARNING: option --ssl-verify-server-cert is disabled\nERROR 1064 (42000) at line 1: You have an error\nnear 'x'\n",
			&SQLError{Code: 1064, State: "42000", Line: 1, Message: "You have an error\nnear 'x'"}},
		{"ERROR 2005: Unknown server host 'nowhere'", &SQLError{Code: 2005, Message: "Unknown server host 'nowhere'"}},
		{"ERROR 1047 (08S01) at line 1: WSREP has not yet prepared node for application use\r\n",
			&SQLError{Code: 1047, State: "08S01", Line: 1, Message: "WSREP has not yet prepared node for application use"}},
		{"ERROR at line 1: Unknown command '\\x'.", nil},
		{"mysql: command not found", nil},
		{"", nil},
		{"ERROR 99999999999999999999999 (HY000): overflow", nil},
	}
	for _, tt := range tests {
		got := ParseSQLError(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseSQLError(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	e := &SQLError{Node: "n1", Code: 1045, State: "28000", Line: 1, Message: "Access denied"}
	if got := e.Error(); got != "n1: ERROR 1045 (28000) at line 1: Access denied" {
		t.Errorf("Error() = %q", got)
	}
}

func TestOptionFileQuoting(t *testing.T) {
	got, err := optionFile("u\"ser", secretFor(`a"b\c`+"\n#x"))
	if err != nil {
		t.Fatal(err)
	}
	want := "[client]\nuser=\"u\\\"ser\"\npassword=\"a\\\"b\\\\c\\n#x\"\n"
	if got != want {
		t.Fatalf("optionFile = %q, want %q", got, want)
	}
	if f, _ := optionFile("u", secretFor("")); strings.Contains(f, "password") {
		t.Fatalf("empty password written: %q", f)
	}
}

func TestMySQLCommandNeverCarriesPassword(t *testing.T) {
	c := MySQLClient{User: "u", Password: secretFor("hunter2"), Socket: "/tmp/my sock"}
	cmd, _, sudo, err := c.command("SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	if sudo || strings.Contains(cmd, "hunter2") || strings.Contains(cmd, "MYSQL_PWD") || strings.Contains(cmd, "--password") {
		t.Fatalf("command = %q (sudo %v)", cmd, sudo)
	}
	if !strings.Contains(cmd, `"$c" --defaults-extra-file=`) || !strings.Contains(cmd, "--socket='/tmp/my sock'") {
		t.Fatalf("command = %q", cmd)
	}
}

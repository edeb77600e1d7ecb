package mycnf

import (
	"errors"
	"strings"
	"testing"
)

// parseOne parses "[g]\n"+text and returns the option on line 2.
func parseOne(t *testing.T, text string) Option {
	t.Helper()
	f, err := Parse("t.cnf", []byte("[g]\n"+text+"\n"))
	if err != nil {
		t.Fatalf("Parse(%q): %v", text, err)
	}
	opts := f.Options()
	if len(opts) != 1 {
		t.Fatalf("Parse(%q): %d options, want 1", text, len(opts))
	}
	return opts[0]
}

// Every case below was checked against MariaDB 10.11's my_print_defaults.
func TestOptionValues(t *testing.T) {
	tests := []struct {
		line, key, value string
		hasValue         bool
	}{
		{"key=abc#def", "key", "abc", true},           // '#' needs no blank before it
		{`k2 = "a b" # c`, "k2", "a b", true},         // quotes dropped, comment cut
		{`k3=it's # x`, "k3", "it's # x", true},       // an open quote hides the '#'
		{`k4=a\sb\x\\`, "k4", `a b\x\`, true},         // \s, unknown escape kept, \\
		{"bare-key", "bare-key", "", false},           // no '='
		{"k1 = a=b=c", "k1", "a=b=c", true},           // key ends at the first '='
		{"k2 =", "k2", "", true},                      // empty value
		{`k3 = ""`, "k3", "", true},                   // empty quoted value
		{`k4 = "a"b"`, "k4", `a"b`, true},             // outer quotes only
		{`k5 = "`, "k5", `"`, true},                   // a lone quote is kept
		{`k6 = 'a\tb' # x`, "k6", "a\tb", true},       // escapes inside quotes
		{`k7 = a\`, "k7", `a\`, true},                 // final backslash kept
		{`k8 = "a "   `, "k8", "a ", true},            // blanks inside quotes kept
		{`k9 = a\#b # c`, "k9", `a\`, true},           // no escaping outside quotes
		{`k10 = a"b#c"d # e`, "k10", `a"b#c"d`, true}, // quotes mid-value hide '#'
		{"k11 = v ; not comment", "k11", "v ; not comment", true},
		{`k12= "x" 'y'`, "k12", `"x" 'y'`, true}, // different quotes: kept
		{`k13 = \\\\n`, "k13", `\\n`, true},
		{`k14 = "a\"b" # c`, "k14", `a"b`, true},
		{`k15 = 'it\'s' # c`, "k15", "it's", true},
		{`"quoted key" = 1`, `"quoted key"`, "1", true},
		{`k16 = 'a\'`, "k16", `a\`, true},
		{"k17#=1", "k17", "", false},
		{`k18 = x\ny`, "k18", "x\ny", true},
		{"Key_With-Mixed = 1", "Key_With-Mixed", "1", true},
		{"k19 =\ttab\t", "k19", "tab", true},
		{`k20 = "unterminated # not a comment`, "k20", `"unterminated # not a comment`, true},
		{"k=\xc2\xa0x\xa0", "k", "\xc2\xa0x", true}, // 0xA0 is a latin1 blank
		{"\xa0k2=1", "k2", "1", true},
		{"k3\x0b=\x0cv\x0b", "k3", "v", true},
		{"k5=a\x00b", "k5", "a", true}, // the server stops at a NUL
		{"  indented\t=\t v  ", "indented", "v", true},
		{"k = a\r", "k", "a", true},
	}
	for _, tt := range tests {
		o := parseOne(t, tt.line)
		if o.Key != tt.key || o.Value != tt.value || o.HasValue != tt.hasValue {
			t.Errorf("%q: got key %q value %q has %v, want %q %q %v", tt.line, o.Key, o.Value, o.HasValue, tt.key, tt.value, tt.hasValue)
		}
	}
}

func TestKeyNames(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"wsrep_sst_auth", "wsrep-sst-auth", true},
		{"loose-wsrep_sst_auth", "wsrep_sst_auth", true},
		{"loose_wsrep-sst-auth", "wsrep_sst_auth", true},
		{"Wsrep_SST_Auth", "wsrep_sst_auth", false}, // case-sensitive
		{"loose-", "loose_", true},
		{"loosefoo", "foo", false},
		{"skip-name-resolve", "skip_name_resolve", true},
		{"skip-name-resolve", "name_resolve", false},
	}
	for _, tt := range tests {
		if got := SameKey(tt.a, tt.b); got != tt.same {
			t.Errorf("SameKey(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

func TestGroups(t *testing.T) {
	in := "[mysqld] junk after\na=1\n[ mysqld ]\nb=2\n[mysqld\t]\nc=3\n[MySQLd]\nd=4\n[my_sqld]\ne=5\n[\xe9t\xff]\nf=6\n"
	f, err := Parse("g.cnf", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"mysqld", " mysqld", "mysqld", "MySQLd", "my_sqld", "\xe9t\xff"}
	if got := f.Groups(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("Groups() = %q, want %q", got, want)
	}
	var read []string
	for _, o := range f.Options() {
		if SameGroup(o.Group, "mysqld") {
			read = append(read, o.Key)
		}
	}
	if strings.Join(read, "") != "acd" {
		t.Errorf("options read in [mysqld]: %q, want a c d", read)
	}
	if !SameGroup("\xe9t\xff", "\xc9T\xff") || SameGroup("my-sqld", "my_sqld") {
		t.Error("group names: latin1 case folding, no '-'/'_' equivalence")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"no group", "# c\na=1\n[mysqld]\n", 2, "option outside any group"},
		{"bom", "\xef\xbb\xbf[mysqld]\na=1\n", 1, "byte-order mark"},
		{"bom comment", "\xef\xbb\xbf# c\n[mysqld]\n", 1, "byte-order mark"},
		{"no bracket", "[mysqld\nb=2\n", 1, "without ']'"},
		{"include no arg", "[m]\n!include\n", 2, "'!include' without an argument"},
		{"includedir no arg", "[m]\n!includedir   \n", 2, "'!includedir' without an argument"},
		{"include one char at eof", "[m]\n!include x", 2, "without an argument"},
		{"empty key", "[m]\n=v\n", 2, "option without a name"},
		{"blank key", "[m]\n  = v\n", 2, "option without a name"},
		{"too long", "[m]\nk=" + strings.Repeat("a", maxLineBytes) + "\n", 2, "splits lines"},
	}
	for _, tt := range tests {
		_, err := Parse("e.cnf", []byte(tt.in))
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: err = %v, want a ParseError", tt.name, err)
			continue
		}
		if pe.File != "e.cnf" || pe.Line != tt.line || !strings.Contains(pe.Msg, tt.msg) {
			t.Errorf("%s: got %v, want e.cnf:%d: ...%s...", tt.name, err, tt.line, tt.msg)
		}
	}
}

// Lines the server accepts that look odd.
func TestParseAccepts(t *testing.T) {
	for _, in := range []string{
		"",
		"\n\n",
		"# only comments\n; and these\n",
		"!include /a.cnf\n[m]\n", // directives need no group
		"[m]\n!includex foo\n!foo\n!INCLUDE /x\n", // ignored directives
		"[m]\n!include", // no blank after the keyword: ignored
		"[m]\nk=" + strings.Repeat("a", maxLineBytes-2) + "\n", // exactly the buffer
		"[m]\r\nk = v\r\n",
		"[m]\nk = v",
		"\x00garbage\n[m]\n", // a NUL first: the server sees an empty line
	} {
		f, err := Parse("ok.cnf", []byte(in))
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if got := string(f.Bytes()); got != in {
			t.Errorf("render(%q) = %q", in, got)
		}
	}
}

func TestDirectiveArguments(t *testing.T) {
	tests := []struct {
		in   string
		kind kind
		arg  string
	}{
		{"!include /etc/a.cnf\n", kindInclude, "/etc/a.cnf"},
		{"  !  include   /etc/a.cnf   \n", kindInclude, "/etc/a.cnf"},
		{"!include\t/etc/a.cnf\r\n", kindInclude, "/etc/a.cnf"},
		{"!include /etc/a.cnf # c\n", kindInclude, "/etc/a.cnf # c"}, // no comments here
		{"!include /etc/a.cnf", kindInclude, "/etc/a.cn"},            // last line: last byte lost
		{"!include /etc/a.cnf  ", kindInclude, "/etc/a.cnf"},         // ...unless it ends in blanks
		{"!includedir /etc/mysql/conf.d/\n", kindIncludeDir, "/etc/mysql/conf.d/"},
		{"!includedir /etc/mysql/conf.d/", kindIncludeDir, "/etc/mysql/conf.d"},
		{"!includedir\n", kindIncludeDir, ""},
		{"!includedirx /a\n", kindDirective, ""},
		{"!include" + "\x00 /a\n", kindDirective, ""},
	}
	for _, tt := range tests {
		ls := splitLines(tt.in)
		l := ls[0]
		l.parse()
		if l.kind != tt.kind || l.arg != tt.arg {
			t.Errorf("%q: kind %d arg %q, want %d %q", tt.in, l.kind, l.arg, tt.kind, tt.arg)
		}
	}
}

func TestLookup(t *testing.T) {
	in := "[mysqld]\nport = 1\n[client]\nport = 2\n[MYSQLD]\nloose-port = 3\n[mysqld]\n# port = 4\n"
	f, err := Parse("l.cnf", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	o, ok := f.Lookup("mysqld", "port")
	if !ok || o.Value != "3" || o.Line != 6 || o.Key != "loose-port" || o.Group != "MYSQLD" || o.Name() != "port" {
		t.Errorf("Lookup = %+v, %v", o, ok)
	}
	if _, ok := f.Lookup("server", "port"); ok {
		t.Error("Lookup in an absent group found something")
	}
}

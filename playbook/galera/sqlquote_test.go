package galera

import (
	"errors"
	"strings"
	"testing"
)

// unquote is a reference lexer for one MySQL/MariaDB single-quoted string
// literal at the start of src, written from the server's documented rules
// ("String Literals"): two quotes are one quote; with backslash escapes on,
// \0 \' \" \b \n \r \t \Z \\ are escapes, \% and \_ keep their backslash, and
// a backslash before any other character is dropped; with
// NO_BACKSLASH_ESCAPES a backslash is an ordinary character. It returns the
// value and whatever follows the closing quote.
func unquote(src string, noBackslash bool) (val, rest string, err error) {
	if !strings.HasPrefix(src, "'") {
		return "", "", errors.New("no opening quote")
	}
	var b strings.Builder
	for i := 1; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\'':
			if i+1 < len(src) && src[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			return b.String(), src[i+1:], nil
		case c == '\\' && !noBackslash:
			if i+1 >= len(src) {
				return "", "", errors.New("unterminated escape")
			}
			i++
			switch e := src[i]; e {
			case '0':
				b.WriteByte(0)
			case 'b':
				b.WriteByte('\b')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'Z':
				b.WriteByte(0x1a)
			case '%', '_':
				b.WriteByte('\\')
				b.WriteByte(e)
			default: // \' \" \\ and any other character: the character
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", errors.New("unterminated literal")
}

// checkLiteral asserts the properties QuoteString promises for input s.
func checkLiteral(t *testing.T, s string) {
	t.Helper()
	q := QuoteString(s)
	if len(q) < 2 || q[0] != '\'' || q[len(q)-1] != '\'' {
		t.Fatalf("QuoteString(%q) = %q: not a quoted literal", s, q)
	}
	if strings.ContainsAny(q, "\x00\r\n") {
		t.Fatalf("QuoteString(%q) = %q: holds NUL, CR or LF", s, q)
	}
	if inner := strings.ReplaceAll(q[1:len(q)-1], "''", ""); strings.Contains(inner, "'") {
		t.Fatalf("QuoteString(%q) = %q: unescaped quote inside", s, q)
	}
	// Embedded in a statement, the literal must end exactly where it was
	// put, under both sql modes, whatever s holds.
	const after = " REQUIRE SSL; -- done"
	for _, nbe := range []bool{false, true} {
		val, rest, err := unquote(q+after, nbe)
		if err != nil {
			t.Fatalf("QuoteString(%q) = %q: NO_BACKSLASH_ESCAPES=%v: %v", s, q, nbe, err)
		}
		if rest != after {
			t.Fatalf("QuoteString(%q) = %q: NO_BACKSLASH_ESCAPES=%v: literal ends early, rest %q", s, q, nbe, rest)
		}
		if !nbe && val != s {
			t.Fatalf("QuoteString(%q) = %q reads back as %q", s, q, val)
		}
		if nbe && ModeIndependent(s) && val != s {
			t.Fatalf("QuoteString(%q) = %q reads back under NO_BACKSLASH_ESCAPES as %q", s, q, val)
		}
	}
}

func TestQuoteString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `''`},
		{"sst-pw", `'sst-pw'`},
		{"it's", `'it''s'`},
		{`a\b`, `'a\\b'`},
		{`\'`, `'\\'''`},
		{`end\`, `'end\\'`},
		{"x\x00y", `'x\0y'`},
		{"l1\nl2", `'l1\nl2'`},
		{"cr\r\n", `'cr\r\n'`},
		{"\x1a", `'\Z'`},
		{"tab\there", "'tab\there'"},
		{"'; DROP USER root@localhost; -- ", `'''; DROP USER root@localhost; -- '`},
		{"/* comment */ #hash", `'/* comment */ #hash'`},
		{`"double" and ` + "`back`", `'"double" and ` + "`back`'"},
		{"pässwörd€😀", `'pässwörd€😀'`},
		{`\%\_`, `'\\%\\_'`},
		{"\xbf\x27", `'` + "\xbf" + `'''`}, // the GBK trick: the quote is still doubled
	}
	for _, tt := range tests {
		if got := QuoteString(tt.in); got != tt.want {
			t.Errorf("QuoteString(%q) = %q, want %q", tt.in, got, tt.want)
		}
		checkLiteral(t, tt.in)
	}
}

func TestModeIndependent(t *testing.T) {
	for s, want := range map[string]bool{
		"plain":  true,
		"it's":   true,
		"a\\b":   false,
		"a\nb":   false,
		"a\x00b": false,
		"€":      true,
	} {
		if got := ModeIndependent(s); got != want {
			t.Errorf("ModeIndependent(%q) = %v, want %v", s, got, want)
		}
	}
}

// The reference lexer must itself tell right from wrong, or the checks
// above prove nothing.
func TestUnquoteReference(t *testing.T) {
	tests := []struct {
		src      string
		nbe      bool
		val      string
		rest     string
		wantFail bool
	}{
		{src: `'a''b' x`, val: "a'b", rest: " x"},
		{src: `'a\'b' x`, val: "a'b", rest: " x"},
		{src: `'a\'b' x`, nbe: true, val: `a\`, rest: "b' x"}, // \' ends it: why QuoteString doubles quotes
		{src: `'\n\%'`, val: "\n\\%"},
		{src: `'\q'`, val: "q"},
		{src: `'\\'`, nbe: true, val: `\\`},
		{src: `'open`, wantFail: true},
		{src: `'x\`, wantFail: true},
	}
	for _, tt := range tests {
		val, rest, err := unquote(tt.src, tt.nbe)
		if tt.wantFail {
			if err == nil {
				t.Errorf("unquote(%q) succeeded, want failure", tt.src)
			}
			continue
		}
		if err != nil || val != tt.val || rest != tt.rest {
			t.Errorf("unquote(%q, nbe=%v) = %q, %q, %v; want %q, %q", tt.src, tt.nbe, val, rest, err, tt.val, tt.rest)
		}
	}
}

func FuzzQuoteString(f *testing.F) {
	for _, s := range []string{"", "'", "\\", `\'`, "''", "a\x00b", "\r\n", "-- x", "/*", "*/", "\xbf'", "€"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkLiteral(t, s)
	})
}

func TestQuoteIdent(t *testing.T) {
	ok := map[string]string{
		"mysql":      "`mysql`",
		"a`b":        "`a``b`",
		"with space": "`with space`",
		"ünï":        "`ünï`",
	}
	for in, want := range ok {
		got, err := QuoteIdent(in)
		if err != nil || got != want {
			t.Errorf("QuoteIdent(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "a\x00b", "trailing ", strings.Repeat("x", 65), "emoji😀", "\xff"} {
		if _, err := QuoteIdent(in); !errors.Is(err, ErrInvalidIdent) {
			t.Errorf("QuoteIdent(%q) error = %v, want ErrInvalidIdent", in, err)
		}
	}
	if _, err := QuoteIdent(strings.Repeat("é", 64)); err != nil {
		t.Errorf("64 two-byte characters: %v (the limit counts characters, not bytes)", err)
	}
}

func TestAccount(t *testing.T) {
	tests := []struct {
		flavor     Flavor
		user, host string
		want       string // "" = error
	}{
		{FlavorUnknown, "sst_user", "%", `'sst_user'@'%'`},
		{FlavorUnknown, "o'brien", "10.0.0.%", `'o''brien'@'10.0.0.%'`},
		{FlavorUnknown, `back\slash`, "localhost", `'back\\slash'@'localhost'`},
		{FlavorUnknown, strings.Repeat("u", 32), "%", `'` + strings.Repeat("u", 32) + `'@'%'`},
		{FlavorUnknown, strings.Repeat("ü", 32), "%", `'` + strings.Repeat("ü", 32) + `'@'%'`},
		{FlavorUnknown, strings.Repeat("u", 33), "%", ""},
		{FlavorPXC80, strings.Repeat("u", 33), "%", ""},
		{FlavorMySQLWsrep, strings.Repeat("u", 33), "%", ""},
		{FlavorMariaDB, strings.Repeat("u", 80), "%", `'` + strings.Repeat("u", 80) + `'@'%'`},
		{FlavorMariaDB, strings.Repeat("u", 81), "%", ""},
		{FlavorMariaDB, "u", strings.Repeat("h", 60), `'u'@'` + strings.Repeat("h", 60) + `'`},
		{FlavorMariaDB, "u", strings.Repeat("h", 61), ""},
		{FlavorUnknown, "", "%", ""},
		{FlavorUnknown, "u", "", ""},
		{FlavorUnknown, "a\x00b", "%", ""},
		{FlavorUnknown, "a\nb", "%", ""},
		{FlavorUnknown, "u", "db1\r", ""},
		{FlavorUnknown, " u", "%", ""},
		{FlavorUnknown, "u ", "%", ""},
		{FlavorUnknown, "u", "db 1", ""},
		{FlavorUnknown, "\xff", "%", ""},
		{FlavorUnknown, "u'; DROP USER x; --", "%", `'u''; DROP USER x; --'@'%'`},
	}
	for _, tt := range tests {
		got, err := AccountFor(tt.flavor, tt.user, tt.host)
		if tt.want == "" {
			if !errors.Is(err, ErrInvalidAccount) {
				t.Errorf("AccountFor(%q, %q, %q) = %q, %v; want ErrInvalidAccount", tt.flavor, tt.user, tt.host, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("AccountFor(%q, %q, %q) = %q, %v; want %q", tt.flavor, tt.user, tt.host, got, err, tt.want)
		}
	}
	if got, err := Account("sst", "%"); err != nil || got != `'sst'@'%'` {
		t.Errorf("Account = %q, %v", got, err)
	}
	if _, err := Account(strings.Repeat("u", 40), "%"); err == nil {
		t.Error("Account accepted a 40-character user: it must hold to the strictest (32) limit")
	}
}

func TestValidatePassword(t *testing.T) {
	for pw, ok := range map[string]bool{
		"S3cret!'\\\"`;--": true,
		"multi\nline":      true, // sendable: QuoteString escapes it
		"":                 false,
		"nul\x00byte":      false,
		"bad\xffutf8":      false,
	} {
		err := ValidatePassword(pw)
		if ok && err != nil || !ok && !errors.Is(err, ErrInvalidPassword) {
			t.Errorf("ValidatePassword(%q) = %v, want ok=%v", pw, err, ok)
		}
	}
}

// emulateSessionSQLMode evaluates SessionSQLMode's expression the way the
// server does: TRIM(BOTH ',' FROM REPLACE(CONCAT(',', m, ','), ',X,', ',')).
func emulateSessionSQLMode(m string) string {
	s := strings.ReplaceAll(","+m+",", ",NO_BACKSLASH_ESCAPES,", ",")
	return strings.Trim(s, ",")
}

func TestSessionSQLMode(t *testing.T) {
	// The emulation must match the statement we actually send.
	if !strings.Contains(SessionSQLMode, "TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','))") {
		t.Fatalf("SessionSQLMode changed; update emulateSessionSQLMode: %s", SessionSQLMode)
	}
	if strings.Contains(SessionSQLMode, `\`) || !strings.HasSuffix(SessionSQLMode, ";") {
		t.Fatalf("SessionSQLMode must hold no backslash and end the statement: %s", SessionSQLMode)
	}
	tests := map[string]string{
		"":                     "",
		"NO_BACKSLASH_ESCAPES": "",
		"STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES":                "STRICT_TRANS_TABLES",
		"NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES":                "STRICT_TRANS_TABLES",
		"ANSI_QUOTES,NO_BACKSLASH_ESCAPES,NO_ENGINE_SUBSTITUTION": "ANSI_QUOTES,NO_ENGINE_SUBSTITUTION",
		"STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO":          "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO",
	}
	for in, want := range tests {
		if got := emulateSessionSQLMode(in); got != want {
			t.Errorf("sql_mode %q → %q, want %q", in, got, want)
		}
	}
}

package galera

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ClientCharsetOption is the mysql/mariadb client option QuoteString's
// safety rests on: utf8mb4 never hides a quote or a backslash inside a
// multibyte character, whatever the server's default character set is.
const ClientCharsetOption = "--default-character-set=utf8mb4"

// SessionSQLMode is the first statement of every script galeraflow sends: it
// removes NO_BACKSLASH_ESCAPES from the session's sql_mode (keeping every
// other mode), so the backslash escapes QuoteString writes mean what they say.
// It contains no backslash itself, so it reads the same under either mode, and
// it needs no privilege.
const SessionSQLMode = "SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','));"

// QuoteString returns s as a single-quoted string literal for statements
// galeraflow sends on the mysql client's standard input.
//
// Why this form:
//   - Hex literals (X'...') read the same in every sql_mode, but the
//     grammar does not take them where galeraflow needs literals: IDENTIFIED
//     BY and the parts of 'user'@'host' accept only quoted text, on MariaDB
//     and MySQL 8 alike, and a charset introducer (_utf8mb4'...') is refused
//     there too. So it has to be a plain '...' literal.
//   - A quote is written as two quotes, which means one quote with and without
//     NO_BACKSLASH_ESCAPES. The other spelling, \', would end the literal
//     under NO_BACKSLASH_ESCAPES and let the rest of the value run as SQL.
//   - Backslash, NUL, LF, CR and Ctrl-Z become \\, \0, \n, \r and \Z. The
//     mysql client refuses a raw NUL (without --binary-mode) and drops a CR
//     before a line end, and a literal on one line keeps the client's own
//     statement splitting simple: the output is a single line with no NUL.
//   - Under NO_BACKSLASH_ESCAPES the same text is still exactly one literal
//     (backslashes turn literal, quotes stay doubled): nothing in s can end
//     it early or inject. Only the value would differ, and only when s holds
//     one of those five characters; SessionSQLMode rules that out.
//
// Bytes above 0x7F pass through unchanged. That is safe when the connection
// character set never hides 0x27 or 0x5C inside a multibyte character:
// utf8mb4, utf8mb3 and latin1 are such sets; big5, cp932, gbk, gb18030 and
// sjis are not. So the client that receives the statements must run with
// ClientCharsetOption, and the script must start with SessionSQLMode.
func QuoteString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			b.WriteString("''")
		case '\\':
			b.WriteString(`\\`)
		case 0:
			b.WriteString(`\0`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case 0x1a:
			b.WriteString(`\Z`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// ModeIndependent reports whether QuoteString(s) has the same value with and
// without NO_BACKSLASH_ESCAPES, i.e. it needed no backslash escape.
func ModeIndependent(s string) bool {
	return !strings.ContainsAny(s, "\\\x00\n\r\x1a")
}

var (
	// ErrInvalidAccount: a user or host name the server cannot store.
	ErrInvalidAccount = errors.New("invalid account name")
	// ErrInvalidIdent: an identifier the server does not permit.
	ErrInvalidIdent = errors.New("invalid identifier")
	// ErrInvalidPassword: a password that cannot be sent or stored intact.
	ErrInvalidPassword = errors.New("invalid password")
)

// QuoteIdent returns s as a backtick-quoted identifier (a backtick inside is
// doubled; backticks mean the same in every sql_mode, ANSI_QUOTES included).
// It refuses what the server refuses: empty names, NUL, characters above
// U+FFFF, names over 64 characters or ending in a space, invalid UTF-8.
func QuoteIdent(s string) (string, error) {
	switch {
	case s == "":
		return "", fmt.Errorf("%w: empty", ErrInvalidIdent)
	case !utf8.ValidString(s):
		return "", fmt.Errorf("%w: %q is not valid UTF-8", ErrInvalidIdent, s)
	case strings.IndexByte(s, 0) >= 0:
		return "", fmt.Errorf("%w: %q contains NUL", ErrInvalidIdent, s)
	case utf8.RuneCountInString(s) > 64:
		return "", fmt.Errorf("%w: %q is longer than 64 characters", ErrInvalidIdent, s)
	case strings.HasSuffix(s, " "):
		return "", fmt.Errorf("%w: %q ends with a space", ErrInvalidIdent, s)
	}
	for _, r := range s {
		if r > 0xFFFF {
			return "", fmt.Errorf("%w: %q contains %U, above U+FFFF", ErrInvalidIdent, s, r)
		}
	}
	return "`" + strings.ReplaceAll(s, "`", "``") + "`", nil
}

// Name length limits, in characters. MariaDB stores 80-character user names
// (newer releases more; 80 is what every supported one takes); MySQL 5.7.8+
// and 8.0, hence PXC and MySQL-wsrep, store 32. Host names: 60 everywhere
// galeraflow runs (MySQL 8.0.17+ and new MariaDB take 255).
type nameLimits struct{ user, host int }

func limitsFor(f Flavor) nameLimits {
	if f == FlavorMariaDB {
		return nameLimits{user: 80, host: 60}
	}
	return nameLimits{user: 32, host: 60}
}

// Account returns 'user'@'host' for any flavor: names are held to the
// strictest limits (32-character users, 60-character hosts).
func Account(user, host string) (string, error) {
	return AccountFor(FlavorUnknown, user, host)
}

// AccountFor returns 'user'@'host' with both parts quoted by QuoteString,
// after checking that the flavor's server can store them. Control characters
// are refused outright: no real account needs one, and a newline or NUL in a
// name is far more likely an inventory mistake than intent.
func AccountFor(f Flavor, user, host string) (string, error) {
	lim := limitsFor(f)
	if err := checkName("user", user, lim.user); err != nil {
		return "", err
	}
	if err := checkName("host", host, lim.host); err != nil {
		return "", err
	}
	if strings.ContainsAny(host, " \t") {
		return "", fmt.Errorf("%w: host %q contains a space", ErrInvalidAccount, host)
	}
	return QuoteString(user) + "@" + QuoteString(host), nil
}

func checkName(what, s string, max int) error {
	switch {
	case s == "" && what == "host":
		return fmt.Errorf("%w: empty host: use '%%' for any host", ErrInvalidAccount)
	case s == "":
		return fmt.Errorf("%w: empty user name (anonymous accounts are not supported)", ErrInvalidAccount)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: %s %q is not valid UTF-8", ErrInvalidAccount, what, s)
	case strings.TrimSpace(s) != s:
		return fmt.Errorf("%w: %s %q has leading or trailing spaces", ErrInvalidAccount, what, s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: %s %q contains a control character (%U)", ErrInvalidAccount, what, s, r)
		}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%w: %s %q is %d characters long; the server stores at most %d", ErrInvalidAccount, what, s, n, max)
	}
	return nil
}

// ValidatePassword refuses passwords that cannot reach the server intact:
// empty ones, a NUL (authentication plugins treat passwords as C strings and
// would cut it there), and invalid UTF-8 (the utf8mb4 connection would reject
// or mangle it, so the hash would not match what the user types).
func ValidatePassword(pw string) error {
	switch {
	case pw == "":
		return fmt.Errorf("%w: empty", ErrInvalidPassword)
	case strings.IndexByte(pw, 0) >= 0:
		return fmt.Errorf("%w: contains a NUL byte", ErrInvalidPassword)
	case !utf8.ValidString(pw):
		return fmt.Errorf("%w: not valid UTF-8", ErrInvalidPassword)
	}
	return nil
}

package mycnf

import "strings"

// decodeValue turns a trimmed raw value into what the server passes on:
// matching outer quotes dropped, then escapes decoded. An unknown escape and
// a backslash as the very last byte stay as written.
func decodeValue(raw string) string {
	if len(raw) > 1 && (raw[0] == '"' || raw[0] == '\'') && raw[len(raw)-1] == raw[0] {
		raw = raw[1 : len(raw)-1]
	}
	if strings.IndexByte(raw, '\\') < 0 {
		return raw
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' || i == len(raw)-1 {
			b.WriteByte(c)
			continue
		}
		i++
		switch raw[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 's':
			b.WriteByte(' ')
		case '"', '\'', '\\':
			b.WriteByte(raw[i])
		default:
			b.WriteByte('\\')
			b.WriteByte(raw[i])
		}
	}
	return b.String()
}

// needsQuotes reports whether v cannot be written bare. Spaces and ';' are
// quoted for readability (wsrep_provider_options is written quoted), the
// rest because the parser would change them.
func needsQuotes(v string) bool {
	if v == "" {
		return true
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c < 0x20, c == 0x7f, isSpace(c):
			return true
		case c == '#', c == '\'', c == '"', c == '\\', c == ';':
			return true
		}
	}
	return false
}

// encodeValue writes v so that decodeValue gives it back. quote is the quote
// to use if any is needed or 0 for '"'; keepQuote forces quoting, to keep a
// value that was quoted quoted.
func encodeValue(v string, quote byte, keepQuote bool) string {
	if !keepQuote && !needsQuotes(v) {
		return v
	}
	if quote != '\'' {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case quote:
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

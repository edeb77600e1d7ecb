package mycnf

import "strings"

// kind is what the server makes of a line.
type kind uint8

const (
	kindBlank kind = iota
	kindComment
	kindGroup
	kindOption
	kindInclude
	kindIncludeDir
	kindDirective // another "!word": the server ignores it
)

// line is one line of a file: its bytes, kept verbatim for rendering, and
// what the server reads from them. Offsets index text.
type line struct {
	text string // without the line ending
	eol  string // "\n", "\r\n", or "" for a last line without one

	kind  kind
	group string // kindGroup: the name, trailing blanks dropped
	arg   string // kindInclude, kindIncludeDir: the path the server uses
	err   string // a syntax error the server reports for this line

	key              string // kindOption: as written
	keyStart, keyEnd int
	hasValue         bool // "key=..." rather than a bare "key"
	value            string
	valStart, valEnd int // the raw value, quotes included, trimmed
}

const (
	kwInclude    = "include"
	kwIncludeDir = "includedir"
)

// parse classifies l from its bytes; the group state is the caller's.
func (l *line) parse() {
	*l = line{text: l.text, eol: l.eol}
	c := l.text + l.eol
	if len(c) > maxLineBytes {
		// One read takes maxLineBytes: a line of exactly that many bytes
		// before its '\n' is seen without it.
		c = c[:maxLineBytes]
	}
	c = cString(c)
	p := skipSpace(c, 0)
	switch {
	case p == len(c):
		l.kind = kindBlank
	case c[p] == '#' || c[p] == ';':
		l.kind = kindComment
	case c[p] == '!':
		l.parseDirective(c, p)
	case c[p] == '[':
		l.kind = kindGroup
		end := strings.IndexByte(c[p+1:], ']')
		if end < 0 {
			l.err = "group header without ']'"
			return
		}
		end += p + 1
		l.group = c[p+1 : trimRightSpace(c, p+1, end)]
	default:
		l.parseOption(c, p)
	}
}

// parseDirective follows the server: "!" and blanks, then the keyword, which
// must be followed by a blank; the argument is the rest of the line.
func (l *line) parseDirective(c string, p int) {
	l.kind = kindDirective
	q := skipSpace(c, p+1)
	for _, kw := range []string{kwIncludeDir, kwInclude} {
		if strings.HasPrefix(c[q:], kw) && q+len(kw) < len(c) && isSpace(c[q+len(kw)]) {
			l.kind = kindInclude
			if kw == kwIncludeDir {
				l.kind = kindIncludeDir
			}
			start := skipSpace(c, q+len(kw))
			// The server assumes the line ends with a newline: it steps back
			// from the last byte over blanks and cuts there, so on a last
			// line without a newline the final character is lost.
			end := len(c) - 1
			for end > 0 && isSpace(c[end-1]) {
				end--
			}
			if end <= start {
				l.err = "'!" + kw + "' without an argument"
				return
			}
			l.arg = c[start:end]
			return
		}
	}
}

func (l *line) parseOption(c string, p int) {
	l.kind = kindOption
	commentAt := endOfOption(c, p)
	body := c[:commentAt]
	keyEnd := commentAt
	eq := strings.IndexByte(body[p:], '=')
	if eq >= 0 {
		eq += p
		keyEnd = eq
	}
	keyEnd = trimRightSpace(c, p, keyEnd)
	if keyEnd == p {
		l.err = "option without a name"
		return
	}
	l.key, l.keyStart, l.keyEnd = c[p:keyEnd], p, keyEnd
	if eq < 0 {
		return
	}
	l.hasValue = true
	vs := skipSpace(body, eq+1)
	ve := trimRightSpace(body, vs, len(body))
	if vs > len(l.text) {
		// An empty value: skipping blanks ran into the line ending.
		vs, ve = len(l.text), len(l.text)
	}
	l.valStart, l.valEnd = vs, ve
	l.value = decodeValue(c[vs:ve])
}

// endOfOption returns where a trailing comment starts: the first '#' outside
// quotes. Quotes are tracked over the whole line, key included, and a
// backslash escapes a quote only inside quotes.
func endOfOption(c string, p int) int {
	var quote byte
	escaped := false
	for i := p; i < len(c); i++ {
		b := c[i]
		if (b == '\'' || b == '"') && !escaped {
			switch quote {
			case 0:
				quote = b
			case b:
				quote = 0
			}
		}
		if quote == 0 && b == '#' {
			return i
		}
		escaped = quote != 0 && b == '\\' && !escaped
	}
	return len(c)
}

// contentLen is the line's length without its final '\n'.
func (l *line) contentLen() int {
	n := len(l.text) + len(l.eol)
	if l.eol != "" {
		n--
	}
	return n
}

// isOption reports whether l defines the option whose normalized name is n.
func (l *line) isOption(n string) bool {
	return l.kind == kindOption && l.err == "" && normalizeKey(l.key) == n
}

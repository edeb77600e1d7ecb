package mycnf

import "strings"

// maxLineBytes is what one fgets call of the server reads (buffer of 4096,
// minus one, minus the NUL). A longer line is split into two "lines".
const maxLineBytes = 4094

// isSpace is my_isspace for latin1, the charset the server parses with:
// it includes 0xA0 (no-break space), so a trailing 0xA0 is trimmed too.
func isSpace(b byte) bool {
	return b == ' ' || (b >= '\t' && b <= '\r') || b == 0xA0
}

// cString is what the C string functions see of a line: up to the first NUL.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// trimRightSpace returns the end of s[from:end] once trailing blanks are cut.
func trimRightSpace(s string, from, end int) int {
	for end > from && isSpace(s[end-1]) {
		end--
	}
	return end
}

func trimSpace(s string) string {
	start := skipSpace(s, 0)
	return s[start:trimRightSpace(s, start, len(s))]
}

// splitLines cuts data at '\n' the way fgets does. A "\r\n" ending is kept
// apart from the text so that edits keep the file's line endings.
func splitLines(data string) []*line {
	var out []*line
	for len(data) > 0 {
		i := strings.IndexByte(data, '\n')
		if i < 0 {
			out = append(out, &line{text: data})
			break
		}
		text, eol := data[:i], "\n"
		if strings.HasSuffix(text, "\r") {
			text, eol = text[:len(text)-1], "\r\n"
		}
		out = append(out, &line{text: text, eol: eol})
		data = data[i+1:]
	}
	return out
}

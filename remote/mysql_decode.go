package remote

import "strings"

// DecodeBatch splits the client's batch output (-N -B) into rows and
// columns and undoes its escapes: \\ \t \n \0 (and \r, \b, \Z if present).
// An unknown escape keeps the backslash. It never fails: any input decodes.
func DecodeBatch(out []byte) Rows {
	if len(out) == 0 {
		return nil
	}
	// Every row ends with a newline; "\n" alone is one row with one empty value.
	s := strings.TrimSuffix(string(out), "\n")
	lines := strings.Split(s, "\n")
	rows := make(Rows, 0, len(lines))
	for _, line := range lines {
		cols := strings.Split(line, "\t")
		for i, col := range cols {
			cols[i] = unescapeBatch(col)
		}
		rows = append(rows, cols)
	}
	return rows
}

func unescapeBatch(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch != '\\' || i+1 == len(s) {
			b.WriteByte(ch)
			continue
		}
		i++
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case '0':
			b.WriteByte(0)
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'Z':
			b.WriteByte(0x1a)
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

package remote

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// SQLError is a statement the server (or client) refused.
type SQLError struct {
	Node    string
	Code    int    // e.g. 1045
	State   string // SQLSTATE, e.g. "28000"; "" when the client printed none
	Line    int    // line of the input, 0 when not reported
	Message string
}

func (e *SQLError) Error() string {
	var b strings.Builder
	if e.Node != "" {
		b.WriteString(e.Node + ": ")
	}
	fmt.Fprintf(&b, "ERROR %d", e.Code)
	if e.State != "" {
		fmt.Fprintf(&b, " (%s)", e.State)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, " at line %d", e.Line)
	}
	b.WriteString(": " + e.Message)
	return b.String()
}

var sqlErrorLine = regexp.MustCompile(`^ERROR (\d+)(?: \(([0-9A-Za-z]{5})\))?(?: at line (\d+))?: ?(.*)$`)

// ParseSQLError finds the client's "ERROR 1045 (28000) at line 1: ..." line
// in stderr; nil when there is none. Lines after it (a multi-line message)
// are kept in Message.
func ParseSQLError(stderr string) *SQLError {
	lines := strings.Split(strings.ReplaceAll(stderr, "\r\n", "\n"), "\n")
	for i, line := range lines {
		m := sqlErrorLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		code, err := strconv.Atoi(m[1])
		if err != nil {
			continue // absurdly long number
		}
		e := &SQLError{Code: code, State: m[2], Message: m[4]}
		if m[3] != "" {
			e.Line, _ = strconv.Atoi(m[3])
		}
		if rest := strings.TrimSpace(strings.Join(lines[i+1:], "\n")); rest != "" {
			e.Message += "\n" + rest
		}
		e.Message = strings.TrimSpace(e.Message)
		return e
	}
	return nil
}

package galera

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrInvalidGRAState marks a grastate.dat that cannot be trusted: no uuid or
// seqno, or one that does not parse.
var ErrInvalidGRAState = errors.New("invalid grastate.dat")

// GRAState is the content of a node's grastate.dat.
type GRAState struct {
	Version string `json:"version"` // "2.1" on Galera 3.19+ and 4; informative only
	UUID    string `json:"uuid"`    // cluster state UUID, lower case
	Seqno   int64  `json:"seqno"`   // -1: unknown (the node runs, crashed, or never joined)
	// SafeToBootstrap is Galera's mark on the last node to leave the
	// primary component cleanly.
	SafeToBootstrap bool `json:"safe_to_bootstrap"`
	// HasSafeToBootstrap is false for files written before the key existed
	// (Galera < 25.3.19); SafeToBootstrap is then meaningless.
	HasSafeToBootstrap bool `json:"has_safe_to_bootstrap"`
}

// HasState reports whether the file alone names a usable position: a real
// cluster UUID and a known seqno.
func (g GRAState) HasState() bool {
	return !IsZeroUUID(g.UUID) && g.Seqno >= 0
}

// ParseGRAState reads grastate.dat leniently, as Galera itself does: comment
// lines, blank or space-padded lines (Galera pads with spaces when a shorter
// state overwrites a longer one), CRLF and unknown keys are ignored, and the
// last occurrence of a key wins. A missing or malformed uuid or seqno is an
// error: without them the file says nothing about the node's position.
func ParseGRAState(data []byte) (GRAState, error) {
	var g GRAState
	uuidLine, seqnoLine := 0, 0
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	for i, raw := range strings.Split(string(data), "\n") {
		n := i + 1
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if line == "" || line[0] == '#' {
			continue
		}
		key, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue // Galera ignores lines it does not know; so do we
		}
		key = strings.TrimSpace(key)
		val := firstField(rest)
		switch key {
		case "version":
			g.Version = val
		case "uuid":
			if !ValidUUID(val) {
				return GRAState{}, fmt.Errorf("%w: line %d: uuid %q is not a UUID", ErrInvalidGRAState, n, val)
			}
			g.UUID, uuidLine = normUUID(val), n
		case "seqno":
			s, err := parseSeqno(val)
			if err != nil {
				return GRAState{}, fmt.Errorf("%w: line %d: seqno %q: %v", ErrInvalidGRAState, n, val, err)
			}
			g.Seqno, seqnoLine = s, n
		case "safe_to_bootstrap":
			switch val {
			case "0":
				g.SafeToBootstrap = false
			case "1":
				g.SafeToBootstrap = true
			default:
				return GRAState{}, fmt.Errorf("%w: line %d: safe_to_bootstrap %q is neither 0 nor 1", ErrInvalidGRAState, n, val)
			}
			g.HasSafeToBootstrap = true
		}
	}
	switch {
	case uuidLine == 0:
		return GRAState{}, fmt.Errorf("%w: no uuid line", ErrInvalidGRAState)
	case seqnoLine == 0:
		return GRAState{}, fmt.Errorf("%w: no seqno line", ErrInvalidGRAState)
	}
	return g, nil
}

// firstField returns the first whitespace-separated word of s, as Galera's
// stream extraction does; trailing words are ignored.
func firstField(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// parseSeqno accepts -1 (undefined) and non-negative seqnos; anything below
// -1 is not a position Galera writes.
func parseSeqno(s string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errors.New("not an integer")
	}
	if v < -1 {
		return 0, errors.New("below -1")
	}
	return v, nil
}

// Render writes the state in exactly the layout Galera writes, so a file
// galeraflow rewrites is indistinguishable from one Galera wrote. The
// safe_to_bootstrap line is left out only when the source file had none and
// the flag is unset, so an old-format file keeps its meaning.
func (g GRAState) Render() []byte {
	version := g.Version
	if version == "" {
		version = "2.1"
	}
	uuid := g.UUID
	if uuid == "" {
		uuid = ZeroUUID
	}
	var b bytes.Buffer
	b.WriteString("# GALERA saved state\n")
	fmt.Fprintf(&b, "version: %s\n", version)
	fmt.Fprintf(&b, "uuid:    %s\n", uuid)
	fmt.Fprintf(&b, "seqno:   %d\n", g.Seqno)
	if g.HasSafeToBootstrap || g.SafeToBootstrap {
		fmt.Fprintf(&b, "safe_to_bootstrap: %d\n", b2i(g.SafeToBootstrap))
	}
	return b.Bytes()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// SetSafeToBootstrap returns data with safe_to_bootstrap set to 1, changing
// nothing else: comments, spacing, line endings and unknown keys stay as they
// were. The key is appended when missing. This is the manual step after a
// total crash ("set safe_to_bootstrap: 1 on the most advanced node"), done
// without rewriting the file in galeraflow's own layout.
func SetSafeToBootstrap(data []byte) ([]byte, error) {
	if _, err := ParseGRAState(data); err != nil {
		return nil, err
	}
	lines := strings.SplitAfter(string(data), "\n")
	eol := "\n"
	if strings.Contains(string(data), "\r\n") {
		eol = "\r\n"
	}
	found := false
	for i, l := range lines {
		body := strings.TrimRight(l, "\r\n")
		colon := strings.Index(body, ":")
		if colon < 0 || strings.TrimSpace(body[:colon]) != "safe_to_bootstrap" {
			continue
		}
		// Replace only the value, keeping the spacing before it.
		after := body[colon+1:]
		space := after[:len(after)-len(strings.TrimLeft(after, " \t"))]
		lines[i] = body[:colon+1] + space + "1" + l[len(body):]
		found = true
	}
	out := strings.Join(lines, "")
	if !found {
		// Galera may have padded the file with spaces after the last
		// newline; keep the key on a line of its own.
		trimmed := strings.TrimRight(out, " \t")
		if trimmed != "" && !strings.HasSuffix(trimmed, "\n") {
			trimmed += eol
		}
		out = trimmed + "safe_to_bootstrap: 1" + eol
	}
	return []byte(out), nil
}

package galera

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

var (
	// ErrNoRecoveredPosition: the output holds no recovered position.
	ErrNoRecoveredPosition = errors.New("no recovered position")
	// ErrInvalidPosition: a position line is present but does not parse.
	ErrInvalidPosition = errors.New("invalid recovered position")
)

// Position is a node's last committed transaction as reported by
// `mysqld --wsrep-recover` or `galera_recovery`.
type Position struct {
	UUID  string `json:"uuid"`  // lower case
	Seqno int64  `json:"seqno"` // -1: unknown
	// GTID is MariaDB's domain-server-seqno, present when wsrep_gtid_mode
	// is on; informative only, ordering uses Seqno.
	GTID string `json:"gtid,omitempty"`
}

// HasState reports whether the position is usable for choosing a bootstrap
// node: a real cluster UUID and a known seqno. An empty datadir recovers as
// 00000000-0000-0000-0000-000000000000:-1.
func (p Position) HasState() bool { return !IsZeroUUID(p.UUID) && p.Seqno >= 0 }

func (p Position) String() string {
	s := p.UUID + ":" + strconv.FormatInt(p.Seqno, 10)
	if p.GTID != "" {
		s += "," + p.GTID
	}
	return s
}

// The forms recognised, all observed in the field:
//
//	MariaDB 10.x/11.x, MySQL-wsrep and PXC 5.7:
//	  2024-05-02 10:11:12 0 [Note] WSREP: Recovered position: <uuid>:<seqno>
//	MariaDB with wsrep_gtid_mode=ON appends the GTID:
//	  ... WSREP: Recovered position: <uuid>:<seqno>,<domain>-<server>-<seqno>
//	MySQL 8 based servers (PXC 8.0, MySQL-wsrep 8.0) log through the MySQL 8
//	error log format, with a subsystem tag instead of a "WSREP:" prefix:
//	  2024-05-02T10:11:12.000000Z 0 [System] [MY-000000] [WSREP] Recovered position: <uuid>:<seqno>
//	wsrep_recover/galera_recovery echo what they found on stderr (no colon):
//	  WSREP: Recovered position <uuid>:<seqno>
//	and print the start option on stdout:
//	  --wsrep_start_position=<uuid>:<seqno>[,<gtid>]
const (
	recoveredMarker = "Recovered position"
	skippedMarker   = "skipping position recovery"
)

var startPositionOptions = []string{"--wsrep_start_position=", "--wsrep-start-position="}

// ParseRecovered extracts the recovered position from mysqld
// `--wsrep-recover` error-log output or from galera_recovery's output. The
// LAST position in the text wins: a log file may hold earlier recoveries, and
// the newest one describes the datadir as it is now. A malformed position
// line is an error rather than skipped, so that a garbled newest line can never
// let an older position through.
func ParseRecovered(log []byte) (Position, error) {
	var (
		last    Position
		found   bool
		skipped bool
	)
	lines := strings.Split(string(log), "\n")
	for i, raw := range lines {
		line := strings.TrimSuffix(raw, "\r")
		tok, ok := positionToken(line)
		if !ok {
			if strings.Contains(line, skippedMarker) && strings.Contains(line, "WSREP") {
				skipped = true
			}
			continue
		}
		p, err := parsePosition(tok)
		if err != nil {
			return Position{}, fmt.Errorf("%w: line %d: %q: %v", ErrInvalidPosition, i+1, tok, err)
		}
		last, found = p, true
	}
	if found {
		return last, nil
	}
	if skipped {
		return Position{}, fmt.Errorf("%w: mysqld skipped position recovery (wsrep is off in its configuration, or a start position was given)", ErrNoRecoveredPosition)
	}
	return Position{}, fmt.Errorf("%w: no \"Recovered position\" line: did mysqld run with --wsrep-recover and --log-error, as the mysql user, while the server was stopped?%s",
		ErrNoRecoveredPosition, tail(lines, 3))
}

// positionToken finds the uuid:seqno token of a recovered-position line or a
// start-position option, if the line is one.
func positionToken(line string) (string, bool) {
	for _, opt := range startPositionOptions {
		if i := strings.Index(line, opt); i >= 0 {
			return strings.Trim(firstField(line[i+len(opt):]), `"'`), true
		}
	}
	i := strings.Index(line, recoveredMarker)
	if i < 0 || !strings.Contains(line[:i], "WSREP") {
		return "", false
	}
	rest := line[i+len(recoveredMarker):]
	if strings.HasPrefix(rest, ":") {
		// The server's own line: whatever follows must be a position.
		return firstField(rest[1:]), true
	}
	// The scripts' echo has no colon; other messages start alike
	// ("Recovered position from storage: ..." at a normal start), so only
	// a word that looks like uuid:seqno counts.
	if rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
		return "", false
	}
	tok := firstField(rest)
	return tok, strings.Contains(tok, ":")
}

// parsePosition parses uuid:seqno[,gtid].
func parsePosition(tok string) (Position, error) {
	pos, gtid, hasGTID := strings.Cut(tok, ",")
	u, s, ok := strings.Cut(pos, ":")
	if !ok {
		return Position{}, errors.New("want uuid:seqno")
	}
	if !ValidUUID(u) {
		return Position{}, errors.New("uuid is not a UUID")
	}
	seq, err := parseSeqno(s)
	if err != nil {
		return Position{}, fmt.Errorf("seqno: %v", err)
	}
	if hasGTID && !validGTID(gtid) {
		return Position{}, errors.New("GTID is not domain-server-seqno")
	}
	return Position{UUID: normUUID(u), Seqno: seq, GTID: gtid}, nil
}

// validGTID accepts MariaDB's domain-server-seqno. The server prints domain
// and server ids with %d, so an id above 2^31 shows up negative; accept a
// leading minus on those two.
func validGTID(s string) bool {
	for field := 0; field < 3; field++ {
		if field < 2 && strings.HasPrefix(s, "-") {
			s = s[1:]
		}
		n := 0
		for n < len(s) && '0' <= s[n] && s[n] <= '9' {
			n++
		}
		if n == 0 {
			return false
		}
		s = s[n:]
		if field < 2 {
			if !strings.HasPrefix(s, "-") {
				return false
			}
			s = s[1:]
		}
	}
	return s == ""
}

// tail quotes the last non-empty lines of a failed recovery: the reason
// (another mysqld holds the lock, wrong user, bad config) is usually there.
func tail(lines []string, n int) string {
	var keep []string
	for i := len(lines) - 1; i >= 0 && len(keep) < n; i-- {
		l := strings.TrimSpace(lines[i])
		if l == "" {
			continue
		}
		if len(l) > 200 {
			l = l[:200] + "..."
		}
		keep = append([]string{l}, keep...)
	}
	if len(keep) == 0 {
		return " (the output was empty)"
	}
	return " last lines: " + strings.Join(keep, " | ")
}

package galera

import "strings"

// ZeroUUID is the undefined Galera state UUID: a datadir that never joined a
// cluster, or one whose state Galera could not save.
const ZeroUUID = "00000000-0000-0000-0000-000000000000"

// IsZeroUUID reports whether u is the undefined state UUID (any letter case).
func IsZeroUUID(u string) bool {
	return strings.EqualFold(u, ZeroUUID)
}

// ValidUUID reports whether u has the canonical 8-4-4-4-12 hex form that
// Galera prints for state UUIDs.
func ValidUUID(u string) bool {
	if len(u) != 36 {
		return false
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// normUUID lower-cases a UUID so that comparisons between nodes do not depend
// on how a file or a log happened to spell it.
func normUUID(u string) string { return strings.ToLower(u) }

package mycnf

import "strings"

// normalizeKey maps an option name to the form my_getopt compares: a
// "loose-" (or "loose_") prefix dropped and '-' the same as '_'. Case stays:
// the server's option names are case-sensitive.
func normalizeKey(k string) string {
	k = strings.ReplaceAll(k, "-", "_")
	if rest, ok := strings.CutPrefix(k, "loose_"); ok && rest != "" {
		k = rest
	}
	return k
}

// SameKey reports whether two option names denote the same option.
func SameKey(a, b string) bool { return normalizeKey(a) == normalizeKey(b) }

// SameGroup reports whether two group names are the same for the server,
// which compares them case-insensitively in latin1.
func SameGroup(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if upperLatin1(a[i]) != upperLatin1(b[i]) {
			return false
		}
	}
	return true
}

func upperLatin1(c byte) byte {
	switch {
	case c >= 'a' && c <= 'z', c >= 0xE0 && c <= 0xFE && c != 0xF7:
		return c - 0x20
	}
	return c
}

func inGroups(g string, groups []string) bool {
	for _, want := range groups {
		if SameGroup(g, want) {
			return true
		}
	}
	return false
}

package mycnf

import "strings"

// Mask replaces a secret value in logs and diffs.
const Mask = "****"

// IsSecretKey reports whether an option's value is a secret:
// wsrep_sst_auth ("user:password") and anything naming a password.
func IsSecretKey(key string) bool {
	n := strings.ToLower(normalizeKey(key))
	if n == "wsrep_sst_auth" {
		return true
	}
	for _, w := range []string{"password", "passwd", "passphrase", "secret"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// MaskSecrets replaces the values of secret options with Mask, line by line,
// keeping every other byte. It works on any input, parseable or not, and
// also masks commented-out options ("#password = x", lines from Disable),
// since a diff shows comments too.
func MaskSecrets(data []byte) []byte {
	var b strings.Builder
	for _, l := range splitLines(string(data)) {
		b.WriteString(maskLine(l.text, l.eol))
		b.WriteString(l.eol)
	}
	return []byte(b.String())
}

func maskLine(text, eol string) string {
	l := &line{text: text, eol: eol}
	l.parse()
	switch l.kind {
	case kindOption:
		if l.err == "" && l.hasValue && l.valEnd > l.valStart && IsSecretKey(l.key) {
			return text[:l.valStart] + Mask + text[l.valEnd:]
		}
	case kindComment:
		// Read what follows the comment marks, then after each ": " (a
		// marker such as "galeraflow: "), as an option line.
		p := skipSpace(text, 0)
		for p < len(text) && (text[p] == '#' || text[p] == ';') {
			p++
		}
		for p < len(text) {
			if inner := maskLine(text[p:], eol); inner != text[p:] {
				return text[:p] + inner
			}
			next := strings.Index(text[p:], ": ")
			if next < 0 {
				break
			}
			p += next + 2
		}
	}
	return text
}

package mycnf

import (
	"sort"
	"strings"
)

// ProviderOptionsKey is the option whose value Galera parses as a list of
// "name=value" items separated by ';'. A later definition replaces the whole
// string, so it is merged, never overwritten.
const ProviderOptionsKey = "wsrep_provider_options"

// Galera's own parser (gu::Config::parse): items split at ';', name and value
// at '=', each unless escaped by a preceding '\'; names and values are
// trimmed; empty items are skipped; names are compared exactly
// (case-sensitive); an item with a second '=' is an error; a name given
// twice takes its last value.

// provItem is one ';'-separated item, kept verbatim.
type provItem struct {
	raw string
}

// splitUnescaped splits s at every sep not preceded by a backslash.
func splitUnescaped(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == sep && (i == 0 || s[i-1] != '\\') {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// name returns the item's trimmed name ("" for an empty item).
func (it provItem) name() string {
	return strings.TrimSpace(splitUnescaped(it.raw, '=')[0])
}

// value returns the item's trimmed raw value and whether it has one.
func (it provItem) value() (string, bool) {
	parts := splitUnescaped(it.raw, '=')
	if len(parts) < 2 {
		return "", false
	}
	return strings.TrimSpace(strings.Join(parts[1:], "=")), true
}

// withValue returns the item with its value replaced, keeping the blanks
// around the name and after the value.
func (it provItem) withValue(v string) provItem {
	parts := splitUnescaped(it.raw, '=')
	if len(parts) < 2 {
		return provItem{raw: strings.TrimRight(it.raw, " \t\r\n\v\f") + "=" + v}
	}
	first := len(parts[0]) + 1
	rest := it.raw[first:]
	lead := rest[:len(rest)-len(strings.TrimLeft(rest, " \t\r\n\v\f"))]
	trail := rest[len(strings.TrimRight(rest, " \t\r\n\v\f")):]
	return provItem{raw: it.raw[:first] + lead + v + trail}
}

func splitProvider(s string) []provItem {
	var items []provItem
	for _, raw := range splitUnescaped(s, ';') {
		items = append(items, provItem{raw: raw})
	}
	return items
}

// joinProvider joins items with ';'. An item ending in a backslash would
// escape the separator after it: a blank keeps them apart.
func joinProvider(items []provItem) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(it.raw)
		if i < len(items)-1 && strings.HasSuffix(it.raw, `\`) {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// escapeProvider escapes Galera's separators in a name or value.
func escapeProvider(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, ";", `\;`)
	return strings.ReplaceAll(s, "=", `\=`)
}

// ProviderOptions parses a wsrep_provider_options string into its items as
// Galera reads them: names in order of first appearance, each with its last
// value. Escapes are left as written.
func ProviderOptions(s string) (names []string, values map[string]string) {
	values = map[string]string{}
	for _, it := range splitProvider(s) {
		n := it.name()
		if n == "" {
			continue
		}
		if _, seen := values[n]; !seen {
			names = append(names, n)
		}
		values[n], _ = it.value()
	}
	return names, values
}

// MergeProviderOptions sets the options in set within the string existing:
// every existing item stays, in its order and spelling; a managed option
// that is present has its value changed in place (every occurrence); the
// missing ones are appended sorted by name. Names and values are trimmed
// (Galera trims them), ';' and '=' in values escaped; a name Galera could
// not read back (empty, or with ';', '=' or a backslash) is ignored. It reports
// whether anything changed.
func MergeProviderOptions(existing string, set map[string]string) (string, bool) {
	set = cleanProviderSet(set)
	items := splitProvider(existing)
	changed := false
	present := map[string]bool{}
	for i, it := range items {
		n := it.name()
		want, managed := set[n]
		if n == "" || !managed {
			continue
		}
		present[n] = true
		enc := escapeProvider(want)
		if cur, ok := it.value(); ok && cur == enc {
			continue
		}
		items[i] = it.withValue(enc)
		changed = true
	}
	var missing []string
	for n := range set {
		if !present[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		if !changed {
			return existing, false
		}
		return joinProvider(items), true
	}
	sort.Strings(missing)
	lead := itemLead(items)
	last := -1
	for i, it := range items {
		if strings.TrimSpace(it.raw) != "" {
			last = i
		}
	}
	var added []provItem
	for k, n := range missing {
		raw := n + "=" + escapeProvider(set[n])
		if k > 0 || last >= 0 {
			raw = lead + raw
		}
		added = append(added, provItem{raw: raw})
	}
	if last < 0 {
		// Nothing but blanks: the new items replace them.
		return joinProvider(added), true
	}
	items = append(items[:last+1], append(added, items[last+1:]...)...)
	return joinProvider(items), true
}

// cleanProviderSet trims the names and drops those Galera could not read
// back as one name (empty, or holding a separator or an escape).
func cleanProviderSet(set map[string]string) map[string]string {
	// Names equal once trimmed: the last in sorted order wins, every time.
	raw := make([]string, 0, len(set))
	for n := range set {
		raw = append(raw, n)
	}
	sort.Strings(raw)
	out := make(map[string]string, len(set))
	for _, r := range raw {
		n, v := strings.TrimSpace(r), set[r]
		if n != "" && !strings.ContainsAny(n, ";=\\") {
			out[n] = v
		}
	}
	return out
}

// itemLead is the blank the string puts after its separators (its second
// non-empty item's), "" if it has none, " " if it cannot tell.
func itemLead(items []provItem) string {
	seen := 0
	for _, it := range items {
		if strings.TrimSpace(it.raw) == "" {
			continue
		}
		if seen++; seen == 2 {
			return it.raw[:len(it.raw)-len(strings.TrimLeft(it.raw, " \t"))]
		}
	}
	return " "
}

// RemoveProviderOptions drops every item whose name is in names and reports
// whether anything changed.
func RemoveProviderOptions(existing string, names []string) (string, bool) {
	drop := map[string]bool{}
	for _, n := range names {
		drop[strings.TrimSpace(n)] = true
	}
	items := splitProvider(existing)
	flushLeft := len(items) > 0 && items[0].raw == strings.TrimLeft(items[0].raw, " \t")
	var kept []provItem
	changed := false
	for _, it := range items {
		if n := it.name(); n != "" && drop[n] {
			changed = true
			continue
		}
		kept = append(kept, it)
	}
	if !changed {
		return existing, false
	}
	if len(kept) > 0 && flushLeft {
		kept[0].raw = strings.TrimLeft(kept[0].raw, " \t")
	}
	return joinProvider(kept), true
}

package mycnf

import (
	"fmt"
	"path"
	"strings"
)

// DefaultMarker labels the lines Set comments out: "# galeraflow: <line>".
const DefaultMarker = "galeraflow"

// Set makes "key = value" the definition of key that wins in group within
// this file, changing as few lines as it can:
//   - if key is defined in group (in any spelling: '-'/'_', "loose-"), the
//     value of its last definition is replaced in place, keeping the file's
//     spelling, spacing, quoting style and trailing comment, and earlier
//     definitions in the group are commented out (DefaultMarker);
//   - else if the group exists, a line is added after the last option or
//     directive of its last section, in the style of its neighbours;
//   - else a new section is appended at the end after a blank line.
//
// If the value that wins is already value, nothing changes.
func (f *File) Set(group, key, value string) (bool, error) {
	changed, err := f.set(group, key, value)
	if err != nil {
		return false, fmt.Errorf("%s: set [%s] %s: %w", f.Name, group, key, err)
	}
	return changed, nil
}

func (f *File) set(group, key, value string) (bool, error) {
	if err := checkName("group", group); err != nil {
		return false, err
	}
	if err := checkName("key", key); err != nil {
		return false, err
	}
	if strings.IndexByte(value, 0) >= 0 {
		return false, fmt.Errorf("a value with a NUL byte cannot be written")
	}
	if defs := f.definitions(group, key); len(defs) > 0 {
		i := defs[len(defs)-1]
		l := f.lines[i]
		if l.hasValue && l.value == value {
			return false, nil
		}
		text, err := f.replaceValue(l, value)
		if err != nil {
			return false, fmt.Errorf("line %d: %w", i+1, err)
		}
		l.text = text
		l.parse()
		for _, j := range defs[:len(defs)-1] {
			f.disableLine(j, DefaultMarker)
		}
		return true, nil
	}
	if at, ok := f.insertionPoint(group); ok {
		text, err := f.newOptionLine(at, key, value)
		if err == nil {
			err = f.checkTerminate(at)
		}
		if err != nil {
			return false, err
		}
		f.insertAfter(at, text)
		return true, nil
	}
	header := &line{text: "[" + group + "]"}
	if header.parse(); header.kind != kindGroup || header.err != "" || header.group != group {
		return false, fmt.Errorf("group name cannot be written as a header")
	}
	text, err := f.newOptionLine(-1, key, value)
	if err == nil && len(f.lines) > 0 {
		err = f.checkTerminate(len(f.lines) - 1)
	}
	if err != nil {
		return false, err
	}
	f.appendSection(header.text, text)
	return true, nil
}

// Remove deletes every definition of key in group and says how many.
func (f *File) Remove(group, key string) int {
	defs := f.definitions(group, key)
	// Only the lines go, with their endings: a file that ended without a
	// newline now ends with the previous line's.
	for k := len(defs) - 1; k >= 0; k-- {
		i := defs[k]
		f.lines = append(f.lines[:i], f.lines[i+1:]...)
	}
	return len(defs)
}

// Disable comments out every definition of key in group, as
// "# <marker>: <original line>", and says how many. Used to neutralise a
// conflicting duplicate while keeping it visible.
func (f *File) Disable(group, key, marker string) int {
	defs := f.definitions(group, key)
	for _, i := range defs {
		f.disableLine(i, marker)
	}
	return len(defs)
}

func (f *File) disableLine(i int, marker string) {
	l := f.lines[i]
	if marker == "" {
		l.text = "# " + l.text
	} else {
		l.text = "# " + marker + ": " + l.text
	}
	l.parse()
}

// checkName rejects names that cannot be written on one line.
func checkName(what, s string) error {
	if s == "" {
		return fmt.Errorf("empty %s", what)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return fmt.Errorf("%s %q has a control character", what, s)
		}
	}
	return nil
}

// replaceValue returns l's text with its value replaced by value.
func (f *File) replaceValue(l *line, value string) (string, error) {
	var quote byte
	keep := false
	if l.hasValue {
		raw := l.text[l.valStart:l.valEnd]
		if len(raw) > 1 && (raw[0] == '"' || raw[0] == '\'') && raw[len(raw)-1] == raw[0] {
			quote, keep = raw[0], true
		}
	}
	enc := encodeValue(value, quote, keep || alwaysQuoted(l.key))
	var text string
	if l.hasValue {
		rest := l.text[l.valEnd:]
		if strings.HasPrefix(rest, "#") {
			rest = " " + rest
		}
		text = l.text[:l.valStart] + enc + rest
	} else {
		text = l.text[:l.keyEnd] + " = " + enc + l.text[l.keyEnd:]
	}
	if checkOptionLine(text, l.eol, l.key, value) == nil {
		return text, nil
	}
	// The line's own bytes get in the way (say a quote in the key): write it
	// plainly, without its trailing comment.
	text = l.text[:l.keyStart] + l.key + " = " + enc
	if err := checkOptionLine(text, l.eol, l.key, value); err != nil {
		return "", err
	}
	return text, nil
}

// alwaysQuoted: wsrep_provider_options is a list, written quoted even with
// one item, as Galera's documentation writes it.
func alwaysQuoted(key string) bool { return SameKey(key, ProviderOptionsKey) }

// checkOptionLine verifies that the server reads text as key = value.
func checkOptionLine(text, eol, key, value string) error {
	l := &line{text: text, eol: eol}
	l.parse()
	switch {
	case l.contentLen() > maxLineBytes:
		return fmt.Errorf("line would be longer than %d bytes", maxLineBytes)
	case l.kind != kindOption || l.err != "" || l.key != key:
		return fmt.Errorf("key %q cannot be written as an option line", key)
	case !l.hasValue || l.value != value:
		return fmt.Errorf("value cannot be written so that the server reads it back unchanged")
	}
	return nil
}

// insertionPoint is the index after which a new option of group goes: the
// last option or directive of the group's last section, or its header.
func (f *File) insertionPoint(group string) (int, bool) {
	at := -1
	f.walk(func(i int, l *line, g string) bool {
		switch {
		case l.kind == kindGroup && SameGroup(l.group, group):
			at = i
		case !SameGroup(g, group):
		case l.kind == kindOption, l.kind == kindInclude, l.kind == kindIncludeDir, l.kind == kindDirective:
			at = i
		}
		return true
	})
	return at, at >= 0
}

// newOptionLine builds "key = value" in the style of the option lines near
// index near (-1: anywhere in the file).
func (f *File) newOptionLine(near int, key, value string) (string, error) {
	indent, before, after := "", " ", " "
	if ref := f.styleRef(near); ref != nil {
		indent = ref.text[:ref.keyStart]
		between := ref.text[ref.keyEnd:ref.valStart]
		eq := strings.IndexByte(between, '=')
		before, after = between[:eq], between[eq+1:]
		if len(before) > 1 && strings.Trim(before, " ") == "" {
			// Aligned columns: put '=' where the neighbour has it.
			width := ref.keyEnd - ref.keyStart + len(before)
			before = strings.Repeat(" ", max(1, width-len(key)))
		}
	}
	text := indent + key + before + "=" + after + encodeValue(value, 0, alwaysQuoted(key))
	if err := checkOptionLine(text, "\n", key, value); err != nil {
		return "", err
	}
	return text, nil
}

// styleRef is the option line with a value nearest before index near within
// its section, else the last one in the file.
func (f *File) styleRef(near int) *line {
	for i := near; i >= 0; i-- {
		l := f.lines[i]
		if l.kind == kindGroup {
			break
		}
		if l.kind == kindOption && l.hasValue {
			return l
		}
	}
	for i := len(f.lines) - 1; i >= 0; i-- {
		if l := f.lines[i]; l.kind == kindOption && l.hasValue {
			return l
		}
	}
	return nil
}

// eol is the file's line ending: that of its first terminated line.
func (f *File) eol() string {
	for _, l := range f.lines {
		if l.eol != "" {
			return l.eol
		}
	}
	return "\n"
}

// setEOL changes a line's ending; it is parsed again because a directive on
// a last line without a newline reads differently.
func (f *File) setEOL(i int, eol string) {
	f.lines[i].eol = eol
	f.lines[i].parse()
}

// checkTerminate refuses to give line i a newline if that changes what the
// server reads: a directive on a last line without one loses its last
// character ("!include /a.cnf" reads "/a.cn"). Only a lost trailing '/' is
// harmless.
func (f *File) checkTerminate(i int) error {
	l := f.lines[i]
	if l.eol != "" || (l.kind != kindInclude && l.kind != kindIncludeDir) {
		return nil
	}
	full := &line{text: l.text, eol: "\n"}
	if full.parse(); path.Clean(full.arg) != path.Clean(l.arg) {
		return fmt.Errorf("line %d, the last, has no newline, so the server reads %q; a line after it would make that %q: fix the file first", i+1, l.arg, full.arg)
	}
	return nil
}

func (f *File) insertAfter(i int, text string) {
	nl := &line{text: text, eol: f.eol()}
	if f.lines[i].eol == "" {
		// The new line becomes the last one: it keeps the missing newline.
		f.setEOL(i, nl.eol)
		nl.eol = ""
	}
	nl.parse()
	f.lines = append(f.lines[:i+1], append([]*line{nl}, f.lines[i+1:]...)...)
}

func (f *File) appendSection(header, text string) {
	eol := f.eol()
	last := len(f.lines) - 1
	noFinalNewline := last >= 0 && f.lines[last].eol == ""
	if noFinalNewline {
		f.setEOL(last, eol)
	}
	if last >= 0 && f.lines[last].kind != kindBlank {
		f.lines = append(f.lines, &line{text: "", eol: eol})
	}
	h := &line{text: header, eol: eol}
	o := &line{text: text, eol: eol}
	if noFinalNewline {
		o.eol = ""
	}
	h.parse()
	o.parse()
	f.lines = append(f.lines, h, o)
}

package mycnf

import (
	"fmt"
	"strings"
)

// File is one parsed option file. It keeps every byte it was parsed from, so
// Bytes gives the input back until an edit changes some lines.
type File struct {
	Name  string
	lines []*line
}

// ParseError is a syntax error the server reports (and for which it refuses
// to start when the file is the top one).
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

const utf8BOM = "\xef\xbb\xbf"

// Parse reads data as the server would, naming errors after name.
func Parse(name string, data []byte) (*File, error) {
	f := &File{Name: name, lines: splitLines(string(data))}
	inGroup := false
	for i, l := range f.lines {
		if n := l.contentLen(); n > maxLineBytes {
			return nil, &ParseError{name, i + 1, fmt.Sprintf("line of %d bytes: the server splits lines longer than %d bytes", n, maxLineBytes)}
		}
		l.parse()
		msg := l.err
		if msg == "" && l.kind == kindOption && !inGroup {
			msg = "option outside any group"
			if i == 0 && strings.HasPrefix(l.text, utf8BOM) {
				msg = "UTF-8 byte-order mark: the server reads it as an option outside any group"
			}
		}
		if msg != "" {
			return nil, &ParseError{name, i + 1, msg}
		}
		if l.kind == kindGroup {
			inGroup = true
		}
	}
	return f, nil
}

// Bytes renders the file.
func (f *File) Bytes() []byte {
	var b strings.Builder
	for _, l := range f.lines {
		b.WriteString(l.text)
		b.WriteString(l.eol)
	}
	return []byte(b.String())
}

// Clone returns a deep copy, to plan edits without touching f.
func (f *File) Clone() *File {
	c := &File{Name: f.Name, lines: make([]*line, len(f.lines))}
	for i, l := range f.lines {
		cp := *l
		c.lines[i] = &cp
	}
	return c
}

// Option is one definition of an option, where it is and what it says.
type Option struct {
	File     string
	Line     int    // 1-based, in the file as it is now
	Group    string // as spelled in the header
	Key      string // as spelled, "loose-" included
	Value    string // decoded
	HasValue bool   // false for a bare "key"
}

// Name is the option's normalized name ('_' for '-', no "loose-").
func (o Option) Name() string { return normalizeKey(o.Key) }

func (f *File) option(i int, group string) Option {
	l := f.lines[i]
	return Option{File: f.Name, Line: i + 1, Group: group, Key: l.key, Value: l.value, HasValue: l.hasValue}
}

// walk calls fn for every line with the group it is in ("" before any).
// fn returns false to stop.
func (f *File) walk(fn func(i int, l *line, group string) bool) {
	group := ""
	for i, l := range f.lines {
		if l.kind == kindGroup {
			group = l.group
		}
		if !fn(i, l, group) {
			return
		}
	}
}

// Options lists every option definition in file order.
func (f *File) Options() []Option {
	var out []Option
	f.walk(func(i int, l *line, group string) bool {
		if l.kind == kindOption {
			out = append(out, f.option(i, group))
		}
		return true
	})
	return out
}

// Lookup returns the definition of key that wins within group in this file
// alone: the last one.
func (f *File) Lookup(group, key string) (Option, bool) {
	defs := f.definitions(group, key)
	if len(defs) == 0 {
		return Option{}, false
	}
	i := defs[len(defs)-1]
	return f.option(i, f.groupAt(i)), true
}

// definitions returns the indexes of the lines defining key in group.
func (f *File) definitions(group, key string) []int {
	n := normalizeKey(key)
	var out []int
	f.walk(func(i int, l *line, g string) bool {
		if l.isOption(n) && SameGroup(g, group) {
			out = append(out, i)
		}
		return true
	})
	return out
}

func (f *File) groupAt(i int) string {
	for ; i >= 0; i-- {
		if f.lines[i].kind == kindGroup {
			return f.lines[i].group
		}
	}
	return ""
}

// Groups lists the group headers in file order, as spelled, repeats included.
func (f *File) Groups() []string {
	var out []string
	for _, l := range f.lines {
		if l.kind == kindGroup {
			out = append(out, l.group)
		}
	}
	return out
}

package inventory

import (
	"fmt"
	"math"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// opt is one value read from the inventory. set says whether the user wrote
// it (so defaults and per-node overrides merge field by field), and o says
// where, for messages about it.
type opt[T any] struct {
	v   T
	set bool
	// bad is true when the value was written but rejected (and reported):
	// it still overrides a top-level value, so one mistake does not make a
	// node silently inherit another setting.
	bad bool
	o   origin
}

// or returns o when it was written, else fallback.
func (o opt[T]) or(fallback opt[T]) opt[T] {
	if o.set || o.bad {
		return o
	}
	return fallback
}

// get returns the value, or def when it was not written.
func (o opt[T]) get(def T) T {
	if o.set {
		return o.v
	}
	return def
}

// maxAliasFollows bounds alias dereferencing, since aliases let a small file
// describe a huge tree.
const maxAliasFollows = 10000

// decoder walks the yaml.v3 node tree by hand: unlike yaml's struct
// decoding, this keeps the position of every key and value, reports every
// mistake instead of the first, and knows the known keys of every block.
type decoder struct {
	rep     *report
	follows int
}

// deref follows aliases to the node they name.
func (d *decoder) deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		d.follows++
		if d.follows > maxAliasFollows {
			if d.follows == maxAliasFollows+1 {
				d.rep.errorf(origin{at: posOf(n)}, "too many alias references")
			}
			return nil
		}
		n = n.Alias
	}
	return n
}

func posOf(n *yaml.Node) pos {
	if n == nil {
		return pos{1, 1}
	}
	return pos{max(n.Line, 1), n.Column}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// block is a decoded mapping: its known keys' value nodes, by key.
type block struct {
	path string
	at   pos
	// present is false when the block was absent or null.
	present bool
	vals    map[string]*yaml.Node
}

func (b block) origin(key string) origin {
	if n, ok := b.vals[key]; ok {
		return origin{field: join(b.path, key), at: posOf(n)}
	}
	return origin{field: join(b.path, key), at: b.at}
}

// block decodes a mapping at path with the given known keys. Unknown keys,
// duplicate keys and non-string keys are reported; hints maps a key that
// belongs elsewhere to the advice shown for it.
func (d *decoder) block(n *yaml.Node, path string, parent pos, known []string, hints map[string]string) block {
	b := block{path: path, at: parent, vals: map[string]*yaml.Node{}}
	n = d.deref(n)
	if n == nil || isNull(n) {
		return b
	}
	b.at = posOf(n)
	if n.Kind != yaml.MappingNode {
		d.rep.errorf(origin{field: path, at: posOf(n)}, "must be a mapping of fields, got %s", describe(n))
		return b
	}
	b.present = true
	keyAt := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		at := origin{field: path, at: posOf(k)}
		if k.Kind != yaml.ScalarNode || (k.Tag != "!!str" && k.Tag != "!!merge") {
			d.rep.errorf(at, "keys must be plain strings, got %s", describe(k))
			continue
		}
		if k.Tag == "!!merge" {
			d.rep.errorf(at, "merge keys (<<) are not supported: put shared settings in the top-level ssh, paths, service and mysql blocks")
			continue
		}
		name := k.Value
		if line, dup := keyAt[name]; dup {
			d.rep.errorf(origin{field: join(path, name), at: posOf(k)}, "duplicate key %q (first at line %d)", name, line)
			continue
		}
		keyAt[name] = posOf(k).line
		if !contains(known, name) {
			d.rep.errorf(origin{field: join(path, name), at: posOf(k)}, "unknown field %q%s", name, suggest(name, known, hints))
			continue
		}
		b.vals[name] = v
	}
	return b
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// describe names a node's kind (and short value) for type errors. It is
// never used on secret fields.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "nothing (null)"
		case "!!str":
			return fmt.Sprintf("string %q", truncate(n.Value))
		case "!!int":
			return "integer " + truncate(n.Value)
		case "!!float":
			return "number " + truncate(n.Value)
		case "!!bool":
			return "boolean " + truncate(n.Value)
		}
		return truncate(n.Value)
	}
	return "an unexpected node"
}

func truncate(s string) string {
	const limit = 40
	if r := []rune(s); len(r) > limit {
		return string(r[:limit]) + "..."
	}
	return s
}

// value looks up key and dereferences it; ok is false when it was not written.
func (d *decoder) value(b block, key string) (n *yaml.Node, o origin, ok bool) {
	raw, ok := b.vals[key]
	if !ok {
		return nil, b.origin(key), false
	}
	n = d.deref(raw)
	return n, b.origin(key), n != nil
}

// str reads a string. Any scalar is accepted as its literal text, so that
// `name: no` or `user: 1000` mean what they say; null is the empty string.
func (d *decoder) str(b block, key string) opt[string] {
	n, o, ok := d.value(b, key)
	if !ok {
		return opt[string]{o: o}
	}
	return d.scalarString(n, o)
}

func (d *decoder) scalarString(n *yaml.Node, o origin) opt[string] {
	if n.Kind != yaml.ScalarNode {
		d.rep.errorf(o, "must be a string, got %s", describe(n))
		return opt[string]{o: o, bad: true}
	}
	if isNull(n) {
		return opt[string]{set: true, o: o}
	}
	return opt[string]{v: n.Value, set: true, o: o}
}

// integer reads an int in [lo, hi].
func (d *decoder) integer(b block, key string, lo, hi int) opt[int] {
	n, o, ok := d.value(b, key)
	if !ok {
		return opt[int]{o: o}
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		d.rep.errorf(o, "must be an integer, got %s", describe(n))
		return opt[int]{o: o, bad: true}
	}
	var i int64
	if err := n.Decode(&i); err != nil || i < int64(lo) || i > int64(hi) || i > math.MaxInt {
		d.rep.errorf(o, "must be %d..%d, got %s", lo, hi, truncate(n.Value))
		return opt[int]{o: o, bad: true}
	}
	return opt[int]{v: int(i), set: true, o: o}
}

// boolean reads true or false.
func (d *decoder) boolean(b block, key string) opt[bool] {
	n, o, ok := d.value(b, key)
	if !ok {
		return opt[bool]{o: o}
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		hint := ""
		switch strings.ToLower(n.Value) {
		case "yes", "no", "on", "off", "y", "n":
			hint = " (write true or false)"
		}
		d.rep.errorf(o, "must be true or false, got %s%s", describe(n), hint)
		return opt[bool]{o: o, bad: true}
	}
	var v bool
	if err := n.Decode(&v); err != nil {
		d.rep.errorf(o, "must be true or false, got %s", describe(n))
		return opt[bool]{o: o, bad: true}
	}
	return opt[bool]{v: v, set: true, o: o}
}

// duration reads a positive Go duration such as 10s or 2m.
func (d *decoder) duration(b block, key string) opt[time.Duration] {
	n, o, ok := d.value(b, key)
	if !ok {
		return opt[time.Duration]{o: o}
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		hint := ""
		if n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float") {
			hint = " (a number needs a unit)"
		}
		d.rep.errorf(o, "must be a duration like 10s, 2m or 1h30m, got %s%s", describe(n), hint)
		return opt[time.Duration]{o: o, bad: true}
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		d.rep.errorf(o, "must be a duration like 10s, 2m or 1h30m, got %q", truncate(n.Value))
		return opt[time.Duration]{o: o, bad: true}
	}
	if v <= 0 {
		d.rep.errorf(o, "must be positive, got %s", truncate(n.Value))
		return opt[time.Duration]{o: o, bad: true}
	}
	return opt[time.Duration]{v: v, set: true, o: o}
}

// enum reads a string that must be one of allowed; with emptyOK, "" means
// "not set" (and the message says how to get that).
func (d *decoder) enum(b block, key string, allowed []string, emptyOK bool) opt[string] {
	s := d.str(b, key)
	if !s.set || contains(allowed, s.v) || (emptyOK && s.v == "") {
		return s
	}
	alt := ""
	if emptyOK {
		alt = " (or leave it out)"
	}
	d.rep.errorf(s.o, "must be one of %s%s, got %q", strings.Join(allowed, ", "), alt, truncate(s.v))
	return opt[string]{o: s.o, bad: true}
}

// strList reads a list of strings; each element keeps its own origin.
func (d *decoder) strList(b block, key string) opt[[]opt[string]] {
	n, o, ok := d.value(b, key)
	if !ok {
		return opt[[]opt[string]]{o: o}
	}
	if isNull(n) {
		return opt[[]opt[string]]{set: true, o: o}
	}
	if n.Kind != yaml.SequenceNode {
		d.rep.errorf(o, "must be a list of strings, got %s", describe(n))
		return opt[[]opt[string]]{o: o, bad: true}
	}
	out := opt[[]opt[string]]{set: true, o: o}
	for i, item := range n.Content {
		io := origin{field: fmt.Sprintf("%s[%d]", o.field, i), at: posOf(item)}
		item = d.deref(item)
		if item == nil {
			continue
		}
		if s := d.scalarString(item, io); s.set {
			out.v = append(out.v, s)
		}
	}
	return out
}

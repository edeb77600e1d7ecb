package mycnf

import (
	"fmt"
	"sort"
	"strings"
)

// Op is an edit operation.
type Op uint8

const (
	OpSet                   Op = iota + 1 // Group, Key, Value
	OpRemove                              // Group, Key
	OpDisable                             // Group, Key, Marker (DefaultMarker if empty)
	OpMergeProviderOptions                // Group, Key (ProviderOptionsKey if empty), Options, Value
	OpRemoveProviderOptions               // Group, Key (ProviderOptionsKey if empty), Names
)

func (o Op) String() string {
	switch o {
	case OpSet:
		return "set"
	case OpRemove:
		return "remove"
	case OpDisable:
		return "disable"
	case OpMergeProviderOptions:
		return "merge-provider-options"
	case OpRemoveProviderOptions:
		return "remove-provider-options"
	}
	return fmt.Sprintf("op(%d)", uint8(o))
}

// Edit is one planned change to a file.
type Edit struct {
	Op    Op
	Group string
	Key   string
	// Value: for OpSet the new value; for OpMergeProviderOptions the string
	// to merge into when the file does not define Key itself (the effective
	// value from the files read before it), so that nothing is lost.
	Value   string
	Options map[string]string // OpMergeProviderOptions: name → value
	Names   []string          // OpRemoveProviderOptions
	Marker  string            // OpDisable
}

// String describes the edit for a plan, secrets masked.
func (e Edit) String() string {
	key := e.key()
	switch e.Op {
	case OpSet:
		v := e.Value
		if IsSecretKey(key) {
			v = Mask
		}
		return fmt.Sprintf("set [%s] %s = %q", e.Group, key, v)
	case OpMergeProviderOptions:
		names := make([]string, 0, len(e.Options))
		for n := range e.Options {
			names = append(names, n)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, n := range names {
			v := e.Options[n]
			if IsSecretKey(n) {
				v = Mask
			}
			parts[i] = n + "=" + v
		}
		return fmt.Sprintf("merge into [%s] %s: %s", e.Group, key, strings.Join(parts, "; "))
	case OpRemoveProviderOptions:
		return fmt.Sprintf("remove from [%s] %s: %s", e.Group, key, strings.Join(e.Names, ", "))
	}
	return fmt.Sprintf("%s [%s] %s", e.Op, e.Group, key)
}

func (e Edit) key() string {
	if e.Key == "" && (e.Op == OpMergeProviderOptions || e.Op == OpRemoveProviderOptions) {
		return ProviderOptionsKey
	}
	return e.Key
}

// Apply applies edits in order and reports whether the file changed.
// Applying the same edits again changes nothing.
func Apply(f *File, edits []Edit) (bool, error) {
	changed := false
	for i, e := range edits {
		c, err := applyOne(f, e)
		if err != nil {
			return changed, fmt.Errorf("edit %d (%s): %w", i+1, e, err)
		}
		changed = changed || c
	}
	return changed, nil
}

func applyOne(f *File, e Edit) (bool, error) {
	key := e.key()
	switch e.Op {
	case OpSet:
		return f.Set(e.Group, key, e.Value)
	case OpRemove:
		return f.Remove(e.Group, key) > 0, nil
	case OpDisable:
		marker := e.Marker
		if marker == "" {
			marker = DefaultMarker
		}
		return f.Disable(e.Group, key, marker) > 0, nil
	case OpMergeProviderOptions:
		cur, defined := f.Lookup(e.Group, key)
		base := e.Value
		if defined {
			base = cur.Value
		}
		merged, changed := MergeProviderOptions(base, e.Options)
		if !changed {
			return false, nil
		}
		return f.Set(e.Group, key, merged)
	case OpRemoveProviderOptions:
		cur, defined := f.Lookup(e.Group, key)
		if !defined {
			return false, nil
		}
		left, changed := RemoveProviderOptions(cur.Value, e.Names)
		if !changed {
			return false, nil
		}
		return f.Set(e.Group, key, left)
	}
	return false, fmt.Errorf("%s: unknown edit operation %d", f.Name, e.Op)
}

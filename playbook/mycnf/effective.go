package mycnf

// each calls fn for every option line in the order the server reads them,
// with the group it is in.
func (s *Set) each(fn func(f *File, i int, group string)) {
	var walk func(n *node)
	walk = func(n *node) {
		group := ""
		for i, l := range n.file.lines {
			switch l.kind {
			case kindGroup:
				group = l.group
			case kindOption:
				fn(n.file, i, group)
			case kindInclude, kindIncludeDir:
				for _, k := range n.kids[l] {
					walk(k)
				}
			}
			if l == n.stop {
				return
			}
		}
	}
	walk(s.root)
}

// Options lists every definition the server reads in the given groups, in
// read order: what my_print_defaults prints for them.
func (s *Set) Options(groups []string) []Option {
	var out []Option
	s.each(func(f *File, i int, group string) {
		if inGroups(group, groups) {
			out = append(out, f.option(i, group))
		}
	})
	return out
}

// Definitions lists every definition of key (in any spelling) in the given
// groups, in read order; more than one means duplicates that may conflict.
func (s *Set) Definitions(groups []string, key string) []Option {
	n := normalizeKey(key)
	var out []Option
	s.each(func(f *File, i int, group string) {
		if f.lines[i].isOption(n) && inGroups(group, groups) {
			out = append(out, f.option(i, group))
		}
	})
	return out
}

// Effective returns the definition of key that a program reading groups
// uses: the last one read.
func (s *Set) Effective(groups []string, key string) (Option, bool) {
	defs := s.Definitions(groups, key)
	if len(defs) == 0 {
		return Option{}, false
	}
	return defs[len(defs)-1], true
}

// FirstDefined applies the rule of the SST scripts (wsrep_sst_common's
// parse_cnf): the group sets are tried in order, and the first whose last
// definition of key has a non-empty value gives it.
func (s *Set) FirstDefined(sets [][]string, key string) (Option, bool) {
	for _, groups := range sets {
		if o, ok := s.Effective(groups, key); ok && o.Value != "" {
			return o, true
		}
	}
	return Option{}, false
}

// File returns the file read from path, or nil.
func (s *Set) File(path string) *File {
	for _, f := range s.Files {
		if f.Name == path {
			return f
		}
	}
	return nil
}

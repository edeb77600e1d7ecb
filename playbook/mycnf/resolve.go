package mycnf

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// Reader reads option files: from memory in tests, over SSH in the tool.
type Reader interface {
	ReadFile(path string) ([]byte, error)
	// ReadDir returns the names (not paths) of the entries of dir.
	ReadDir(dir string) ([]string, error)
}

// maxDepth is the server's include depth: directives in a file read at this
// depth are skipped with a warning.
const maxDepth = 10

// maxReads bounds the files read in one resolution. The server has no such
// limit, but a directory including itself would read k^10 files.
const maxReads = 10000

// WarnKind says what a Warning is about.
type WarnKind uint8

const (
	WarnMissingFile WarnKind = iota + 1 // !include of a file that cannot be read: the server skips it silently
	WarnMissingDir                      // !includedir of a directory that cannot be read
	WarnDepth                           // directive skipped: maximum include depth
	WarnCycle                           // a file includes itself, directly or not
	WarnRelative                        // path resolved against the server's working directory
	WarnTruncated                       // directive on a last line without a newline loses its last character
)

// Warning is something the server would do that the reader of the file may
// not expect. Fatal ones make the server refuse to start.
type Warning struct {
	File  string
	Line  int
	Kind  WarnKind
	Path  string // the path the directive names, as the server reads it
	Fatal bool
	Msg   string
}

func (w Warning) String() string { return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Msg) }

// Set is an option file with everything it includes, in the order the
// server reads them. Edits made to its Files show in Effective.
type Set struct {
	Files    []*File // each file once, in the order first read
	Warnings []Warning
	root     *node
}

// node is one reading of a file: the server reads a file again each time a
// directive names it.
type node struct {
	file *File
	kids map[*line][]*node // what each directive read
	stop *line             // the server stops reading the file after this line
}

type resolver struct {
	r      Reader
	set    *Set
	files  map[string]*File
	warned map[Warning]bool
	reads  int
}

// Resolve reads rootPath and, depth-first at each directive, what it
// includes. A file that does not parse is an error; everything the server
// would merely skip or warn about is a Warning.
func Resolve(rootPath string, r Reader) (*Set, error) {
	rs := &resolver{r: r, set: &Set{}, files: map[string]*File{}, warned: map[Warning]bool{}}
	data, err := r.ReadFile(rootPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rootPath, err)
	}
	f, err := Parse(rootPath, data)
	if err != nil {
		return nil, err
	}
	key := path.Clean(rootPath)
	rs.files[key] = f
	rs.set.Files = append(rs.set.Files, f)
	root, err := rs.read(f, 0, []string{key})
	if err != nil {
		return nil, err
	}
	rs.set.root = root
	return rs.set, nil
}

func (rs *resolver) warn(w Warning) {
	if !rs.warned[w] {
		rs.warned[w] = true
		rs.set.Warnings = append(rs.set.Warnings, w)
	}
}

func (rs *resolver) read(f *File, depth int, stack []string) (*node, error) {
	if rs.reads++; rs.reads > maxReads {
		return nil, fmt.Errorf("%s: includes read more than %d files", stack[0], maxReads)
	}
	n := &node{file: f, kids: map[*line][]*node{}}
	for i, l := range f.lines {
		if l.kind != kindInclude && l.kind != kindIncludeDir {
			continue
		}
		at := Warning{File: f.Name, Line: i + 1, Path: l.arg}
		if depth >= maxDepth {
			at.Kind, at.Msg = WarnDepth, fmt.Sprintf("%q skipped: maximum include depth %d reached", l.arg, maxDepth)
			rs.warn(at)
			continue
		}
		rs.checkPath(l, at)
		if l.kind == kindInclude {
			kid, err := rs.include(l.arg, at, depth, stack)
			if err != nil {
				return nil, err
			}
			if kid != nil {
				n.kids[l] = []*node{kid}
			}
			continue
		}
		names, err := rs.r.ReadDir(l.arg)
		if err != nil {
			at.Kind, at.Fatal = WarnMissingDir, depth == 0
			at.Msg = fmt.Sprintf("cannot read directory %q (%v): the server stops reading this file", l.arg, err)
			if at.Fatal {
				at.Msg = fmt.Sprintf("cannot read directory %q (%v): the server refuses to start", l.arg, err)
			}
			rs.warn(at)
			n.stop = l
			return n, nil
		}
		for _, name := range cnfFiles(names) {
			kid, err := rs.include(joinDir(l.arg, name), at, depth, stack)
			if err != nil {
				return nil, err
			}
			if kid != nil {
				n.kids[l] = append(n.kids[l], kid)
			}
		}
	}
	return n, nil
}

// checkPath warns about what the server does to a directive's path.
func (rs *resolver) checkPath(l *line, at Warning) {
	if l.eol == "" {
		full := &line{text: l.text, eol: "\n"}
		if full.parse(); full.arg != l.arg {
			at.Kind = WarnTruncated
			at.Msg = fmt.Sprintf("last line without a newline: the server reads %q, not %q", l.arg, full.arg)
			rs.warn(at)
		}
	}
	if !strings.HasPrefix(l.arg, "/") {
		at.Kind = WarnRelative
		at.Msg = fmt.Sprintf("%q is not absolute: the server resolves it against its working directory (or home, for ~/)", l.arg)
		rs.warn(at)
	}
}

func (rs *resolver) include(p string, at Warning, depth int, stack []string) (*node, error) {
	key := path.Clean(p)
	if slices.Contains(stack, key) {
		w := at
		w.Kind, w.Path = WarnCycle, p
		w.Msg = fmt.Sprintf("include cycle through %q: the server reads it again, down to depth %d", p, maxDepth)
		rs.warn(w)
	}
	f := rs.files[key]
	if f == nil {
		data, err := rs.r.ReadFile(p)
		if err != nil {
			w := at
			w.Kind, w.Path = WarnMissingFile, p
			w.Msg = fmt.Sprintf("cannot read %q (%v): the server skips it silently", p, err)
			rs.warn(w)
			return nil, nil
		}
		if f, err = Parse(p, data); err != nil {
			return nil, fmt.Errorf("included from %s:%d: %w", at.File, at.Line, err)
		}
		rs.files[key] = f
		rs.set.Files = append(rs.set.Files, f)
	}
	return rs.read(f, depth+1, append(slices.Clip(stack), key))
}

// cnfFiles keeps the names the server reads from an !includedir: those whose
// extension (from the last dot) is exactly ".cnf", sorted bytewise.
func cnfFiles(names []string) []string {
	var out []string
	for _, n := range names {
		if dot := strings.LastIndexByte(n, '.'); dot >= 0 && n[dot:] == ".cnf" {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

func joinDir(dir, name string) string {
	return strings.TrimRight(dir, "/") + "/" + name
}

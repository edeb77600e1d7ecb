package inventory

import (
	"io/fs"
	"path"
	"strings"
	"testing"
	"time"
)

// fakeFiles is an in-memory controller file system keyed by absolute path.
type fakeFiles map[string]fakeFile

type fakeFile struct {
	data string
	mode fs.FileMode // 0 means 0600
	dir  bool
}

func (f fakeFiles) Stat(p string) (fs.FileInfo, error) {
	ff, ok := f[p]
	if !ok {
		return nil, &fs.PathError{Op: "stat", Path: p, Err: fs.ErrNotExist}
	}
	return fakeInfo{name: path.Base(p), f: ff}, nil
}

func (f fakeFiles) ReadFile(p string) ([]byte, error) {
	ff, ok := f[p]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	}
	if ff.dir {
		return nil, &fs.PathError{Op: "read", Path: p, Err: fs.ErrInvalid}
	}
	return []byte(ff.data), nil
}

type fakeInfo struct {
	name string
	f    fakeFile
}

func (i fakeInfo) Name() string { return i.name }
func (i fakeInfo) Size() int64  { return int64(len(i.f.data)) }
func (i fakeInfo) Mode() fs.FileMode {
	m := i.f.mode
	if m == 0 {
		m = 0o600
	}
	if i.f.dir {
		m |= fs.ModeDir
	}
	return m
}
func (i fakeInfo) ModTime() time.Time { return time.Time{} }
func (i fakeInfo) IsDir() bool        { return i.f.dir }
func (i fakeInfo) Sys() any           { return nil }

// everyFile is a file system where every path exists and holds one line.
type everyFile struct{ content string }

func (e everyFile) Stat(p string) (fs.FileInfo, error) {
	return fakeInfo{name: path.Base(p), f: fakeFile{data: e.content}}, nil
}
func (e everyFile) ReadFile(string) ([]byte, error) { return []byte(e.content), nil }

func env(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// testOptions roots the inventory at /inv with home /home/op.
func testOptions(files Files, lookup func(string) (string, bool)) Options {
	return Options{Dir: "/inv", Home: "/home/op", User: "op", LookupEnv: lookup, Files: files}
}

// baseFiles are the files the minimal valid inventory needs.
func baseFiles() fakeFiles {
	return fakeFiles{"/home/op/.ssh/known_hosts": {data: "x"}}
}

// mustParse parses src (dedented) and fails the test on error.
func mustParse(t *testing.T, src string, opts Options) *Inventory {
	t.Helper()
	inv, err := Parse("inventory.yml", []byte(src), opts)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return inv
}

// problems parses src and returns the rendered problems (nil when valid).
func problems(t *testing.T, src string, opts Options) []string {
	t.Helper()
	_, err := Parse("inventory.yml", []byte(src), opts)
	if err == nil {
		return nil
	}
	ve, ok := err.(*ValidationError)
	if !ok {
		t.Fatalf("error is %T, want *ValidationError: %v", err, err)
	}
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.String())
	}
	return out
}

func containsAll(haystack []string, needles ...string) (missing []string) {
	joined := strings.Join(haystack, "\n")
	for _, n := range needles {
		if !strings.Contains(joined, n) {
			missing = append(missing, n)
		}
	}
	return missing
}

package mycnf

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The oracle is MariaDB's own my_print_defaults: it reads option files with
// the server's code. Set MYCNF_ORACLE to its path, or have it in PATH
// (Debian: mariadb-client-core). Without it these tests skip.
func oracle(t testing.TB) string {
	if p := os.Getenv("MYCNF_ORACLE"); p != "" {
		return p
	}
	p, err := exec.LookPath("my_print_defaults")
	if err != nil {
		t.Skip("no my_print_defaults (set MYCNF_ORACLE)")
	}
	return p
}

// runOracle returns what my_print_defaults prints for groups and whether
// it succeeded.
func runOracle(t testing.TB, bin, file string, groups []string) (string, bool) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--defaults-file=" + file}, groups...)...)
	var out bytes.Buffer
	cmd.Stdout = &out
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return out.String(), err == nil
}

// printDefaults renders options the way my_print_defaults does.
func printDefaults(opts []Option) string {
	var b strings.Builder
	for _, o := range opts {
		b.WriteString("--" + o.Key)
		if o.HasValue {
			b.WriteString("=" + o.Value)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// oracleGroups are the file's groups that can be passed as arguments.
func oracleGroups(f *File) []string {
	out := []string{"no-such-group"} // with no group at all it prints its help
	for _, g := range f.Groups() {
		if g == "" || strings.HasPrefix(g, "-") || strings.IndexByte(g, 0) >= 0 {
			continue
		}
		out = append(out, g)
	}
	return out
}

type osReader struct{}

func (osReader) ReadFile(p string) ([]byte, error) { return os.ReadFile(p) }

func (osReader) ReadDir(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names, err
}

func TestOracleFiles(t *testing.T) {
	bin := oracle(t)
	files, _ := filepath.Glob("testdata/*.cnf")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		compareWithOracle(t, bin, data)
	}
}

// compareWithOracle checks one file without directives against the oracle.
func compareWithOracle(t testing.TB, bin string, data []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f.cnf")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Parse(path, data)
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatal(err)
		}
		// Where the server does not fail, it does something undefined
		// (empty name) or splits the line: no comparison.
		if strings.Contains(pe.Msg, "without a name") || strings.Contains(pe.Msg, "splits lines") {
			return
		}
		if out, ok := runOracle(t, bin, path, []string{"g"}); ok {
			t.Errorf("%q: we fail with %v, the server reads it:\n%s", data, err, out)
		}
		return
	}
	for _, l := range f.lines {
		if l.kind == kindInclude || l.kind == kindIncludeDir {
			return // would read the machine's files; TestOracleResolve covers includes
		}
	}
	groups := oracleGroups(f)
	s := &Set{Files: []*File{f}, root: &node{file: f}}
	want, ok := runOracle(t, bin, path, groups)
	if !ok {
		t.Errorf("%q: the server fails, we parse it", data)
		return
	}
	if got := printDefaults(s.Options(groups)); got != want {
		t.Errorf("%q groups %q:\nours:\n%s\nserver:\n%s", data, groups, got, want)
	}
}

// TestOracleResolve compares include handling on a real directory tree.
func TestOracleResolve(t *testing.T) {
	bin := oracle(t)
	dir := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(content, "$D", dir)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("my.cnf", "[g]\nk = root1\n!includedir $D/conf.d/\nk = root2\n!include $D/missing.cnf\n!include $D/cycle-a.cnf\n!include $D/nested.cnf\n!include $D/trunc.cnf")
	write("conf.d/b.cnf", "[g]\nk = b\n")
	write("conf.d/a.cnf", "[G]\nk = a\n[other]\nk = no\n")
	write("conf.d/.cnf", "[g]\nk = hidden\n")
	write("conf.d/B.cnf", "[g]\nk = upper-B\n")
	write("conf.d/c.ini", "[g]\nk = ini\n")
	write("conf.d/d.CNF", "[g]\nk = upper-ext\n")
	write("conf.d/e.cnf.bak", "[g]\nk = bak\n")
	write("conf.d/f.bak.cnf", "[g]\nk = f-bak-cnf\n")
	write("conf.d/sub.cnf/x.cnf", "[g]\nk = in-subdir\n")
	write("cycle-a.cnf", "[g]\nk = ca\n!include $D/cycle-b.cnf\nk = ca-end\n")
	write("cycle-b.cnf", "[g]\nk = cb\n!include $D/cycle-a.cnf\nk = cb-end\n")
	write("nested.cnf", "[g]\nk = n1\n!includedir $D/nodir\nk = n2\n")
	write("trunc.cn", "[g]\nk = truncated-name\n")
	write("trunc.cnf", "[g]\nk = full-name\n")

	root := filepath.Join(dir, "my.cnf")
	s, err := Resolve(root, osReader{})
	if err != nil {
		t.Fatal(err)
	}
	want, ok := runOracle(t, bin, root, []string{"g"})
	if !ok {
		t.Fatal("oracle failed")
	}
	if got := printDefaults(s.Options([]string{"g"})); got != want {
		t.Errorf("ours:\n%s\nserver:\n%s", got, want)
	}

	// A missing directory in the top file: the server refuses to start.
	write("fatal.cnf", "[g]\nk = 1\n!includedir $D/nodir\n")
	s, err = Resolve(filepath.Join(dir, "fatal.cnf"), osReader{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := runOracle(t, bin, filepath.Join(dir, "fatal.cnf"), []string{"g"}); ok || len(s.Warnings) != 1 || !s.Warnings[0].Fatal {
		t.Errorf("oracle ok=%v, warnings %v", ok, s.Warnings)
	}
}

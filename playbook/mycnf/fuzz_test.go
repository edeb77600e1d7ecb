package mycnf

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

func addSeedFiles(f *testing.F, add func(data []byte)) {
	files, _ := filepath.Glob("testdata/*.cnf")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		add(data)
	}
	for _, s := range []string{
		"", "[g]", "[g]\r\nk=v", "[g]\nk = \"a # b\" # c\n", "[g]\nk='it\\'s'\n",
		"[g]\n!include /x", "\xef\xbb\xbf[g]\n", "[g]\nk=a\x00b\n", "[ g ]\n\xa0k\xa0=\xa0v\xa0\n",
	} {
		add([]byte(s))
	}
}

// Any input that parses renders to the same bytes.
func FuzzRoundTrip(f *testing.F) {
	addSeedFiles(f, func(d []byte) { f.Add(d) })
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("f.cnf", data)
		if err != nil {
			return
		}
		if out := p.Bytes(); !bytes.Equal(out, data) {
			t.Fatalf("render changed the input:\n%q\n%q", data, out)
		}
		if c := p.Clone(); !bytes.Equal(c.Bytes(), data) {
			t.Fatal("clone renders differently")
		}
		if m := MaskSecrets(data); bytes.Count(m, []byte("\n")) != bytes.Count(data, []byte("\n")) {
			t.Fatalf("MaskSecrets changed the line structure:\n%q\n%q", data, m)
		}
	})
}

// otherLines describes what the server reads from every line but the
// definitions of key in group: options with their group, directives with
// their argument, headers.
func otherLines(p *File, group, key string) []string {
	var out []string
	n := normalizeKey(key)
	p.walk(func(i int, l *line, g string) bool {
		switch {
		case l.kind == kindBlank, l.kind == kindComment:
		case SameGroup(g, group) && (l.isOption(n) || l.kind == kindGroup):
			// Set may add a header for group.
		default:
			arg := l.arg
			if arg != "" {
				arg = path.Clean(arg) // a trailing '/' makes no difference
			}
			out = append(out, fmt.Sprintf("%d [%s] %q=%q %v %q", l.kind, g, l.key, l.value, l.hasValue, arg))
		}
		return true
	})
	return out
}

func sameLines(t *testing.T, before, after []string) {
	t.Helper()
	if strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Fatalf("other lines changed:\n%s\n--- became ---\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
}

// After a successful Set the server reads the value back, the other options
// are untouched, and the same Set again changes nothing. A failed Set leaves
// the file as it was.
func FuzzSetIdempotent(f *testing.F) {
	addSeedFiles(f, func(d []byte) {
		f.Add(d, "mysqld", "wsrep_sst_auth", "user:p@ss#word;x")
		f.Add(d, "galera", "wsrep-provider-options", `socket.ssl_ca=/a b; x="y"`)
		f.Add(d, "sst", "loose-encrypt", "")
	})
	f.Fuzz(func(t *testing.T, data []byte, group, key, value string) {
		p, err := Parse("f.cnf", data)
		if err != nil {
			return
		}
		before := otherLines(p, group, key)
		changed, err := p.Set(group, key, value)
		out := p.Bytes()
		if err != nil {
			if changed || !bytes.Equal(out, data) {
				t.Fatalf("failed Set (%v) changed the file:\n%q", err, out)
			}
			return
		}
		if !changed && !bytes.Equal(out, data) {
			t.Fatal("Set reported no change but changed the file")
		}
		q, err := Parse("f.cnf", out)
		if err != nil {
			t.Fatalf("Set produced a file the server rejects: %v\n%q", err, out)
		}
		if o, ok := q.Lookup(group, key); !ok || !o.HasValue || o.Value != value {
			t.Fatalf("reads back %+v, want %q\n%q", o, value, out)
		}
		sameLines(t, before, otherLines(q, group, key))
		again, err := p.Set(group, key, value)
		if again || err != nil || !bytes.Equal(p.Bytes(), out) {
			t.Fatalf("second Set: changed %v err %v\n%q\n%q", again, err, out, p.Bytes())
		}
	})
}

// Remove and Disable take every definition away and touch nothing else.
func FuzzRemoveDisable(f *testing.F) {
	addSeedFiles(f, func(d []byte) {
		f.Add(d, "mysqld", "wsrep_sst_method", true)
		f.Add(d, "galera", "wsrep_on", false)
	})
	f.Add([]byte("[g]\n!include /a.cnf\nk=1"), "g", "k", true)
	f.Fuzz(func(t *testing.T, data []byte, group, key string, remove bool) {
		p, err := Parse("f.cnf", data)
		if err != nil {
			return
		}
		before := otherLines(p, group, key)
		var n int
		if remove {
			n = p.Remove(group, key)
		} else {
			n = p.Disable(group, key, "m")
		}
		out := p.Bytes()
		if n == 0 && !bytes.Equal(out, data) {
			t.Fatal("nothing removed but the file changed")
		}
		q, err := Parse("f.cnf", out)
		if err != nil {
			t.Fatalf("result does not parse: %v\n%q", err, out)
		}
		if _, ok := q.Lookup(group, key); ok {
			t.Fatalf("still defined:\n%q", out)
		}
		sameLines(t, before, otherLines(q, group, key))
	})
}

// Merging is idempotent, never loses an existing option, and sets the
// managed ones.
func FuzzMergeProviderOptions(f *testing.F) {
	f.Add("gcache.size=1G; gcs.fc_limit=128", "socket.ssl_ca", "/ca.pem", "gcache.size", "2G")
	f.Add("", "a", "1", "b", "x;y=z")
	f.Add(`a=1\`, "b", `\`, "c", "")
	f.Add(" ; ;k", "k", "v", "k ", "w")
	f.Fuzz(func(t *testing.T, existing, n1, v1, n2, v2 string) {
		set := map[string]string{n1: v1, n2: v2}
		merged, changed := MergeProviderOptions(existing, set)
		if !changed && merged != existing {
			t.Fatalf("no change reported but %q → %q", existing, merged)
		}
		again, c2 := MergeProviderOptions(merged, set)
		if c2 || again != merged {
			t.Fatalf("not idempotent: %q → %q → %q", existing, merged, again)
		}
		before, _ := ProviderOptions(existing)
		_, after := ProviderOptions(merged)
		for _, n := range before {
			if _, ok := after[n]; !ok {
				t.Fatalf("lost %q: %q → %q", n, existing, merged)
			}
		}
		for n, v := range cleanProviderSet(set) {
			if got := after[n]; got != escapeProvider(v) {
				t.Fatalf("%s = %q, want %q, in %q", n, got, escapeProvider(v), merged)
			}
		}
		left, _ := RemoveProviderOptions(merged, []string{n1, n2})
		_, rest := ProviderOptions(left)
		for n := range cleanProviderSet(set) {
			if _, ok := rest[n]; ok {
				t.Fatalf("RemoveProviderOptions left %q in %q", n, left)
			}
		}
	})
}

// The parser agrees with MariaDB's on every input without directives.
func FuzzOracle(f *testing.F) {
	bin := oracle(f)
	addSeedFiles(f, func(d []byte) { f.Add(d) })
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.IndexByte(data, '!') >= 0 {
			return // directives read the machine's files
		}
		compareWithOracle(t, bin, data)
	})
}

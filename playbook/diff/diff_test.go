package diff

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// patch applies a unified diff to old, checking every context and removed
// line and every hunk count, and returns the result.
func patch(old, d string) (string, error) {
	if d == "" {
		return old, nil
	}
	a := splitLines(old)
	lines := strings.SplitAfter(d, "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		return "", fmt.Errorf("no header")
	}
	var out []string
	cursor := 0 // next line of old to copy
	i := 2
	for i < len(lines) && lines[i] != "" {
		var os, oc, ns, nc int
		h := lines[i]
		if !strings.HasPrefix(h, "@@ -") || !strings.HasSuffix(h, " @@\n") {
			return "", fmt.Errorf("bad hunk header %q", h)
		}
		f := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(h, "@@ "), " @@\n"))
		if len(f) != 2 {
			return "", fmt.Errorf("bad hunk header %q", h)
		}
		parse := func(s string, start, count *int) error {
			st, c, found := strings.Cut(s[1:], ",")
			var err error
			if *start, err = strconv.Atoi(st); err != nil {
				return err
			}
			*count = 1
			if found {
				*count, err = strconv.Atoi(c)
			}
			return err
		}
		if parse(f[0], &os, &oc) != nil || parse(f[1], &ns, &nc) != nil {
			return "", fmt.Errorf("bad hunk header %q", h)
		}
		first := os - 1 // index of the hunk's first old line
		if oc == 0 {
			first = os
		}
		if first < cursor || first > len(a) {
			return "", fmt.Errorf("hunk %q out of order", h)
		}
		out = append(out, a[cursor:first]...)
		if nc == 0 && len(out) != ns || nc > 0 && len(out) != ns-1 {
			return "", fmt.Errorf("hunk %q: new start %d, have %d lines", h, ns, len(out))
		}
		cursor = first
		i++
		gotOld, gotNew := 0, 0
		for i < len(lines) && lines[i] != "" && !strings.HasPrefix(lines[i], "@@") {
			l := lines[i]
			text := l[1:]
			if i+1 < len(lines) && lines[i+1] == "\\ No newline at end of file\n" {
				text = strings.TrimSuffix(text, "\n")
				i++
			}
			switch l[0] {
			case ' ', '-':
				if cursor >= len(a) || a[cursor] != text {
					return "", fmt.Errorf("line %q does not match old line %d", l, cursor+1)
				}
				cursor++
				gotOld++
				if l[0] == ' ' {
					out = append(out, text)
					gotNew++
				}
			case '+':
				out = append(out, text)
				gotNew++
			default:
				return "", fmt.Errorf("bad line %q", l)
			}
			i++
		}
		if gotOld != oc || gotNew != nc {
			return "", fmt.Errorf("hunk %q has %d old and %d new lines", h, gotOld, gotNew)
		}
	}
	out = append(out, a[cursor:]...)
	return strings.Join(out, ""), nil
}

var goldenCases = []struct {
	name, old, new string
	context        int
}{
	{"config-edit",
		"[mysqld]\nport = 3306\nbind-address = 127.0.0.1\n\n# tuning\nmax_connections = 100\n\n[client]\nport = 3306\n",
		"[mysqld]\nport = 3306\nbind-address = 0.0.0.0\nssl_ca = /ca.pem\n\n# tuning\nmax_connections = 100\n\n[client]\nport = 3306\n\n[sst]\nencrypt = 3\n",
		3},
	{"two-hunks",
		"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n",
		"1\nTWO\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\nFOURTEEN\n15\n",
		2},
	{"no-final-newline-added", "a\nb", "a\nb\nc", 3},
	{"no-final-newline-kept", "a\nb\nc", "a\nB\nc", 3},
	{"newline-removed", "a\n", "a", 3},
	{"from-empty", "", "a\nb\n", 3},
	{"to-empty", "a\nb\n", "", 3},
	{"crlf", "[g]\r\nk = 1\r\n", "[g]\r\nk = 2\r\n", 3},
	{"context-zero", "a\nb\nc\nd\n", "a\nB\nc\nD\n", 0},
}

func TestUnifiedGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			got := Unified("a/my.cnf", "b/my.cnf", []byte(tc.old), []byte(tc.new), tc.context)
			if applied, err := patch(tc.old, got); err != nil || applied != tc.new {
				t.Fatalf("patch: %v\n%q\n%s", err, applied, got)
			}
			golden := filepath.Join("testdata", tc.name+".diff")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("differs from %s (-update to accept):\n%s", golden, got)
			}
		})
	}
}

func TestUnifiedEqual(t *testing.T) {
	if d := Unified("a", "b", []byte("x\n"), []byte("x\n"), 3); d != "" {
		t.Errorf("equal inputs: %q", d)
	}
}

func TestHunkRange(t *testing.T) {
	for _, tt := range []struct {
		first, count int
		want         string
	}{{0, 0, "0,0"}, {4, 0, "4,0"}, {0, 1, "1"}, {9, 1, "10"}, {2, 5, "3,5"}} {
		if got := hunkRange(tt.first, tt.count); got != tt.want {
			t.Errorf("hunkRange(%d, %d) = %q, want %q", tt.first, tt.count, got, tt.want)
		}
	}
}

// randomText makes lines from a small alphabet so that inputs share lines.
func randomText(r *rand.Rand) string {
	n := r.Intn(30)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString([]string{"a", "b", "c", "port = 1", "", "x\r"}[r.Intn(6)])
		if i < n-1 || r.Intn(3) > 0 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// Property: the diff applied to old gives new, for any context.
func TestUnifiedPatchProperty(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 5000; i++ {
		old, new := randomText(r), randomText(r)
		if r.Intn(4) == 0 { // small edits of a shared text
			new = old
			for k := r.Intn(3); k >= 0; k-- {
				if p := r.Intn(len(new) + 1); p < len(new) {
					new = new[:p] + randomText(r) + new[p+1:]
				}
			}
		}
		context := r.Intn(5)
		d := Unified("old", "new", []byte(old), []byte(new), context)
		if got, err := patch(old, d); err != nil || got != new {
			t.Fatalf("old %q new %q context %d: %v\n%s", old, new, context, err, d)
		}
	}
}

// The fallback for inputs too costly for Myers is still a correct diff.
func TestUnifiedLargeFallback(t *testing.T) {
	var a, b strings.Builder
	for i := 0; i < 30000; i++ {
		fmt.Fprintf(&a, "line %d\n", i)
		fmt.Fprintf(&b, "line %d\n", i*7%30011) // almost everything differs
	}
	d := Unified("old", "new", []byte(a.String()), []byte(b.String()), 3)
	if got, err := patch(a.String(), d); err != nil || got != b.String() {
		t.Fatalf("patch: %v", err)
	}
}

// Myers finds the shortest script: one change, one pair of lines.
func TestUnifiedMinimal(t *testing.T) {
	old := "a\nb\nc\nd\ne\nf\n"
	d := Unified("o", "n", []byte(old), []byte("a\nb\nX\nd\ne\nf\n"), 0)
	if d != "--- o\n+++ n\n@@ -3 +3 @@\n-c\n+X\n" {
		t.Errorf("got\n%s", d)
	}
}

func FuzzUnified(f *testing.F) {
	for _, tc := range goldenCases {
		f.Add([]byte(tc.old), []byte(tc.new), uint8(tc.context))
	}
	f.Fuzz(func(t *testing.T, old, new []byte, context uint8) {
		d := Unified("old", "new", old, new, int(context%8))
		if got, err := patch(string(old), d); err != nil || got != string(new) {
			t.Fatalf("%v\n%s", err, d)
		}
	})
}

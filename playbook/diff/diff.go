// Package diff renders unified diffs of small text files (configuration
// files), for dry-run plans and logs. Pure: standard library only.
package diff

import (
	"fmt"
	"strings"
)

// Unified returns the unified diff turning old into new, with context lines
// of context around each change, or "" when they are equal. Lines are
// compared with their line ending, so a changed ending or a missing final
// newline shows (as "\ No newline at end of file").
func Unified(oldName, newName string, old, new []byte, context int) string {
	if string(old) == string(new) {
		return ""
	}
	a, b := splitLines(string(old)), splitLines(string(new))
	ops := lineOps(a, b)
	context = max(context, 0)
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
	for _, h := range hunks(ops, context) {
		writeHunk(&out, a, b, ops[h.start:h.end])
	}
	return out.String()
}

// splitLines cuts s after each '\n'; the last line may lack one.
func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// op is one line of the edit script: ' ' (in both), '-' (old only) or '+'
// (new only), with the index of the line in old (a) and new (b): for '-'
// and '+' the other index is where the line would be.
type op struct {
	kind byte
	a, b int
}

type span struct{ start, end int }

// hunks groups the changes of ops with their context; changes closer than
// twice the context share a hunk.
func hunks(ops []op, context int) []span {
	var out []span
	i := 0
	for i < len(ops) {
		for i < len(ops) && ops[i].kind == ' ' {
			i++
		}
		if i == len(ops) {
			break
		}
		start := max(i-context, 0)
		if len(out) > 0 {
			start = max(start, out[len(out)-1].end)
		}
		j := i
		for {
			for j < len(ops) && ops[j].kind != ' ' {
				j++
			}
			k := j
			for k < len(ops) && ops[k].kind == ' ' {
				k++
			}
			if k < len(ops) && k-j <= 2*context {
				j = k
				continue
			}
			break
		}
		end := min(j+context, len(ops))
		out = append(out, span{start, end})
		i = end
	}
	return out
}

func writeHunk(out *strings.Builder, a, b []string, ops []op) {
	oldCount, newCount := 0, 0
	for _, o := range ops {
		if o.kind != '+' {
			oldCount++
		}
		if o.kind != '-' {
			newCount++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(ops[0].a, oldCount), hunkRange(ops[0].b, newCount))
	for _, o := range ops {
		text := ""
		switch o.kind {
		case '-', ' ':
			text = a[o.a]
		case '+':
			text = b[o.b]
		}
		out.WriteByte(o.kind)
		out.WriteString(text)
		if !strings.HasSuffix(text, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange formats "start,count" the way diff -u does: 1-based, the count
// left out when it is 1, and for an empty range the line before it.
func hunkRange(first, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", first)
	case 1:
		return fmt.Sprintf("%d", first+1)
	}
	return fmt.Sprintf("%d,%d", first+1, count)
}

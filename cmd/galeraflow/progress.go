package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/galeraflow/galeraflow/playbook"
)

// progress shows a run's events on stderr: on a terminal one live line per
// node (redrawn in place), otherwise one plain line per event so logs and
// cron mails stay readable.
type progress struct {
	w     io.Writer
	live  bool
	mu    sync.Mutex
	order []string
	lines map[string]string
	drawn int
}

func newProgress(w io.Writer, live bool) *progress {
	return &progress{w: w, live: live, lines: map[string]string{}}
}

func (p *progress) observe(e playbook.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	where := e.Node
	if where == "" {
		where = "cluster"
	}
	text := e.Phase
	if e.Step != "" {
		text = e.Step + " " + e.Phase
	}
	text += ": " + e.State
	if e.Msg != "" {
		text += ": " + firstLine(e.Msg)
	}
	if !p.live {
		// Plain mode shows what matters, not every start.
		if e.State == "start" && e.Phase != "apply" {
			return
		}
		fmt.Fprintf(p.w, "%-8s %s\n", where, text)
		return
	}
	if _, ok := p.lines[where]; !ok {
		p.order = append(p.order, where)
		sort.SliceStable(p.order, func(i, j int) bool { return p.order[j] == "cluster" && p.order[i] != "cluster" })
	}
	p.lines[where] = text
	p.redraw()
}

func (p *progress) redraw() {
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.drawn) // back to the first line we drew
	}
	for _, where := range p.order {
		fmt.Fprintf(&b, "\x1b[2K%-8s %s\n", where, p.lines[where])
	}
	p.drawn = len(p.order)
	io.WriteString(p.w, b.String())
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

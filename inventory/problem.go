package inventory

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ErrInvalid matches every error that says the inventory (or its input
// files) is wrong, as opposed to a failure of the machine reading it.
var ErrInvalid = errors.New("invalid inventory")

// Problem is one mistake (or warning) in an inventory.
type Problem struct {
	// File is the inventory's name as the user gave it.
	File string
	// Line and Column are 1-based; 0 when unknown.
	Line, Column int
	// Field is the path of the offending field, e.g. "nodes[2].ssh.port"
	// (list indexes are 0-based); "" for YAML syntax errors.
	Field   string
	Message string
}

// String renders "FILE:LINE:COL: FIELD: MESSAGE", leaving out what is unknown.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		b.WriteString(":" + strconv.Itoa(p.Line))
		if p.Column > 0 {
			b.WriteString(":" + strconv.Itoa(p.Column))
		}
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError lists every problem found in one inventory, in file order.
type ValidationError struct {
	File     string
	Problems []Problem
}

// Error renders one problem per line, preceded by a count when there are several.
func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].String()
	}
	lines := make([]string, 0, len(e.Problems)+1)
	lines = append(lines, fmt.Sprintf("%d problems in %s", len(e.Problems), e.File))
	for _, p := range e.Problems {
		lines = append(lines, p.String())
	}
	return strings.Join(lines, "\n")
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// pos is a 1-based position in the YAML text.
type pos struct{ line, col int }

// origin is where a value was written: its field path and position.
type origin struct {
	field string
	at    pos
}

// maxProblems bounds the report so that a pathological file (aliases
// multiplying one mistake) cannot produce an unbounded error.
const maxProblems = 500

// report collects problems and warnings during one Parse.
type report struct {
	file     string
	problems []Problem
	warnings []Problem
	dropped  int
}

func (r *report) problem(o origin, msg string) Problem {
	return Problem{File: r.file, Line: o.at.line, Column: o.at.col, Field: o.field, Message: msg}
}

func (r *report) errorf(o origin, format string, args ...any) {
	if len(r.problems) >= maxProblems {
		r.dropped++
		return
	}
	r.problems = append(r.problems, r.problem(o, fmt.Sprintf(format, args...)))
}

func (r *report) warnf(o origin, format string, args ...any) {
	if len(r.warnings) >= maxProblems {
		return
	}
	r.warnings = append(r.warnings, r.problem(o, fmt.Sprintf(format, args...)))
}

// err returns nil or a *ValidationError with the problems sorted by
// position and exact duplicates (one top-level mistake inherited by every
// node) removed.
func (r *report) err() error {
	ps := tidy(r.problems)
	if len(ps) == 0 {
		return nil
	}
	if r.dropped > 0 {
		last := ps[len(ps)-1]
		ps = append(ps, Problem{File: r.file, Line: last.Line, Column: last.Column,
			Message: fmt.Sprintf("%d more problems not shown", r.dropped)})
	}
	return &ValidationError{File: r.file, Problems: ps}
}

func tidy(ps []Problem) []Problem {
	out := slices.Clone(ps)
	slices.SortStableFunc(out, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	seen := make(map[Problem]bool, len(out))
	return slices.DeleteFunc(out, func(p Problem) bool {
		dup := seen[p]
		seen[p] = true
		return dup
	})
}

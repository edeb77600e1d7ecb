package certs

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Severity says whether a problem blocks the run (Error) or should be
// looked at (Warning).
type Severity int

const (
	Error Severity = iota + 1
	Warning
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// MarshalText makes JSON reports say "error"/"warning".
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Problem is one finding about one file of one node. Message names the
// file(s) and says what to do.
type Problem struct {
	Node     string   `json:"node"`
	File     string   `json:"file"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

func (p Problem) String() string {
	if p.Node == "" {
		return p.Message
	}
	return p.Node + ": " + p.Message
}

// ErrInvalid is matched (errors.Is) by Report.Err when a check found errors.
var ErrInvalid = errors.New("invalid TLS files")

type problemError struct{ p Problem }

func (e problemError) Error() string        { return e.p.String() }
func (e problemError) Is(target error) bool { return target == ErrInvalid }

// Report is the result of Check for one node: every problem found, in file
// order (CA, server cert, server key, client cert, client key), and the
// facts about every certificate read.
type Report struct {
	Node     string     `json:"node"`
	Problems []Problem  `json:"problems"`
	Certs    []CertInfo `json:"certs"`
}

// HasErrors reports whether any problem is an Error (warnings do not count).
func (r Report) HasErrors() bool {
	for _, p := range r.Problems {
		if p.Severity == Error {
			return true
		}
	}
	return false
}

// Err joins the Error problems (each matching ErrInvalid); nil when there
// are none.
func (r Report) Err() error {
	var errs []error
	for _, p := range r.Problems {
		if p.Severity == Error {
			errs = append(errs, problemError{p})
		}
	}
	return errors.Join(errs...)
}

// WriteText writes one line per problem ("n1: error: ..."), or "n1: ok".
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	if len(r.Problems) == 0 {
		fmt.Fprintf(&b, "%s: ok\n", r.Node)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "%s: %s: %s\n", p.Node, p.Severity, p.Message)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (r Report) String() string {
	var b strings.Builder
	_ = r.WriteText(&b)
	return b.String()
}

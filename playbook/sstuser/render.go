package sstuser

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
)

// Mask stands for the password wherever an Input or Plan is printed.
const Mask = "****"

// String describes the input with the password masked.
func (in Input) String() string {
	pw := ""
	if in.Password != "" {
		pw = Mask
	}
	return fmt.Sprintf("{Flavor:%s ServerVersion:%s User:%s Host:%s Password:%s Method:%s}",
		in.Flavor, in.ServerVersion, in.User, in.Host, pw, in.Method)
}

// GoString keeps %#v from printing the password.
func (in Input) GoString() string { return "sstuser.Input" + in.String() }

// LogValue keeps slog from printing the password.
func (in Input) LogValue() slog.Value { return slog.StringValue(in.String()) }

// MarshalJSON writes the input with the password masked.
func (in Input) MarshalJSON() ([]byte, error) {
	type plain Input // no methods, so no recursion
	p := plain(in)
	if p.Password != "" {
		p.Password = Mask
	}
	return json.Marshal(p)
}

// String renders the plan for --dry-run: the summary, the masked
// statements, the warnings.
func (p Plan) String() string {
	var b strings.Builder
	b.WriteString(p.Summary)
	b.WriteByte('\n')
	for _, s := range p.Masked {
		b.WriteString("  ")
		b.WriteString(s)
		b.WriteByte('\n')
	}
	for _, w := range p.Warnings {
		b.WriteString("  warning: ")
		b.WriteString(w)
		b.WriteByte('\n')
	}
	return b.String()
}

// GoString keeps %#v from printing the statements that hold the password.
func (p Plan) GoString() string { return "sstuser.Plan{" + p.String() + "}" }

// LogValue keeps slog from printing the password.
func (p Plan) LogValue() slog.Value { return slog.StringValue(p.String()) }

// MarshalJSON writes the masked statements only.
func (p Plan) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Statements []string `json:"statements"`
		Changed    bool     `json:"changed"`
		Summary    string   `json:"summary"`
		Warnings   []string `json:"warnings,omitempty"`
	}{p.Masked, p.Changed, p.Summary, p.Warnings})
}

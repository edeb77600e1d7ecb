package sslconf

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
)

// Mask replaces secret values wherever a Setting, Result or Input is printed.
const Mask = "****"

// shown is the value as it may appear in plans and logs.
func (s Setting) shown() string {
	if s.Secret {
		return Mask
	}
	return s.Value
}

// String describes the edit with secrets masked, e.g.
// "set [mysqld] wsrep_sst_auth = ****".
func (s Setting) String() string {
	switch s.Op {
	case OpSet:
		return fmt.Sprintf("set [%s] %s = %s", s.Group, s.Key, s.shown())
	case OpRemove:
		return fmt.Sprintf("remove [%s] %s", s.Group, s.Key)
	case OpMergeProviderOptions:
		return fmt.Sprintf("merge [%s] %s: %s", s.Group, s.Key, providerOptions(s.ProviderOptions))
	}
	return fmt.Sprintf("%s [%s] %s", s.Op, s.Group, s.Key)
}

// GoString keeps %#v from printing the secret.
func (s Setting) GoString() string { return "sslconf.Setting{" + s.String() + "}" }

// LogValue keeps slog from printing the secret.
func (s Setting) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes the setting with the secret masked.
func (s Setting) MarshalJSON() ([]byte, error) {
	type masked struct {
		Op              string            `json:"op"`
		Group           string            `json:"group"`
		Key             string            `json:"key"`
		Value           string            `json:"value,omitempty"`
		ProviderOptions map[string]string `json:"provider_options,omitempty"`
		Secret          bool              `json:"secret,omitempty"`
		Why             string            `json:"why,omitempty"`
	}
	return json.Marshal(masked{s.Op.String(), s.Group, s.Key, s.shown(), s.ProviderOptions, s.Secret, s.Why})
}

// providerOptions renders options sorted by name, as Galera writes them.
func providerOptions(m map[string]string) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + "=" + m[n]
	}
	return strings.Join(parts, ";")
}

// String renders the result for a plan: the method, then each group's edits
// in order with their reasons, then the notes. Secrets are masked.
func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "wsrep_sst_method: %s\n", r.Method)
	var groups []string
	byGroup := map[string][]Setting{}
	for _, s := range r.Settings {
		if _, ok := byGroup[s.Group]; !ok {
			groups = append(groups, s.Group)
		}
		byGroup[s.Group] = append(byGroup[s.Group], s)
	}
	for _, g := range groups {
		fmt.Fprintf(&b, "[%s]\n", g)
		for _, s := range byGroup[g] {
			var line string
			switch s.Op {
			case OpSet:
				line = fmt.Sprintf("  set    %s = %s", s.Key, s.shown())
			case OpRemove:
				line = fmt.Sprintf("  remove %s", s.Key)
			case OpMergeProviderOptions:
				line = fmt.Sprintf("  merge  %s: %s", s.Key, providerOptions(s.ProviderOptions))
			}
			fmt.Fprintf(&b, "%s\n      # %s\n", line, s.Why)
		}
	}
	if len(r.Notes) > 0 {
		b.WriteString("notes:\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "  - %s\n", n)
		}
	}
	return b.String()
}

// GoString keeps %#v from printing secrets.
func (r Result) GoString() string { return "sslconf.Result{\n" + r.String() + "}" }

// String describes the input with the SST password masked.
func (in Input) String() string {
	pw := ""
	if in.SSTPassword != "" {
		pw = Mask
	}
	return fmt.Sprintf("{Flavor:%s ServerVersion:%s SSTMethod:%s SSTUser:%s SSTPassword:%s Files:%+v Replication:%t RequireClientSSL:%t}",
		in.Flavor, in.ServerVersion, in.SSTMethod, in.SSTUser, pw, in.Files, in.Replication, in.RequireClientSSL)
}

// GoString keeps %#v from printing the password.
func (in Input) GoString() string { return "sslconf.Input" + in.String() }

// LogValue keeps slog from printing the password.
func (in Input) LogValue() slog.Value { return slog.StringValue(in.String()) }

// MarshalJSON writes the input with the SST password masked.
func (in Input) MarshalJSON() ([]byte, error) {
	type plain Input // drops the methods, so no recursion
	p := plain(in)
	if p.SSTPassword != "" {
		p.SSTPassword = Mask
	}
	return json.Marshal(p)
}

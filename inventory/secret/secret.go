// Package secret holds values that must never be printed: passwords and
// passphrases read from the inventory's env:/file: references. Every
// formatter sees "****"; only Reveal returns the value, and callers use it
// where the value is sent on a remote command's stdin or written to a 0600 file.
package secret

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// Mask is what a Secret prints as, everywhere.
const Mask = "****"

// Secret is an opaque string. The zero value is the empty secret.
type Secret struct {
	value string
	// source says where the value came from ("env:NAME", "file:PATH"), safe to print.
	source string
}

// New wraps value; source describes its origin for messages (never the value).
func New(value, source string) Secret { return Secret{value: value, source: source} }

// Reveal returns the raw value. Call it only where the value leaves the process
// on a channel that is not logged (stdin of a remote command, a 0600 file).
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.value == "" }

// Source says where the secret came from, e.g. "env:GALERA_SST_PASSWORD".
func (s Secret) Source() string { return s.source }

func (s Secret) String() string   { return Mask }
func (s Secret) GoString() string { return "secret.Secret(" + Mask + ")" }

// Format makes every verb (%v, %+v, %#v, %s, %q, %x) print the mask.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, s.GoString())
		return
	}
	fmt.Fprint(f, Mask)
}

func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(Mask) }
func (s Secret) MarshalText() ([]byte, error) { return []byte(Mask), nil }
func (s Secret) LogValue() slog.Value         { return slog.StringValue(Mask) }

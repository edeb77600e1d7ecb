package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
)

// FuzzNeverPrinted: whatever the value, every way of printing a Secret
// (fmt verbs, JSON, text, slog text and JSON, inside a struct) gives the
// same bytes as for any other value; only Reveal returns it.
func FuzzNeverPrinted(f *testing.F) {
	for _, s := range []string{"", "****", "p'a\"s$s\\w%_\n😀", "secret.Secret(****)", "\x00\xff"} {
		f.Add(s)
	}
	render := func(s Secret) []string {
		var text, js bytes.Buffer
		noTime := func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}
		slog.New(slog.NewTextHandler(&text, &slog.HandlerOptions{ReplaceAttr: noTime})).Info("m", "pw", s, "in", struct{ P Secret }{s})
		slog.New(slog.NewJSONHandler(&js, &slog.HandlerOptions{ReplaceAttr: noTime})).Info("m", "pw", s)
		j, _ := json.Marshal(struct{ P Secret }{s})
		t, _ := s.MarshalText()
		out := []string{text.String(), js.String(), string(j), string(t)}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-8v"} {
			out = append(out, fmt.Sprintf(verb, s), fmt.Sprintf(verb, struct{ P Secret }{s}), fmt.Sprintf(verb, &s))
		}
		return append(out, fmt.Sprint(s), fmt.Sprintln(s, []Secret{s}))
	}
	ref := render(New("reference-value", "env:X"))
	f.Fuzz(func(t *testing.T, v string) {
		s := New(v, "env:X")
		if s.Reveal() != v || s.IsZero() != (v == "") {
			t.Fatalf("Reveal/IsZero of %q", v)
		}
		for i, got := range render(s) {
			if got != ref[i] {
				t.Fatalf("rendering %d depends on the value %q:\n%s\nvs\n%s", i, v, got, ref[i])
			}
		}
	})
}

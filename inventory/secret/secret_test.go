package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretNeverPrints(t *testing.T) {
	const raw = "hunter2'; DROP"
	s := New(raw, "env:PW")
	type holder struct {
		Password Secret
		Ptr      *Secret
	}
	h := holder{Password: s, Ptr: &s}
	outputs := map[string]string{
		"%v":  fmt.Sprintf("%v", s),
		"%+v": fmt.Sprintf("%+v", h),
		"%#v": fmt.Sprintf("%#v", h),
		"%s":  fmt.Sprintf("%s", s),
		"%q":  fmt.Sprintf("%q", s),
		"%x":  fmt.Sprintf("%x", s),
		"ptr": fmt.Sprintf("%v", &s),
	}
	js, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	outputs["json"] = string(js)
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "pw", s, "h", h)
	outputs["slog"] = buf.String()
	for name, out := range outputs {
		if strings.Contains(out, raw) || strings.Contains(out, "hunter2") {
			t.Errorf("%s leaked the secret: %s", name, out)
		}
		if !strings.Contains(out, Mask) {
			t.Errorf("%s does not show the mask: %s", name, out)
		}
	}
	if s.Reveal() != raw {
		t.Fatalf("Reveal = %q", s.Reveal())
	}
	if s.Source() != "env:PW" || s.IsZero() || !New("", "").IsZero() {
		t.Fatal("Source/IsZero wrong")
	}
}

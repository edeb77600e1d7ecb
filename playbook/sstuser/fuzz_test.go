package sstuser

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/galeraflow/galeraflow/playbook/galera"
)

// FuzzBuildHidesAnyPassword: for any password, Build refuses exactly what
// galera.ValidatePassword refuses; otherwise every rendering of the plan
// (masked SQL, String, JSON) is the one a reference password gives, and
// the real statements are the masked ones with the password quoted by
// galera.QuoteString at the mask.
func FuzzBuildHidesAnyPassword(f *testing.F) {
	for i, pw := range hostilePasswords {
		f.Add(pw, uint8(i), i%2 == 0)
	}
	f.Add("\xff", uint8(0), false)
	f.Add("a\x00b", uint8(1), true)
	f.Fuzz(func(t *testing.T, pw string, which uint8, exists bool) {
		if pw == "" {
			return // no secret to hide (Build refuses it: build_test.go)
		}
		c := goldenCases[int(which)%len(goldenCases)]
		in := Input{Flavor: c.flavor, ServerVersion: c.version, User: "sst_user", Method: c.method, Password: pw}
		var cur Current
		if exists {
			// A stored hash that matches no password: the plan sets it again.
			cur = Current{Exists: true, Plugin: nativePlugin, AuthDigest: strings.Repeat("0", 64)}
		}
		p, err := Build(in, cur)
		if c.flavor != FlavorPXC80 && galera.ValidatePassword(pw) != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("%s: Build accepted the invalid password %q: %v", c.name, pw, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%s: Build refused the password %q: %v", c.name, pw, err)
		}
		ref := in
		ref.Password = "reference-password-1"
		rp, err := Build(ref, cur)
		if err != nil {
			t.Fatal(err)
		}
		jp, _ := json.Marshal(p)
		jr, _ := json.Marshal(rp)
		if !reflect.DeepEqual(p.Masked, rp.Masked) || p.String() != rp.String() || string(jp) != string(jr) ||
			fmt.Sprintf("%#v", p) != fmt.Sprintf("%#v", rp) || fmt.Sprintf("%v", in) != fmt.Sprintf("%v", ref) {
			t.Fatalf("%s: a rendering depends on the password %q", c.name, pw)
		}
		if len(p.Statements) != len(p.Masked) {
			t.Fatalf("%s: %d statements, %d masked", c.name, len(p.Statements), len(p.Masked))
		}
		for i := range p.Statements {
			if want := strings.ReplaceAll(p.Masked[i], maskedPassword, galera.QuoteString(pw)); p.Statements[i] != want {
				t.Fatalf("%s: statement %q is not %q", c.name, p.Statements[i], want)
			}
		}
	})
}

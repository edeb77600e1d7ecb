package sstuser

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/galeraflow/galeraflow/playbook/galera"
)

// Passwords that look like SQL, quoting, escapes, wildcards and unicode.
var hostilePasswords = []string{
	"x'); DROP USER root; --",
	`\'; SELECT 1; -- `,
	"pa%ss_w0rd%",
	"line1\nline2\r\n\x1a",
	`"double" and 'single' and \backslash\`,
	"€ünïcødé 😀",
	"' OR '1'='1",
	"****",
}

// Masked is built without the password: for the same situation (each
// golden scenario, set up for the password at hand) it is the same whatever
// the password, and never contains it.
func TestMaskedNeverHoldsThePassword(t *testing.T) {
	for _, c := range goldenCases {
		base := Input{Flavor: c.flavor, ServerVersion: c.version, User: "sst_user", Method: c.method}
		base.Password = "reference-password-1"
		for si, sc := range scenarios(base) {
			ref, err := Build(base, sc.cur)
			if err != nil {
				t.Fatal(err)
			}
			for _, pw := range hostilePasswords {
				in := base
				in.Password = pw
				p, err := Build(in, scenarios(in)[si].cur)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				if !reflect.DeepEqual(p.Masked, ref.Masked) {
					t.Errorf("%s, %s: masked statements depend on the password:\n%q\n%q", c.name, sc.title, p.Masked, ref.Masked)
				}
				if pw != "****" {
					for _, s := range p.Masked {
						if strings.Contains(s, pw) {
							t.Errorf("%s: masked %q holds the password", c.name, s)
						}
					}
				}
				if len(p.Masked) != len(p.Statements) {
					t.Errorf("%s: %d masked statements for %d real ones", c.name, len(p.Masked), len(p.Statements))
				}
				// The real statements hold the password exactly where the
				// masked ones hold the mask, quoted by galera.
				for i := range p.Statements {
					want := strings.ReplaceAll(p.Masked[i], maskedPassword, galera.QuoteString(pw))
					if p.Statements[i] != want {
						t.Errorf("%s: statement %q is not its masked form %q with the quoted password", c.name, p.Statements[i], p.Masked[i])
					}
				}
			}
		}
	}
}

// No way of printing a Plan or Input shows the password.
func TestRenderingsHideThePassword(t *testing.T) {
	const pw = "unique-Secret-42'x"
	in := Input{Flavor: FlavorMariaDB, ServerVersion: "10.11.14-MariaDB", User: "sst_user", Password: pw, Method: MethodMysqldump}
	p, err := Build(in, Current{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(p.Statements, "\n"), galera.QuoteString(pw)) {
		t.Fatal("the real statements lack the password: the test would prove nothing")
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("sst user", "input", in, "plan", p)
	jp, _ := json.Marshal(p)
	ji, _ := json.Marshal(in)
	for name, s := range map[string]string{
		"String": p.String(), "%v": fmt.Sprintf("%v", p), "%+v": fmt.Sprintf("%+v", p), "%#v": fmt.Sprintf("%#v", p),
		"input %v": fmt.Sprintf("%v", in), "input %#v": fmt.Sprintf("%#v", in),
		"json plan": string(jp), "json input": string(ji), "slog": logs.String(),
	} {
		for _, form := range []string{pw, galera.QuoteString(pw), "Secret-42"} {
			if strings.Contains(s, form) {
				t.Errorf("%s shows the password (%q):\n%s", name, form, s)
			}
		}
	}
}

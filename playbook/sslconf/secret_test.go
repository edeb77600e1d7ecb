package sslconf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// The password reaches exactly one place, the wsrep_sst_auth value the
// editor writes, and no rendering of any result or input shows it.
func TestNoRenderingExposesThePassword(t *testing.T) {
	passwords := []string{testPassword, "hunter2-unique-Z9", "x'); DROP USER root; --", "€😀 pass"}
	for _, pw := range passwords {
		for _, f := range allFlavors {
			for _, m := range allMethods {
				for _, v := range variants(f, versions[f], m, true) {
					in := v.in
					in.SSTPassword = pw
					r, err := Settings(in)
					var logs bytes.Buffer
					log := slog.New(slog.NewTextHandler(&logs, nil))
					log.Info("plan", "input", in, "result", r.Settings, "err", err)
					renderings := map[string]string{
						"render":      render(v.title, in),
						"String":      r.String(),
						"%v":          fmt.Sprintf("%v", r),
						"%+v":         fmt.Sprintf("%+v", r),
						"%#v":         fmt.Sprintf("%#v", r),
						"%v settings": fmt.Sprintf("%v", r.Settings),
						"%#v input":   fmt.Sprintf("%#v", in),
						"%+v input":   fmt.Sprintf("%+v", in),
						"slog":        logs.String(),
					}
					if err != nil {
						renderings["error"] = err.Error()
					}
					for _, x := range []any{r, r.Settings, in} {
						j, jerr := json.Marshal(x)
						if jerr != nil {
							t.Fatal(jerr)
						}
						renderings[fmt.Sprintf("json %T", x)] = string(j)
					}
					for name, s := range renderings {
						if strings.Contains(s, pw) {
							t.Errorf("%s/%s %s: %s shows the password:\n%s", f, m, v.title, name, s)
						}
					}
				}
			}
		}
	}
}

// The secret is still there for the editor, and marked.
func TestAuthValueIsRawAndSecret(t *testing.T) {
	in := baseInput(FlavorMariaDB, versions[FlavorMariaDB], MethodMysqldump)
	r, err := Settings(in)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, s := range r.Settings {
		if s.Key == "wsrep_sst_auth" {
			found++
			if s.Value != "sst_user:"+testPassword || !s.Secret || s.Group != "mysqld" || s.Op != OpSet {
				t.Errorf("wsrep_sst_auth setting = %+v (value %q)", s, s.Value)
			}
			continue
		}
		if s.Secret {
			t.Errorf("%v is marked secret", s)
		}
		if strings.Contains(s.Value, testPassword) {
			t.Errorf("%v holds the password", s)
		}
	}
	if found != 1 {
		t.Errorf("%d wsrep_sst_auth settings, want 1", found)
	}
}

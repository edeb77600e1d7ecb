package inventory

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestSecretResolution(t *testing.T) {
	files := ruleFiles()
	files["/inv/secrets/crlf"] = fakeFile{data: "first line\r\nsecond line\n"}
	files["/home/op/sst.pw"] = fakeFile{data: "no newline"}
	src := inv("ssh: {sudo_password: 'env:SUDO', identity_passphrase: file:secrets/crlf}\n" +
		"sst: {method: mysqldump, user: sst_user, password: 'file:~/sst.pw'}\n")
	got := mustParse(t, src, testOptions(files, env("SUDO", "s p a c e s ")))
	n := got.Nodes[0]
	for _, c := range []struct{ name, value, want, source, wantSource string }{
		{"sudo", n.SSH.SudoPassword.Reveal(), "s p a c e s ", n.SSH.SudoPassword.Source(), "env:SUDO"},
		{"passphrase", n.SSH.IdentityPassphrase.Reveal(), "first line", n.SSH.IdentityPassphrase.Source(), "file:secrets/crlf"},
		{"sst", got.SST.Password.Reveal(), "no newline", got.SST.Password.Source(), "file:~/sst.pw"},
	} {
		if c.value != c.want || c.source != c.wantSource {
			t.Errorf("%s = %q from %q, want %q from %q", c.name, c.value, c.source, c.want, c.wantSource)
		}
	}
}

// TestSecretsNeverInErrors feeds distinctive secret values through every
// path that produces messages and checks none of them is echoed.
func TestSecretsNeverInErrors(t *testing.T) {
	const (
		fromFile = "zq-FILE-SECRET-4417"
		fromEnv  = "zq-ENV-SECRET-5521"
		inline   = "zq-INLINE-SECRET-9083"
	)
	files := ruleFiles()
	files["/inv/secrets/sst.pw"] = fakeFile{data: fromFile + "\n", mode: 0o644}
	files["/inv/secrets/multi"] = fakeFile{data: "\n" + fromFile + "\n"}
	lookup := env("SUDO", fromEnv)
	src := `cluster: c
ssh:
  sudo_password: env:SUDO
  identity_passphrase: ` + inline + `
mysql:
  password: ` + inline + `
sst:
  method: mysqldump
  user: sst_user
  password: file:secrets/sst.pw
nodes:
  - name: db1
    address: h1
    ssh: {sudo_password: "` + inline + `:x"}
  - name: db2
    address: h2
    ssh: {sudo_password: file:secrets/multi}
    mysql: {password: {nested: ` + inline + `}}
  - name: db3
    address: h3
    ssh: {port: not-a-port, identity_passphrase: 918273}
`
	_, err := Parse("inventory.yml", []byte(src), testOptions(files, lookup))
	if err == nil {
		t.Fatal("want errors")
	}
	msg := err.Error()
	t.Log(msg)
	for _, s := range []string{fromFile, fromEnv, inline, "918273"} {
		if strings.Contains(msg, s) {
			t.Errorf("error output contains secret %q:\n%s", s, msg)
		}
	}
	// The inline values are reported, without their content.
	if n := strings.Count(msg, inlineSecret); n < 3 {
		t.Errorf("want at least 3 inline-secret problems, got %d:\n%s", n, msg)
	}

	// A valid inventory printed every way a caller might print it.
	ok := mustParse(t, inv("ssh: {sudo_password: env:SUDO}\nsst: {method: mysqldump, user: u, password: file:secrets/sst.pw}\n"),
		testOptions(files, lookup))
	js, err := json.Marshal(ok)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{fmt.Sprintf("%v", ok), fmt.Sprintf("%+v", ok), fmt.Sprintf("%#v", ok),
		fmt.Sprintf("%+v", *ok.SST), fmt.Sprintf("%+v", ok.Nodes), string(js), fmt.Sprint(ok.Warnings)} {
		if strings.Contains(out, fromFile) || strings.Contains(out, fromEnv) {
			t.Errorf("output contains a secret: %s", out)
		}
	}
	if ok.SST.Password.Reveal() != fromFile || ok.Nodes[0].SSH.SudoPassword.Reveal() != fromEnv {
		t.Error("secrets were not resolved")
	}
}

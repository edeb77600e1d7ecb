package remote

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestShellQuote(t *testing.T) {
	tests := map[string]string{
		"":                 "''",
		"plain":            "plain",
		"/etc/mysql/x.cnf": "/etc/mysql/x.cnf",
		"a b":              "'a b'",
		"it's":             `'it'\''s'`,
		"$(reboot)":        "'$(reboot)'",
		"a\nb":             "'a\nb'",
		"*":                "'*'",
	}
	for in, want := range tests {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
	// The shell must give back exactly the original words.
	words := []string{"", "it's", `back\slash`, "$HOME", "a\nb", "`id`", "-n", "x'y'z"}
	out, err := exec.Command("/bin/sh", "-c", "set -- "+ShellJoin(words...)+`; for a in "$@"; do printf '[%s]' "$a"; done`).Output()
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for _, w := range words {
		want.WriteString("[" + w + "]")
	}
	if string(out) != want.String() {
		t.Fatalf("round trip through sh: %q, want %q", out, want.String())
	}
}

func TestSSHConfigLookup(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	p := filepath.Join(dir, "config")
	os.WriteFile(p, []byte(`
User global-first
Host db? !db9
  HostName %h.internal
  IdentityFile ~/.ssh/db_key
  ProxyJump ops@bastion:2222
Match host db1
  User never
Host db1
  Port 2201
  User ignored-because-first-wins
  IdentityFile "/keys/second key"
Host *
  Port 22
  User fallback
`), 0o600)
	sc, err := loadSSHConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	got := sc.lookup("db1")
	want := sshEntry{
		hostName:      "%h.internal",
		port:          2201,
		user:          "global-first",
		identityFiles: []string{filepath.Join(dir, ".ssh/db_key"), "/keys/second key"},
		proxyJump:     "ops@bastion:2222",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("lookup(db1) = %+v\nwant %+v", got, want)
	}
	if e := sc.lookup("db9"); e.hostName != "" || e.port != 22 {
		t.Fatalf("negated pattern matched: %+v", e)
	}

	h, err := resolveHop("db1", 0, "", nil, sc)
	if err != nil {
		t.Fatal(err)
	}
	if h.host != "db1.internal" || h.hostPort != "db1.internal:2201" {
		t.Fatalf("resolveHop = %+v", h)
	}

	os.WriteFile(p, []byte("Host x\n  Port 99999\n"), 0o600)
	if _, err := loadSSHConfig(p); err == nil || !strings.Contains(err.Error(), ":2:") {
		t.Fatalf("bad port: %v", err)
	}
}

func TestResolveJumpChain(t *testing.T) {
	r, err := resolve(Config{Name: "n1", Address: "10.0.0.1", User: "deploy",
		IdentityFiles: []string{"/k"}, ProxyJump: "bastion, ops@[::1]:2222,root@jump2:23"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range r.jumps {
		got = append(got, h.user+"@"+h.hostPort+" "+strings.Join(h.idFiles, ","))
	}
	want := []string{"deploy@bastion:22 /k", "ops@[::1]:2222 /k", "root@jump2:23 /k"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("jumps = %q, want %q", got, want)
	}
	if r.target.hostPort != "10.0.0.1:22" {
		t.Fatalf("target = %+v", r.target)
	}
	for _, bad := range []string{"user@host:0", "a,,b", "h:port"} {
		if _, err := resolve(Config{Name: "n1", Address: "h", User: "u", ProxyJump: bad}); err == nil {
			t.Errorf("ProxyJump %q accepted", bad)
		}
	}
	if _, err := resolve(Config{Name: "n1"}); err == nil {
		t.Error("no address accepted")
	}
}

func TestParseHostKeyPolicy(t *testing.T) {
	for in, want := range map[string]HostKeyPolicy{"": HostKeyStrict, "strict": HostKeyStrict,
		"accept-new": HostKeyAcceptNew, "Insecure-Ignore": HostKeyInsecureIgnore} {
		if got, err := ParseHostKeyPolicy(in); err != nil || got != want {
			t.Errorf("ParseHostKeyPolicy(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseHostKeyPolicy("maybe"); err == nil {
		t.Error("unknown policy accepted")
	}
}

func TestParseStatLine(t *testing.T) {
	fi, err := parseStatLine("/x", "1234 81a4 0 27 1700000000\n")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size != 1234 || fi.Mode != 0o644 || fi.UID != 0 || fi.GID != 27 || fi.IsDir || fi.ModTime.Unix() != 1700000000 {
		t.Fatalf("fi = %+v", fi)
	}
	fi, _ = parseStatLine("/d", "4096 41ed 0 0 1\n")
	if !fi.IsDir || fi.Mode.Perm() != 0o755 {
		t.Fatalf("dir = %+v", fi)
	}
	for _, bad := range []string{"", "1 2 3", "x 81a4 0 0 1"} {
		if _, err := parseStatLine("/x", bad); err == nil {
			t.Errorf("parseStatLine(%q) accepted", bad)
		}
	}
}

func TestExecWatchWrapAndSplit(t *testing.T) {
	w := newExecWatch(false, secretFor(""))
	if got := w.wrap("id -u"); !strings.HasPrefix(got, "echo galeraflow-pid-") || !strings.HasSuffix(got, " $$ >&2\nid -u") {
		t.Fatalf("wrap = %q", got)
	}
	w.Write([]byte("banner\n" + string(w.pidMark) + "12"))
	if w.groupPID() != 0 {
		t.Fatal("PID read before its line was complete")
	}
	w.Write([]byte("34\nreal stderr\n"))
	if w.groupPID() != 1234 {
		t.Fatalf("pid = %d", w.groupPID())
	}
	if cmdErr, _, ran, _ := w.split(); string(cmdErr) != "banner\nreal stderr\n" || !ran {
		t.Fatalf("split = %q %v", cmdErr, ran)
	}

	w = newExecWatch(true, secretFor(""))
	if got := w.wrap("id -u"); !strings.Contains(got, "\nsudo -n -- sh -c ") {
		t.Fatalf("wrap = %q", got)
	}
	w = newExecWatch(true, secretFor("pw"))
	got := w.wrap("echo 'x'")
	if !strings.Contains(got, "\nsudo -S -p ") || strings.Contains(got, "pw'") || strings.Contains(string(w.prompt), "%") {
		t.Fatalf("wrap = %q", got)
	}
	// Markers split across writes, sudo's lecture and prompt before the start.
	w.Write([]byte(string(w.pidMark) + "77\nlecture\n" + string(w.prompt)))
	w.Write(w.start[:5])
	w.Write(w.start[5:])
	w.Write([]byte("cmd err\n"))
	cmdErr, msg, started, prompts := w.split()
	if msg != "lecture" || string(cmdErr) != "cmd err\n" || !started || prompts != 1 || w.groupPID() != 77 {
		t.Fatalf("split = %q %q %v %d pid %d", cmdErr, msg, started, prompts, w.groupPID())
	}
}

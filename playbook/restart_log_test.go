package playbook

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The error-log excerpt of a failure report shows what the failed start
// wrote, not the lines of an older failure still at the end of the log.
func TestLogSinceScript(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	old := "2026-01-01 [ERROR] last week's failure\n"
	fresh := "2026-11-24 [Note] starting\n2026-11-24 [ERROR] this start's failure\n"
	cases := []struct {
		name    string
		before  string // the log when the start began
		after   string // the log when the report is made
		lines   int
		want    string
		notWant string
	}{
		{"only what the start wrote", old, old + fresh, 12, fresh, "last week"},
		{"the start wrote nothing", old, old, 12, "", "last week"},
		{"last lines of what it wrote", old, old + fresh, 1, "2026-11-24 [ERROR] this start's failure\n", "starting"},
		{"log rotated since: its last lines", old + old + old, fresh, 12, fresh, "last week"},
		{"no log before the start", "", fresh, 12, fresh, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "mysql.err")
			if err := os.WriteFile(p, []byte(c.after), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("sh", "-c", logSinceScript, "sh", p, strconv.Itoa(c.lines), strconv.Itoa(len(c.before))).Output()
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != c.want {
				t.Errorf("got %q, want %q", out, c.want)
			}
			if c.notWant != "" && strings.Contains(string(out), c.notWant) {
				t.Errorf("stale lines in %q", out)
			}
		})
	}
}

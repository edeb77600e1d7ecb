package galera

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testUUID = "5ee99582-bb8d-11e2-b8e3-23de375c1d30"

func TestParseGRAStateFiles(t *testing.T) {
	tests := map[string]GRAState{
		"clean-last-stopped.dat":           {Version: "2.1", UUID: testUUID, Seqno: 41, SafeToBootstrap: true, HasSafeToBootstrap: true},
		"clean-stopped-earlier.dat":        {Version: "2.1", UUID: testUUID, Seqno: 39, HasSafeToBootstrap: true},
		"running-or-crashed.dat":           {Version: "2.1", UUID: testUUID, Seqno: -1, HasSafeToBootstrap: true},
		"crashed-zero-uuid.dat":            {Version: "2.1", UUID: ZeroUUID, Seqno: -1, HasSafeToBootstrap: true},
		"fresh-datadir.dat":                {Version: "2.1", UUID: ZeroUUID, Seqno: -1, SafeToBootstrap: true, HasSafeToBootstrap: true},
		"galera3-no-safe-to-bootstrap.dat": {Version: "2.1", UUID: testUUID, Seqno: 8204503945773},
		"crlf.dat":                         {Version: "2.1", UUID: testUUID, Seqno: 41, SafeToBootstrap: true, HasSafeToBootstrap: true},
		"space-padded.dat":                 {Version: "2.1", UUID: testUUID, Seqno: 7, HasSafeToBootstrap: true},
		"hand-edited.dat":                  {Version: "2.1", UUID: testUUID, Seqno: 12, HasSafeToBootstrap: true},
		"no-header-duplicate-key.dat":      {UUID: testUUID, Seqno: 5}, // last wins, as in Galera
	}
	files, _ := filepath.Glob("testdata/grastate/*.dat")
	if len(files) != len(tests) {
		t.Errorf("%d fixture files, %d expectations: keep them in step", len(files), len(tests))
	}
	for name, want := range tests {
		data, err := os.ReadFile(filepath.Join("testdata/grastate", name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseGRAState(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
}

func TestParseGRAStateErrors(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"empty", "", "no uuid line"},
		{"header only", "# GALERA saved state\n", "no uuid line"},
		{"no seqno", "uuid: " + testUUID + "\n", "no seqno line"},
		{"no uuid", "seqno: 4\n", "no uuid line"},
		{"short uuid", "uuid: 5ee99582-bb8d\nseqno: 1\n", "line 1: uuid"},
		{"empty uuid", "uuid:\nseqno: 1\n", "line 1: uuid"},
		{"non-hex uuid", "version: 2.1\nuuid: 5ee99582-bb8d-11e2-b8e3-23de375c1dzz\nseqno: 1\n", "line 2: uuid"},
		{"seqno word", "uuid: " + testUUID + "\nseqno: many\n", "line 2: seqno"},
		{"seqno -2", "uuid: " + testUUID + "\nseqno: -2\n", "below -1"},
		{"seqno overflow", "uuid: " + testUUID + "\nseqno: 99999999999999999999\n", "line 2: seqno"},
		{"flag 2", "uuid: " + testUUID + "\nseqno: 1\nsafe_to_bootstrap: 2\n", "line 3: safe_to_bootstrap"},
	}
	for _, tt := range tests {
		_, err := ParseGRAState([]byte(tt.data))
		if !errors.Is(err, ErrInvalidGRAState) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want ErrInvalidGRAState mentioning %q", tt.name, err, tt.want)
		}
	}
}

func TestRender(t *testing.T) {
	g := GRAState{Version: "2.1", UUID: testUUID, Seqno: 41, SafeToBootstrap: true, HasSafeToBootstrap: true}
	want, err := os.ReadFile("testdata/grastate/clean-last-stopped.dat")
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Render(); !bytes.Equal(got, want) {
		t.Errorf("Render differs from Galera's layout:\n%s\nwant:\n%s", got, want)
	}
	// An old file without the key keeps its meaning.
	old := GRAState{UUID: testUUID, Seqno: 8}
	if got := string(old.Render()); strings.Contains(got, "safe_to_bootstrap") || !strings.Contains(got, "version: 2.1\n") {
		t.Errorf("old-format render:\n%s", got)
	}
	// Setting the flag adds the key.
	old.SafeToBootstrap = true
	if got := string(old.Render()); !strings.HasSuffix(got, "safe_to_bootstrap: 1\n") {
		t.Errorf("flagged render:\n%s", got)
	}
	for _, g := range []GRAState{g, {UUID: ZeroUUID, Seqno: -1, HasSafeToBootstrap: true}, {Version: "2.1", UUID: testUUID, Seqno: 0, HasSafeToBootstrap: true}} {
		back, err := ParseGRAState(g.Render())
		if err != nil || back != withVersion(g) {
			t.Errorf("round trip of %+v: %+v, %v", g, back, err)
		}
	}
}

func withVersion(g GRAState) GRAState {
	if g.Version == "" {
		g.Version = "2.1"
	}
	return g
}

func TestSetSafeToBootstrap(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata/grastate", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"flag 0 becomes 1", read("running-or-crashed.dat"),
			strings.Replace(read("running-or-crashed.dat"), "safe_to_bootstrap: 0", "safe_to_bootstrap: 1", 1)},
		{"already 1", read("clean-last-stopped.dat"), read("clean-last-stopped.dat")},
		{"CRLF kept", "uuid: " + testUUID + "\r\nseqno: -1\r\nsafe_to_bootstrap:   0\r\n",
			"uuid: " + testUUID + "\r\nseqno: -1\r\nsafe_to_bootstrap:   1\r\n"},
		{"key appended", read("galera3-no-safe-to-bootstrap.dat"),
			read("galera3-no-safe-to-bootstrap.dat") + "safe_to_bootstrap: 1\n"},
		{"key appended after padding", "uuid: " + testUUID + "\nseqno: 4\n      ",
			"uuid: " + testUUID + "\nseqno: 4\nsafe_to_bootstrap: 1\n"},
		{"key appended without final newline", "uuid: " + testUUID + "\nseqno: 4",
			"uuid: " + testUUID + "\nseqno: 4\nsafe_to_bootstrap: 1\n"},
		{"comments and unknown keys kept", "# keep me\nuuid: " + testUUID + "\nfoo: bar\nseqno: 4\n # safe_to_bootstrap: 0\n  safe_to_bootstrap: 0 \n",
			"# keep me\nuuid: " + testUUID + "\nfoo: bar\nseqno: 4\n # safe_to_bootstrap: 0\n  safe_to_bootstrap: 1\n"},
	}
	for _, tt := range tests {
		got, err := SetSafeToBootstrap([]byte(tt.in))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
		g, err := ParseGRAState(got)
		if err != nil || !g.SafeToBootstrap || !g.HasSafeToBootstrap {
			t.Errorf("%s: result parses as %+v, %v", tt.name, g, err)
		}
	}
	if _, err := SetSafeToBootstrap([]byte("seqno: 1\n")); !errors.Is(err, ErrInvalidGRAState) {
		t.Errorf("invalid input: %v", err)
	}
}

func TestUUIDHelpers(t *testing.T) {
	if !IsZeroUUID(ZeroUUID) || IsZeroUUID(testUUID) || IsZeroUUID("") {
		t.Error("IsZeroUUID")
	}
	for u, ok := range map[string]bool{
		testUUID:                               true,
		strings.ToUpper(testUUID):              true,
		ZeroUUID:                               true,
		"5ee99582bb8d11e2b8e323de375c1d30":     false,
		"5ee99582-bb8d-11e2-b8e3-23de375c1d3":  false,
		"5ee99582-bb8d-11e2-b8e3-23de375c1d3g": false,
		"5ee99582_bb8d-11e2-b8e3-23de375c1d30": false,
	} {
		if ValidUUID(u) != ok {
			t.Errorf("ValidUUID(%q) != %v", u, ok)
		}
	}
}

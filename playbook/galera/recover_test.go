package galera

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseRecoveredFiles(t *testing.T) {
	type want struct {
		pos    Position
		errIs  error
		errHas string
	}
	tests := map[string]want{
		"mariadb-10.4.log":              {pos: Position{UUID: testUUID, Seqno: 1041}},
		"mariadb-10.6-gtid.log":         {pos: Position{UUID: testUUID, Seqno: 2217, GTID: "0-1-2209"}},
		"mariadb-10.11-appended.log":    {pos: Position{UUID: testUUID, Seqno: 58}}, // the last recovery wins
		"mariadb-11.4.log":              {pos: Position{UUID: testUUID, Seqno: 5, GTID: "0-11-5"}},
		"mariadb-empty-datadir.log":     {pos: Position{UUID: ZeroUUID, Seqno: -1}},
		"mysql-wsrep-5.7.log":           {pos: Position{UUID: testUUID, Seqno: 880}},
		"pxc-5.7.log":                   {pos: Position{UUID: testUUID, Seqno: 31337}},
		"pxc-8.0.log":                   {pos: Position{UUID: testUUID, Seqno: 123456}},
		"galera_recovery.out":           {pos: Position{UUID: testUUID, Seqno: 77}},
		"galera_recovery-gtid.out":      {pos: Position{UUID: testUUID, Seqno: 78, GTID: "0-1-70"}},
		"wsrep-start-position-dash.out": {pos: Position{UUID: testUUID, Seqno: 79}},
		"normal-start-only.log":         {errIs: ErrNoRecoveredPosition, errHas: "ready for connections"},
		"skipped.log":                   {errIs: ErrNoRecoveredPosition, errHas: "skipped position recovery"},
		"server-still-running.log":      {errIs: ErrNoRecoveredPosition, errHas: "Unable to lock"},
		"garbled-last.log":              {errIs: ErrInvalidPosition, errHas: "line 2"},
	}
	files, _ := filepath.Glob("testdata/recover/*")
	if len(files) != len(tests) {
		t.Errorf("%d fixture files, %d expectations: keep them in step", len(files), len(tests))
	}
	for name, w := range tests {
		data, err := os.ReadFile(filepath.Join("testdata/recover", name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseRecovered(data)
		if w.errIs != nil {
			if !errors.Is(err, w.errIs) || !strings.Contains(err.Error(), w.errHas) {
				t.Errorf("%s: error %v, want %v mentioning %q", name, err, w.errIs, w.errHas)
			}
			continue
		}
		if err != nil || got != w.pos {
			t.Errorf("%s: got %+v, %v; want %+v", name, got, err, w.pos)
		}
	}
}

func TestParseRecoveredInline(t *testing.T) {
	u := testUUID
	tests := []struct {
		name, log string
		want      Position
		wantErr   error
	}{
		{"CRLF", "x\r\n[Note] WSREP: Recovered position: " + u + ":9\r\n", Position{UUID: u, Seqno: 9}, nil},
		{"upper-case uuid", "WSREP: Recovered position: " + strings.ToUpper(u) + ":9", Position{UUID: u, Seqno: 9}, nil},
		{"negative domain id", "WSREP: Recovered position: " + u + ":9,-5-3-9", Position{UUID: u, Seqno: 9, GTID: "-5-3-9"}, nil},
		{"empty", "", Position{}, ErrNoRecoveredPosition},
		{"no WSREP tag", "Recovered position: " + u + ":9", Position{}, ErrNoRecoveredPosition},
		{"empty payload", "WSREP: Recovered position:", Position{}, ErrInvalidPosition},
		{"no seqno", "WSREP: Recovered position: " + u, Position{}, ErrInvalidPosition},
		{"seqno -2", "WSREP: Recovered position: " + u + ":-2", Position{}, ErrInvalidPosition},
		{"bad gtid", "WSREP: Recovered position: " + u + ":9,0-1", Position{}, ErrInvalidPosition},
		{"bad gtid letters", "WSREP: Recovered position: " + u + ":9,a-b-c", Position{}, ErrInvalidPosition},
		{"bad start option", "--wsrep_start_position=nonsense", Position{}, ErrInvalidPosition},
		{"echo without position ignored", "WSREP: Recovered position from storage", Position{}, ErrNoRecoveredPosition},
	}
	for _, tt := range tests {
		got, err := ParseRecovered([]byte(tt.log))
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("%s: error %v, want %v", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: got %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
}

func TestPosition(t *testing.T) {
	p := Position{UUID: testUUID, Seqno: 4, GTID: "0-1-4"}
	if p.String() != testUUID+":4,0-1-4" || !p.HasState() {
		t.Errorf("%v", p)
	}
	if (Position{UUID: ZeroUUID, Seqno: -1}).HasState() || (Position{UUID: testUUID, Seqno: -1}).HasState() {
		t.Error("a zero uuid or a -1 seqno is no state")
	}
	back, err := ParseRecovered([]byte("--wsrep_start_position=" + p.String()))
	if err != nil || back != p {
		t.Errorf("round trip: %+v, %v", back, err)
	}
}

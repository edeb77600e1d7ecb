package galera

import (
	"os"
	"path/filepath"
	"testing"
)

func addFiles(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzParseGRAState: never panics; a parsed state has a well-formed UUID and
// a seqno Galera can write; Render and SetSafeToBootstrap keep what it says.
func FuzzParseGRAState(f *testing.F) {
	addFiles(f, "testdata/grastate/*.dat")
	f.Add([]byte("uuid:" + testUUID + "\nseqno:-1\nsafe_to_bootstrap:"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ParseGRAState(data)
		if err != nil {
			return
		}
		if !ValidUUID(g.UUID) || g.UUID != normUUID(g.UUID) || g.Seqno < -1 {
			t.Fatalf("parsed %+v from %q", g, data)
		}
		back, err := ParseGRAState(g.Render())
		if err != nil || back.UUID != g.UUID || back.Seqno != g.Seqno || back.SafeToBootstrap != g.SafeToBootstrap {
			t.Fatalf("Render round trip of %+v: %+v, %v", g, back, err)
		}
		set, err := SetSafeToBootstrap(data)
		if err != nil {
			t.Fatalf("SetSafeToBootstrap failed on a valid file %q: %v", data, err)
		}
		after, err := ParseGRAState(set)
		if err != nil || after.UUID != g.UUID || after.Seqno != g.Seqno || !after.SafeToBootstrap {
			t.Fatalf("SetSafeToBootstrap(%q) = %q → %+v, %v", data, set, after, err)
		}
	})
}

// FuzzParseRecovered: never panics; a parsed position has a well-formed UUID
// and survives a round trip through the start-position option.
func FuzzParseRecovered(f *testing.F) {
	addFiles(f, "testdata/recover/*")
	f.Add([]byte("WSREP: Recovered position: " + testUUID + ":1,0-1-1"))
	f.Add([]byte("[WSREP] Recovered position " + testUUID + ":2\n--wsrep_start_position="))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseRecovered(data)
		if err != nil {
			return
		}
		if !ValidUUID(p.UUID) || p.UUID != normUUID(p.UUID) || p.Seqno < -1 || (p.GTID != "" && !validGTID(p.GTID)) {
			t.Fatalf("parsed %+v from %q", p, data)
		}
		back, err := ParseRecovered([]byte("--wsrep_start_position=" + p.String()))
		if err != nil || back != p {
			t.Fatalf("round trip of %+v: %+v, %v", p, back, err)
		}
	})
}

// FuzzChooseBootstrap drives the choice with arbitrary small clusters and
// checks the safety properties rather than particular answers: a decision is
// always an eligible node, at the highest seqno, sharing every eligible
// node's UUID, and never made while some node is unreadable or unrecovered.
func FuzzChooseBootstrap(f *testing.F) {
	f.Add([]byte{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99})
	f.Add([]byte{0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 3*9 {
			data = data[:3*9]
		}
		var nodes []NodeState
		for i := 0; i+2 < len(data); i += 3 {
			nodes = append(nodes, fuzzNode(len(nodes), data[i], data[i+1], data[i+2]))
		}
		if len(nodes) == 0 {
			return
		}
		d, err := ChooseBootstrap(nodes)
		blocked := false
		for _, n := range nodes {
			if n.ReadErr != nil || (n.State == nil || n.State.Seqno < 0) && n.Recovered == nil {
				blocked = true
			}
		}
		if err != nil {
			return
		}
		if blocked {
			t.Fatalf("decided %+v although a node had no usable position", d)
		}
		var chosen *Candidate
		for i := range d.Considered {
			if d.Considered[i].Name == d.Node {
				chosen = &d.Considered[i]
			}
		}
		if chosen == nil || !chosen.Eligible || IsZeroUUID(chosen.UUID) || chosen.Seqno < 0 {
			t.Fatalf("chose an ineligible node: %+v", d)
		}
		if nodes[d.Index].Name != d.Node {
			t.Fatalf("Index %d does not name %s", d.Index, d.Node)
		}
		for _, c := range d.Considered {
			if !c.Eligible {
				continue
			}
			if c.Seqno > chosen.Seqno {
				t.Fatalf("chose %s at %d while %s is at %d: %s", d.Node, chosen.Seqno, c.Name, c.Seqno, d.Reason)
			}
			if c.UUID != chosen.UUID {
				t.Fatalf("decided across different uuids: %+v", d.Considered)
			}
			if c.Seqno == chosen.Seqno && c.Order < chosen.Order && !chosen.SafeToBootstrap {
				t.Fatalf("tie not broken by inventory order: %+v", d)
			}
		}
	})
}

// fuzzNode builds one node from three bytes: the shape of its state, its
// seqno, and the recovered seqno.
func fuzzNode(i int, shape, seqno, rec byte) NodeState {
	n := NodeState{Name: string(rune('a' + i)), Order: int(shape>>5) % 4}
	uuid := testUUID
	if shape&0x10 != 0 {
		uuid = otherUUID
	}
	s := int64(seqno%8) - 1 // -1..6, so ties are common
	switch shape & 0x7 {
	case 0:
		n.ReadErr = os.ErrPermission
	case 1: // no grastate.dat at all
	case 2:
		n.State = &GRAState{UUID: ZeroUUID, Seqno: s, SafeToBootstrap: shape&0x8 != 0, HasSafeToBootstrap: true}
	default:
		n.State = &GRAState{UUID: uuid, Seqno: s, SafeToBootstrap: shape&0x8 != 0, HasSafeToBootstrap: shape&0x4 != 0}
	}
	if rec&0x80 != 0 {
		ru := uuid
		if rec&0x40 != 0 {
			ru = ZeroUUID
		}
		n.Recovered = &Position{UUID: ru, Seqno: int64(rec%8) - 1}
	}
	return n
}

package galera

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

const otherUUID = "c0ffee00-1111-11ef-8000-0123456789ab"

// Builders for the table below, so each case reads like the situation.
func clean(name string, seqno int64, flag bool) NodeState {
	return NodeState{Name: name, State: &GRAState{Version: "2.1", UUID: testUUID, Seqno: seqno, SafeToBootstrap: flag, HasSafeToBootstrap: true}}
}

func crashed(name string, recovered int64) NodeState {
	return NodeState{Name: name,
		State:     &GRAState{Version: "2.1", UUID: testUUID, Seqno: -1, HasSafeToBootstrap: true},
		Recovered: &Position{UUID: testUUID, Seqno: recovered}}
}

func fresh(name string) NodeState {
	return NodeState{Name: name,
		State:     &GRAState{Version: "2.1", UUID: ZeroUUID, Seqno: -1, SafeToBootstrap: true, HasSafeToBootstrap: true},
		Recovered: &Position{UUID: ZeroUUID, Seqno: -1}}
}

func with(n NodeState, f func(*NodeState)) NodeState { f(&n); return n }

// inventory numbers nodes in slice order, as the inventory lists them.
func inventory(nodes ...NodeState) []NodeState {
	for i := range nodes {
		nodes[i].Order = i
	}
	return nodes
}

type bootstrapCase struct {
	name    string
	nodes   []NodeState
	want    string // chosen node; "" when refused
	tie     bool
	wantErr []error // every sentinel the refusal must match
}

var bootstrapCases = []bootstrapCase{
	{
		name:  "clean stop one at a time: the last one stopped is flagged",
		nodes: inventory(clean("n1", 39, false), clean("n2", 40, false), clean("n3", 41, true)),
		want:  "n3",
	},
	{
		name:  "parallel stop left every node at safe_to_bootstrap 0: highest seqno wins",
		nodes: inventory(clean("n1", 55, false), clean("n2", 57, false), clean("n3", 56, false)),
		want:  "n2",
	},
	{
		name:  "one node crashed earlier, the rest stopped cleanly: the flag still wins",
		nodes: inventory(clean("n1", 48, false), crashed("n2", 45), clean("n3", 50, true)),
		want:  "n3",
	},
	{
		name:  "one node crashed and is the most advanced: its recovered seqno is used",
		nodes: inventory(clean("n1", 40, false), crashed("n2", 60), clean("n3", 41, false)),
		want:  "n2",
	},
	{
		name:  "all crashed: the most advanced recovered position wins even last in inventory",
		nodes: inventory(crashed("n1", 100), crashed("n2", 101), crashed("n3", 107)),
		want:  "n3",
	},
	{
		name:  "a fresh datadir among nodes with state is never chosen and does not block",
		nodes: inventory(clean("n1", 41, true), fresh("n2"), clean("n3", 39, false)),
		want:  "n1",
	},
	{
		name: "a fresh datadir is not chosen even though its file says safe_to_bootstrap 1",
		nodes: inventory(fresh("n1"), with(crashed("n2", 12), func(n *NodeState) {
			n.Recovered.GTID = "0-1-12"
		})),
		want: "n2",
	},
	{
		name:  "a zero uuid next to a real seqno is still no state",
		nodes: inventory(with(clean("n1", 7, true), func(n *NodeState) { n.State.UUID = ZeroUUID }), clean("n2", 3, false)),
		want:  "n2",
	},
	{
		name:    "mismatched cluster uuids: refuse",
		nodes:   inventory(clean("n1", 41, false), with(clean("n2", 41, false), func(n *NodeState) { n.State.UUID = otherUUID }), clean("n3", 40, false)),
		wantErr: []error{ErrUUIDMismatch},
	},
	{
		name: "recovered uuid differs from the others: refuse",
		nodes: inventory(clean("n1", 9, false), with(crashed("n2", 10), func(n *NodeState) {
			n.Recovered.UUID = otherUUID
		})),
		wantErr: []error{ErrUUIDMismatch},
	},
	{
		name:  "tie on the highest seqno: earliest in inventory, said so",
		nodes: inventory(clean("n1", 41, false), clean("n2", 41, false), clean("n3", 40, false)),
		want:  "n1",
		tie:   true,
	},
	{
		name: "tie decided by Order, not by slice position",
		nodes: []NodeState{
			with(clean("n3", 41, false), func(n *NodeState) { n.Order = 2 }),
			with(clean("n1", 40, false), func(n *NodeState) { n.Order = 0 }),
			with(clean("n2", 41, false), func(n *NodeState) { n.Order = 1 }),
		},
		want: "n2",
		tie:  true,
	},
	{
		name: "safe_to_bootstrap 1 paired with seqno -1 is distrusted",
		nodes: inventory(with(crashed("n1", 30), func(n *NodeState) { n.State.SafeToBootstrap = true }),
			clean("n2", 35, false), clean("n3", 33, false)),
		want: "n2",
	},
	{
		name:  "two flagged nodes: the higher seqno among them",
		nodes: inventory(clean("n1", 41, true), clean("n2", 43, true), clean("n3", 40, false)),
		want:  "n2",
	},
	{
		name:  "two flagged nodes at the same seqno: inventory order, tie",
		nodes: inventory(clean("n1", 41, true), clean("n2", 41, true), clean("n3", 40, false)),
		want:  "n1",
		tie:   true,
	},
	{
		name:  "the flag breaks a tie on seqno without calling it one",
		nodes: inventory(clean("n1", 41, false), clean("n2", 41, true)),
		want:  "n2",
	},
	{
		name:    "a flagged node behind another node: stale mark, refuse",
		nodes:   inventory(clean("n1", 100, true), crashed("n2", 500), crashed("n3", 498)),
		wantErr: []error{ErrStateConflict},
	},
	{
		name:    "two flagged nodes both behind a third: refuse",
		nodes:   inventory(clean("n1", 41, true), clean("n2", 43, true), clean("n3", 44, false)),
		wantErr: []error{ErrStateConflict},
	},
	{
		name: "an unreadable node: refuse, listing every node",
		nodes: inventory(clean("n1", 41, true), with(NodeState{Name: "n2"}, func(n *NodeState) {
			n.ReadErr = errors.New("open /var/lib/mysql/grastate.dat: permission denied")
		}), clean("n3", 40, false)),
		wantErr: []error{ErrStateUnreadable},
	},
	{
		name:    "a missing grastate.dat and no recovery: refuse",
		nodes:   inventory(clean("n1", 41, true), NodeState{Name: "n2"}),
		wantErr: []error{ErrStateUnreadable},
	},
	{
		name: "a missing grastate.dat with a recovered position: the position is used",
		nodes: inventory(clean("n1", 41, false), NodeState{Name: "n2",
			Recovered: &Position{UUID: testUUID, Seqno: 50}}),
		want: "n2",
	},
	{
		name:    "seqno -1 without a recovered position: refuse, recovery needed",
		nodes:   inventory(clean("n1", 41, true), with(crashed("n2", 0), func(n *NodeState) { n.Recovered = nil })),
		wantErr: []error{ErrNeedsRecovery},
	},
	{
		name: "a zero-uuid grastate with seqno -1 may be a crash, not a fresh node: recovery needed",
		nodes: inventory(clean("n1", 41, true), with(fresh("n2"), func(n *NodeState) {
			n.Recovered = nil
		})),
		wantErr: []error{ErrNeedsRecovery},
	},
	{
		name: "several problems at once: every sentinel matches",
		nodes: inventory(with(NodeState{Name: "n1"}, func(n *NodeState) { n.ReadErr = errors.New("ssh: connection refused") }),
			with(crashed("n2", 0), func(n *NodeState) { n.Recovered = nil }), clean("n3", 4, true)),
		wantErr: []error{ErrStateUnreadable, ErrNeedsRecovery},
	},
	{
		name: "recovery found the uuid but no seqno: refuse",
		nodes: inventory(clean("n1", 41, true), with(crashed("n2", 0), func(n *NodeState) {
			n.Recovered.Seqno = -1
		})),
		wantErr: []error{ErrUnknownPosition},
	},
	{
		name:    "every datadir fresh: no state, refuse",
		nodes:   inventory(fresh("n1"), fresh("n2"), fresh("n3")),
		wantErr: []error{ErrNoState},
	},
	{
		name: "old Galera files without safe_to_bootstrap: highest seqno",
		nodes: inventory(
			NodeState{Name: "n1", State: &GRAState{UUID: testUUID, Seqno: 10}},
			NodeState{Name: "n2", State: &GRAState{UUID: testUUID, Seqno: 12}}),
		want: "n2",
	},
	{
		name:  "a one-node cluster",
		nodes: inventory(clean("solo", 5, true)),
		want:  "solo",
	},
}

func TestChooseBootstrap(t *testing.T) {
	var golden strings.Builder
	for _, tc := range bootstrapCases {
		d, err := ChooseBootstrap(tc.nodes)
		fmt.Fprintf(&golden, "== %s ==\n", tc.name)
		if err != nil {
			fmt.Fprintf(&golden, "refused: %v\n\n", err)
		} else {
			for _, c := range d.Considered {
				fmt.Fprintf(&golden, "  %s\n", c)
			}
			fmt.Fprintf(&golden, "=> %s (tie=%v)\n   %s\n\n", d.Node, d.Tie, d.Reason)
		}

		if tc.wantErr != nil {
			var re *RefusalError
			if !errors.As(err, &re) {
				t.Errorf("%s: got %+v, %v; want a refusal", tc.name, d, err)
				continue
			}
			for _, want := range tc.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("%s: error %v does not match %v", tc.name, err, want)
				}
			}
			// Every node's situation is listed.
			for _, n := range tc.nodes {
				if !strings.Contains(err.Error(), "\n  "+n.Name+": ") {
					t.Errorf("%s: refusal does not list %s:\n%v", tc.name, n.Name, err)
				}
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if d.Node != tc.want || d.Tie != tc.tie {
			t.Errorf("%s: chose %s (tie=%v), want %s (tie=%v): %s", tc.name, d.Node, d.Tie, tc.want, tc.tie, d.Reason)
		}
		if tc.nodes[d.Index].Name != d.Node {
			t.Errorf("%s: Index %d names %s, not %s", tc.name, d.Index, tc.nodes[d.Index].Name, d.Node)
		}
		if !strings.HasPrefix(d.Reason, d.Node+": ") {
			t.Errorf("%s: reason does not start with the node: %q", tc.name, d.Reason)
		}
		if d.Tie != strings.Contains(d.Reason, "tie:") {
			t.Errorf("%s: Tie=%v but the reason says %q", tc.name, d.Tie, d.Reason)
		}
		if len(d.Considered) != len(tc.nodes) {
			t.Errorf("%s: considered %d of %d nodes", tc.name, len(d.Considered), len(tc.nodes))
		}
		for i := 1; i < len(d.Considered); i++ {
			if d.Considered[i-1].Order > d.Considered[i].Order {
				t.Errorf("%s: Considered is not in inventory order", tc.name)
			}
		}
	}
	checkGolden(t, "testdata/decisions.golden", golden.String())
}

func TestChooseBootstrapInputErrors(t *testing.T) {
	if _, err := ChooseBootstrap(nil); err == nil {
		t.Error("no nodes: want an error")
	}
	if _, err := ChooseBootstrap(inventory(clean("n1", 1, false), clean("n1", 2, false))); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate names: %v", err)
	}
}

func TestStopOrder(t *testing.T) {
	in := []string{"n1", "n2", "n3"}
	tests := []struct {
		last string
		want string
	}{
		{"", "n1 n2 n3"},
		{"n3", "n1 n2 n3"},
		{"n1", "n2 n3 n1"},
		{"n2", "n1 n3 n2"},
		{"nx", "n1 n2 n3"},
	}
	for _, tt := range tests {
		if got := strings.Join(StopOrder(in, tt.last), " "); got != tt.want {
			t.Errorf("StopOrder(%v, %q) = %s, want %s", in, tt.last, got, tt.want)
		}
	}
	if strings.Join(in, " ") != "n1 n2 n3" {
		t.Errorf("StopOrder modified its input: %v", in)
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update and review the diff):\n%s", path, firstDiff(string(want), got))
	}
}

// firstDiff shows the first differing line, which is what a reviewer needs.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\nwant %q\n got %q", i+1, w, g)
		}
	}
	return ""
}

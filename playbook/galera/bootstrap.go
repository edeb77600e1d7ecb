package galera

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Why ChooseBootstrap refuses rather than guesses. Each sentinel below is one
// way to lose data or split the cluster by bootstrapping the wrong node.
var (
	// ErrStateUnreadable: a node's grastate.dat is missing or unreadable, so
	// it might be the most advanced node and nobody can tell.
	ErrStateUnreadable = errors.New("node state unreadable")
	// ErrNeedsRecovery: a node says seqno -1 and no --wsrep-recover
	// position was given for it.
	ErrNeedsRecovery = errors.New("node needs --wsrep-recover")
	// ErrUnknownPosition: recovery found the cluster UUID but no seqno, so
	// the node cannot be ordered against the others.
	ErrUnknownPosition = errors.New("node position unknown")
	// ErrNoState: no node has any cluster state (all fresh datadirs).
	ErrNoState = errors.New("no node has cluster state")
	// ErrUUIDMismatch: nodes with state disagree on the cluster UUID.
	ErrUUIDMismatch = errors.New("nodes disagree on the cluster uuid")
	// ErrStateConflict: a node marked safe_to_bootstrap is behind another
	// node, so the mark and the seqnos contradict each other.
	ErrStateConflict = errors.New("safe_to_bootstrap contradicts the seqnos")
)

// NodeState is what galeraflow learnt about one node's saved position.
type NodeState struct {
	Name  string
	Order int // position in the inventory; earlier wins ties
	// State is the parsed grastate.dat; nil when it could not be read or
	// does not exist.
	State *GRAState
	// Recovered is the `--wsrep-recover` position, needed when State says
	// seqno -1 (or is missing); ignored when State has a real seqno.
	Recovered *Position
	ReadErr   error // why State could not be read
}

// Candidate is one node as the choice saw it.
type Candidate struct {
	Name  string `json:"name"`
	Order int    `json:"order"`
	// UUID and Seqno are the effective position: grastate.dat's, or the
	// recovered one when grastate.dat says -1. Seqno is -1 when unknown.
	UUID         string `json:"uuid"`
	Seqno        int64  `json:"seqno"`
	FromRecovery bool   `json:"from_recovery"`
	// SafeToBootstrap is the flag as trusted: false when distrusted.
	SafeToBootstrap bool `json:"safe_to_bootstrap"`
	// Eligible: the node has a usable position and could be chosen.
	Eligible bool `json:"eligible"`
	// Why says, for a human, what the node's situation is.
	Why string `json:"why"`

	blocker error // non-nil when this node alone prevents any choice
}

func (c Candidate) String() string { return c.Name + ": " + c.Why }

// Decision is the node to bootstrap and why.
type Decision struct {
	Node  string `json:"node"`
	Index int    `json:"index"` // index of the chosen node in ChooseBootstrap's argument
	// Reason is one line a human can verify, e.g.
	// "n2: safe_to_bootstrap=1 after a clean shutdown at seqno 41, ...".
	Reason string `json:"reason"`
	// Tie: nodes were equal and inventory order decided.
	Tie bool `json:"tie"`
	// Considered lists every node in inventory order.
	Considered []Candidate `json:"considered"`
}

// RefusalError is ChooseBootstrap's refusal: what is wrong, and every node's
// situation, so that the operator can act without another round trip.
// errors.Is matches each sentinel that applies.
type RefusalError struct {
	Summary    string
	Considered []Candidate
	errs       []error
}

func (e *RefusalError) Error() string {
	var b strings.Builder
	b.WriteString("cannot choose a bootstrap node: ")
	b.WriteString(e.Summary)
	for _, c := range e.Considered {
		b.WriteString("\n  ")
		b.WriteString(c.String())
	}
	return b.String()
}

func (e *RefusalError) Unwrap() []error { return e.errs }

// ChooseBootstrap picks the node to bootstrap after every node has stopped.
//
// The rules, in order:
//
//  1. Every node must have a readable state, and every node whose
//     grastate.dat says seqno -1 (crashed, killed, or never cleanly stopped)
//     needs its `--wsrep-recover` position. Otherwise refuse: the node we
//     cannot see might be the most advanced one.
//  2. A node whose effective UUID is all zeros has no cluster state (a fresh
//     datadir); it is never chosen and it will join by SST.
//  3. All nodes with state must share one cluster UUID; otherwise refuse
//     (different clusters, or a split brain that needs a human).
//  4. safe_to_bootstrap: 1 is trusted only next to a real seqno: Galera
//     writes it at a clean shutdown, together with the seqno. Paired with
//     -1 it is stale (a fresh datadir says 1, too) and ignored.
//  5. Exactly one trusted flag: that node. Several: the highest seqno among
//     them. None: the highest effective seqno. Ties go to the earliest node in
//     inventory order, and the decision says so.
//
// The flag never overrides a higher seqno. Galera sets it on the last node
// to leave the primary component, which is by construction at the highest
// seqno; another node further ahead means the mark is stale (the flagged node
// was down while the others went on, e.g. after a forced bootstrap of another
// node) or the nodes' histories diverged. Bootstrapping the flagged node would
// then throw away the other node's transactions, and bootstrapping the other
// would override what Galera recorded. Neither is safe to do unattended, so we
// refuse with ErrStateConflict and name both nodes. Equal seqnos are no
// conflict: the flag then breaks the tie.
func ChooseBootstrap(nodes []NodeState) (Decision, error) {
	if len(nodes) == 0 {
		return Decision{}, errors.New("cannot choose a bootstrap node: no nodes")
	}
	order := inventoryOrder(nodes)
	seen := map[string]bool{}
	cands := make([]Candidate, len(order))
	for i, idx := range order {
		n := nodes[idx]
		if seen[n.Name] {
			return Decision{}, fmt.Errorf("cannot choose a bootstrap node: node %q listed twice", n.Name)
		}
		seen[n.Name] = true
		cands[i] = classify(n)
	}
	refuse := func(summary string, errs ...error) (Decision, error) {
		return Decision{}, &RefusalError{Summary: summary, Considered: cands, errs: errs}
	}

	var blocked []string
	var blockErrs []error
	var withState []int // indexes into cands
	for i, c := range cands {
		switch {
		case c.blocker != nil:
			blocked = append(blocked, c.Name)
			blockErrs = appendUnique(blockErrs, c.blocker)
		case c.Eligible:
			withState = append(withState, i)
		}
	}
	if len(blocked) > 0 {
		return refuse(joinNames(blocked)+" "+hasHave(len(blocked))+" no usable position; fix "+itThem(len(blocked))+" first", blockErrs...)
	}
	if len(withState) == 0 {
		return refuse("no node has cluster state (every datadir is fresh): this is a new cluster, not a restart", ErrNoState)
	}

	if groups := uuidGroups(cands, withState); len(groups) > 1 {
		var parts []string
		for _, g := range groups {
			parts = append(parts, fmt.Sprintf("%s on %s", g.uuid, joinNames(g.names)))
		}
		return refuse("nodes belong to different cluster histories ("+strings.Join(parts, "; ")+
			"): a split brain or a node from another cluster; decide which side to keep, then empty the other nodes' datadirs so they rejoin by SST", ErrUUIDMismatch)
	}

	top := withState[0]
	var flagged []int
	for _, i := range withState {
		if cands[i].Seqno > cands[top].Seqno {
			top = i
		}
		if cands[i].SafeToBootstrap {
			flagged = append(flagged, i)
		}
	}
	maxSeqno := cands[top].Seqno

	pool := withState
	if len(flagged) > 0 {
		best := flagged[0]
		for _, i := range flagged {
			if cands[i].Seqno > cands[best].Seqno {
				best = i
			}
		}
		if cands[best].Seqno < maxSeqno {
			marked := fmt.Sprintf("%s has safe_to_bootstrap=1 at seqno %d", cands[best].Name, cands[best].Seqno)
			stale := "the mark is stale (" + cands[best].Name + " was down while the cluster went on)"
			if len(flagged) > 1 {
				marked = fmt.Sprintf("%s are marked safe_to_bootstrap, %s furthest at seqno %d",
					joinNames(names(cands, flagged)), cands[best].Name, cands[best].Seqno)
				stale = "the marks are stale"
			}
			return refuse(fmt.Sprintf("%s, but %s is further ahead at %s: %s or the nodes diverged, and bootstrapping either side could lose transactions; read the nodes' error logs and choose the node explicitly",
				marked, cands[top].Name, seqnoText(cands[top]), stale), ErrStateConflict)
		}
		pool = flagged
	}
	// pool is in inventory order, so the first winner is the earliest.
	var winners []int
	bestSeqno := int64(-1)
	for _, i := range pool {
		if cands[i].Seqno > bestSeqno {
			bestSeqno = cands[i].Seqno
		}
	}
	for _, i := range pool {
		if cands[i].Seqno == bestSeqno {
			winners = append(winners, i)
		}
	}
	chosen := winners[0]
	tie := len(winners) > 1
	reason := explain(cands, chosen, withState, flagged, winners)
	return Decision{
		Node:       cands[chosen].Name,
		Index:      order[chosen],
		Reason:     reason,
		Tie:        tie,
		Considered: cands,
	}, nil
}

// inventoryOrder returns indexes of nodes sorted by Order, then by position
// in the slice, so that equal Orders keep the caller's order.
func inventoryOrder(nodes []NodeState) []int {
	idx := make([]int, len(nodes))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return nodes[idx[a]].Order < nodes[idx[b]].Order })
	return idx
}

// classify turns what was read from one node into its effective position.
func classify(n NodeState) Candidate {
	c := Candidate{Name: n.Name, Order: n.Order, Seqno: -1}
	if n.ReadErr != nil {
		c.Why = "grastate.dat unreadable: " + n.ReadErr.Error()
		c.blocker = ErrStateUnreadable
		return c
	}
	g := n.State
	if g != nil {
		c.UUID = g.UUID
	}
	// A real seqno in grastate.dat is a clean shutdown: trust the file.
	if g != nil && g.Seqno >= 0 {
		if IsZeroUUID(g.UUID) {
			c.Why = "no cluster state: grastate.dat names uuid " + ZeroUUID + " (fresh datadir)"
			return c
		}
		c.Seqno = g.Seqno
		c.Eligible = true
		c.SafeToBootstrap = g.HasSafeToBootstrap && g.SafeToBootstrap
		c.Why = fmt.Sprintf("seqno %d from grastate.dat, %s", g.Seqno, flagText(g))
		return c
	}
	// From here on grastate.dat says -1 or is missing: only recovery knows.
	var distrust string
	if g != nil && g.HasSafeToBootstrap && g.SafeToBootstrap {
		distrust = "; its safe_to_bootstrap=1 is ignored next to seqno -1"
	}
	switch {
	case n.Recovered == nil && g == nil:
		c.Why = "no grastate.dat and no recovered position: run mysqld --wsrep-recover on it"
		c.blocker = ErrStateUnreadable
	case n.Recovered == nil:
		c.Why = "seqno -1 in grastate.dat (crashed, killed or still running) and no recovered position: stop mysqld and run mysqld --wsrep-recover" + distrust
		c.blocker = ErrNeedsRecovery
	case IsZeroUUID(n.Recovered.UUID):
		c.Why = "no cluster state: --wsrep-recover found " + n.Recovered.String() + " (empty or fresh datadir)"
	case n.Recovered.Seqno < 0:
		c.UUID = n.Recovered.UUID
		c.Why = "--wsrep-recover found " + n.Recovered.String() + " with no seqno: it cannot be ordered against the other nodes; inspect its error log, or empty its datadir so it rejoins by SST" + distrust
		c.blocker = ErrUnknownPosition
	default:
		c.UUID = n.Recovered.UUID
		c.Seqno = n.Recovered.Seqno
		c.FromRecovery = true
		c.Eligible = true
		c.Why = fmt.Sprintf("seqno %d recovered with --wsrep-recover (grastate.dat %s)%s", c.Seqno, graText(g), distrust)
	}
	return c
}

func flagText(g *GRAState) string {
	if !g.HasSafeToBootstrap {
		return "no safe_to_bootstrap line (old Galera)"
	}
	return "safe_to_bootstrap=" + strconv.Itoa(b2i(g.SafeToBootstrap))
}

func graText(g *GRAState) string {
	if g == nil {
		return "missing"
	}
	return "says -1"
}

type uuidGroup struct {
	uuid  string
	names []string
}

// uuidGroups groups the nodes with state by cluster UUID, in order of first
// appearance.
func uuidGroups(cands []Candidate, with []int) []uuidGroup {
	var groups []uuidGroup
	for _, i := range with {
		u := normUUID(cands[i].UUID)
		found := false
		for g := range groups {
			if groups[g].uuid == u {
				groups[g].names = append(groups[g].names, cands[i].Name)
				found = true
				break
			}
		}
		if !found {
			groups = append(groups, uuidGroup{uuid: u, names: []string{cands[i].Name}})
		}
	}
	return groups
}

// explain builds the one-line reason for the chosen node.
func explain(cands []Candidate, chosen int, withState, flagged, winners []int) string {
	c := cands[chosen]
	var b strings.Builder
	b.WriteString(c.Name + ": ")
	switch {
	case len(flagged) == 1:
		fmt.Fprintf(&b, "safe_to_bootstrap=1 after a clean shutdown at seqno %d, and no node is further ahead", c.Seqno)
	case len(flagged) > 1:
		fmt.Fprintf(&b, "highest seqno %d among the nodes marked safe_to_bootstrap (%s; Galera marks only one, so some mark is stale), and no node is further ahead",
			c.Seqno, joinNames(names(cands, flagged)))
	default:
		fmt.Fprintf(&b, "highest seqno %s; no node is marked safe_to_bootstrap", seqnoText(c))
	}
	if len(winners) > 1 {
		others := names(cands, winners[1:])
		fmt.Fprintf(&b, "; tie: %s %s at the same seqno, chose %s as the earliest in inventory order",
			joinNames(others), isAre(len(others)), c.Name)
	}
	var rest []string
	for _, i := range withState {
		if i != chosen && !contains(winners, i) {
			rest = append(rest, cands[i].Name+" at "+seqnoText(cands[i]))
		}
	}
	if len(rest) > 0 {
		b.WriteString("; others: " + strings.Join(rest, ", "))
	}
	var fresh []string
	for _, cand := range cands {
		if !cand.Eligible && cand.blocker == nil {
			fresh = append(fresh, cand.Name)
		}
	}
	if len(fresh) > 0 {
		fmt.Fprintf(&b, "; %s %s no cluster state and will join by SST", joinNames(fresh), hasHave(len(fresh)))
	}
	return b.String()
}

func seqnoText(c Candidate) string {
	s := strconv.FormatInt(c.Seqno, 10)
	if c.FromRecovery {
		s += " (recovered)"
	}
	return s
}

func names(cands []Candidate, idx []int) []string {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = cands[i].Name
	}
	return out
}

// joinNames writes "a", "a and b", "a, b and c".
func joinNames(n []string) string {
	switch len(n) {
	case 0:
		return ""
	case 1:
		return n[0]
	}
	return strings.Join(n[:len(n)-1], ", ") + " and " + n[len(n)-1]
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func hasHave(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}

func itThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func appendUnique(errs []error, err error) []error {
	for _, e := range errs {
		if e == err {
			return errs
		}
	}
	return append(errs, err)
}

package playbook

import (
	"fmt"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/playbook/galera"
)

// RestartOutcome is what a restart or a recovery did, node by node: the
// CLI's final table, the JSON report's "outcome", and on failure the
// account of where every node stands.
type RestartOutcome struct {
	Kind string `json:"kind"` // restart or recover
	// StopOrder is the order the nodes were (to be) stopped in (restart).
	StopOrder []string `json:"stop_order,omitempty"`
	// Expected is the node expected to bootstrap before the states were
	// read: the one stopped last (restart) or the plan's choice (recover).
	Expected string `json:"expected_bootstrap,omitempty"`
	// Decision is the bootstrap choice made from the nodes' saved states.
	Decision *galera.Decision `json:"decision,omitempty"`
	Nodes    []*NodeOutcome   `json:"nodes"`
	// Phase is where the run ended: planned, stopping, choosing,
	// bootstrapping, joining, verifying or done.
	Phase string `json:"phase"`
	// Next is the operator's next action when the run stopped early.
	Next     string        `json:"next,omitempty"`
	Notes    []string      `json:"notes,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// Node states in a RestartOutcome.
const (
	NodeRunning      = "running"      // not stopped by this run, serving
	NodeStopped      = "stopped"      // its server is down
	NodeBootstrapped = "bootstrapped" // started a new primary component, Synced
	NodeJoined       = "joined"       // started and Synced in the cluster
	NodeFailed       = "failed"       // a stop or start failed: see Error
)

// NodeOutcome is one node's part in a restart or recovery.
type NodeOutcome struct {
	Node  string `json:"node"`
	State string `json:"state"`
	// Role is bootstrap or joiner once the node was started.
	Role string `json:"role,omitempty"`
	// Alive: a server process ran when the node was last looked at.
	Alive bool `json:"alive"`
	// Wsrep is the last wsrep state seen ("Synced, Primary, size 3").
	Wsrep string `json:"wsrep,omitempty"`
	// StopOrder is the node's place in the stop order (1 = first).
	StopOrder int           `json:"stop_order,omitempty"`
	StopTime  time.Duration `json:"stop_ns,omitempty"`
	StartTime time.Duration `json:"start_ns,omitempty"`
	// Position is the saved position read after the stop.
	Position string   `json:"position,omitempty"`
	Error    string   `json:"error,omitempty"`
	LogTail  string   `json:"log_tail,omitempty"`
	Restored []string `json:"restored,omitempty"`
}

func newOutcome(kind string, targets []*Target) *RestartOutcome {
	out := &RestartOutcome{Kind: kind, Phase: "planned", Nodes: make([]*NodeOutcome, len(targets))}
	for i, t := range targets {
		n := &NodeOutcome{Node: t.Node.Name, State: NodeRunning, Alive: true}
		if t.Facts != nil {
			if t.Facts.ServerVersion == "" {
				n.State, n.Alive = NodeStopped, false
			} else {
				n.Wsrep = describeStatus(t.Facts.Wsrep)
			}
		}
		out.Nodes[i] = n
	}
	return out
}

// Node returns the outcome of the named node, or nil.
func (o *RestartOutcome) Node(name string) *NodeOutcome {
	for _, n := range o.Nodes {
		if n.Node == name {
			return n
		}
	}
	return nil
}

// Standing says in a few words where the node is.
func (n *NodeOutcome) Standing() string {
	switch n.State {
	case NodeStopped:
		if n.StopOrder > 0 {
			return fmt.Sprintf("stopped (%s to stop)", ordinal(n.StopOrder))
		}
		return "stopped"
	case NodeFailed:
		s := "failed"
		if n.Alive {
			s += ", mysqld still running"
		} else {
			s += ", mysqld not running"
		}
		if n.Wsrep != "" {
			s += " (last seen " + n.Wsrep + ")"
		}
		return s
	default:
		if n.Wsrep != "" {
			return n.State + ": " + n.Wsrep
		}
		return n.State
	}
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// RestartError is a restart or recovery that stopped part way: the cause,
// where every node stands, and what the operator should do next.
type RestartError struct {
	Cause   error
	Outcome *RestartOutcome
}

func (e *RestartError) Error() string {
	var b strings.Builder
	b.WriteString(e.Cause.Error())
	b.WriteString("\nwhere each node stands:")
	for _, n := range e.Outcome.Nodes {
		fmt.Fprintf(&b, "\n  %-8s %s", n.Node, n.Standing())
		if n.Error != "" {
			fmt.Fprintf(&b, "\n           error: %s", firstLineOf(n.Error))
		}
		if n.LogTail != "" {
			fmt.Fprintf(&b, "\n           error log:\n             %s", strings.ReplaceAll(n.LogTail, "\n", "\n             "))
		}
		for _, r := range n.Restored {
			fmt.Fprintf(&b, "\n           %s", r)
		}
	}
	if e.Outcome.Next != "" {
		b.WriteString("\nnext: " + e.Outcome.Next)
	}
	return b.String()
}

func (e *RestartError) Unwrap() error { return e.Cause }

func firstLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

// RestartOutcomeOf returns the outcome of the restart or recover step of a
// report (nil when the report has none, e.g. a refused preflight).
func RestartOutcomeOf(r *Report) *RestartOutcome {
	if r == nil {
		return nil
	}
	for _, s := range r.Steps {
		if s.Change == nil {
			continue
		}
		if p, ok := s.Change.Data.(*restartPlan); ok && p.out != nil {
			return p.out
		}
	}
	return nil
}

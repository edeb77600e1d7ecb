package playbook

import (
	"context"
	"log/slog"
	"time"

	"github.com/galeraflow/galeraflow/inventory"
	"github.com/galeraflow/galeraflow/remote"
)

// Scope says how the executor runs a step across the cluster.
type Scope int

const (
	// PerNode steps plan and apply on every node in parallel (up to the
	// inventory's concurrency).
	PerNode Scope = iota
	// Rolling steps plan in parallel but apply one node at a time, in
	// inventory order, stopping at the first failure.
	Rolling
	// Once steps plan and apply once for the whole cluster (Target is nil);
	// they reach the nodes through Run.Targets.
	Once
)

func (s Scope) String() string {
	switch s {
	case PerNode:
		return "per-node"
	case Rolling:
		return "rolling"
	case Once:
		return "cluster"
	}
	return "unknown"
}

// Step is one unit of a playbook. Plan only reads: it computes what would
// change (file contents, diffs, SQL, service actions) and must not modify a
// node. Apply makes the planned change. The executor alone decides whether
// Apply runs, so --dry-run changes nothing by construction.
type Step interface {
	// Name is the step's kind as written in playbooks ("upload-certs").
	Name() string
	Scope() Scope
	// Plan computes the change for one node (t is nil for Once steps).
	// A Change with Changed=false means "unchanged": Apply is not called.
	Plan(ctx context.Context, run *Run, t *Target) (*Change, error)
	// Apply makes the change Plan computed.
	Apply(ctx context.Context, run *Run, t *Target, c *Change) error
}

// Target is one node as steps see it: its inventory entry, its connection
// and the facts gathered at preflight.
type Target struct {
	Node  inventory.Node
	Host  remote.Host
	Facts *Facts
	Log   *slog.Logger
}

// Run is what steps share during one execution of a playbook.
type Run struct {
	Inv     *inventory.Inventory
	Targets []*Target
	Log     *slog.Logger
	DryRun  bool
	// Planned holds the changes of the steps planned so far, in order, so a
	// later step (the restart) can tell whether an earlier one needs it.
	Planned []*Change
	// Now is the run's clock (certificate validity); nil means time.Now.
	Now func() time.Time
	// Interrupt is the run's own context, cancelled at the first Ctrl-C
	// while Apply's context is not: a step that loops over nodes checks
	// Interrupted between node operations.
	Interrupt context.Context
	// backups are the files steps replaced in this run (RecordBackup).
	backups backupLog
}

func (r *Run) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

// Target returns the target of the named node, or nil.
func (r *Run) Target(name string) *Target {
	for _, t := range r.Targets {
		if t.Node.Name == name {
			return t
		}
	}
	return nil
}

// NeedsRestart reports whether a change planned so far needs the cluster
// restarted to take effect, and names the changes that do.
func (r *Run) NeedsRestart() (bool, []string) {
	var why []string
	for _, c := range r.Planned {
		if c.Changed && c.NeedsRestart {
			why = append(why, c.Where()+": "+c.Summary)
		}
	}
	return len(why) > 0, why
}

// Change is a step's plan for one node (or the cluster): what it will do,
// in words a reviewer can check, plus the step's private data for Apply.
type Change struct {
	Step string `json:"step"`
	Node string `json:"node,omitempty"` // "" for cluster-wide changes
	// Changed is false when the node is already as wanted.
	Changed bool   `json:"changed"`
	Summary string `json:"summary"`
	// Diffs are unified diffs of files, secrets masked.
	Diffs []FileDiff `json:"diffs,omitempty"`
	// SQL are the statements to run, secrets masked.
	SQL []string `json:"sql,omitempty"`
	// Actions are other effects in order ("stop n1", "bootstrap n3: ...").
	Actions []string `json:"actions,omitempty"`
	// NeedsRestart: the change takes effect only after a cluster restart.
	NeedsRestart bool `json:"needs_restart,omitempty"`
	// Data is the step's own state from Plan to Apply; never reported.
	Data any `json:"-"`
}

// Where names the change's node, or "cluster".
func (c *Change) Where() string {
	if c.Node == "" {
		return "cluster"
	}
	return c.Node
}

// FileDiff is one file's planned change.
type FileDiff struct {
	Path string `json:"path"`
	// Diff is a unified diff with secrets masked ("" for binary or secret files).
	Diff string `json:"diff,omitempty"`
	// Note describes changes a diff cannot show (mode, owner, a key file).
	Note string `json:"note,omitempty"`
}

// Unchanged is a plan that does nothing.
func Unchanged(step, node, summary string) *Change {
	return &Change{Step: step, Node: node, Summary: summary}
}

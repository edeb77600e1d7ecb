package playbook

import (
	"time"
)

// Status is the outcome of one step on one node.
type Status string

const (
	StatusPlanned   Status = "planned"   // dry-run: would change
	StatusUnchanged Status = "unchanged" // nothing to do
	StatusChanged   Status = "changed"   // applied
	StatusFailed    Status = "failed"
	StatusSkipped   Status = "skipped" // not reached (an earlier failure or an interrupt)
)

// Report is the machine-readable account of a run (--output json).
type Report struct {
	Cluster  string        `json:"cluster"`
	Playbook string        `json:"playbook"`
	DryRun   bool          `json:"dry_run"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	// Result is ok, failed, partial (some nodes changed before a failure)
	// or interrupted.
	Result string        `json:"result"`
	Error  string        `json:"error,omitempty"`
	Steps  []*StepReport `json:"steps"`
	// Nodes are the facts gathered at preflight.
	Nodes []*Facts `json:"nodes,omitempty"`
	// Restart says whether the plan restarts the cluster, and why.
	Restart *RestartNote `json:"restart,omitempty"`
}

// StepReport is one step on one node (Node "" for cluster-wide steps).
type StepReport struct {
	// Index is the step's position in the playbook (a kind may appear twice).
	Index    int           `json:"index"`
	Step     string        `json:"step"`
	Node     string        `json:"node,omitempty"`
	Status   Status        `json:"status"`
	Duration time.Duration `json:"duration_ns"`
	Error    string        `json:"error,omitempty"`
	Change   *Change       `json:"change,omitempty"`
}

// RestartNote explains the restart decision of a plan.
type RestartNote struct {
	Needed bool     `json:"needed"`
	Why    []string `json:"why,omitempty"`
}

// Changed reports whether any step changed (or, in a dry run, would change)
// something.
func (r *Report) Changed() bool {
	for _, s := range r.Steps {
		if s.Status == StatusChanged || s.Status == StatusPlanned {
			return true
		}
	}
	return false
}

// find returns the report of step on node, creating it in order.
func (r *Report) find(index int, step, node string) *StepReport {
	for _, s := range r.Steps {
		if s.Index == index && s.Node == node {
			return s
		}
	}
	s := &StepReport{Index: index, Step: step, Node: node, Status: StatusSkipped}
	r.Steps = append(r.Steps, s)
	return s
}

package playbook

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/galeraflow/galeraflow/playbook/galera"
)

// Restart is the stop-all then bootstrap-first restart of the whole
// cluster (MISSION.md, "Stop-all then bootstrap-first: the rules"):
//
//  1. stop the nodes one at a time, each until its mysqld is gone; the
//     preferred bootstrap node stops last, so Galera marks it
//     safe_to_bootstrap;
//  2. read every grastate.dat (--wsrep-recover where seqno is -1) and let
//     galera.ChooseBootstrap confirm the choice;
//  3. bootstrap that one node and wait for a Synced primary component;
//  4. start the others one at a time in inventory order, each until
//     Synced and the cluster has grown;
//  5. verify size, states and one state uuid.
//
// It never bootstraps a second node. A failure stops at once and reports
// where every node stands and what to do next (RestartError).
type Restart struct {
	// BootstrapNode is stopped last and expected to bootstrap; "" means
	// the last node of the inventory.
	BootstrapNode string
	// Always restarts even when no earlier step needs it (the restart
	// command). In a playbook the restart happens only when an earlier
	// change needs it (Run.NeedsRestart).
	Always bool
	// every is the poll interval of the waits (tests shorten it).
	every time.Duration
}

func (Restart) Name() string { return "restart" }
func (Restart) Scope() Scope { return Once }

// RestartPlaybook is the `galeraflow restart` playbook.
func RestartPlaybook(bootstrapNode string) *Playbook {
	return &Playbook{Name: "restart", RequireHealthy: true, Steps: []Step{Restart{BootstrapNode: bootstrapNode, Always: true}}}
}

// parseRestart reads a playbook's `- restart` or
// `- restart: {bootstrap_node: n3}`.
func parseRestart(opts *yaml.Node) (Step, error) {
	if opts == nil || (opts.Kind == yaml.ScalarNode && opts.Tag == "!!null") {
		return Restart{}, nil
	}
	var spec struct {
		BootstrapNode string `yaml:"bootstrap_node"`
	}
	if err := decodeStrict(opts, &spec); err != nil {
		return nil, err
	}
	return Restart{BootstrapNode: spec.BootstrapNode}, nil
}

func (s Restart) Plan(ctx context.Context, run *Run, _ *Target) (*Change, error) {
	names := targetNames(run)
	last := s.BootstrapNode
	if last == "" {
		last = names[len(names)-1]
	} else if run.Target(last) == nil {
		return nil, fmt.Errorf("bootstrap node %q is not in the inventory (nodes: %s)", last, joinNames(names))
	}
	var because string
	if !s.Always {
		need, why := run.NeedsRestart()
		if !need {
			return Unchanged(s.Name(), "", "no planned change needs a restart"), nil
		}
		because = " because " + strings.Join(why, "; ")
	}
	if err := checkServices(run); err != nil {
		return nil, err
	}
	if err := checkStartConfigs(ctx, run); err != nil {
		return nil, err
	}
	order := galera.StopOrder(names, last)
	out := newOutcome("restart", run.Targets)
	out.StopOrder, out.Expected = order, last
	var joiners []string
	for _, n := range names {
		if n != last {
			joiners = append(joiners, n)
		}
	}
	return &Change{
		Changed: true,
		Summary: fmt.Sprintf("restart the cluster%s: stop %s one at a time, bootstrap %s, start %s one at a time",
			because, joinNames(order), last, joinNames(joiners)),
		Actions: restartActions(run, order, last),
		Data:    &restartPlan{out: out},
	}, nil
}

// restartActions is the plan in the words a reviewer checks.
func restartActions(run *Run, order []string, last string) []string {
	inv := run.Inv
	var a []string
	for i, name := range order {
		t := run.Target(name)
		line := fmt.Sprintf("stop %s with `%s`, wait (up to %s) until its mysqld is gone", name, t.Node.Service.Stop, inv.Timeouts.Stop)
		if i == len(order)-1 {
			line += " — stopped last: Galera marks the last node to leave safe_to_bootstrap: 1"
		}
		a = append(a, line)
	}
	a = append(a, "read grastate.dat on every node (mysqld --wsrep-recover where seqno is -1) and choose the bootstrap node from the saved positions")
	boot := run.Target(last)
	a = append(a, fmt.Sprintf("bootstrap %s with `%s` — expected because it stopped last and Galera marks it safe_to_bootstrap; confirmed from grastate.dat after the stop (a node further ahead would win); wait (up to %s) for Primary and Synced",
		last, boot.Node.Service.Bootstrap, inv.Timeouts.Start))
	a = append(a, joinActions(run, last)...)
	return a
}

// joinActions: start the other nodes in inventory order, then verify.
func joinActions(run *Run, boot string) []string {
	var a []string
	members := 1
	for _, t := range run.Targets {
		if t.Node.Name == boot {
			continue
		}
		members++
		a = append(a, fmt.Sprintf("start %s with `%s`, wait (up to %s) until it is Synced in a cluster of %d",
			t.Node.Name, t.Node.Service.Start, run.Inv.Timeouts.Start, members))
	}
	a = append(a, fmt.Sprintf("verify: cluster size %d, every node Synced and Primary, one state uuid", len(run.Targets)))
	return a
}

func (s Restart) Apply(ctx context.Context, run *Run, _ *Target, c *Change) error {
	plan := c.Data.(*restartPlan)
	r := newRestarter(run, plan.out, s.every)
	start := time.Now()
	defer func() { r.out.Duration = time.Since(start) }()
	if err := r.stopAll(ctx, plan.out.StopOrder); err != nil {
		return err
	}
	pos, d, err := r.choose(ctx)
	if err != nil {
		return err
	}
	if d.Node != plan.out.Expected {
		note := fmt.Sprintf("expected to bootstrap %s (stopped last), but the saved states chose %s: %s", plan.out.Expected, d.Node, d.Reason)
		r.out.Notes = append(r.out.Notes, note)
		run.Log.Warn(note)
	}
	if err := r.startCluster(ctx, pos, d); err != nil {
		return err
	}
	return r.undone()
}

func targetNames(run *Run) []string {
	names := make([]string, len(run.Targets))
	for i, t := range run.Targets {
		names[i] = t.Node.Name
	}
	return names
}

// checkServices refuses a node without the service commands a restart runs.
func checkServices(run *Run) error {
	var errs []error
	for _, t := range run.Targets {
		sv := t.Node.Service
		for _, c := range []struct{ what, cmd string }{{"stop", sv.Stop}, {"start", sv.Start}, {"bootstrap", sv.Bootstrap}} {
			if strings.TrimSpace(c.cmd) == "" {
				errs = append(errs, fmt.Errorf("%s: no %s command (set service.%s in the inventory, or its flavor)", t.Node.Name, c.what, c.what))
			}
		}
	}
	return errors.Join(errs...)
}

// checkStartConfigs refuses, before anything stops, a node whose option
// files would bootstrap it at its next start.
func checkStartConfigs(ctx context.Context, run *Run) error {
	errs := make([]error, len(run.Targets))
	_ = ForEach(ctx, len(run.Targets), run.Inv.Concurrency, func(ctx context.Context, i int) error {
		_, errs[i] = checkStartConfig(ctx, run.Targets[i], run.Inv.Timeouts.Command)
		return nil
	})
	return errors.Join(errs...)
}

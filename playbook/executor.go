package playbook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/galeraflow/galeraflow/inventory"
	"github.com/galeraflow/galeraflow/remote"
)

// Playbook is an ordered list of steps.
type Playbook struct {
	Name  string
	Steps []Step
	// RequireHealthy: before anything is planned, every node must be
	// reachable, its server running, Primary and Synced with one state
	// uuid. The recover playbook, made for a dead cluster, turns it off.
	RequireHealthy bool
	// NoFacts: no step needs the database, so no node is asked for its
	// server's state (no SQL at all) and the flavor is not detected; the
	// preflight is the SSH login itself. Playbook files set it with
	// `preflight: ssh`.
	NoFacts bool
}

// Options tune one execution.
type Options struct {
	DryRun bool
	Dial   Dialer
	Log    *slog.Logger
	// Observe receives progress events; nil ignores them.
	Observe func(Event)
	// LockDir holds the lock files (default: the system's temp dir).
	LockDir string
	// What names the run in the lock file ("run", "restart"...).
	What string
	Now  func() time.Time
}

// Event is a progress notice for the CLI's live display.
type Event struct {
	Step  string // "" for connect/facts
	Node  string // "" for cluster-wide
	Phase string // connect, facts, plan, apply
	State string // start, planned, unchanged, changed, failed
	Msg   string
}

type executor struct {
	opts   Options
	report *Report
	mu     sync.Mutex
}

// Execute runs a playbook against an inventory: lock, connect, gather facts,
// preflight, plan every step, then (unless DryRun) apply them in order.
// Nothing is applied unless every node was reached and every step planned
// without error. The report is returned whatever happens.
func Execute(ctx context.Context, inv *inventory.Inventory, pb *Playbook, opts Options) (*Report, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Observe == nil {
		opts.Observe = func(Event) {}
	}
	if opts.What == "" {
		opts.What = "run"
	}
	x := &executor{opts: opts, report: &Report{
		Cluster: inv.Cluster, Playbook: pb.Name, DryRun: opts.DryRun, Started: opts.Now(), Steps: []*StepReport{},
	}}
	err := x.execute(ctx, inv, pb)
	x.report.Duration = opts.Now().Sub(x.report.Started)
	switch {
	case err == nil:
		x.report.Result = "ok"
	case errors.Is(err, ErrInterrupted):
		x.report.Result = "interrupted"
	case errors.Is(err, ErrPartial):
		x.report.Result = "partial"
	default:
		x.report.Result = "failed"
	}
	if err != nil {
		x.report.Error = err.Error()
	}
	return x.report, err
}

func (x *executor) execute(ctx context.Context, inv *inventory.Inventory, pb *Playbook) error {
	log := x.opts.Log
	// A dry run changes nothing, so it may look while another run works.
	if !x.opts.DryRun {
		lock, err := AcquireLock(LockPath(x.opts.LockDir, inv.Cluster, inv.File), x.opts.What+" "+inv.File, x.opts.Now())
		if err != nil {
			return err
		}
		defer lock.Release()
	}

	x.opts.Observe(Event{Phase: "connect", State: "start"})
	conns, err := Connect(ctx, inv, x.opts.Dial)
	defer CloseAll(conns)
	if err != nil {
		return preflightError(ctx, err)
	}
	run := &Run{Inv: inv, Log: log, DryRun: x.opts.DryRun, Now: x.opts.Now, Interrupt: ctx}
	for _, c := range conns {
		host := c.Host
		if x.opts.DryRun {
			host = readOnlyHost{host}
		}
		run.Targets = append(run.Targets, &Target{Node: c.Node, Host: host, Log: log.With("node", c.Node.Name)})
	}

	if pb.NoFacts {
		return x.planAndApply(ctx, run, pb)
	}
	x.opts.Observe(Event{Phase: "facts", State: "start"})
	facts := make([]*Facts, len(conns))
	_ = ForEach(ctx, len(conns), inv.Concurrency, func(ctx context.Context, i int) error {
		facts[i] = GatherFacts(ctx, &Conn{Node: conns[i].Node, Host: run.Targets[i].Host}, inv.Timeouts.Command)
		run.Targets[i].Facts = facts[i]
		return nil
	})
	x.report.Nodes = facts
	if pb.RequireHealthy {
		if err := ClusterVerdict(facts); err != nil {
			return preflightError(ctx, err)
		}
	}
	if inv.Flavor == inventory.FlavorUnknown {
		f, err := detectFlavor(facts)
		if err != nil {
			return preflightError(ctx, err)
		}
		inv = inv.WithFlavor(f)
		run.Inv = inv
		for i, t := range run.Targets {
			t.Node = inv.Nodes[i]
		}
		log.Info("flavor detected", "flavor", f)
	}
	return x.planAndApply(ctx, run, pb)
}

// planAndApply plans every step, then (unless DryRun) applies them in order.
func (x *executor) planAndApply(ctx context.Context, run *Run, pb *Playbook) error {
	var err error
	// Plan everything before changing anything: a plan error is a
	// preflight failure and leaves every node as it was.
	plans := make([][]*Change, len(pb.Steps))
	for i, st := range pb.Steps {
		if plans[i], err = x.plan(ctx, run, i, st); err != nil {
			return preflightError(ctx, err)
		}
	}
	if need, why := run.NeedsRestart(); need {
		x.report.Restart = &RestartNote{Needed: true, Why: why}
	} else {
		x.report.Restart = &RestartNote{}
	}
	if x.opts.DryRun {
		return nil
	}

	// Apply. The first Ctrl-C cancels ctx: the node operation in flight
	// finishes (it runs under applyCtx) and no new one starts.
	applyCtx := context.WithoutCancel(ctx)
	applied := false
	for i, st := range pb.Steps {
		if ctx.Err() != nil {
			return x.stopped(applied, fmt.Errorf("%w before step %s", ErrInterrupted, st.Name()))
		}
		did, err := x.apply(ctx, applyCtx, run, i, st, plans[i])
		applied = applied || did
		x.refreshNodes(run)
		if err != nil {
			return x.stopped(applied, err)
		}
	}
	return nil
}

// refreshNodes points the report at the newest facts steps gathered (the
// verify step reads every node again after a restart).
func (x *executor) refreshNodes(run *Run) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, t := range run.Targets {
		if t.Facts != nil && i < len(x.report.Nodes) {
			x.report.Nodes[i] = t.Facts
		}
	}
}

// stopped marks a failure after changes as partial.
func (x *executor) stopped(applied bool, err error) error {
	if applied && !errors.Is(err, ErrPartial) {
		return fmt.Errorf("%w: %w", ErrPartial, err)
	}
	return err
}

// preflightError marks a failure before any change; an interrupt stays one.
func preflightError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ErrInterrupted, err)
	}
	return fmt.Errorf("%w: nothing was changed: %w", ErrPreflight, err)
}

// plan plans one step on its scope and records the changes in run.Planned
// (in target order) and in the report.
func (x *executor) plan(ctx context.Context, run *Run, index int, st Step) ([]*Change, error) {
	targets := run.Targets
	if st.Scope() == Once {
		targets = []*Target{nil}
	}
	changes := make([]*Change, len(targets))
	for _, t := range targets { // report rows in inventory order
		if t == nil {
			x.stepReport(index, st.Name(), "")
		} else {
			x.stepReport(index, st.Name(), t.Node.Name)
		}
	}
	err := ForEach(ctx, len(targets), run.Inv.Concurrency, func(ctx context.Context, i int) error {
		t := targets[i]
		node := ""
		if t != nil {
			node = t.Node.Name
		}
		x.opts.Observe(Event{Step: st.Name(), Node: node, Phase: "plan", State: "start"})
		start := time.Now()
		c, err := st.Plan(ctx, run, t)
		sr := x.stepReport(index, st.Name(), node)
		sr.Duration = time.Since(start)
		if err != nil {
			err = wrapNode(node, st.Name(), "plan", err)
			sr.Status, sr.Error = StatusFailed, err.Error()
			x.opts.Observe(Event{Step: st.Name(), Node: node, Phase: "plan", State: "failed", Msg: err.Error()})
			return err
		}
		c.Step, c.Node = st.Name(), node
		changes[i] = c
		sr.Change = c
		sr.Status = StatusUnchanged
		state := "unchanged"
		if c.Changed {
			sr.Status, state = StatusPlanned, "planned"
			if !x.opts.DryRun {
				sr.Status = StatusSkipped // until applied
			}
		}
		x.opts.Observe(Event{Step: st.Name(), Node: node, Phase: "plan", State: state, Msg: c.Summary})
		return nil
	})
	run.Planned = append(run.Planned, changes...)
	return changes, err
}

// apply applies one step's changes on its scope. It reports whether any
// change was applied (for partial-failure accounting).
func (x *executor) apply(ctx, applyCtx context.Context, run *Run, index int, st Step, changes []*Change) (bool, error) {
	targets := run.Targets
	if st.Scope() == Once {
		targets = []*Target{nil}
	}
	var mu sync.Mutex
	applied := false
	one := func(i int) error {
		c := changes[i]
		if !c.Changed {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %s: %w", c.Where(), st.Name(), ErrInterrupted)
		}
		t := targets[i]
		x.opts.Observe(Event{Step: st.Name(), Node: c.Node, Phase: "apply", State: "start", Msg: c.Summary})
		start := time.Now()
		err := st.Apply(applyCtx, run, t, c)
		sr := x.stepReport(index, st.Name(), c.Node)
		sr.Duration += time.Since(start)
		// A failed apply may have changed part of the node: count it.
		mu.Lock()
		applied = true
		mu.Unlock()
		if err != nil {
			err = wrapNode(c.Node, st.Name(), "apply", err)
			sr.Status, sr.Error = StatusFailed, err.Error()
			x.opts.Observe(Event{Step: st.Name(), Node: c.Node, Phase: "apply", State: "failed", Msg: err.Error()})
			return err
		}
		sr.Status = StatusChanged
		x.opts.Observe(Event{Step: st.Name(), Node: c.Node, Phase: "apply", State: "changed", Msg: c.Summary})
		return nil
	}
	var err error
	switch st.Scope() {
	case PerNode:
		err = ForEachFailFast(ctx, len(targets), run.Inv.Concurrency, func(_ context.Context, i int) error { return one(i) })
	default:
		for i := range targets {
			if err = one(i); err != nil {
				break
			}
		}
	}
	return applied, err
}

func (x *executor) stepReport(index int, step, node string) *StepReport {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.report.find(index, step, node)
}

// wrapNode adds "node: step:" context unless the error already starts with it.
func wrapNode(node, step, phase string, err error) error {
	where := node
	if where == "" {
		where = "cluster"
	}
	if strings.HasPrefix(err.Error(), where+": ") {
		return fmt.Errorf("%s: %w", step, err)
	}
	return fmt.Errorf("%s: %s: %w", where, step, err)
}

// detectFlavor reads the flavor every node reports; they must agree.
func detectFlavor(facts []*Facts) (inventory.Flavor, error) {
	var flavor string
	for _, f := range facts {
		if f.Flavor == "" {
			return "", fmt.Errorf("%s: cannot detect the server flavor (set `flavor:` in the inventory): %v", f.Node, f.Err)
		}
		if flavor != "" && f.Flavor != flavor {
			return "", fmt.Errorf("nodes disagree on the flavor (%s: %s, others: %s): set `flavor:` in the inventory", f.Node, f.Flavor, flavor)
		}
		flavor = f.Flavor
	}
	return inventory.Flavor(flavor), nil
}

// readOnlyHost is the dry-run guard on the connection itself: whatever a
// step does in a dry run, no file is written through it.
type readOnlyHost struct{ remote.Host }

// ErrDryRun is returned by a write attempted during a dry run.
var ErrDryRun = errors.New("dry run: refusing to change the node")

func (h readOnlyHost) WriteFile(ctx context.Context, path string, _ []byte, _ remote.WriteOptions) (remote.WriteResult, error) {
	return remote.WriteResult{}, fmt.Errorf("%s: write %s: %w", h.Name(), path, ErrDryRun)
}

package playbook

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrConfirmationNeeded: the rotation needs the full stop-all restart and
// the caller did not allow it (the CLI asks, or wants --yes).
var ErrConfirmationNeeded = errors.New("confirmation needed")

// DefaultRenewWithin: node certificates expiring sooner are rotated.
const DefaultRenewWithin = 30 * 24 * time.Hour

// Rotate replaces the certificates on the nodes with the inventory's, by
// the lightest path Galera allows (see decideRotation):
//
//   - none: every node holds and serves the inventory's files;
//   - same CA: node by node, atomic replace at the same paths, live reload
//     (FLUSH LOCAL SSL, socket.ssl_reload) or, where the versions cannot
//     reload, a restart of that one node; each node is verified from TLS
//     clients and the cluster must stay Primary with every node Synced;
//   - new CA: the same, in three phases — every node trusts both CAs, then
//     the new node certificates, then the new CA only — never (1) and (2)
//     at once;
//   - expired certificates or new paths: upload, option files, then the
//     stop-all/bootstrap-first restart (only when allowed).
type Rotate struct {
	// RenewWithin: certificates expiring sooner are due (default 30 days).
	RenewWithin time.Duration
	// Renew issues new node certificates with the inventory's CA key when
	// they are due and the inventory has none newer.
	Renew bool
	// CAKey is the CA key for Renew ("" = DefaultCAKeyPath of the CA).
	CAKey string
	// Lifetime of renewed certificates (0 = the default).
	Lifetime time.Duration
	// RestartNodes restarts nodes one at a time instead of reloading.
	RestartNodes bool
	// AllowFullRestart permits the stop-all path (confirmed, or --yes).
	AllowFullRestart bool
	// ExpectPath, when set, refuses a plan that chose another path (the
	// run after a confirmation must do what was confirmed).
	ExpectPath string
	// every is the poll interval of the waits (tests shorten it).
	every time.Duration
}

func (Rotate) Name() string { return "rotate" }
func (Rotate) Scope() Scope { return Once }

// RotatePlaybook is `galeraflow rotate`.
func RotatePlaybook(r Rotate) *Playbook {
	return &Playbook{Name: "rotate", RequireHealthy: true, Steps: []Step{r}}
}

// rotatePlan is the Data of the rotate Change.
type rotatePlan struct {
	rot     *Rotation
	targets []*rotTarget
	full    *fullPlan
}

// RotationOf returns the rotation of a report (nil when it never planned).
func RotationOf(r *Report) *Rotation {
	if r == nil {
		return nil
	}
	for _, s := range r.Steps {
		if s.Change == nil {
			continue
		}
		if p, ok := s.Change.Data.(*rotatePlan); ok {
			return p.rot
		}
	}
	return nil
}

func (s Rotate) Plan(ctx context.Context, run *Run, _ *Target) (*Change, error) {
	if run.Inv.TLS == nil {
		return nil, fmt.Errorf("%w: the inventory has no tls block: there are no certificates to rotate", ErrInvalidInput)
	}
	rts := make([]*rotTarget, len(run.Targets))
	errs := make([]error, len(run.Targets))
	_ = ForEach(ctx, len(run.Targets), run.Inv.Concurrency, func(ctx context.Context, i int) error {
		rts[i], errs[i] = readRotTarget(ctx, run, run.Targets[i])
		return nil
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	// The inventory's files are judged before anything else: a certificate
	// that does not match its key stops the run here, on every path.
	for i, rt := range rts {
		if _, err := validateCerts(run, rt.t, rt.certFiles()); err != nil {
			errs[i] = fmt.Errorf("%s: %w", rt.t.Node.Name, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	nodes := make([]*rotNode, len(rts))
	for i, rt := range rts {
		nodes[i] = rt.node
	}
	within := s.RenewWithin
	if within <= 0 {
		within = DefaultRenewWithin
	}
	rot, err := decideRotation(nodes, rotOptions{now: run.now(), renewWithin: within, renew: s.Renew, restartNodes: s.RestartNodes})
	if err != nil {
		return nil, err
	}
	if s.ExpectPath != "" && rot.Path != s.ExpectPath {
		return nil, fmt.Errorf("the rotation path changed since it was confirmed (%s, now %s: %s): run rotate again", s.ExpectPath, rot.Path, rot.Reason)
	}
	plan := &rotatePlan{rot: rot, targets: rts}
	c := &Change{Data: plan, Summary: rotationSummary(rot)}
	switch rot.Path {
	case PathNone:
		return c, nil
	case PathFullRestart:
		if !run.DryRun && !s.AllowFullRestart {
			return nil, fmt.Errorf("%w: the rotation needs the full stop-all restart of the cluster because %s", ErrConfirmationNeeded, rot.Reason)
		}
		if plan.full, err = planFull(ctx, run, s.every); err != nil {
			return nil, err
		}
		c.Actions = plan.full.actions()
	default:
		for _, rt := range rts {
			if !rt.remote.OpenSSL {
				return nil, fmt.Errorf("%s: openssl is not installed: galeraflow needs it on the nodes to see which certificate each server presents after a rotation (apt-get install openssl)", rt.t.Node.Name)
			}
		}
		if s.Renew && rot.Renew {
			if err := s.checkRenew(rts, run.now()); err != nil {
				return nil, err
			}
			c.Actions = append(c.Actions, fmt.Sprintf("issue new node certificates with the CA key %s and write them over the inventory's files", s.caKeyPath(rts)))
		}
		c.Actions = append(c.Actions, rollingActions(rot)...)
	}
	c.Changed = true
	return c, nil
}

func (s Rotate) Apply(ctx context.Context, run *Run, _ *Target, c *Change) error {
	plan := c.Data.(*rotatePlan)
	start := time.Now()
	defer func() { plan.rot.Duration = time.Since(start) }()
	if plan.rot.Path == PathFullRestart {
		return plan.full.apply(ctx, run, plan)
	}
	x := &rotator{run: run, plan: plan, every: s.every}
	if x.every <= 0 {
		x.every = defaultPollEvery
	}
	if plan.rot.Renew {
		if err := s.renew(run, plan.targets); err != nil {
			return err
		}
	}
	for _, ph := range plan.rot.Phases {
		if ph.Done {
			continue
		}
		if err := x.phase(ctx, ph); err != nil {
			return err
		}
	}
	return nil
}

// certFiles are the inventory's files in validateCerts' order.
func (rt *rotTarget) certFiles() []*certFile {
	tf := rt.t.Node.TLSFiles
	files := []*certFile{
		{local: tf.CA, data: rt.files.ca},
		{local: tf.ServerCert, data: rt.files.serverCert},
		{local: tf.ServerKey, data: rt.files.serverKey},
	}
	if tf.ClientCert != "" {
		files = append(files, &certFile{local: tf.ClientCert, data: rt.files.clientCert}, &certFile{local: tf.ClientKey, data: rt.files.clientKey})
	}
	return files
}

func rotationSummary(rot *Rotation) string {
	switch rot.Path {
	case PathNone:
		return "nothing to rotate: " + rot.Reason
	case PathFullRestart:
		return "full restart: " + rot.Reason
	}
	how := "live reload, no restart"
	if rot.Method == MethodRestart {
		how = "one node restarted at a time: " + rot.MethodReason
	}
	return fmt.Sprintf("%s (%s): %s", rot.Path, how, rot.Reason)
}

// rollingActions lists the phases node by node, as the plan shows them.
func rollingActions(rot *Rotation) []string {
	var a []string
	take := "reload (FLUSH LOCAL SSL; socket.ssl_reload=1 where replication uses TLS)"
	if rot.Method == MethodRestart {
		take = "restart the node and wait until it is Synced"
	}
	for i, ph := range rot.Phases {
		if ph.Done {
			a = append(a, fmt.Sprintf("phase %d %s: already done on every node", i+1, ph.Name))
			continue
		}
		for _, u := range ph.updates {
			a = append(a, fmt.Sprintf("phase %d %s: %s: write %s (%s), %s, verify the certificate its server and Galera present and that every node stays Synced",
				i+1, ph.Name, u.node, strings.Join(u.files(), ", "), u.why, take))
		}
	}
	return a
}

// files names what an update writes, for the plan.
func (u nodeUpdate) files() []string {
	var f []string
	if u.ca {
		f = append(f, "CA file")
	}
	if u.leaves {
		f = append(f, "certificates and keys")
	}
	if len(f) == 0 {
		f = append(f, "nothing")
	}
	return f
}

package playbook

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/playbook/sstuser"
)

// SSTUser creates (or brings in line) the user the SST scripts log in as,
// with REQUIRE SSL and the privileges the SST method needs, and checks on
// every node that the user is there with ssl_type ANY.
//
// Under TOI the statements run once, on the first node that needs them,
// with SET SESSION wsrep_OSU_method='TOI' in the same client call (SET
// GLOBAL would not change the session). Under RSU, or when the nodes
// disagree, they run on every node that needs them, one at a time; each
// node is inspected again right before, so a statement that replicated
// meanwhile is not run twice.
type SSTUser struct{}

func (SSTUser) Name() string { return "sst-user" }
func (SSTUser) Scope() Scope { return Once }

// sstUserPlan is what Apply needs.
type sstUserPlan struct {
	mode string // TOI or RSU
}

func (SSTUser) Plan(ctx context.Context, run *Run, _ *Target) (*Change, error) {
	if run.Inv.SST == nil || run.Inv.SST.User == "" {
		return nil, fmt.Errorf("%w: the inventory's sst block names no user", ErrInvalidInput)
	}
	mode := osuMode(run.Targets)
	c := &Change{}
	plan := &sstUserPlan{mode: mode}
	var needing []string
	for _, t := range run.Targets {
		in, err := sstInput(run, t)
		if err != nil {
			return nil, err
		}
		p, err := inspectSST(ctx, run, t, in)
		if err != nil {
			return nil, err
		}
		for _, w := range p.Warnings {
			c.Actions = append(c.Actions, t.Node.Name+": warning: "+w)
		}
		if !p.Changed {
			continue
		}
		needing = append(needing, t.Node.Name)
		if len(c.SQL) == 0 {
			c.SQL = append(sstuser.SessionPrefix(mode), p.Masked...)
		}
	}
	c.Data = plan
	if mode == "TOI" && len(needing) > 0 && len(needing) < len(run.Targets) {
		// Under TOI the user statements replicate: running them again on
		// one node would fail on the others and break replication.
		return nil, fmt.Errorf("the nodes disagree about SST user %s: %s need changes, the others do not; under TOI this means a node missed replicated statements — compare mysql.user on every node and fix it by hand (or use RSU)", run.Inv.SST.User, strings.Join(needing, ", "))
	}
	switch {
	case len(needing) == 0:
		c.Summary = fmt.Sprintf("user %s present with REQUIRE SSL on all %d nodes", run.Inv.SST.User, len(run.Targets))
	case mode == "TOI":
		c.Changed = true
		c.Summary = fmt.Sprintf("wsrep_OSU_method TOI: run once on %s (replicates), then verify on every node", needing[0])
	default:
		c.Changed = true
		c.Summary = fmt.Sprintf("wsrep_OSU_method RSU: run on %s one at a time, then verify on every node", strings.Join(needing, ", "))
	}
	return c, nil
}

func (SSTUser) Apply(ctx context.Context, run *Run, _ *Target, c *Change) error {
	plan := c.Data.(*sstUserPlan)
	targets := run.Targets
	if plan.mode == "TOI" {
		targets = targets[:1] // replicates to the others; verified below
	}
	for _, t := range targets {
		in, err := sstInput(run, t)
		if err != nil {
			return err
		}
		p, err := inspectSST(ctx, run, t, in)
		if err != nil {
			return err
		}
		if p.Changed {
			script := strings.Join(append(sstuser.SessionPrefix(plan.mode), p.Statements...), "\n") + "\n"
			client := MySQLClient(t.Node)
			client.Sensitive = true // the statements hold the password
			qctx, cancel := context.WithTimeout(ctx, run.Inv.Timeouts.Command)
			_, err := client.Query(qctx, t.Host, script)
			cancel()
			if err != nil {
				return fmt.Errorf("%s: create SST user: %w", t.Node.Name, err)
			}
			t.Log.Info("SST user statements applied", "statements", len(p.Statements), "osu", plan.mode)
		}
	}
	return verifySSTUser(ctx, run)
}

// sstInput describes the wanted user for one node.
func sstInput(run *Run, t *Target) (sstuser.Input, error) {
	sst := run.Inv.SST
	in := sstuser.Input{
		Flavor:   sstuser.Flavor(run.Inv.Flavor),
		User:     sst.User,
		Password: sst.Password.Reveal(), // into SQL on the client's stdin only
		Method:   sst.Method,
	}
	if t.Facts != nil {
		in.ServerVersion = t.Facts.ServerVersion
	}
	if run.Inv.TLS != nil {
		// The method the config will name (xtrabackup-v2 is mariabackup on MariaDB).
		res, err := tlsSettings(run, t)
		if err != nil {
			return in, err
		}
		in.Method = res.Method
	}
	return in, nil
}

// inspectSST reads the user's state on one node and builds its plan.
func inspectSST(ctx context.Context, run *Run, t *Target, in sstuser.Input) (sstuser.Plan, error) {
	qctx, cancel := context.WithTimeout(ctx, run.Inv.Timeouts.Command)
	defer cancel()
	rows, err := MySQLClient(t.Node).Query(qctx, t.Host, sstuser.InspectSQL(in))
	if err != nil {
		return sstuser.Plan{}, fmt.Errorf("%s: inspect SST user: %w", t.Node.Name, err)
	}
	cur, err := sstuser.ParseInspect(rows)
	if err != nil {
		return sstuser.Plan{}, fmt.Errorf("%s: inspect SST user: %w", t.Node.Name, err)
	}
	p, err := sstuser.Build(in, cur)
	if errors.Is(err, sstuser.ErrInvalid) {
		return sstuser.Plan{}, fmt.Errorf("%s: %w: %w", t.Node.Name, ErrInvalidInput, err)
	}
	if err != nil {
		return sstuser.Plan{}, fmt.Errorf("%s: %w", t.Node.Name, err)
	}
	return p, nil
}

// osuMode is TOI when every node runs TOI, else RSU (statements then run
// on each node: safe under either method, because each node is inspected
// again before its turn).
func osuMode(targets []*Target) string {
	for _, t := range targets {
		if t.Facts == nil || !strings.EqualFold(t.Facts.OSUMethod, "TOI") {
			return "RSU"
		}
	}
	return "TOI"
}

// verifySSTUser checks on every node that the user exists with ssl_type
// ANY. TOI replicates before the statement returns on the node that ran
// it, but a node applying a backlog may lag a moment: poll briefly.
func verifySSTUser(ctx context.Context, run *Run) error {
	sst := run.Inv.SST
	q := sstuser.VerifySQL(sst.User, sstuser.DefaultHost)
	return ForEach(ctx, len(run.Targets), run.Inv.Concurrency, func(ctx context.Context, i int) error {
		t := run.Targets[i]
		deadline := time.Now().Add(10 * time.Second)
		for {
			qctx, cancel := context.WithTimeout(ctx, run.Inv.Timeouts.Command)
			rows, err := MySQLClient(t.Node).Query(qctx, t.Host, q)
			cancel()
			if err != nil {
				return fmt.Errorf("%s: verify SST user: %w", t.Node.Name, err)
			}
			if len(rows) == 1 && len(rows[0]) == 3 && strings.EqualFold(rows[0][2], "ANY") {
				return nil
			}
			if time.Now().After(deadline) {
				got := "no such user"
				if len(rows) == 1 && len(rows[0]) == 3 {
					got = fmt.Sprintf("ssl_type %q", rows[0][2])
				}
				return fmt.Errorf("%s: SST user %s@%s did not replicate as expected (%s, want ssl_type ANY): check wsrep_OSU_method and the node's replication", t.Node.Name, sst.User, sstuser.DefaultHost, got)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(300 * time.Millisecond):
			}
		}
	})
}

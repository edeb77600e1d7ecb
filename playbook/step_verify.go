package playbook

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// VerifyTLS is the SSL playbook's last step: every node Synced in one
// cluster of the inventory's size, with the server offering TLS, Galera
// replication over TLS when the inventory asks for it, and the SST method
// the config names. After a restart it reads the nodes again; when nothing
// changed it judges the facts gathered at preflight (read-only).
type VerifyTLS struct{}

func (VerifyTLS) Name() string { return "verify-tls" }
func (VerifyTLS) Scope() Scope { return Once }

func (VerifyTLS) Plan(ctx context.Context, run *Run, _ *Target) (*Change, error) {
	if need, _ := run.NeedsRestart(); need {
		return &Change{Changed: true, Summary: "check TLS and cluster state on every node after the restart"}, nil
	}
	facts := make([]*Facts, len(run.Targets))
	for i, t := range run.Targets {
		facts[i] = t.Facts
	}
	if err := checkTLSFacts(run, facts); err != nil {
		return nil, err
	}
	return Unchanged("verify-tls", "", tlsSummary(run)), nil
}

func (VerifyTLS) Apply(ctx context.Context, run *Run, _ *Target, c *Change) error {
	facts := make([]*Facts, len(run.Targets))
	err := ForEach(ctx, len(run.Targets), run.Inv.Concurrency, func(ctx context.Context, i int) error {
		t := run.Targets[i]
		facts[i] = GatherFacts(ctx, &Conn{Node: t.Node, Host: t.Host}, run.Inv.Timeouts.Command)
		t.Facts = facts[i]
		return nil
	})
	if err != nil {
		return err
	}
	if err := checkTLSFacts(run, facts); err != nil {
		return err
	}
	c.Summary = tlsSummary(run)
	return nil
}

// checkTLSFacts lists every node whose running server does not do what
// the inventory asks.
func checkTLSFacts(run *Run, facts []*Facts) error {
	if err := ClusterVerdict(facts); err != nil {
		return err
	}
	var errs []error
	for i, f := range facts {
		t := run.Targets[i]
		if !f.TLS.Server {
			errs = append(errs, fmt.Errorf("%s: the server does not offer TLS (have_ssl is not YES)", f.Node))
		}
		if run.Inv.TLS != nil && run.Inv.TLS.Replication && !f.TLS.Replication {
			errs = append(errs, fmt.Errorf("%s: Galera replication does not use TLS (socket.ssl is not YES)", f.Node))
		}
		if res, err := tlsSettings(run, t); err == nil && res.Method != "" && !strings.EqualFold(f.SSTMethod, res.Method) {
			errs = append(errs, fmt.Errorf("%s: wsrep_sst_method is %q, want %q", f.Node, f.SSTMethod, res.Method))
		}
	}
	return errors.Join(errs...)
}

func tlsSummary(run *Run) string {
	parts := []string{"server TLS"}
	if run.Inv.TLS != nil && run.Inv.TLS.Replication {
		parts = append(parts, "replication TLS")
	}
	if run.Inv.SST != nil {
		parts = append(parts, "SST "+run.Inv.SST.Method+" with TLS")
	}
	return fmt.Sprintf("%s on all %d nodes, all Synced", strings.Join(parts, ", "), len(run.Targets))
}

// pendingTLS says why a node whose option files are already right still
// needs the restart: its running server has not read them yet (a run that
// stopped before its restart, or a hand edit). "" when the server is up to date.
func pendingTLS(run *Run, t *Target) string {
	f := t.Facts
	if f == nil {
		return ""
	}
	var why []string
	if !f.TLS.Server {
		why = append(why, "the server does not offer TLS yet")
	}
	if run.Inv.TLS != nil && run.Inv.TLS.Replication && !f.TLS.Replication {
		why = append(why, "replication does not use TLS yet")
	}
	if res, err := tlsSettings(run, t); err == nil && res.Method != "" && !strings.EqualFold(f.SSTMethod, res.Method) {
		why = append(why, fmt.Sprintf("the server still runs wsrep_sst_method=%s", f.SSTMethod))
	}
	return strings.Join(why, "; ")
}

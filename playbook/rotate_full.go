package playbook

import (
	"context"
	"fmt"
	"time"
)

// The full path: when certificates have expired or their paths change, a
// node cannot take new files live, so the files and option files go in
// place on every node first and the cluster restarts the way Galera
// demands (Restart: stop all one at a time, bootstrap the last, join the
// others). The existing steps do the work; their backups let the restart
// put a node's files back if it does not come up.
type fullPlan struct {
	targets []*Target
	upload  []*Change
	config  []*Change
	restart *Change
	every   time.Duration
}

func planFull(ctx context.Context, run *Run, every time.Duration) (*fullPlan, error) {
	fp := &fullPlan{targets: run.Targets, every: every}
	for _, t := range run.Targets {
		uc, err := UploadCerts{}.Plan(ctx, run, t)
		if err != nil {
			return nil, fmt.Errorf("%s: upload-certs: %w", t.Node.Name, err)
		}
		uc.Step, uc.Node = UploadCerts{}.Name(), t.Node.Name
		tc, err := TLSConfig{InForce: true}.Plan(ctx, run, t)
		if err != nil {
			return nil, fmt.Errorf("%s: tls-config: %w", t.Node.Name, err)
		}
		tc.Step, tc.Node = TLSConfig{}.Name(), t.Node.Name
		fp.upload, fp.config = append(fp.upload, uc), append(fp.config, tc)
	}
	rc, err := Restart{Always: true, every: every}.Plan(ctx, run, nil)
	if err != nil {
		return nil, fmt.Errorf("restart: %w", err)
	}
	fp.restart = rc
	return fp, nil
}

// actions lists every sub-change for the plan.
func (fp *fullPlan) actions() []string {
	var a []string
	for _, list := range [][]*Change{fp.upload, fp.config} {
		for _, c := range list {
			if !c.Changed {
				continue
			}
			a = append(a, fmt.Sprintf("%s: %s: %s", c.Node, c.Step, c.Summary))
			for _, d := range c.Diffs {
				a = append(a, fmt.Sprintf("%s: %s: %s", c.Node, c.Step, d.Path))
			}
		}
	}
	a = append(a, "restart: "+fp.restart.Summary)
	a = append(a, fp.restart.Actions...)
	return append(a, "verify: TLS on every node, all Synced; the certificate each server presents")
}

func (fp *fullPlan) apply(ctx context.Context, run *Run, plan *rotatePlan) error {
	for i, c := range fp.upload {
		if c.Changed {
			if err := (UploadCerts{}).Apply(ctx, run, fp.targets[i], c); err != nil {
				return fmt.Errorf("%s: upload-certs: %w", c.Node, err)
			}
		}
	}
	for i, c := range fp.config {
		if c.Changed {
			if err := (TLSConfig{InForce: true}).Apply(ctx, run, fp.targets[i], c); err != nil {
				return fmt.Errorf("%s: tls-config: %w", c.Node, err)
			}
		}
	}
	if err := (Restart{Always: true, every: fp.every}).Apply(ctx, run, nil, fp.restart); err != nil {
		return err
	}
	if err := (VerifyTLS{}).Apply(ctx, run, nil, &Change{}); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	// The served certificates, seen from each node's own client.
	for _, rt := range plan.targets {
		if !rt.remote.OpenSSL {
			continue
		}
		sc, err := tlsProbe(ctx, rt.selfProbe(false), run.Inv.Timeouts.Command)
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		out := plan.outcome(rt.t.Node.Name)
		out.After = sc.Serial
		if want := serialOrEmpty(rt.files.serverCert); sc.Serial != want {
			return fmt.Errorf("verify: %s presents serial %s after the restart, not %s", rt.t.Node.Name, sc.Serial, want)
		}
		if c := firstCert(rt.files.serverCert); c != nil {
			out.DaysLeft = int(c.NotAfter.Sub(run.now()) / (24 * time.Hour))
		}
	}
	return nil
}

func (p *rotatePlan) outcome(name string) *NodeRotation {
	for _, n := range p.rot.Nodes {
		if n.Node == name {
			return n
		}
	}
	return nil
}

package playbook

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// verifyNode proves from TLS clients that the node presents the
// certificate it now holds, on its server port and (with replication TLS)
// its Galera port, and that it and every other node still accept each
// other: each probe presents the connecting node's own certificate, and
// TLS 1.2 on the Galera port makes a refused certificate fail the
// handshake. Nothing is taken on the node's word.
func (x *rotator) verifyNode(ctx context.Context, rt *rotTarget) error {
	type check struct {
		req      probeRequest
		to, from *rotTarget
		what     string
	}
	repl := rt.node.replicationSSL
	checks := []check{{req: rt.selfProbe(false), to: rt, from: rt, what: "server"}}
	if repl {
		checks = append(checks, check{req: rt.selfProbe(true), to: rt, from: rt, what: "Galera"})
	}
	for _, o := range x.plan.targets {
		if o == rt {
			continue
		}
		checks = append(checks, check{req: o.probeTo(rt, false), to: rt, from: o, what: "server"})
		if repl {
			checks = append(checks, check{req: o.probeTo(rt, true), to: rt, from: o, what: "Galera"},
				check{req: rt.probeTo(o, true), to: o, from: rt, what: "Galera"})
		}
	}
	results := make([]ServedCert, len(checks))
	errs := make([]error, len(checks))
	_ = ForEach(ctx, len(checks), x.run.Inv.Concurrency, func(ctx context.Context, i int) error {
		results[i], errs[i] = tlsProbe(ctx, checks[i].req, x.run.Inv.Timeouts.Command)
		return nil
	})
	out := x.outcome(rt.t.Node.Name)
	out.Verified = nil
	var problems []string
	for i, c := range checks {
		r, to, from := results[i], c.to.t.Node.Name, c.from.t.Node.Name
		desc := fmt.Sprintf("%s → %s %s (%s)", from, to, c.what, r.Addr)
		want := serialOrEmpty(c.to.node.serverCert)
		switch {
		case errs[i] != nil:
			problems = append(problems, fmt.Sprintf("%s: %v", desc, errs[i]))
		case r.Refused != "":
			problems = append(problems, fmt.Sprintf("%s: %s refused %s's certificate (%s): it does not trust %s's CA", desc, to, from, r.Refused, from))
		case !r.Verified:
			problems = append(problems, fmt.Sprintf("%s: %s's CA file does not verify the certificate %s presents (%s)", desc, from, to, r.Verify))
		case r.Serial != want:
			problems = append(problems, fmt.Sprintf("%s: %s presents serial %s, not the serial %s of the certificate it holds: the reload did not take", desc, to, r.Serial, want))
		default:
			out.Verified = append(out.Verified, fmt.Sprintf("%s: serial %s, verified, accepted", desc, r.Serial))
		}
		if c.to == rt && c.from == rt && c.what == "server" && errs[i] == nil {
			out.After = r.Serial
		}
	}
	if c := firstCert(rt.node.serverCert); c != nil {
		out.DaysLeft = int(c.NotAfter.Sub(x.run.now()) / (24 * time.Hour))
	}
	if len(problems) > 0 {
		return fmt.Errorf("verify: %s", strings.Join(problems, "; "))
	}
	return nil
}

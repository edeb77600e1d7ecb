package playbook

import (
	"context"
	"fmt"

	"github.com/galeraflow/galeraflow/playbook/sslconf"
)

// TLSConfig patches each node's option files so the server, its client
// (and the mysqldump SST donor) and the SST scripts use the certificates
// UploadCerts put in place, and Galera replication uses TLS when the
// inventory asks. What to set per flavor and SST method is sslconf's
// decision; this step only finds where to write it.
type TLSConfig struct {
	// InForce also asks that the running servers use the files: when they
	// are right but a server has not read them yet (a run that stopped
	// before its restart), the step reports a change that needs the
	// restart. The SSL playbook sets it; a playbook without a restart not.
	InForce bool
}

func (TLSConfig) Name() string { return "tls-config" }
func (TLSConfig) Scope() Scope { return PerNode }

func (s TLSConfig) Plan(ctx context.Context, run *Run, t *Target) (*Change, error) {
	res, err := tlsSettings(run, t)
	if err != nil {
		return nil, err
	}
	edits := make([]OptionEdit, 0, len(res.Settings))
	for _, s := range res.Settings {
		e := OptionEdit{Reader: readerOfGroup(s.Group), Group: s.Group, Key: s.Key, Value: s.Value, Secret: s.Secret}
		switch s.Op {
		case sslconf.OpMergeProviderOptions:
			e.ProviderOptions = s.ProviderOptions
		case sslconf.OpRemove:
			e.Remove = true
		}
		edits = append(edits, e)
	}
	c, err := planNodeOptions(ctx, run, t, edits)
	if err != nil {
		return nil, err
	}
	c.Actions = append(res.Notes, c.Actions...)
	if !c.Changed && s.InForce {
		if why := pendingTLS(run, t); why != "" {
			// Nothing to write, but the files are not in force yet.
			c.Changed, c.NeedsRestart = true, true
			c.Summary = "option files already set, but " + why + ": restart needed"
		}
	}
	return c, nil
}

func (s TLSConfig) Apply(ctx context.Context, run *Run, t *Target, c *Change) error {
	return applyNodeOptions(ctx, run, s.Name(), t, c)
}

// tlsSettings asks sslconf what this node's option files must say.
func tlsSettings(run *Run, t *Target) (sslconf.Result, error) {
	inv := run.Inv
	if inv.TLS == nil {
		return sslconf.Result{}, fmt.Errorf("%w: the inventory has no tls block", ErrInvalidInput)
	}
	in := sslconf.Input{
		Flavor:           sslconf.Flavor(inv.Flavor),
		Replication:      inv.TLS.Replication,
		RequireClientSSL: inv.TLS.RequireClientSSL,
	}
	if t.Facts != nil {
		in.ServerVersion = t.Facts.ServerVersion
	}
	p := TLSPaths(inv.TLS.RemoteDir, t.Node.TLSFiles.ClientCert != "")
	in.Files = sslconf.Paths{CA: p.CA, ServerCert: p.ServerCert, ServerKey: p.ServerKey, ClientCert: p.ClientCert, ClientKey: p.ClientKey}
	if inv.SST != nil {
		in.SSTMethod = inv.SST.Method
		in.SSTUser = inv.SST.User
		in.SSTPassword = inv.SST.Password.Reveal() // only into a Setting marked Secret
	}
	res, err := sslconf.Settings(in)
	if err != nil {
		return res, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	return res, nil
}

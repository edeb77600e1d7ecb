package playbook

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/galeraflow/galeraflow/inventory"
	"github.com/galeraflow/galeraflow/remote"
)

// Dialer opens a connection to one node. Tests pass a dialer that returns
// scripted fakes; the CLI uses SSHDialer.
type Dialer func(ctx context.Context, node inventory.Node) (remote.Host, error)

// SSHDialer dials nodes over SSH with the inventory's settings.
func SSHDialer(logger *slog.Logger, prompt remote.PassphraseFunc) Dialer {
	return func(ctx context.Context, node inventory.Node) (remote.Host, error) {
		cfg, err := RemoteConfig(node, logger)
		if err != nil {
			return nil, err
		}
		cfg.PassphrasePrompt = prompt
		c, err := remote.Dial(ctx, cfg)
		if err != nil {
			return nil, err // not a typed nil inside the interface
		}
		return c, nil
	}
}

// RemoteConfig maps an inventory node to a remote connection config. It is
// the only place where the two packages meet.
func RemoteConfig(node inventory.Node, logger *slog.Logger) (remote.Config, error) {
	policy, err := remote.ParseHostKeyPolicy(node.SSH.HostKeyPolicy)
	if err != nil {
		return remote.Config{}, fmt.Errorf("%s: %w", node.Name, err)
	}
	cfg := remote.Config{
		Name:              node.Name,
		Address:           node.Address,
		Port:              node.SSH.Port,
		User:              node.SSH.User,
		IdentityFiles:     node.SSH.Identities,
		Passphrase:        node.SSH.IdentityPassphrase,
		UseAgent:          node.SSH.Agent,
		HostKeyPolicy:     policy,
		SSHConfigFile:     node.SSH.SSHConfig,
		ProxyJump:         node.SSH.Bastion,
		ConnectTimeout:    node.SSH.ConnectTimeout,
		KeepaliveInterval: node.SSH.KeepAlive,
		SudoPassword:      node.SSH.SudoPassword,
		Logger:            logger, // remote names the node in every line it logs
	}
	if node.SSH.KnownHosts != "" {
		cfg.KnownHostsFiles = []string{node.SSH.KnownHosts}
	}
	return cfg, nil
}

// Conn is one node of the inventory with its connection (nil when the dial
// failed, and then Err says why).
type Conn struct {
	Node inventory.Node
	Host remote.Host
	Err  error
	// DialTime is how long the connection took, for reports.
	DialTime time.Duration
}

// Connect dials every node in parallel (at most inv.Concurrency at once)
// and returns one Conn per node in inventory order, plus the joined dial
// errors. Callers that need every node treat a non-nil error as fatal;
// check and status report per node instead.
func Connect(ctx context.Context, inv *inventory.Inventory, dial Dialer) ([]*Conn, error) {
	conns := make([]*Conn, len(inv.Nodes))
	err := ForEach(ctx, len(inv.Nodes), inv.Concurrency, func(ctx context.Context, i int) error {
		node := inv.Nodes[i]
		start := time.Now()
		h, err := dial(ctx, node)
		conns[i] = &Conn{Node: node, Host: h, Err: err, DialTime: time.Since(start)}
		return err
	})
	return conns, err
}

// CloseAll closes every open connection.
func CloseAll(conns []*Conn) {
	for _, c := range conns {
		if c != nil && c.Host != nil {
			_ = c.Host.Close()
		}
	}
}

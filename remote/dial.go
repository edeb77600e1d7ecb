package remote

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Dial connects to the node (through the ProxyJump chain, if any), checks
// every host key against known_hosts and logs in. The returned Client keeps
// that one connection for every later call.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	r, err := resolve(cfg)
	if err != nil {
		return nil, err
	}
	auth := newAuthSource(r)
	defer auth.close()

	var chain []*ssh.Client
	closeChain := func() {
		for i := len(chain) - 1; i >= 0; i-- {
			chain[i].Close()
		}
	}
	hops := append(append([]hop{}, r.jumps...), r.target)
	for i, h := range hops {
		var via *ssh.Client
		if i > 0 {
			via = chain[i-1]
		}
		cl, err := dialHop(ctx, r, auth, h, via, i < len(hops)-1)
		if err != nil {
			closeChain()
			return nil, err
		}
		chain = append(chain, cl)
	}
	c := newClient(r, chain[len(chain)-1], chain[:len(chain)-1])
	r.Logger.Debug("connected", "node", r.Name, "addr", r.target.hostPort, "user", r.User, "jumps", len(r.jumps))
	return c, nil
}

// dialHop opens the TCP connection (directly, or forwarded by via) and runs
// the SSH handshake, both bounded by ctx and the connect timeout.
func dialHop(ctx context.Context, r *resolved, auth *authSource, h hop, via *ssh.Client, jump bool) (*ssh.Client, error) {
	where := fmt.Sprintf("%s (%s)", r.Name, h.hostPort)
	if jump {
		where = fmt.Sprintf("%s: jump host %s (%s)", r.Name, h.alias, h.hostPort)
	}
	checker, err := newHostKeyChecker(where, h, r.KnownHostsFiles, r.HostKeyPolicy)
	if err != nil {
		return nil, err
	}
	methods, err := auth.methods(r, h)
	if err != nil {
		return nil, err
	}
	conf := &ssh.ClientConfig{
		User:              h.user,
		Auth:              methods,
		HostKeyCallback:   checker.check,
		HostKeyAlgorithms: checker.algorithms(),
		Timeout:           r.ConnectTimeout,
	}

	dctx, cancel := context.WithTimeout(ctx, r.ConnectTimeout)
	defer cancel()
	var conn net.Conn
	if via == nil {
		var d net.Dialer
		conn, err = d.DialContext(dctx, "tcp", h.hostPort)
	} else {
		conn, err = via.DialContext(dctx, "tcp", h.hostPort)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: connect: %w", where, ctx.Err())
		}
		if errors.Is(dctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("%s: %w: connect timed out after %s", where, ErrUnreachable, r.ConnectTimeout)
		}
		return nil, fmt.Errorf("%s: %w: %v", where, ErrUnreachable, err)
	}

	// The handshake has no context: closing the connection aborts it.
	stop := context.AfterFunc(dctx, func() { conn.Close() })
	sc, chans, reqs, err := ssh.NewClientConn(conn, h.hostPort, conf)
	if !stop() && err == nil {
		sc.Close()
		err = dctx.Err()
	}
	if err != nil {
		conn.Close()
		return nil, classifyHandshake(ctx, dctx, where, r, h, checker, auth, err)
	}
	return ssh.NewClient(sc, chans, reqs), nil
}

// classifyHandshake turns a failed handshake into an error wrapping the
// matching sentinel, naming the node and address.
func classifyHandshake(ctx, dctx context.Context, where string, r *resolved, h hop, checker *hostKeyChecker, auth *authSource, err error) error {
	if v := checker.verdict(); v != nil {
		return v
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s: ssh handshake: %w", where, ctx.Err())
	}
	if dctx.Err() != nil {
		return fmt.Errorf("%s: %w: ssh handshake timed out after %s", where, ErrUnreachable, r.ConnectTimeout)
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "unable to authenticate") || strings.Contains(msg, "no supported methods remain"):
		return fmt.Errorf("%s: %w as %s: the server refused every key offered; tried %s",
			where, ErrAuth, h.user, auth.describe())
	case strings.Contains(msg, "no common algorithm for host key") && len(checker.known) > 0:
		return checker.noCommonAlgorithm(err)
	}
	return fmt.Errorf("%s: %w: ssh handshake failed: %v", where, ErrUnreachable, err)
}

package remote

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// Client is a connected node: one SSH connection, reused for every command
// and file operation, and one SFTP session opened on first use.
type Client struct {
	cfg  *resolved
	name string
	log  *slog.Logger
	conn *ssh.Client
	hops []*ssh.Client // jump host connections, closed after conn

	done      chan struct{} // closed by Close
	lost      chan struct{} // closed when the connection ends
	lostErr   error         // why; read only after lost is closed
	closeOnce sync.Once

	sftpMu sync.Mutex
	sftp   *sftp.Client
	home   string              // the login user's home, from the SFTP server
	ids    *nodeIDs            // the node's user and group names (SFTP fast path)
	dirs   map[string]*dirWork // per directory, the fast path's shared work (sftp_dirs.go)

	stagingSwept sync.Once // leftovers of cut uploads removed (write.go)
}

var _ Host = (*Client)(nil)

func newClient(r *resolved, conn *ssh.Client, hops []*ssh.Client) *Client {
	c := &Client{
		cfg:  r,
		name: r.Name,
		log:  r.Logger,
		conn: conn,
		hops: hops,
		done: make(chan struct{}),
		lost: make(chan struct{}),
	}
	go func() {
		c.lostErr = conn.Wait()
		close(c.lost)
	}()
	if r.KeepaliveInterval > 0 {
		go c.keepalive(r.KeepaliveInterval, r.KeepaliveCountMax)
	}
	return c
}

// Name is the node name.
func (c *Client) Name() string { return c.name }

// User is the login user on the node.
func (c *Client) User() string { return c.cfg.User }

// Address is the node's host:port as dialled.
func (c *Client) Address() string { return c.cfg.target.hostPort }

// isRoot says whether privileged work needs no sudo.
func (c *Client) isRoot() bool { return c.cfg.User == "root" }

// Close ends the SFTP session and the connection, then the jump hosts'.
func (c *Client) Close() error {
	var err error
	c.closeOnce.Do(func() {
		close(c.done)
		c.sftpMu.Lock()
		if c.sftp != nil {
			c.sftp.Close()
			c.sftp = nil
		}
		c.sftpMu.Unlock()
		err = c.conn.Close()
		for i := len(c.hops) - 1; i >= 0; i-- {
			c.hops[i].Close()
		}
		if isClosedErr(err) {
			err = nil
		}
	})
	if err != nil {
		return fmt.Errorf("%s: close: %w", c.name, err)
	}
	return nil
}

// keepalive sends keepalive@openssh.com requests and closes a connection
// that stops answering, so calls fail fast instead of hanging on a dead peer.
func (c *Client) keepalive(interval time.Duration, countMax int) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-c.lost:
			return
		case <-t.C:
		}
		reply := make(chan error, 1)
		go func() {
			// Any reply (even "request failed") proves the peer is alive.
			_, _, err := c.conn.SendRequest("keepalive@openssh.com", true, nil)
			reply <- err
		}()
		wait := time.NewTimer(interval * time.Duration(countMax))
		select {
		case err := <-reply:
			wait.Stop()
			if err != nil {
				c.log.Debug("keepalive failed", "node", c.name, "err", err)
				c.conn.Close()
				return
			}
		case <-wait.C:
			c.log.Warn("no keepalive reply: closing the connection", "node", c.name,
				"after", interval*time.Duration(countMax))
			c.conn.Close()
			return
		case <-c.done:
			wait.Stop()
			return
		}
	}
}

// connErr explains a failure to use the connection: a connection that has
// ended gives an error wrapping ErrUnreachable.
func (c *Client) connErr(what string, err error) error {
	select {
	case <-c.done:
		return fmt.Errorf("%s: %s: connection closed: %w", c.name, what, err)
	case <-c.lost:
		if c.lostErr != nil {
			return fmt.Errorf("%s (%s): %s: %w: connection lost: %v", c.name, c.Address(), what, ErrUnreachable, c.lostErr)
		}
		return fmt.Errorf("%s (%s): %s: %w: connection lost", c.name, c.Address(), what, ErrUnreachable)
	default:
	}
	return fmt.Errorf("%s: %s: %w", c.name, what, err)
}

// withSFTP runs fn with the shared SFTP client. Cancelling ctx closes that
// SFTP session (the next call opens a new one) and returns ctx's error.
func (c *Client) withSFTP(ctx context.Context, what string, fn func(*sftp.Client) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %s: %w", c.name, what, err)
	}
	sc, err := c.sftpClient(ctx)
	if err != nil {
		return err
	}
	res := make(chan error, 1)
	go func() { res <- fn(sc) }()
	select {
	case err := <-res:
		if errors.Is(err, sftp.ErrSSHFxConnectionLost) {
			c.dropSFTP(sc)
			return c.connErr(what, err)
		}
		return err
	case <-ctx.Done():
		c.dropSFTP(sc)
		return fmt.Errorf("%s: %s: %w", c.name, what, ctx.Err())
	}
}

func (c *Client) sftpClient(ctx context.Context) (*sftp.Client, error) {
	c.sftpMu.Lock()
	defer c.sftpMu.Unlock()
	if c.sftp != nil {
		return c.sftp, nil
	}
	select {
	case <-c.done:
		return nil, fmt.Errorf("%s: sftp: client closed", c.name)
	default:
	}
	type opened struct {
		sc  *sftp.Client
		err error
	}
	res := make(chan opened, 1)
	go func() {
		sc, err := sftp.NewClient(c.conn)
		res <- opened{sc, err}
	}()
	select {
	case o := <-res:
		if o.err != nil {
			return nil, c.connErr("start sftp", o.err)
		}
		c.sftp = o.sc
		return o.sc, nil
	case <-ctx.Done():
		go func() {
			if o := <-res; o.sc != nil {
				o.sc.Close()
			}
		}()
		return nil, fmt.Errorf("%s: start sftp: %w", c.name, ctx.Err())
	}
}

// dropSFTP forgets a broken or interrupted SFTP session.
func (c *Client) dropSFTP(sc *sftp.Client) {
	c.sftpMu.Lock()
	defer c.sftpMu.Unlock()
	if c.sftp == sc {
		c.sftp = nil
	}
	sc.Close()
}

// homeDir returns the login user's home as the SFTP server reports it.
func (c *Client) homeDir(ctx context.Context) (string, error) {
	c.sftpMu.Lock()
	home := c.home
	c.sftpMu.Unlock()
	if home != "" {
		return home, nil
	}
	err := c.withSFTP(ctx, "find home directory", func(sc *sftp.Client) error {
		h, err := sc.Getwd()
		if err != nil {
			return fmt.Errorf("%s: find home directory: %w", c.name, err)
		}
		home = h
		return nil
	})
	if err != nil {
		return "", err
	}
	c.sftpMu.Lock()
	c.home = home
	c.sftpMu.Unlock()
	return home, nil
}

func isClosedErr(err error) bool {
	return err == nil || errors.Is(err, net.ErrClosed)
}

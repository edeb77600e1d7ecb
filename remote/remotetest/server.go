// Package remotetest helps test code that uses remote: Server is an
// in-process SSH+SFTP server that runs commands with the local shell, and
// Fake is a scripted remote.Host for step tests.
package remotetest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Options configure a Server. The zero value gives one ed25519 host key,
// sudo without a password and a fresh root directory.
type Options struct {
	// HostKeys are offered in this order; default one new ed25519 key.
	HostKeys []ssh.Signer
	// Sudo and SudoPassword set the sudo shim's behaviour (see SetSudo).
	Sudo         SudoMode
	SudoPassword string
	// Root is the server's directory (homes, the program shims, logs);
	// default t.TempDir().
	Root string
}

// Server is an SSH server on 127.0.0.1 for tests. Commands run as the test
// process's own user with /bin/sh in the login user's home (Root/home/<user>,
// Root/root for root), with Bin() first on PATH. It speaks exec, the sftp
// subsystem, direct-tcpip (so it can be a ProxyJump hop) and answers
// keepalive@openssh.com. Like OpenSSH, it does not stop a command whose
// channel was closed and ignores "signal" requests from root logins.
type Server struct {
	t        testing.TB
	root     string
	bin      string
	ln       net.Listener
	addr     *net.TCPAddr
	hostKeys []ssh.Signer
	config   *ssh.ServerConfig

	mu        sync.Mutex
	keys      map[string][]ssh.PublicKey
	passwords map[string]string
	conns     map[*ssh.ServerConn]bool
	procs     map[*os.Process]bool
	closed    bool

	keepalives atomic.Bool  // answer keepalive requests
	forwards   atomic.Int64 // direct-tcpip channels opened
	logins     atomic.Int64 // SSH connections authenticated
	wg         sync.WaitGroup
}

// NewServer starts a server and stops it when the test ends.
func NewServer(t testing.TB, opts Options) *Server {
	t.Helper()
	root := opts.Root
	if root == "" {
		root = t.TempDir()
	}
	s := &Server{
		t:         t,
		root:      root,
		bin:       filepath.Join(root, "bin"),
		hostKeys:  opts.HostKeys,
		keys:      map[string][]ssh.PublicKey{},
		passwords: map[string]string{},
		conns:     map[*ssh.ServerConn]bool{},
		procs:     map[*os.Process]bool{},
	}
	s.keepalives.Store(true)
	if len(s.hostKeys) == 0 {
		s.hostKeys = []ssh.Signer{NewHostKey(t, "ed25519")}
	}
	if err := os.MkdirAll(s.bin, 0o755); err != nil {
		t.Fatalf("remotetest: %v", err)
	}
	s.SetSudo(opts.Sudo, opts.SudoPassword)

	s.config = &ssh.ServerConfig{
		PublicKeyCallback: s.checkKey,
		PasswordCallback:  s.checkPassword,
	}
	for _, k := range s.hostKeys {
		s.config.AddHostKey(k)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("remotetest: listen: %v", err)
	}
	s.ln = ln
	s.addr = ln.Addr().(*net.TCPAddr)
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(func() { s.Close() })
	return s
}

// NewHostKey generates a key of type "ed25519", "ecdsa" (P-256) or "rsa" (2048 bits).
func NewHostKey(t testing.TB, typ string) ssh.Signer {
	t.Helper()
	var key any
	var err error
	switch typ {
	case "ed25519":
		_, key, err = ed25519.GenerateKey(rand.Reader)
	case "ecdsa":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "rsa":
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		t.Fatalf("remotetest: unknown key type %q", typ)
	}
	if err != nil {
		t.Fatalf("remotetest: generate %s key: %v", typ, err)
	}
	s, err := ssh.NewSignerFromKey(key)
	if err != nil {
		t.Fatalf("remotetest: %v", err)
	}
	return s
}

// Host is the address to dial ("127.0.0.1"); Port the port.
func (s *Server) Host() string { return s.addr.IP.String() }
func (s *Server) Port() int    { return s.addr.Port }

// Addr is host:port.
func (s *Server) Addr() string { return s.addr.String() }

// Root is the server's directory; Bin the directory first on PATH.
func (s *Server) Root() string { return s.root }
func (s *Server) Bin() string  { return s.bin }

// Home is a user's home directory (created on first login or here).
func (s *Server) Home(user string) string {
	h := filepath.Join(s.root, "home", user)
	if user == "root" {
		h = filepath.Join(s.root, "root")
	}
	if err := os.MkdirAll(h, 0o755); err != nil {
		s.t.Errorf("remotetest: %v", err)
	}
	return h
}

// HostKeys are the server's public host keys, in offer order.
func (s *Server) HostKeys() []ssh.PublicKey {
	out := make([]ssh.PublicKey, len(s.hostKeys))
	for i, k := range s.hostKeys {
		out[i] = k.PublicKey()
	}
	return out
}

// KnownHostsLine is a known_hosts line for the server's first host key.
func (s *Server) KnownHostsLine() string {
	return knownhosts.Line([]string{knownhosts.Normalize(s.Addr())}, s.hostKeys[0].PublicKey())
}

// KnownHostsLineFor is a known_hosts line for any key at this server's address.
func (s *Server) KnownHostsLineFor(key ssh.PublicKey) string {
	return knownhosts.Line([]string{knownhosts.Normalize(s.Addr())}, key)
}

// Forwards counts the direct-tcpip (ProxyJump) channels served so far.
func (s *Server) Forwards() int { return int(s.forwards.Load()) }

// Connections counts the SSH connections that logged in so far.
func (s *Server) Connections() int { return int(s.logins.Load()) }

// AuthorizeKey lets user log in with key.
func (s *Server) AuthorizeKey(user string, key ssh.PublicKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[user] = append(s.keys[user], key)
}

// SetPassword lets user log in with a password.
func (s *Server) SetPassword(user, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.passwords[user] = password
}

// SetKeepaliveReplies makes the server answer (true, the default) or
// silently ignore keepalive requests, like a peer that has died.
func (s *Server) SetKeepaliveReplies(on bool) { s.keepalives.Store(on) }

// AddProgram writes an executable script into Bin(), e.g. a fake mariadb.
func (s *Server) AddProgram(name, script string) string {
	p := filepath.Join(s.bin, name)
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		s.t.Fatalf("remotetest: %v", err)
	}
	return p
}

func (s *Server) checkKey(md ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	want := key.Marshal()
	for _, k := range s.keys[md.User()] {
		if bytes.Equal(k.Marshal(), want) {
			return &ssh.Permissions{}, nil
		}
	}
	return nil, fmt.Errorf("key not authorized for %s", md.User())
}

func (s *Server) checkPassword(md ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if want, ok := s.passwords[md.User()]; ok && want == string(pw) {
		return &ssh.Permissions{}, nil
	}
	return nil, fmt.Errorf("wrong password for %s", md.User())
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serveConn(nc)
		}()
	}
}

func (s *Server) serveConn(nc net.Conn) {
	sc, chans, reqs, err := ssh.NewServerConn(nc, s.config)
	if err != nil {
		nc.Close()
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		sc.Close()
		return
	}
	s.conns[sc] = true
	s.mu.Unlock()
	s.logins.Add(1)
	defer func() {
		s.mu.Lock()
		delete(s.conns, sc)
		s.mu.Unlock()
		sc.Close()
	}()
	go s.globalRequests(reqs)
	for nch := range chans {
		switch nch.ChannelType() {
		case "session":
			ch, chReqs, err := nch.Accept()
			if err != nil {
				continue
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.session(sc.User(), ch, chReqs)
			}()
		case "direct-tcpip":
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.forward(nch)
			}()
		default:
			nch.Reject(ssh.UnknownChannelType, "not supported")
		}
	}
}

func (s *Server) globalRequests(reqs <-chan *ssh.Request) {
	for req := range reqs {
		if req.Type == "keepalive@openssh.com" {
			if s.keepalives.Load() {
				req.Reply(true, nil)
			}
			continue // a dead peer never answers
		}
		if req.WantReply {
			req.Reply(false, nil)
		}
	}
}

// forward serves a direct-tcpip channel (ProxyJump).
func (s *Server) forward(nch ssh.NewChannel) {
	var p struct {
		Host     string
		Port     uint32
		OrigHost string
		OrigPort uint32
	}
	if err := ssh.Unmarshal(nch.ExtraData(), &p); err != nil {
		nch.Reject(ssh.ConnectionFailed, "bad request")
		return
	}
	nc, err := net.Dial("tcp", net.JoinHostPort(p.Host, strconv.Itoa(int(p.Port))))
	if err != nil {
		nch.Reject(ssh.ConnectionFailed, err.Error())
		return
	}
	ch, reqs, err := nch.Accept()
	if err != nil {
		nc.Close()
		return
	}
	s.forwards.Add(1)
	go ssh.DiscardRequests(reqs)
	done := make(chan struct{}, 2)
	go func() { copyClose(nc, ch); done <- struct{}{} }()
	go func() { copyClose(ch, nc); done <- struct{}{} }()
	<-done
	<-done
	ch.Close()
	nc.Close()
}

func copyClose(dst interface {
	Write([]byte) (int, error)
}, src interface{ Read([]byte) (int, error) }) {
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	if cw, ok := dst.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
}

// Close stops the server: the listener, every connection and every
// command still running.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	for p := range s.procs {
		killGroup(p)
	}
	s.mu.Unlock()
	err := s.ln.Close()
	s.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

package remote

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// hostKeyChecker verifies one hop's host key against known_hosts and keeps
// the first failure with a message that says what to do.
type hostKeyChecker struct {
	where    string // "node (host:port)" or "node: jump host ...", for messages
	hop      hop
	files    []string // existing known_hosts files, in order
	first    string   // where AcceptNew appends
	policy   HostKeyPolicy
	callback ssh.HostKeyCallback // nil when no file exists
	known    []knownhosts.KnownKey

	mu  sync.Mutex
	err error // the verdict, reported instead of the handshake's generic error
}

// newHostKeyChecker loads the known_hosts files and finds the keys known for
// the hop, so the handshake can ask only for those key types.
func newHostKeyChecker(where string, h hop, files []string, policy HostKeyPolicy) (*hostKeyChecker, error) {
	c := &hostKeyChecker{where: where, hop: h, policy: policy}
	if len(files) > 0 {
		c.first = files[0]
	}
	if policy == HostKeyInsecureIgnore {
		return c, nil
	}
	for _, f := range files {
		if _, err := os.Stat(f); err == nil {
			c.files = append(c.files, f)
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: known_hosts: %w", where, err)
		}
	}
	if len(c.files) == 0 {
		return c, nil
	}
	cb, err := knownhosts.New(c.files...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	c.callback = cb
	// Asking about a key nobody has returns every key known for the host.
	var ke *knownhosts.KeyError
	if err := cb(h.hostPort, probeAddr(), probeKey()); errors.As(err, &ke) {
		c.known = ke.Want
	}
	return c, nil
}

// probeKey is a fixed public key (from an all-zero seed) that is never a real host key.
func probeKey() ssh.PublicKey {
	pub := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public()
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		panic(err) // a fixed valid ed25519 key always converts
	}
	return k
}

func probeAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4zero, Port: 22} }

// algorithms lists the host key algorithms of the keys known for the host,
// nil when none are known (any algorithm, then verified). Without this the
// server may offer, say, RSA first for a host known only by its ed25519
// key, and the check would report a mismatch.
func (c *hostKeyChecker) algorithms() []string {
	var algos []string
	for _, k := range c.known {
		t := k.Key.Type()
		var add []string
		switch t {
		case ssh.KeyAlgoRSA:
			add = []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
		default:
			add = []string{t}
		}
		for _, a := range add {
			if !slices.Contains(algos, a) {
				algos = append(algos, a)
			}
		}
	}
	return algos
}

// check is the ssh.HostKeyCallback.
func (c *hostKeyChecker) check(hostname string, remote net.Addr, key ssh.PublicKey) error {
	err := c.verify(hostname, remote, key)
	if err != nil {
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
	}
	return err
}

func (c *hostKeyChecker) verify(hostname string, remote net.Addr, key ssh.PublicKey) error {
	if c.policy == HostKeyInsecureIgnore {
		return ssh.InsecureIgnoreHostKey()(hostname, remote, key)
	}
	if c.callback != nil {
		err := c.callback(c.hop.hostPort, remote, key)
		var ke *knownhosts.KeyError
		var re *knownhosts.RevokedError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &re):
			return fmt.Errorf("%s: %w: the %s key %s is marked @revoked in %s:%d",
				c.where, ErrHostKeyMismatch, key.Type(), ssh.FingerprintSHA256(key),
				re.Revoked.Filename, re.Revoked.Line)
		case errors.As(err, &ke) && len(ke.Want) > 0:
			return c.mismatch(key, ke.Want)
		case errors.As(err, &ke):
			// unknown: handled below
		default:
			return fmt.Errorf("%s: %w: %v", c.where, ErrHostKeyUnknown, err)
		}
	}
	if c.policy == HostKeyAcceptNew {
		return c.appendKnown(key)
	}
	return c.unknown(key)
}

func (c *hostKeyChecker) mismatch(key ssh.PublicKey, want []knownhosts.KnownKey) error {
	var where []string
	for _, w := range want {
		where = append(where, fmt.Sprintf("%s:%d (%s %s)", w.Filename, w.Line, w.Key.Type(), ssh.FingerprintSHA256(w.Key)))
	}
	return fmt.Errorf("%s: %w: REMOTE HOST IDENTIFICATION HAS CHANGED! "+
		"The server offered the %s key %s, but known_hosts holds a different key at %s. "+
		"Someone could be eavesdropping on you right now (man-in-the-middle attack), or the host key has just been changed. "+
		"If the change is expected, remove the old entry (ssh-keygen -R %s -f %s) and add the new key",
		c.where, ErrHostKeyMismatch, key.Type(), ssh.FingerprintSHA256(key),
		strings.Join(where, ", "), ShellQuote(knownhosts.Normalize(c.hop.hostPort)), ShellQuote(want[0].Filename))
}

func (c *hostKeyChecker) unknown(key ssh.PublicKey) error {
	where := "no known_hosts file exists"
	if c.first != "" {
		where += " (" + c.first + ")"
	}
	if len(c.files) > 0 {
		where = "it is not in " + strings.Join(c.files, ", ")
	}
	portArg := ""
	if c.hop.port != 22 {
		portArg = fmt.Sprintf("-p %d ", c.hop.port)
	}
	return fmt.Errorf("%s: %w: %s; the server offered the %s key %s. "+
		"Verify that fingerprint out of band, then add the key: ssh-keyscan %s-t %s %s >> %s "+
		"(or set the host key policy to accept-new)",
		c.where, ErrHostKeyUnknown, where, key.Type(), ssh.FingerprintSHA256(key),
		portArg, keyscanType(key.Type()), ShellQuote(c.hop.host), ShellQuote(c.first))
}

// appendKnown records an unknown host's key (accept-new), creating the
// file and its directory privately when missing.
func (c *hostKeyChecker) appendKnown(key ssh.PublicKey) error {
	if c.first == "" {
		return fmt.Errorf("%s: %w: accept-new needs a known_hosts file", c.where, ErrHostKeyUnknown)
	}
	if err := os.MkdirAll(filepath.Dir(c.first), 0o700); err != nil {
		return fmt.Errorf("%s: accept-new: %w", c.where, err)
	}
	f, err := os.OpenFile(c.first, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("%s: accept-new: %w", c.where, err)
	}
	line := knownhosts.Line([]string{knownhosts.Normalize(c.hop.hostPort)}, key) + "\n"
	if st, err := f.Stat(); err == nil && st.Size() > 0 && !endsWithNewline(c.first, st.Size()) {
		line = "\n" + line
	}
	_, werr := f.WriteString(line)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return fmt.Errorf("%s: accept-new: append to %s: %w", c.where, c.first, err)
	}
	return nil
}

func endsWithNewline(path string, size int64) bool {
	f, err := os.Open(path)
	if err != nil {
		return true
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, size-1); err != nil {
		return true
	}
	return b[0] == '\n'
}

// verdict returns the host key failure seen during the handshake, if any.
func (c *hostKeyChecker) verdict() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// noCommonAlgorithm explains a handshake that failed because the server
// has none of the key types known for it.
func (c *hostKeyChecker) noCommonAlgorithm(err error) error {
	var where []string
	for _, w := range c.known {
		where = append(where, fmt.Sprintf("%s:%d (%s)", w.Filename, w.Line, w.Key.Type()))
	}
	return fmt.Errorf("%s: %w: REMOTE HOST IDENTIFICATION HAS CHANGED! The server offers none of the host key types known for it at %s (%v). "+
		"If the change is expected, remove the old entry (ssh-keygen -R %s) and add the new key",
		c.where, ErrHostKeyMismatch, strings.Join(where, ", "), err, ShellQuote(knownhosts.Normalize(c.hop.hostPort)))
}

// keyscanType maps a key type to ssh-keyscan's -t name.
func keyscanType(t string) string {
	switch {
	case t == ssh.KeyAlgoED25519:
		return "ed25519"
	case t == ssh.KeyAlgoRSA:
		return "rsa"
	case strings.HasPrefix(t, "ecdsa-"):
		return "ecdsa"
	}
	return t
}

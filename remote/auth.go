package remote

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// authSource gathers the public keys offered to every hop: the agent's
// first, then the identity files. x/crypto tries each auth method name only
// once, so all keys travel in one "publickey" method.
type authSource struct {
	node  string
	agent agent.ExtendedAgent
	conn  net.Conn // the agent socket, closed after the dial
	files map[string]ssh.Signer
	// tried describes what was offered, for the ErrAuth message (never a secret).
	tried []string
}

func newAuthSource(r *resolved) *authSource {
	a := &authSource{node: r.Name, files: map[string]ssh.Signer{}}
	if r.UseAgent {
		if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" {
			conn, err := net.Dial("unix", sock)
			if err != nil {
				r.Logger.Warn("ssh-agent unavailable", "node", r.Name, "err", err)
			} else {
				a.conn = conn
				a.agent = agent.NewClient(conn)
			}
		} else {
			r.Logger.Debug("ssh-agent requested but SSH_AUTH_SOCK is not set", "node", r.Name)
		}
	}
	return a
}

func (a *authSource) close() {
	if a.conn != nil {
		a.conn.Close()
	}
}

// methods returns the auth methods for a hop that uses the given key files.
func (a *authSource) methods(r *resolved, h hop) ([]ssh.AuthMethod, error) {
	files := h.idFiles
	explicit := len(files) > 0
	if !explicit {
		files = defaultIdentityFiles()
	}
	var signers []ssh.Signer
	var desc []string
	for _, f := range files {
		s, err := a.loadKey(r, f)
		if err != nil {
			if !explicit && errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, err
		}
		signers = append(signers, s)
		desc = append(desc, f)
	}
	ag := a.agent
	if ag == nil && len(signers) == 0 {
		return nil, fmt.Errorf("%s (%s): %w: no key to offer (no identity file found, ssh-agent not used)", r.Name, h.hostPort, ErrAuth)
	}
	tried := "publickey ("
	if ag != nil {
		tried += "ssh-agent"
		if len(desc) > 0 {
			tried += ", "
		}
	}
	tried += strings.Join(desc, ", ") + ")"
	a.tried = append(a.tried, tried)
	cb := func() ([]ssh.Signer, error) {
		var all []ssh.Signer
		if ag != nil {
			if s, err := ag.Signers(); err == nil {
				all = append(all, s...)
			}
		}
		return append(all, signers...), nil
	}
	return []ssh.AuthMethod{ssh.PublicKeysCallback(cb)}, nil
}

func (a *authSource) describe() string {
	if len(a.tried) == 0 {
		return "none"
	}
	return a.tried[len(a.tried)-1]
}

// loadKey reads a private key, decrypting it with the configured passphrase
// or the prompt. Signers are cached so one key is decrypted once per dial.
func (a *authSource) loadKey(r *resolved, file string) (ssh.Signer, error) {
	if s, ok := a.files[file]; ok {
		return s, nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%s: identity file: %w", r.Name, err)
	}
	s, err := ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		pass := r.Passphrase
		if pass.IsZero() && r.PassphrasePrompt != nil {
			pass, err = r.PassphrasePrompt(file)
			if err != nil {
				return nil, fmt.Errorf("%s: passphrase for %s: %w", r.Name, file, err)
			}
		}
		if pass.IsZero() {
			return nil, fmt.Errorf("%s: %w: identity file %s is encrypted and no passphrase is configured", r.Name, ErrAuth, file)
		}
		s, err = ssh.ParsePrivateKeyWithPassphrase(pem, []byte(pass.Reveal()))
		if err != nil {
			// The parser's error names no secret, but keep it generic anyway.
			return nil, fmt.Errorf("%s: %w: cannot decrypt identity file %s: wrong passphrase?", r.Name, ErrAuth, file)
		}
	} else if err != nil {
		return nil, fmt.Errorf("%s: identity file %s: %w", r.Name, file, err)
	}
	a.files[file] = s
	return s, nil
}

func defaultIdentityFiles() []string {
	var out []string
	for _, n := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
		out = append(out, expandHome("~/.ssh/"+n))
	}
	return out
}

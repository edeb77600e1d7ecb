package playbook

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/playbook/certs"
	"github.com/galeraflow/galeraflow/remote"
)

// RemoteFile is one TLS file as found on a node.
type RemoteFile struct {
	Path   string      `json:"path"`
	Exists bool        `json:"exists"`
	Owner  string      `json:"owner,omitempty"`
	Group  string      `json:"group,omitempty"`
	Mode   fs.FileMode `json:"mode,omitempty"`
	// Data is a certificate file's content; empty for keys.
	Data []byte `json:"-"`
	// Public is a key file's public key (never the private key).
	Public crypto.PublicKey `json:"-"`
	// Err says why a key could not be read.
	Err string `json:"error,omitempty"`
}

// RemoteTLS is what a node holds at its TLS paths.
type RemoteTLS struct {
	Node       string
	Paths      RemoteTLSPaths
	CA         RemoteFile
	ServerCert RemoteFile
	ServerKey  RemoteFile
	ClientCert RemoteFile
	ClientKey  RemoteFile
	// OpenSSL: the node has the openssl command (key files were read as
	// public keys on the node; certificate probes need it).
	OpenSSL bool
}

// readTLSScript prints, for each "kind path" pair of arguments, a header
// line "##galeraflow STATUS OWNER GROUP MODE" and, for certificates, the
// content. A key is turned into its public key on the node when openssl is
// there, so the private key never leaves it; otherwise the key itself is
// sent (over the SSH channel, never logged) and reduced to its public key
// by the controller.
const readTLSScript = `o=0; command -v openssl >/dev/null 2>&1 && o=1
echo "##galeraflow openssl $o"
while [ $# -ge 2 ]; do
  k=$1; f=$2; shift 2
  if [ ! -e "$f" ]; then echo "##galeraflow missing"; continue; fi
  m=$(stat -L -c '%U %G %a' -- "$f" 2>/dev/null) || m="? ? 0"
  if [ "$k" = key ] && [ $o = 1 ]; then
    if p=$(openssl pkey -in "$f" -pubout -passin pass: </dev/null 2>/dev/null); then
      echo "##galeraflow pub $m"; printf '%s\n' "$p"
    else echo "##galeraflow badkey $m"; fi
  elif [ "$k" = key ]; then echo "##galeraflow key $m"; cat -- "$f"; echo
  else echo "##galeraflow cert $m"; cat -- "$f"; echo; fi
done
echo "##galeraflow end"`

const tlsHeader = "##galeraflow "

// ReadRemoteTLS reads a node's TLS files in one round trip, as root (keys
// are readable by mysql only).
func ReadRemoteTLS(ctx context.Context, h remote.Host, paths RemoteTLSPaths, timeout time.Duration) (*RemoteTLS, error) {
	r := &RemoteTLS{Node: h.Name(), Paths: paths}
	slots := []struct {
		kind string
		path string
		f    *RemoteFile
	}{
		{"cert", paths.CA, &r.CA}, {"cert", paths.ServerCert, &r.ServerCert}, {"key", paths.ServerKey, &r.ServerKey},
		{"cert", paths.ClientCert, &r.ClientCert}, {"key", paths.ClientKey, &r.ClientKey},
	}
	var args []string
	var used []*RemoteFile
	for _, s := range slots {
		s.f.Path = s.path
		if s.path == "" {
			continue
		}
		args = append(args, s.kind, s.path)
		used = append(used, s.f)
	}
	cmd := "sh -c " + remote.ShellQuote(readTLSScript) + " sh " + remote.ShellJoin(args...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// Sensitive: without openssl on the node the output holds private keys.
	res, err := h.Exec(ctx, cmd, remote.ExecOptions{Sudo: true, Sensitive: true})
	if err != nil {
		return nil, fmt.Errorf("%s: read TLS files in %s: %w", h.Name(), paths.Dir, err)
	}
	if err := parseRemoteTLS(res.Stdout, r, used); err != nil {
		return nil, fmt.Errorf("%s: read TLS files in %s: %w", h.Name(), paths.Dir, err)
	}
	return r, nil
}

// parseRemoteTLS splits readTLSScript's output into the files, in order.
func parseRemoteTLS(out []byte, r *RemoteTLS, files []*RemoteFile) error {
	sections := bytes.Split(out, []byte("\n"+tlsHeader))
	if !bytes.HasPrefix(sections[0], []byte(tlsHeader)) {
		return fmt.Errorf("unexpected output (no header)")
	}
	sections[0] = sections[0][len(tlsHeader):]
	if len(sections) != len(files)+2 {
		return fmt.Errorf("unexpected output: %d sections for %d files", len(sections)-2, len(files))
	}
	first, _, _ := bytes.Cut(sections[0], []byte("\n"))
	r.OpenSSL = string(bytes.TrimSpace(first)) == "openssl 1"
	if last := strings.TrimSpace(string(sections[len(sections)-1])); last != "end" {
		return fmt.Errorf("unexpected output: incomplete (%q)", last)
	}
	for i, f := range files {
		head, body, _ := bytes.Cut(sections[i+1], []byte("\n"))
		fields := strings.Fields(string(head))
		if len(fields) == 0 {
			return fmt.Errorf("%s: empty header", f.Path)
		}
		status := fields[0]
		if status == "missing" {
			continue
		}
		f.Exists = true
		if len(fields) == 4 {
			f.Owner, f.Group = fields[1], fields[2]
			if m, err := strconv.ParseUint(fields[3], 8, 32); err == nil {
				f.Mode = fs.FileMode(m)
			}
		}
		switch status {
		case "cert":
			f.Data = body
		case "pub":
			f.Public, f.Err = parsePublicKeyPEM(body)
		case "key":
			key, err := certs.ParsePrivateKey(body)
			if err != nil {
				f.Err = err.Error()
			} else {
				f.Public = key.Public()
			}
		case "badkey":
			f.Err = "openssl cannot read it as a private key"
		default:
			return fmt.Errorf("%s: unexpected status %q", f.Path, status)
		}
	}
	return nil
}

func parsePublicKeyPEM(data []byte) (crypto.PublicKey, string) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PUBLIC KEY" {
		return nil, "no public key in openssl's output"
	}
	pub, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		return nil, "public key: " + err.Error()
	}
	return pub, ""
}

// samePublic compares public keys through their encoding, which every key
// type x509 knows has.
func samePublic(a, b crypto.PublicKey) bool {
	if a == nil || b == nil {
		return false
	}
	da, err1 := x509.MarshalPKIXPublicKey(a)
	db, err2 := x509.MarshalPKIXPublicKey(b)
	return err1 == nil && err2 == nil && bytes.Equal(da, db)
}

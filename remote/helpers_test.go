package remote_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/inventory/secret"
	"github.com/galeraflow/galeraflow/remote"
	"github.com/galeraflow/galeraflow/remote/remotetest"
	"golang.org/x/crypto/ssh"
)

// testEnv is one in-process server with a client key authorized for
// root, deploy and ops, and a known_hosts file that pins its host key.
type testEnv struct {
	t          *testing.T
	srv        *remotetest.Server
	dir        string
	keyFile    string
	signer     ssh.Signer
	knownHosts string
	logs       *syncBuffer
}

// newEnv also points HOME at a temp dir, so the user's own ~/.ssh never
// takes part in a test.
func newEnv(t *testing.T, opts remotetest.Options) *testEnv {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", filepath.Join(dir, "home"))
	t.Setenv("SSH_AUTH_SOCK", "")
	srv := remotetest.NewServer(t, opts)
	signer, keyFile := writeKey(t, dir, "id_ed25519", "")
	for _, u := range []string{"root", "deploy", "ops"} {
		srv.AuthorizeKey(u, signer.PublicKey())
	}
	kh := filepath.Join(dir, "known_hosts")
	writeFile(t, kh, srv.KnownHostsLine()+"\n", 0o600)
	return &testEnv{t: t, srv: srv, dir: dir, keyFile: keyFile, signer: signer, knownHosts: kh, logs: &syncBuffer{}}
}

func (e *testEnv) config(user string) remote.Config {
	return remote.Config{
		Name:              "n1",
		Address:           e.srv.Host(),
		Port:              e.srv.Port(),
		User:              user,
		IdentityFiles:     []string{e.keyFile},
		KnownHostsFiles:   []string{e.knownHosts},
		ConnectTimeout:    10 * time.Second,
		KeepaliveInterval: -1,
		Now:               func() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC) },
		Logger:            slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

func (e *testEnv) dial(cfg remote.Config) *remote.Client {
	e.t.Helper()
	c, err := remote.Dial(context.Background(), cfg)
	if err != nil {
		e.t.Fatalf("Dial: %v", err)
	}
	e.t.Cleanup(func() { c.Close() })
	return c
}

// writeKey creates an ed25519 key file, encrypted when passphrase != "".
func writeKey(t *testing.T, dir, name, passphrase string) (ssh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var block *pem.Block
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "test")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "test", []byte(passphrase))
	}
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	writeFile(t, p, string(pem.EncodeToMemory(block)), 0o600)
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return signer, p
}

func writeFile(t *testing.T, p, data string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func pw(s string) secret.Secret { return secret.New(s, "test") }

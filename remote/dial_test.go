package remote_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/inventory/secret"
	"github.com/galeraflow/galeraflow/remote"
	"github.com/galeraflow/galeraflow/remote/remotetest"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

func TestDialPinnedHostKey(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	c := e.dial(e.config("root"))
	res, err := c.Exec(context.Background(), "echo hello; echo $USER", remote.ExecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(res.Stdout); got != "hello\nroot\n" {
		t.Fatalf("stdout = %q", got)
	}
	if c.Name() != "n1" || c.User() != "root" {
		t.Fatalf("Name/User = %q/%q", c.Name(), c.User())
	}
}

func TestDialUnknownHostRefused(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	writeFile(t, e.knownHosts, "# nothing here\n", 0o600)
	_, err := remote.Dial(context.Background(), e.config("root"))
	if !errors.Is(err, remote.ErrHostKeyUnknown) {
		t.Fatalf("err = %v, want ErrHostKeyUnknown", err)
	}
	msg := err.Error()
	for _, want := range []string{"n1", e.srv.Addr(), "ssh-keyscan", "accept-new", ssh.FingerprintSHA256(e.srv.HostKeys()[0])} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
}

func TestDialAcceptNewAppendsThenStrictWorks(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	kh := filepath.Join(e.dir, "new", "known_hosts") // neither dir nor file exists
	cfg := e.config("root")
	cfg.KnownHostsFiles = []string{kh}
	cfg.HostKeyPolicy = remote.HostKeyAcceptNew
	e.dial(cfg).Close()

	content := readFile(t, kh)
	if !strings.Contains(content, strings.TrimSpace(e.srv.KnownHostsLine())) {
		t.Fatalf("known_hosts = %q, want the server's line %q", content, e.srv.KnownHostsLine())
	}
	if st, _ := os.Stat(kh); st.Mode().Perm() != 0o600 {
		t.Errorf("known_hosts mode = %v", st.Mode())
	}
	cfg.HostKeyPolicy = remote.HostKeyStrict
	e.dial(cfg)
	// A second accept-new dial must not add the line again.
	cfg.HostKeyPolicy = remote.HostKeyAcceptNew
	e.dial(cfg)
	if n := strings.Count(readFile(t, kh), "\n"); n != 1 {
		t.Fatalf("known_hosts has %d lines, want 1", n)
	}
}

func TestDialChangedKeyRefused(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	other := remotetest.NewHostKey(t, "ed25519")
	// Line 3 pins another key for the server's address.
	writeFile(t, e.knownHosts, "# pinned\nexample.org "+strings.TrimSpace(string(ssh.MarshalAuthorizedKey(other.PublicKey())))+"\n"+
		e.srv.KnownHostsLineFor(other.PublicKey())+"\n", 0o600)
	for _, policy := range []remote.HostKeyPolicy{remote.HostKeyStrict, remote.HostKeyAcceptNew} {
		cfg := e.config("root")
		cfg.HostKeyPolicy = policy
		_, err := remote.Dial(context.Background(), cfg)
		if !errors.Is(err, remote.ErrHostKeyMismatch) {
			t.Fatalf("%v: err = %v, want ErrHostKeyMismatch", policy, err)
		}
		msg := err.Error()
		for _, want := range []string{"REMOTE HOST IDENTIFICATION HAS CHANGED", e.knownHosts + ":3",
			ssh.FingerprintSHA256(e.srv.HostKeys()[0]), "n1", e.srv.Addr()} {
			if !strings.Contains(msg, want) {
				t.Errorf("%v: message lacks %q: %s", policy, want, msg)
			}
		}
	}
}

func TestDialInsecureIgnoreOnlyWhenAsked(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	other := remotetest.NewHostKey(t, "ed25519")
	writeFile(t, e.knownHosts, e.srv.KnownHostsLineFor(other.PublicKey())+"\n", 0o600)
	cfg := e.config("root")
	cfg.HostKeyPolicy = remote.HostKeyInsecureIgnore
	e.dial(cfg)
}

// A host known only by its ed25519 key, whose server offers ECDSA and RSA
// keys first, must still be verified by its ed25519 key (and vice versa).
func TestDialKnownByOneKeyTypeAmongSeveral(t *testing.T) {
	keys := []ssh.Signer{
		remotetest.NewHostKey(t, "ecdsa"),
		remotetest.NewHostKey(t, "rsa"),
		remotetest.NewHostKey(t, "ed25519"),
	}
	e := newEnv(t, remotetest.Options{HostKeys: keys})
	for _, k := range keys {
		t.Run(k.PublicKey().Type(), func(t *testing.T) {
			writeFile(t, e.knownHosts, e.srv.KnownHostsLineFor(k.PublicKey())+"\n", 0o600)
			c := e.dial(e.config("root"))
			if _, err := c.Exec(context.Background(), "true", remote.ExecOptions{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestDialWrongKeyIsAuthError(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	_, wrong := writeKey(t, e.dir, "id_wrong", "")
	cfg := e.config("deploy")
	cfg.IdentityFiles = []string{wrong}
	_, err := remote.Dial(context.Background(), cfg)
	if !errors.Is(err, remote.ErrAuth) {
		t.Fatalf("err = %v, want ErrAuth", err)
	}
	for _, want := range []string{"n1", e.srv.Addr(), "deploy", "publickey", wrong} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
}

func TestDialClosedPortIsUnreachable(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cfg := e.config("root")
	cfg.Port = port
	_, err = remote.Dial(context.Background(), cfg)
	if !errors.Is(err, remote.ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("127.0.0.1:%d", port)) || !strings.Contains(err.Error(), "n1") {
		t.Errorf("message lacks node or address: %v", err)
	}
}

func TestDialCancelledContext(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := remote.Dial(ctx, e.config("root"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestDialAgent(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	// A key that only the agent offers (its file is not configured).
	keyring := agent.NewKeyring()
	agentKey, agentFile := writeKey(t, e.dir, "id_agent", "")
	if err := keyring.Add(agent.AddedKey{PrivateKey: mustRawKey(t, agentFile)}); err != nil {
		t.Fatal(err)
	}
	e.srv.AuthorizeKey("deploy", agentKey.PublicKey())

	sock := filepath.Join(e.dir, "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				agent.ServeAgent(keyring, c)
				c.Close()
			}()
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)

	cfg := e.config("deploy")
	cfg.IdentityFiles = nil // only the agent (HOME has no ~/.ssh)
	cfg.UseAgent = true
	c := e.dial(cfg)
	if _, err := c.Exec(context.Background(), "true", remote.ExecOptions{}); err != nil {
		t.Fatal(err)
	}

	// Without the agent there is nothing to offer.
	cfg.UseAgent = false
	if _, err := remote.Dial(context.Background(), cfg); !errors.Is(err, remote.ErrAuth) {
		t.Fatalf("without agent: err = %v, want ErrAuth", err)
	}
}

func mustRawKey(t *testing.T, file string) any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.ParseRawPrivateKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestDialEncryptedKey(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	signer, file := writeKey(t, e.dir, "id_enc", "correct horse")
	e.srv.AuthorizeKey("root", signer.PublicKey())
	cfg := e.config("root")
	cfg.IdentityFiles = []string{file}

	t.Run("passphrase", func(t *testing.T) {
		cfg := cfg
		cfg.Passphrase = pw("correct horse")
		e.dial(cfg)
	})
	t.Run("prompt", func(t *testing.T) {
		cfg := cfg
		asked := ""
		cfg.PassphrasePrompt = func(f string) (secret.Secret, error) {
			asked = f
			return pw("correct horse"), nil
		}
		e.dial(cfg)
		if asked != file {
			t.Fatalf("prompt asked for %q, want %q", asked, file)
		}
	})
	t.Run("wrong", func(t *testing.T) {
		cfg := cfg
		cfg.Passphrase = pw("battery staple")
		_, err := remote.Dial(context.Background(), cfg)
		if !errors.Is(err, remote.ErrAuth) {
			t.Fatalf("err = %v, want ErrAuth", err)
		}
		if strings.Contains(err.Error(), "battery") {
			t.Fatalf("error shows the passphrase: %v", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		_, err := remote.Dial(context.Background(), cfg)
		if !errors.Is(err, remote.ErrAuth) || !strings.Contains(err.Error(), "encrypted") {
			t.Fatalf("err = %v, want ErrAuth about an encrypted key", err)
		}
	})
}

// client → A → B → target, every hop checked against known_hosts.
func TestDialProxyJumpTwoHops(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	a := remotetest.NewServer(t, remotetest.Options{})
	b := remotetest.NewServer(t, remotetest.Options{})
	for _, s := range []*remotetest.Server{a, b} {
		s.AuthorizeKey("jump", e.signer.PublicKey())
	}
	writeFile(t, e.knownHosts, strings.Join([]string{
		e.srv.KnownHostsLine(), a.KnownHostsLine(), b.KnownHostsLine()}, "\n")+"\n", 0o600)

	cfg := e.config("root")
	cfg.ProxyJump = fmt.Sprintf("jump@%s,jump@%s", a.Addr(), b.Addr())
	c := e.dial(cfg)
	res, err := c.Exec(context.Background(), "echo $USER", remote.ExecOptions{})
	if err != nil || string(res.Stdout) != "root\n" {
		t.Fatalf("exec through jumps: %q, %v", res.Stdout, err)
	}
	if a.Forwards() != 1 || b.Forwards() != 1 {
		t.Fatalf("forwards: A=%d B=%d, want 1 each (A→B, B→target)", a.Forwards(), b.Forwards())
	}

	// A jump host with an unknown key is refused, and named.
	writeFile(t, e.knownHosts, e.srv.KnownHostsLine()+"\n"+a.KnownHostsLine()+"\n", 0o600)
	_, err = remote.Dial(context.Background(), cfg)
	if !errors.Is(err, remote.ErrHostKeyUnknown) || !strings.Contains(err.Error(), "jump host") || !strings.Contains(err.Error(), b.Addr()) {
		t.Fatalf("err = %v, want ErrHostKeyUnknown naming jump host %s", err, b.Addr())
	}
}

func TestDialSSHConfig(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	jump := remotetest.NewServer(t, remotetest.Options{})
	jump.AuthorizeKey("hopper", e.signer.PublicKey())
	writeFile(t, e.knownHosts, e.srv.KnownHostsLine()+"\n"+jump.KnownHostsLine()+"\n", 0o600)
	conf := filepath.Join(e.dir, "ssh_config")
	writeFile(t, conf, fmt.Sprintf(`# test config
Host bastion
    HostName %s
    Port %d
    User hopper

Host db1 db2
    HostName %s
    Port=%d
    User deploy
    IdentityFile %s
    ProxyJump bastion

Host *
    User nobody-should-use-this
`, jump.Host(), jump.Port(), e.srv.Host(), e.srv.Port(), e.keyFile), 0o600)

	c := e.dial(remote.Config{
		Name:              "db1",
		Address:           "db1",
		SSHConfigFile:     conf,
		KnownHostsFiles:   []string{e.knownHosts},
		KeepaliveInterval: -1,
	})
	res, err := c.Exec(context.Background(), "echo $USER", remote.ExecOptions{})
	if err != nil || string(res.Stdout) != "deploy\n" {
		t.Fatalf("exec: %q, %v", res.Stdout, err)
	}
	if jump.Forwards() != 1 {
		t.Fatalf("jump forwards = %d, want 1", jump.Forwards())
	}
	if c.Address() != e.srv.Addr() {
		t.Fatalf("Address = %q, want %q", c.Address(), e.srv.Addr())
	}
}

func TestKeepaliveClosesDeadConnection(t *testing.T) {
	e := newEnv(t, remotetest.Options{})
	cfg := e.config("root")
	cfg.KeepaliveInterval = 20 * time.Millisecond
	cfg.KeepaliveCountMax = 2
	c := e.dial(cfg)
	if _, err := c.Exec(context.Background(), "true", remote.ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	e.srv.SetKeepaliveReplies(false)
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := c.Exec(context.Background(), "true", remote.ExecOptions{})
		if errors.Is(err, remote.ErrUnreachable) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("connection still used after the peer stopped answering keepalives (last err %v)", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(e.logs.String(), "no keepalive reply") {
		t.Errorf("no log line about the keepalive: %s", e.logs.String())
	}
}

package remote_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/galeraflow/galeraflow/remote"
)

// The SFTP fast path needs OpenSSH's sftp-server (fsync, hardlink and
// posix-rename extensions), which the in-process test server lacks: these
// tests start a real sshd on 127.0.0.1 when they can (root, OpenSSH
// installed) and are skipped otherwise.
func realSSHD(t *testing.T) *remote.Client {
	t.Helper()
	const sshd, sftpServer = "/usr/sbin/sshd", "/usr/lib/openssh/sftp-server"
	if os.Geteuid() != 0 {
		t.Skip("needs root to run sshd")
	}
	for _, p := range []string{sshd, sftpServer} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("OpenSSH server not installed: %v", err)
		}
	}
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Skipf("no privilege separation directory: %v", err)
	}
	dir := t.TempDir()
	hostSigner, hostKey := writeKey(t, dir, "host_key", "")
	clientSigner, clientKey := writeKey(t, dir, "client_key", "")
	writeFile(t, filepath.Join(dir, "authorized_keys"), string(ssh.MarshalAuthorizedKey(clientSigner.PublicKey())), 0o600)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cfg := fmt.Sprintf("ListenAddress 127.0.0.1:%d\nHostKey %s\nPidFile %s\nAuthorizedKeysFile %s\n"+
		"PermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"+
		"UsePAM no\nStrictModes no\nUseDNS no\nSubsystem sftp %s\n",
		port, hostKey, filepath.Join(dir, "sshd.pid"), filepath.Join(dir, "authorized_keys"), sftpServer)
	writeFile(t, filepath.Join(dir, "sshd_config"), cfg, 0o600)
	cmd := exec.Command(sshd, "-D", "-e", "-f", filepath.Join(dir, "sshd_config"))
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	known := filepath.Join(dir, "known_hosts")
	writeFile(t, known, fmt.Sprintf("[127.0.0.1]:%d %s", port, ssh.MarshalAuthorizedKey(hostSigner.PublicKey())), 0o600)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd did not start: %s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	c, err := remote.Dial(context.Background(), remote.Config{
		Name: "real", Address: "127.0.0.1", Port: port, User: "root",
		IdentityFiles: []string{clientKey}, KnownHostsFiles: []string{known},
		ConnectTimeout: 10 * time.Second, KeepaliveInterval: -1,
		Now:    func() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC) },
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatalf("Dial: %v\nsshd: %s", err, logs.String())
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestFastPathWriteReplacesAtomicallyWithBackup(t *testing.T) {
	c := realSSHD(t)
	ctx := context.Background()
	dir := t.TempDir()
	p := filepath.Join(dir, "galera.cnf")
	writeFile(t, p, "old\n", 0o640)
	if err := os.Chown(p, 1234, 2345); err != nil {
		t.Fatal(err)
	}
	before := inode(t, p)
	res, err := c.WriteFile(ctx, p, []byte("new\n"), remote.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bak := p + ".galeraflow-" + wantStamp + ".bak"
	if res.Path != p || res.Backup != bak {
		t.Fatalf("result = %+v", res)
	}
	if readFile(t, p) != "new\n" || inode(t, p) == before {
		t.Fatalf("not replaced by a rename: %q", readFile(t, p))
	}
	assertMeta(t, p, 0o640, 1234, 2345)
	if readFile(t, bak) != "old\n" {
		t.Fatalf("backup = %q", readFile(t, bak))
	}
	assertMeta(t, bak, 0o640, 1234, 2345)

	// Same second: a second backup name; explicit mode and owner; never world-writable.
	res, err = c.WriteFile(ctx, p, []byte("newer\n"), remote.WriteOptions{Mode: 0o600, Owner: "root", Group: "0"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Backup != p+".galeraflow-"+wantStamp+"-1.bak" || readFile(t, res.Backup) != "new\n" || readFile(t, bak) != "old\n" {
		t.Fatalf("second backup = %+v", res)
	}
	assertMeta(t, p, 0o600, 0, 0)
	ents, _ := os.ReadDir(dir)
	if len(ents) != 3 {
		t.Errorf("leftovers beside the file: %v", ents)
	}
	for _, e := range ents {
		if strings.Contains(e.Name(), "galeraflow-tmp") {
			t.Errorf("temp file left: %s", e.Name())
		}
	}
}

func TestFastPathWriteNewFileAndSymlink(t *testing.T) {
	c := realSSHD(t)
	ctx := context.Background()
	dir := t.TempDir()
	key := filepath.Join(dir, "server-key.pem")
	if _, err := c.WriteFile(ctx, key, []byte("secret"), remote.WriteOptions{Mode: 0o600, Owner: "root", Group: "root"}); err != nil {
		t.Fatal(err)
	}
	assertMeta(t, key, 0o600, 0, 0)
	// A new file without a mode is 0644; a world-writable old mode is dropped.
	plain := filepath.Join(dir, "plain")
	if _, err := c.WriteFile(ctx, plain, []byte("x"), remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	assertMeta(t, plain, 0o644, 0, 0)
	if err := os.Chmod(plain, 0o666); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WriteFile(ctx, plain, []byte("y"), remote.WriteOptions{NoBackup: true}); err != nil {
		t.Fatal(err)
	}
	assertMeta(t, plain, 0o664, 0, 0)

	// A symlink stays a link; its target is replaced.
	target := filepath.Join(dir, "real.cnf")
	writeFile(t, target, "a\n", 0o644)
	link := filepath.Join(dir, "my.cnf")
	if err := os.Symlink("real.cnf", link); err != nil {
		t.Fatal(err)
	}
	res, err := c.WriteFile(ctx, link, []byte("b\n"), remote.WriteOptions{NoBackup: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != target || readFile(t, target) != "b\n" {
		t.Fatalf("symlink write: %+v, target %q", res, readFile(t, target))
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi, err)
	}
}

func TestFastPathProbeFiles(t *testing.T) {
	c := realSSHD(t)
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	writeFile(t, f, "content", 0o640)
	if err := os.Symlink("f", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	probes, ok, err := c.ProbeFiles(context.Background(), []string{f, filepath.Join(dir, "missing"), dir, filepath.Join(dir, "link")})
	if err != nil || !ok {
		t.Fatalf("ProbeFiles: ok %v err %v", ok, err)
	}
	sum := sha256.Sum256([]byte("content"))
	want := hex.EncodeToString(sum[:])
	if p := probes[0]; !p.Exists || p.Owner != "root" || p.Group != "root" || p.Mode != 0o640 || p.SHA256 != want {
		t.Errorf("file: %+v", p)
	}
	if probes[1].Exists {
		t.Errorf("missing: %+v", probes[1])
	}
	if p := probes[2]; !p.Exists || !p.IsDir || p.SHA256 != "" {
		t.Errorf("dir: %+v", p)
	}
	if p := probes[3]; !p.Exists || p.SHA256 != want || p.Mode != 0o777 {
		t.Errorf("symlink (owner and mode of the link, content of the target): %+v", p)
	}
}

//go:build lab

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The connection to n2 drops in the middle of the certificate upload.
//
// Certificates are small and the lab's link is fast, so the upload is made
// slow on purpose, and only once n2's apply has begun: a hook on n2 holds
// galeraflow's `install -d /etc/mysql/ssl` (the first command of the
// upload step on a node without the directory) until the test has limited
// what goes to n2's sshd to 8 kbit/s (on the root end of n2's veth).
// The test then waits until a file is on its way (its temp file beside the
// target, or its staged upload) and kills n2's sshd session process: the
// TCP connection dies as if the link had dropped.

const installHook = `#!/bin/sh
# galeraflow fault suite: hold the TLS directory's creation until the test says go.
case " $* " in
*" /etc/mysql/ssl"*)
	: > /tmp/gftest-upload-held
	i=0
	while [ ! -e /tmp/gftest-upload-go ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done ;;
esac
exec /usr/bin/install "$@"
`

// tlsTargets are the files the upload step puts on a node, with the local
// file each comes from.
func tlsTargets(dir, node string) map[string]string {
	c := filepath.Join(dir, "state/certs")
	return map[string]string{
		"/etc/mysql/ssl/ca.pem":          filepath.Join(c, "ca.pem"),
		"/etc/mysql/ssl/server-cert.pem": filepath.Join(c, node+"-cert.pem"),
		"/etc/mysql/ssl/server-key.pem":  filepath.Join(c, node+"-key.pem"),
		"/etc/mysql/ssl/client-cert.pem": filepath.Join(c, "client-cert.pem"),
		"/etc/mysql/ssl/client-key.pem":  filepath.Join(c, "client-key.pem"),
	}
}

func fileSHA(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// remoteSHA is the sha256 of a node's file, "" when it does not exist.
func remoteSHA(t *testing.T, node, p string) string {
	t.Helper()
	out := lab(t, "exec", node, "sh", "-c", `if [ -e "$1" ]; then sha256sum < "$1" | cut -d' ' -f1; fi`, "sh", p)
	return strings.TrimSpace(out)
}

// slowLink makes what the controller sends to node's sshd crawl (8 kbit/s);
// the rest of its traffic (Galera's, between the nodes) keeps full speed,
// or the node would drop out of the cluster.
func slowLink(t *testing.T, node string) {
	t.Helper()
	dev := "gflab-" + node
	t.Cleanup(func() { fastLink(dev) })
	for _, args := range [][]string{
		{"qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "10"},
		{"class", "add", "dev", dev, "parent", "1:", "classid", "1:10", "htb", "rate", "10gbit"},
		{"class", "add", "dev", dev, "parent", "1:", "classid", "1:20", "htb", "rate", "8kbit", "ceil", "8kbit", "burst", "1600", "cburst", "1600"},
		{"filter", "add", "dev", dev, "parent", "1:", "protocol", "ip", "prio", "1", "u32", "match", "ip", "dport", "22", "0xffff", "flowid", "1:20"},
	} {
		if out, err := exec.Command("tc", args...).CombinedOutput(); err != nil {
			t.Fatalf("tc %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

func fastLink(dev string) {
	_ = exec.Command("tc", "qdisc", "del", "dev", dev, "root").Run()
}

// faultConnectionDropsDuringUpload (2): no partial file at any target
// path, nothing restarted, a partial-failure exit; a re-run completes (the
// next scenario's run).
func faultConnectionDropsDuringUpload(t *testing.T, f *faultLab) {
	pids := serverPIDs(t)
	lab(t, "exec", "n2", "rm", "-f", "/tmp/gftest-upload-held", "/tmp/gftest-upload-go")
	put := labCommand("exec", "n2", "sh", "-c", "cat > /usr/local/sbin/install && chmod 755 /usr/local/sbin/install")
	put.Stdin = strings.NewReader(installHook)
	if out, err := put.CombinedOutput(); err != nil {
		t.Fatalf("install the hook: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		_ = labCommand("exec", "n2", "rm", "-f", "/usr/local/sbin/install", "/tmp/gftest-upload-held", "/tmp/gftest-upload-go").Run()
	})

	wait := f.appAsync(t, "--log-level", "debug", "run", f.inv)
	held := func() bool { return labCommand("exec", "n2", "test", "-e", "/tmp/gftest-upload-held").Run() == nil }
	waitUntil(t, "galeraflow to start the upload on n2", 2*time.Minute, held)
	slowLink(t, "n2")
	lab(t, "exec", "n2", "touch", "/tmp/gftest-upload-go")

	// A file is on its way: its temp file exists beside the target (a root
	// login writes over SFTP), or its upload is staged in the login user's
	// home (the shell path).
	inFlight := func() bool {
		out := labQuiet("n2", "sh", "-c", "ls -a /etc/mysql/ssl/ /root/.galeraflow-staging/ 2>/dev/null")
		return strings.Contains(out, ".galeraflow-tmp-") || strings.Contains(out, "upload-")
	}
	waitUntil(t, "a file to be on its way to n2", time.Minute, inFlight)
	sessions := lab(t, "exec", "n2", "sh", "-c", `ps -eo pid=,args= | awk '$2 == "sshd:" && $3 ~ /^root@/ {print $1}'`)
	if strings.TrimSpace(sessions) == "" {
		t.Fatal("no sshd session process on n2")
	}
	lab(t, "exec", "n2", "sh", "-c", "kill -9 "+strings.Join(strings.Fields(sessions), " "))

	r := wait(2 * time.Minute)
	fastLink("gflab-n2")
	if r.code != exitPartial {
		t.Fatalf("exit %d, want %d (partial: n1 and n3 got their files)\nstdout:\n%s\nstderr:\n%s", r.code, exitPartial, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "n2") || !strings.Contains(r.stderr, "connection lost") {
		t.Errorf("the error should name n2 and the lost connection:\n%s", r.stderr)
	}
	assertNoTrace(t, r.stderr)

	// Every target path holds nothing or the whole file. What the cut
	// write left beside it is no more open than the file it was to become
	// (no key readable by others), and goes at the next write of that file:
	// the re-run checks that (faultTwoRunsAtOnce).
	for _, n := range labNodes {
		for target, local := range tlsTargets(f.dir, n) {
			if got := remoteSHA(t, n, target); got != "" && got != fileSHA(t, local) {
				t.Errorf("%s:%s is neither absent nor the whole file (sha256 %s)", n, target, got)
			}
		}
	}
	left := lab(t, "exec", "n2", "sh", "-c", "find /etc/mysql/ssl /root/.galeraflow-staging -name '*galeraflow-tmp-*' -o -name 'upload-*' 2>/dev/null | xargs -r stat -c '%a %U:%G %s %n'")
	for _, l := range strings.Split(strings.TrimSpace(left), "\n") {
		fields := strings.Fields(l)
		if len(fields) < 4 {
			continue
		}
		mode, _ := strconv.ParseUint(fields[0], 8, 32)
		if mode&0o002 != 0 || strings.Contains(fields[3], "key") && mode&0o004 != 0 || strings.Contains(fields[3], "upload-") && mode&0o077 != 0 {
			t.Errorf("n2: a file left by the cut write is open to others: %s", l)
		}
	}
	t.Logf("left on n2 by the cut write:\n%s", left)
	// Nothing was restarted: the restart comes after the uploads.
	if after := serverPIDs(t); after["n1"] != pids["n1"] || after["n2"] != pids["n2"] || after["n3"] != pids["n3"] {
		t.Errorf("servers restarted by an interrupted upload: %v → %v", pids, after)
	}
}

package remote

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkRawWork is the floor galeraflow is measured against: the
// benchmark's workload (examples/bench) done with nothing but one
// connection per host, plain SFTP writes (no hash probe, no temp file, no
// backup, no fsync), one read-modify-write of the option file and two
// execs, host keys verified. It needs a running fleet:
//
//	GALERAFLOW_BENCH_FLEET=/tmp/gfbench.X GALERAFLOW_BENCH_N=50 \
//	go test -run '^$' -bench RawWork -benchtime 5x ./remote
//
// No reset between iterations is needed: every write truncates.
func BenchmarkRawWork(b *testing.B) {
	fleet := os.Getenv("GALERAFLOW_BENCH_FLEET")
	n, _ := strconv.Atoi(os.Getenv("GALERAFLOW_BENCH_N"))
	if fleet == "" || n < 1 {
		b.Skip("GALERAFLOW_BENCH_FLEET and GALERAFLOW_BENCH_N are not set (see examples/bench)")
	}
	port := 2222
	if p, err := strconv.Atoi(os.Getenv("BENCH_PORT")); err == nil {
		port = p
	}
	var files [][]byte
	for _, f := range []string{"ca.pem", "server-cert.pem", "server-key.pem"} {
		data, err := os.ReadFile(path.Join(fleet, "certs", f))
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, data)
	}
	for b.Loop() {
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = rawHost(fleet, fmt.Sprintf("127.0.10.%d", i+1), port, files)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/float64(n), "ms/host")
}

func rawHost(fleet, addr string, port int, files [][]byte) error {
	ctx := context.Background()
	c, err := Dial(ctx, Config{Name: addr, Address: addr, Port: port, User: "root",
		IdentityFiles: []string{path.Join(fleet, "keys/client")}, KnownHostsFiles: []string{path.Join(fleet, "known_hosts")},
		ConnectTimeout: 30 * time.Second, KeepaliveInterval: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer c.Close()
	sc, err := c.sftpClient(ctx)
	if err != nil {
		return err
	}
	node := path.Join(fleet, "node")
	ssl := node + "/etc/mysql/ssl"
	for i, name := range []string{"ca.pem", "server-cert.pem", "server-key.pem"} {
		f, err := sc.Create(path.Join(ssl, name))
		if err != nil {
			return err
		}
		if _, err := f.Write(files[i]); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if i == 2 {
			mode = 0o600
		}
		if err := f.Chmod(mode); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	cnf := node + "/etc/mysql/my.cnf"
	f, err := sc.Open(cnf)
	if err != nil {
		return err
	}
	old, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return err
	}
	// Not a faithful edit (the keys are appended as new groups): the floor.
	add := fmt.Sprintf("\n[mysqld]\nssl_ca=%[1]s/ca.pem\nssl_cert=%[1]s/server-cert.pem\nssl_key=%[1]s/server-key.pem\n"+
		"[client]\nssl_ca=%[1]s/ca.pem\nssl_cert=%[1]s/server-cert.pem\nssl_key=%[1]s/server-key.pem\n[sst]\nencrypt=3\ntca=%[1]s/ca.pem\n", ssl)
	w, err := sc.Create(cnf)
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(string(old) + add)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	for _, cmd := range []string{"uname -r > " + node + "/var/cmd1.out", "id -un > " + node + "/var/cmd2.out"} {
		if _, err := c.Exec(ctx, cmd, ExecOptions{}); err != nil {
			return err
		}
	}
	return nil
}

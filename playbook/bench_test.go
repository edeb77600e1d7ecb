package playbook

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"testing"

	"github.com/galeraflow/galeraflow/inventory"
)

// BenchmarkFleet runs an inventory's playbook against a real fleet (the one
// examples/bench/bench.sh starts), for profiling the controller:
//
//	GALERAFLOW_BENCH_INVENTORY=/tmp/gfbench.X/gf/inventory.yml \
//	GALERAFLOW_BENCH_RESET='bash -c "..."' \
//	go test -run '^$' -bench Fleet -benchtime 5x -cpuprofile cpu.out ./playbook
//
// GALERAFLOW_BENCH_RESET is a shell command run (untimed) before every
// iteration so each one does the full work. Skipped without a fleet.
func BenchmarkFleet(b *testing.B) {
	path := os.Getenv("GALERAFLOW_BENCH_INVENTORY")
	if path == "" {
		b.Skip("GALERAFLOW_BENCH_INVENTORY is not set (see examples/bench)")
	}
	inv, err := inventory.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	pb, err := Resolve(inv.Playbook, inv.Dir)
	if err != nil {
		b.Fatal(err)
	}
	reset := os.Getenv("GALERAFLOW_BENCH_RESET")
	log := slog.New(slog.DiscardHandler)
	for b.Loop() {
		if reset != "" {
			b.StopTimer()
			if out, err := exec.Command("sh", "-c", reset).CombinedOutput(); err != nil {
				b.Fatalf("reset: %v: %s", err, out)
			}
			b.StartTimer()
		}
		if _, err := Execute(context.Background(), inv, pb, Options{Dial: SSHDialer(log, nil), Log: log, LockDir: b.TempDir()}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/float64(len(inv.Nodes)), "ms/host")
}

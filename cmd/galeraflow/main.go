// Command galeraflow secures and operates MariaDB/Galera clusters over SSH.
// This package is the CLI only: flags, commands, output formats and exit
// codes. The work happens in playbook.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	tuneGC()
	ctx, stop := interruptContext(os.Stderr)
	defer stop()
	os.Exit(run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// interruptContext cancels the returned context at the first SIGINT or
// SIGTERM, so the node operation in flight can finish and the run stop
// safely; a second signal exits at once with 130.
func interruptContext(stderr *os.File) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sigs:
		case <-ctx.Done():
			return
		}
		fmt.Fprintln(stderr, "galeraflow: interrupted: finishing the operation in flight and stopping safely (interrupt again to exit now)")
		cancel()
		<-sigs
		fmt.Fprintln(stderr, "galeraflow: interrupted twice: exiting now")
		os.Exit(exitInterrupted)
	}()
	return ctx, func() {
		signal.Stop(sigs)
		cancel()
	}
}

// tuneGC: a run is short and its heap small (tens of MB at 100 hosts), so
// collecting a quarter as often saves about a third of the controller's
// CPU for a few MB; the soft limit keeps a large fleet from growing the
// heap without bound. GOGC and GOMEMLIMIT, when set, decide instead.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(256 << 20)
	}
}

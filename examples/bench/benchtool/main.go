// Command benchtool is the benchmark's helper (examples/bench/bench.sh):
//
//	benchtool run -- CMD ARGS...   run CMD, print wall time, peak memory, CPU
//	benchtool check FLEET N        check every fleet host did the whole workload
//	benchtool report RAW.csv DIR   medians, ratios: results.md, results.csv, chart.svg
//
// Standard library only, so the benchmark needs nothing but Go to build it.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchtool run|check|report ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = runCmd(os.Args[2:])
	case "check":
		err = checkCmd(os.Args[2:])
	case "report":
		err = reportCmd(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtool:", err)
		os.Exit(1)
	}
}

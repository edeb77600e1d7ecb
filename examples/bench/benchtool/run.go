package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// runCmd runs a command and prints one line:
//
//	wall_s=… peak_rss_kb=… user_s=… sys_s=… exit=…
//
// peak_rss_kb is the largest sum of the resident set sizes of the command
// and all its descendants, sampled from /proc every 10 ms (the way the
// issue's reference summed Ansible's processes; shared pages count once
// per process). Orphans the command leaves (ssh ControlPersist masters)
// stay in the tree: benchtool makes itself their subreaper. user_s and
// sys_s are wait4's rusage of the command (it and the descendants it
// waited for): the figures /usr/bin/time prints.
func runCmd(args []string) error {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return errors.New("run: no command")
	}
	// PR_SET_CHILD_SUBREAPER = 36
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, 36, 1, 0); errno != 0 {
		return fmt.Errorf("run: prctl subreaper: %v", errno)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stderr, os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var max int64
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if s := treeRSS(os.Getpid()); s > max {
				max = s
			}
			select {
			case <-done:
				peak <- max
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	wall := time.Since(start)
	close(done)
	p := <-peak
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return fmt.Errorf("run: %w", err)
		}
		code = ee.ExitCode()
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	fmt.Printf("wall_s=%.3f peak_rss_kb=%d user_s=%.3f sys_s=%.3f maxrss_kb=%d exit=%d\n",
		wall.Seconds(), p, tv(ru.Utime), tv(ru.Stime), ru.Maxrss, code)
	return nil
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

// treeRSS sums VmRSS (kB) of every descendant of root.
func treeRSS(root int) int64 {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	parent := map[int]int{}
	for _, s := range stats {
		data, err := os.ReadFile(s)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces: cut at the last ')'.
		str := string(data)
		i := strings.LastIndexByte(str, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(str[i+1:])
		pid, _ := strconv.Atoi(strings.Fields(str)[0])
		if len(f) > 1 {
			parent[pid], _ = strconv.Atoi(f[1])
		}
	}
	var sum int64
	for pid := range parent {
		if pid == root || !descends(parent, pid, root) {
			continue
		}
		sum += vmRSS(pid)
	}
	return sum
}

func descends(parent map[int]int, pid, root int) bool {
	for range 64 {
		pp, ok := parent[pid]
		if !ok || pp == 0 {
			return false
		}
		if pp == root {
			return true
		}
		pid = pp
	}
	return false
}

func vmRSS(pid int) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	return 0
}

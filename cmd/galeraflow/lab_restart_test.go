//go:build lab

package main

// End-to-end tests of `galeraflow restart` and `galeraflow recover`
// against the lab. Evidence comes from the servers (SQL, their start
// lines, PIDs), not from galeraflow's own words. The lab is shared: each
// test waits for a healthy cluster first and leaves one behind, also on
// failure.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var restartLabNodes = []string{"n1", "n2", "n3"}

// labRestartOutcome is the part of the restart/recover JSON the tests read.
type labRestartOutcome struct {
	Result  string `json:"result"`
	Outcome struct {
		Phase     string   `json:"phase"`
		StopOrder []string `json:"stop_order"`
		Decision  struct {
			Node   string `json:"node"`
			Reason string `json:"reason"`
		} `json:"decision"`
		Nodes []struct {
			Node      string `json:"node"`
			Role      string `json:"role"`
			State     string `json:"state"`
			StopOrder int    `json:"stop_order"`
			StopNs    int64  `json:"stop_ns"`
			StartNs   int64  `json:"start_ns"`
			Position  string `json:"position"`
		} `json:"nodes"`
		Duration int64 `json:"duration_ns"`
	} `json:"outcome"`
}

func parseOutcome(t *testing.T, stdout string) labRestartOutcome {
	t.Helper()
	var o labRestartOutcome
	if err := json.Unmarshal([]byte(stdout), &o); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	return o
}

// labIsHealthy: `lab.sh status` exits 0 only when every node is Synced.
func labIsHealthy() bool {
	return labCommand("status").Run() == nil
}

// requireHealthyLab waits (bounded) for the shared lab to be healthy, as
// another developer may be restarting it, and makes sure it is healthy
// again when the test ends, whatever happened.
func requireHealthyLab(t *testing.T) {
	t.Helper()
	labDir(t)
	deadline := time.Now().Add(90 * time.Second)
	for !labIsHealthy() {
		if time.Now().After(deadline) {
			t.Log("the lab is not healthy after 90 s: rebuilding it with `lab.sh up`")
			lab(t, "up")
			break
		}
		time.Sleep(time.Second)
	}
	t.Cleanup(func() {
		// A node started by a test's own cleanup may still be joining.
		for end := time.Now().Add(60 * time.Second); time.Now().Before(end); time.Sleep(time.Second) {
			if labIsHealthy() {
				return
			}
		}
		t.Log("repairing the lab with `lab.sh up`")
		if out, err := labCommand("up").CombinedOutput(); err != nil {
			t.Errorf("lab.sh up: %v\n%s", err, out)
		}
	})
}

func labSQL(t *testing.T, node, sql string) string {
	t.Helper()
	return strings.TrimSpace(lab(t, "sql", node, sql))
}

// labTable creates a fresh table for the test's rows and drops it at the end.
func labTable(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("galeraflow_test.restart_%d", time.Now().UnixNano())
	labSQL(t, "n1", "CREATE DATABASE IF NOT EXISTS galeraflow_test; CREATE TABLE "+name+" (id INT PRIMARY KEY, node VARCHAR(8) NOT NULL) ENGINE=InnoDB")
	t.Cleanup(func() {
		if labIsHealthy() {
			_ = labCommand("sql", "n1", "DROP TABLE IF EXISTS "+name).Run()
		}
	})
	return name
}

func insertRows(t *testing.T, node, table string, ids ...int) {
	t.Helper()
	var vals []string
	for _, id := range ids {
		vals = append(vals, fmt.Sprintf("(%d, '%s')", id, node))
	}
	labSQL(t, node, "INSERT INTO "+table+" VALUES "+strings.Join(vals, ", "))
}

// assertRows checks that every node holds exactly the ids.
func assertRows(t *testing.T, table string, ids []int) {
	t.Helper()
	want := make([]string, len(ids))
	for i, id := range ids {
		want[i] = strconv.Itoa(id)
	}
	for _, n := range restartLabNodes {
		got := labSQL(t, n, "SELECT GROUP_CONCAT(id ORDER BY id) FROM "+table)
		if got != strings.Join(want, ",") {
			t.Errorf("%s holds rows %s, want %s", n, got, strings.Join(want, ","))
		}
	}
}

// assertClusterOf3 checks every node through the lab's own door.
func assertClusterOf3(t *testing.T) {
	t.Helper()
	for _, n := range restartLabNodes {
		got := labSQL(t, n, "SELECT GROUP_CONCAT(VARIABLE_VALUE ORDER BY VARIABLE_NAME) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('WSREP_CLUSTER_SIZE','WSREP_CLUSTER_STATUS','WSREP_LOCAL_STATE_COMMENT')")
		if got != "3,Primary,Synced" {
			t.Errorf("%s: size,status,state = %s, want 3,Primary,Synced", n, got)
		}
	}
}

func serverPID(t *testing.T, node string) string {
	t.Helper()
	return strings.TrimSpace(lab(t, "exec", node, "lab-mysql", "pid"))
}

// lastStart is the last start line lab-mysql wrote to mariadbd.out: the
// options it started mariadbd with, among them the position galera_recovery
// read from the node's own state (--wsrep_start_position=uuid:seqno).
func lastStart(t *testing.T, node string) string {
	t.Helper()
	return strings.TrimSpace(lab(t, "exec", node, "sh", "-c", "grep '^==== ' /var/log/mysql/mariadbd.out | tail -n 1"))
}

var startPosition = regexp.MustCompile(`--wsrep_start_position=[0-9a-f-]{36}:(-?\d+)`)

func startSeqno(t *testing.T, line string) int64 {
	t.Helper()
	m := startPosition.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("no start position in %q", line)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

func TestLabRestartKeepsRowsAndBootstrapsTheLastStopped(t *testing.T) {
	requireHealthyLab(t)
	table := labTable(t)
	insertRows(t, "n1", table, 1, 2, 3)
	insertRows(t, "n2", table, 11, 12, 13)
	insertRows(t, "n3", table, 21, 22, 23)
	before, pids := map[string]string{}, map[string]string{}
	for _, n := range restartLabNodes {
		before[n], pids[n] = lastStart(t, n), serverPID(t, n)
	}

	stdout, stderr, code := runApp(t, "--output", "json", "restart", filepath.Join(labDir(t), "inventory.yml"))
	if code != exitOK {
		t.Fatalf("restart: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	o := parseOutcome(t, stdout)
	assertClusterOf3(t)
	assertRows(t, table, []int{1, 2, 3, 11, 12, 13, 21, 22, 23})
	for _, n := range restartLabNodes {
		if p := serverPID(t, n); p == pids[n] {
			t.Errorf("%s: mariadbd pid %s unchanged: it was not restarted", n, p)
		}
	}

	// The servers' own record of the stop order: each node started from
	// the position it stopped at, and every departure takes a seqno, so
	// the nodes stopped one at a time in the order of their positions.
	// The last one, alone, was started with --wsrep-new-cluster.
	seq := map[string]int64{}
	for _, n := range restartLabNodes {
		line := lastStart(t, n)
		if line == before[n] {
			t.Fatalf("%s: no new start line in mariadbd.out (still %q)", n, line)
		}
		seq[n] = startSeqno(t, line)
		if boot := strings.Contains(line, "--wsrep-new-cluster"); boot != (n == "n3") {
			t.Errorf("%s started with %q: only n3 may bootstrap", n, line)
		}
	}
	if !(seq["n1"] < seq["n2"] && seq["n2"] < seq["n3"]) {
		t.Errorf("stop positions n1=%d n2=%d n3=%d: want n1 < n2 < n3 (stopped one at a time, n3 last)", seq["n1"], seq["n2"], seq["n3"])
	}
	// galeraflow's report agrees with the servers.
	if o.Outcome.Decision.Node != "n3" || strings.Join(o.Outcome.StopOrder, ",") != "n1,n2,n3" || o.Outcome.Phase != "done" {
		t.Errorf("report: decision %s, stop order %v, phase %s", o.Outcome.Decision.Node, o.Outcome.StopOrder, o.Outcome.Phase)
	}
	for _, n := range o.Outcome.Nodes {
		if !strings.Contains(n.Position, fmt.Sprintf(":%d ", seq[n.Node])) {
			t.Errorf("%s: report position %q, server started from seqno %d", n.Node, n.Position, seq[n.Node])
		}
		t.Logf("%s: stop %.2fs, start %.2fs (%s)", n.Node, float64(n.StopNs)/1e9, float64(n.StartNs)/1e9, n.Role)
	}
	t.Logf("restart total %.2fs", float64(o.Outcome.Duration)/1e9)
}

// waitSize polls a node until it sees a cluster of size (after a member
// was killed, Galera evicts it after its suspect timeout).
func waitSize(t *testing.T, node string, size int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := strings.TrimSpace(labQuietSQL(node, "SELECT CONCAT(VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME='WSREP_CLUSTER_SIZE'"))
		if got == strconv.Itoa(size) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: cluster size %q, want %d", node, got, size)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func labQuietSQL(node, sql string) string {
	out, _ := labCommand("sql", node, sql).Output()
	return string(out)
}

func TestLabRecoverPicksTheMostAdvancedNode(t *testing.T) {
	requireHealthyLab(t)
	table := labTable(t)
	insertRows(t, "n1", table, 1)
	// n1 crashes; n2 and n3 go on. n3 stops cleanly; n2 goes on alone.
	// Then n2 crashes: the most advanced node is n2, neither the first
	// nor the last of the inventory, and only --wsrep-recover knows it.
	lab(t, "kill-mysqld", "n1")
	waitSize(t, "n2", 2)
	insertRows(t, "n2", table, 11, 12)
	insertRows(t, "n3", table, 21, 22)
	lab(t, "service", "n3", "stop")
	waitSize(t, "n2", 1)
	insertRows(t, "n2", table, 13, 14)
	lab(t, "kill-mysqld", "n2")

	inv := filepath.Join(labDir(t), "inventory.yml")
	// Without a terminal and without --yes, recover refuses before anything.
	if _, stderr, code := runApp(t, "recover", inv); code != exitInvalid || !strings.Contains(stderr, "--yes") {
		t.Fatalf("recover without --yes: exit %d\n%s", code, stderr)
	}
	stdout, stderr, code := runApp(t, "--output", "json", "recover", "--yes", inv)
	if code != exitOK {
		t.Fatalf("recover: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	o := parseOutcome(t, stdout)
	if o.Outcome.Decision.Node != "n2" {
		t.Errorf("recover chose %s (%s), want n2", o.Outcome.Decision.Node, o.Outcome.Decision.Reason)
	}
	// The servers say the same: n2 alone bootstrapped, from the highest position.
	seq := map[string]int64{}
	for _, n := range restartLabNodes {
		line := lastStart(t, n)
		seq[n] = startSeqno(t, line)
		if boot := strings.Contains(line, "--wsrep-new-cluster"); boot != (n == "n2") {
			t.Errorf("%s started with %q: only n2 may bootstrap", n, line)
		}
	}
	if !(seq["n2"] > seq["n3"] && seq["n3"] > seq["n1"]) {
		t.Errorf("start positions n1=%d n2=%d n3=%d: want n2 > n3 > n1", seq["n1"], seq["n2"], seq["n3"])
	}
	assertClusterOf3(t)
	assertRows(t, table, []int{1, 11, 12, 13, 14, 21, 22})
	t.Logf("recover total %.2fs: %s", float64(o.Outcome.Duration)/1e9, o.Outcome.Decision.Reason)
}

// assertUntouched checks that no server was restarted or stopped.
func assertUntouched(t *testing.T, pids map[string]string) {
	t.Helper()
	for n, want := range pids {
		got := strings.TrimSpace(string(must(labCommand("exec", n, "lab-mysql", "pid").Output())))
		if got != want {
			t.Errorf("%s: mariadbd pid %q, was %q: the refused restart touched it", n, got, want)
		}
	}
}

func must(b []byte, _ error) []byte { return b }

func TestLabRestartRefusesWithAServerDown(t *testing.T) {
	requireHealthyLab(t)
	lab(t, "service", "n2", "stop")
	t.Cleanup(func() { _ = labCommand("service", "n2", "start").Run() })
	pids := map[string]string{"n1": serverPID(t, "n1"), "n2": "", "n3": serverPID(t, "n3")}

	stdout, stderr, code := runApp(t, "restart", filepath.Join(labDir(t), "inventory.yml"))
	if code != exitDegraded {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitDegraded, stdout, stderr)
	}
	for _, want := range []string{"nothing was changed", "n2", "not running"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	assertUntouched(t, pids)
	assertNoTrace(t, stderr)
}

func TestLabRestartRefusesWithAnUnreachableNode(t *testing.T) {
	requireHealthyLab(t)
	pids := map[string]string{}
	for _, n := range restartLabNodes {
		pids[n] = serverPID(t, n)
	}
	lab(t, "stop-sshd", "n2")
	t.Cleanup(func() { _ = labCommand("start-sshd", "n2").Run() })

	stdout, stderr, code := runApp(t, "restart", filepath.Join(labDir(t), "inventory.yml"))
	if code != exitUnreachable {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitUnreachable, stdout, stderr)
	}
	if !strings.Contains(stderr, "n2") || !strings.Contains(stderr, "nothing was changed") {
		t.Errorf("stderr:\n%s", stderr)
	}
	assertUntouched(t, pids)
	assertNoTrace(t, stderr)
}

// TestLabRestartTimings compares galeraflow's restart with the lab's own
// service commands doing the same stops and starts in the same order (no
// assertion on time: the numbers are for the notes). It restarts the
// cluster twice, so it runs only with GALERAFLOW_LAB_TIMINGS=1.
func TestLabRestartTimings(t *testing.T) {
	if os.Getenv("GALERAFLOW_LAB_TIMINGS") == "" {
		t.Skip("set GALERAFLOW_LAB_TIMINGS=1 to measure")
	}
	requireHealthyLab(t)
	stdout, stderr, code := runApp(t, "--output", "json", "restart", filepath.Join(labDir(t), "inventory.yml"))
	if code != exitOK {
		t.Fatalf("restart: exit %d\n%s", code, stderr)
	}
	o := parseOutcome(t, stdout)
	for _, n := range o.Outcome.Nodes {
		t.Logf("galeraflow %s: stop %.2fs, %s %.2fs", n.Node, float64(n.StopNs)/1e9, n.Role, float64(n.StartNs)/1e9)
	}
	t.Logf("galeraflow total %.2fs", float64(o.Outcome.Duration)/1e9)

	// By hand: the lab's service commands, then wait until Synced.
	start := time.Now()
	step := func(node, op string) {
		t0 := time.Now()
		lab(t, "service", node, op)
		if op != "stop" {
			waitSynced(t, node)
		}
		t.Logf("by hand %s %s: %.2fs", op, node, time.Since(t0).Seconds())
	}
	for _, n := range []string{"n1", "n2", "n3"} {
		step(n, "stop")
	}
	step("n3", "bootstrap")
	step("n1", "start")
	step("n2", "start")
	t.Logf("by hand total %.2fs", time.Since(start).Seconds())
	assertClusterOf3(t)
}

func waitSynced(t *testing.T, node string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		got := strings.TrimSpace(labQuietSQL(node, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME='WSREP_LOCAL_STATE_COMMENT'"))
		if got == "Synced" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %q, not Synced", node, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

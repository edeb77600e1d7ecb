package playbook

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/inventory"
	"github.com/galeraflow/galeraflow/playbook/galera"
	"github.com/galeraflow/galeraflow/remote"
	"github.com/galeraflow/galeraflow/remote/remotetest"
)

// simCluster is a scripted Galera cluster for restart and recover tests.
// Each fake node answers the commands galeraflow sends from a small model
// of Galera — whether the server runs, the primary component's members,
// grastate.dat in the fake's files — so tests assert what happened to the
// nodes (who stopped, who bootstrapped, what a file says), not canned text.
type simCluster struct {
	t     *testing.T
	mu    sync.Mutex
	order []string
	nodes map[string]*simNode
	uuid  string
	// seqno is the cluster's last committed seqno; every membership change
	// takes one, as in Galera.
	seqno int64
	// events are the operations that change a node, in order: "stop n1",
	// "bootstrap n3", "start n1", "write n3 /var/lib/mysql/grastate.dat".
	events []string
	// onEvent runs after an event is recorded (tests use it to interrupt).
	onEvent func(ev string)
}

type simNode struct {
	name    string
	fake    *remotetest.Fake
	running bool
	// seqno is the node's own last committed seqno (for --wsrep-recover).
	seqno int64
	// behaviours
	stopHangs   bool              // the server ignores the stop command
	stopCrashes bool              // the stop kills it: grastate.dat keeps seqno -1
	noPidof     bool              // neither pidof nor pgrep is installed
	startFails  func() string     // non-empty: the start dies with this log line
	localState  string            // wsrep_local_state_comment while running (default Synced)
	options     map[string]string // my_print_defaults --mysqld output, key → value
	recoveries  int               // --wsrep-recover runs
}

const simUUID = "6f0a5f2e-0000-11ef-8000-000000000001"

// newSim builds a healthy cluster of the named nodes, all running.
func newSim(t *testing.T, names ...string) *simCluster {
	s := &simCluster{t: t, order: names, nodes: map[string]*simNode{}, uuid: simUUID, seqno: 40}
	for _, n := range names {
		node := &simNode{name: n, running: true, seqno: s.seqno, options: map[string]string{
			"wsrep_cluster_address": "gcomm://" + strings.Join(names, ","),
			"log_error":             "/var/log/mysql/error.log",
		}}
		node.fake = s.script(node)
		s.nodes[n] = node
		s.setGRA(node, -1, false)
	}
	return s
}

func (s *simCluster) fakes() map[string]*remotetest.Fake {
	m := map[string]*remotetest.Fake{}
	for n, node := range s.nodes {
		m[n] = node.fake
	}
	return m
}

func (s *simCluster) record(ev string) {
	s.events = append(s.events, ev)
	if s.onEvent != nil {
		s.onEvent(ev)
	}
}

func (s *simCluster) setGRA(n *simNode, seqno int64, safe bool) {
	n.fake.SetFile("/var/lib/mysql/grastate.dat", fmt.Sprintf("# GALERA saved state\nversion: 2.1\nuuid:    %s\nseqno:   %d\nsafe_to_bootstrap: %d\n", s.uuid, seqno, b2i(safe)), 0o660, "mysql", "mysql")
}

func (s *simCluster) gra(n *simNode) galera.GRAState {
	f := n.fake.File("/var/lib/mysql/grastate.dat")
	if f == nil {
		s.t.Fatalf("%s: no grastate.dat", n.name)
	}
	g, err := galera.ParseGRAState(f.Data)
	if err != nil {
		s.t.Fatalf("%s: grastate.dat: %v", n.name, err)
	}
	return g
}

func (s *simCluster) members() []string {
	var m []string
	for _, n := range s.order {
		if s.nodes[n].running {
			m = append(m, n)
		}
	}
	return m
}

// crash kills a node's server: grastate.dat keeps seqno -1.
func (s *simCluster) crash(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.nodes[name]
	n.running = false
	n.seqno = s.seqno
	s.advance(1) // the others see the membership change
}

// advance moves the cluster k seqnos on; the running members follow.
// Callers hold s.mu.
func (s *simCluster) advance(k int64) {
	s.seqno += k
	for _, n := range s.nodes {
		if n.running {
			n.seqno = s.seqno
		}
	}
}

// commit advances the cluster by k transactions on the running members.
func (s *simCluster) commit(k int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(k)
}

func (s *simCluster) script(n *simNode) *remotetest.Fake {
	f := remotetest.NewFake(s.t, n.name)
	debianConfig(f)
	ok := remote.Result{}
	f.ExpectMatch(`^true$`).Sudo(true).AnyTimes()
	f.ExpectFunc("sql", func(c string) bool { return strings.Contains(c, "-N -B") }).AnyTimes().
		Do(func(remotetest.Call) (remote.Result, error) { return s.sql(n), nil })
	f.ExpectFunc("pids", func(c string) bool { return strings.Contains(c, "pidof mariadbd mysqld") }).Sudo(true).AnyTimes().
		Do(func(remotetest.Call) (remote.Result, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if n.noPidof {
				return remote.Result{ExitStatus: 127, Stderr: []byte("neither pidof nor pgrep is installed")}, nil
			}
			if n.running {
				return remote.Result{Stdout: []byte("4242\n")}, nil
			}
			return ok, nil
		})
	f.ExpectFunc("my_print_defaults", func(c string) bool { return strings.HasPrefix(c, "my_print_defaults ") }).Sudo(true).AnyTimes().
		Do(func(call remotetest.Call) (remote.Result, error) {
			if !call.Opts.Sensitive {
				s.t.Errorf("%s: my_print_defaults prints secrets: it must run as sensitive", n.name)
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			var b strings.Builder
			b.WriteString("--user=mysql\n--wsrep_sst_auth=sst:s3cret\n")
			for k, v := range n.options {
				if v == "" {
					fmt.Fprintf(&b, "--%s\n", k)
				} else {
					fmt.Fprintf(&b, "--%s=%s\n", k, v)
				}
			}
			return remote.Result{Stdout: []byte(b.String())}, nil
		})
	f.Expect("systemctl stop mariadb").Sudo(true).AnyTimes().Do(func(remotetest.Call) (remote.Result, error) { return s.stop(n) })
	f.Expect("galera_new_cluster").Sudo(true).AnyTimes().Do(func(remotetest.Call) (remote.Result, error) { return s.start(n, true) })
	f.Expect("systemctl start mariadb").Sudo(true).AnyTimes().Do(func(remotetest.Call) (remote.Result, error) { return s.start(n, false) })
	f.ExpectFunc("wsrep-recover", func(c string) bool { return strings.Contains(c, "--wsrep-recover") }).Sudo(true).AnyTimes().
		Do(func(call remotetest.Call) (remote.Result, error) {
			if !strings.Contains(call.Command, "--user=mysql") || !strings.HasSuffix(call.Command, " mariadbd") {
				s.t.Errorf("%s: recovery must run mariadbd as the mysql user: %s", n.name, call.Command)
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if n.running {
				s.t.Errorf("%s: --wsrep-recover while the server runs", n.name)
			}
			n.recoveries++
			log := fmt.Sprintf("2024-01-02  3:04:05 0 [Note] InnoDB: Starting crash recovery\n2024-01-02  3:04:06 0 [Note] WSREP: Recovered position: %s:%d\n", s.uuid, n.seqno)
			return remote.Result{Stdout: []byte(log)}, nil
		})
	f.ExpectFunc("error log tail", func(c string) bool { return strings.Contains(c, "tail -c +") }).AnyTimes().
		Stdout("2024-01-02  3:04:05 0 [ERROR] WSREP: simulated failure\n")
	return f
}

// sql answers the facts query and SHOW STATUS from the model.
func (s *simCluster) sql(n *simNode) remote.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !n.running {
		return remote.Result{ExitStatus: 1, Stderr: []byte("ERROR 2002 (HY000): Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)\n")}
	}
	state := n.localState
	if state == "" {
		state = "Synced"
	}
	num := map[string]string{"Synced": "4", "Donor/Desynced": "2", "Joining": "1", "Joined": "3"}[state]
	rows := []string{
		"version\t10.11.14-MariaDB-0+deb12u2",
		"version_comment\tDebian 12",
		"wsrep_cluster_status\tPrimary",
		"wsrep_local_state\t" + num,
		"wsrep_local_state_comment\t" + state,
		fmt.Sprintf("wsrep_cluster_size\t%d", len(s.members())),
		"wsrep_cluster_state_uuid\t" + s.uuid,
		"wsrep_local_state_uuid\t" + s.uuid,
		"wsrep_provider_version\t26.4.23(r1234)",
		"wsrep_ready\tON",
		"wsrep_connected\tON",
		fmt.Sprintf("wsrep_cluster_conf_id\t%d", s.seqno),
		"wsrep_on\tON",
		"wsrep_osu_method\tTOI",
		"wsrep_sst_method\trsync",
		"have_ssl\tDISABLED",
	}
	return remote.Result{Stdout: []byte(strings.Join(rows, "\n") + "\n")}
}

// stop is a clean shutdown: the last member leaves safe_to_bootstrap: 1.
func (s *simCluster) stop(n *simNode) (remote.Result, error) {
	s.mu.Lock()
	s.record("stop " + n.name)
	if n.stopHangs || !n.running {
		s.mu.Unlock()
		return remote.Result{}, nil
	}
	last := len(s.members()) == 1
	n.running = false
	n.seqno = s.seqno
	s.advance(1)
	if n.stopCrashes {
		s.mu.Unlock()
		return remote.Result{}, nil
	}
	s.mu.Unlock()
	s.setGRA(n, n.seqno, last)
	return remote.Result{}, nil
}

// start joins the primary component, or bootstraps one.
func (s *simCluster) start(n *simNode, bootstrap bool) (remote.Result, error) {
	s.mu.Lock()
	ev := "start "
	if bootstrap {
		ev = "bootstrap "
	}
	s.record(ev + n.name)
	members := s.members()
	var fail string
	if n.startFails != nil {
		fail = n.startFails()
	}
	s.mu.Unlock()
	if n.running {
		return remote.Result{}, nil
	}
	g := s.gra(n)
	switch {
	case bootstrap && len(members) > 0:
		s.t.Errorf("second bootstrap: %s bootstrapped while %v run", n.name, members)
	case bootstrap && !g.SafeToBootstrap:
		return remote.Result{ExitStatus: 1, Stderr: []byte("[ERROR] WSREP: It may not be safe to bootstrap the cluster from this node.")}, nil
	case !bootstrap && len(members) == 0:
		return remote.Result{ExitStatus: 1, Stderr: []byte("[ERROR] WSREP: failed to open gcomm backend connection: 110: failed to reach primary view")}, nil
	}
	if fail != "" {
		return remote.Result{ExitStatus: 1, Stderr: []byte(fail)}, nil
	}
	s.mu.Lock()
	n.running = true
	s.advance(1)
	s.mu.Unlock()
	s.setGRA(n, -1, false)
	return remote.Result{}, nil
}

// simInventory is testInventory with short timeouts for the waits.
func simInventory(t *testing.T, names ...string) *inventory.Inventory {
	inv := testInventory(t, names...)
	inv.Timeouts.Stop = time.Second
	inv.Timeouts.Start = 2 * time.Second
	inv.Timeouts.Command = 2 * time.Second
	return inv
}

// fastRestart and fastRecover poll every few milliseconds.
func fastRestart(bootstrapNode string) *Playbook {
	return &Playbook{Name: "restart", RequireHealthy: true, Steps: []Step{Restart{BootstrapNode: bootstrapNode, Always: true, every: 5 * time.Millisecond}}}
}

func fastRecover(expect string) *Playbook {
	return &Playbook{Name: "recover", Steps: []Step{Recover{Expect: expect, every: 5 * time.Millisecond}}}
}

func (s *simCluster) execute(t *testing.T, ctx context.Context, inv *inventory.Inventory, pb *Playbook, dry bool) (*Report, error) {
	t.Helper()
	return Execute(ctx, inv, pb, Options{DryRun: dry, Dial: fakeDialer(s.fakes()), LockDir: t.TempDir()})
}

// kinds filters events by their verb ("start", "bootstrap", "stop", "write").
func (s *simCluster) kinds(verbs ...string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, ev := range s.events {
		for _, v := range verbs {
			if strings.HasPrefix(ev, v+" ") {
				out = append(out, ev)
			}
		}
	}
	return out
}

// writes lists the files written on every node, as "node path".
func (s *simCluster) writes() []string {
	var out []string
	for _, n := range s.order {
		for _, w := range s.nodes[n].fake.Writes() {
			out = append(out, n+" "+w.Path)
		}
	}
	return out
}

// assertHealthy checks the model's end state: every node runs.
func (s *simCluster) assertHealthy(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.order {
		if !s.nodes[n].running {
			t.Errorf("%s is not running at the end", n)
		}
	}
}

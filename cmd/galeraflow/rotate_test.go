package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/playbook"
)

func TestRotateMetricsTextfile(t *testing.T) {
	started := time.Unix(1767225600, 0)
	rot := &playbook.Rotation{Path: playbook.PathSameCA, Method: playbook.MethodReload,
		Nodes: []*playbook.NodeRotation{{Node: "n2", DaysLeft: 824}, {Node: "n1", DaysLeft: -3}}}
	got := rotateMetrics(runMetrics{cluster: `lab "a"`, result: "ok", rot: rot, duration: 1500 * time.Millisecond, started: started})
	for _, want := range []string{
		"# TYPE galeraflow_cert_days_left gauge\n",
		`galeraflow_cert_days_left{cluster="lab \"a\"",node="n1"} -3` + "\n" + `galeraflow_cert_days_left{cluster="lab \"a\"",node="n2"} 824`,
		`galeraflow_rotate_last_run_timestamp_seconds{cluster="lab \"a\""} 1767225600`,
		`galeraflow_rotate_last_run_success{cluster="lab \"a\""} 1`,
		`galeraflow_rotate_last_run_exit_code{cluster="lab \"a\""} 0`,
		`galeraflow_rotate_last_run_info{cluster="lab \"a\"",result="ok",path="same-ca",method="reload"} 1`,
		`galeraflow_rotate_last_run_duration_seconds{cluster="lab \"a\""} 1.500`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("textfile lacks %q:\n%s", want, got)
		}
	}
	// Every sample line is NAME{LABELS} VALUE, after its HELP and TYPE.
	for _, l := range strings.Split(strings.TrimSpace(got), "\n") {
		if !strings.HasPrefix(l, "# ") && !strings.HasPrefix(l, "galeraflow_") {
			t.Errorf("bad line %q", l)
		}
	}

	failed := rotateMetrics(runMetrics{cluster: "lab", result: "failed", started: started, err: fmt.Errorf("x: %w", playbook.ErrCertsExpiring)})
	for _, want := range []string{`galeraflow_rotate_last_run_success{cluster="lab"} 0`, `galeraflow_rotate_last_run_exit_code{cluster="lab"} 9`} {
		if !strings.Contains(failed, want) {
			t.Errorf("failed run: textfile lacks %q:\n%s", want, failed)
		}
	}
	if strings.Contains(failed, "galeraflow_cert_days_left") {
		t.Error("a run that read no node reports days left")
	}
}

func TestRotateMetricsFileIsReplacedWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "galeraflow.prom")
	if err := writeRotateMetrics(path, nil, errors.New("boom"), time.Now()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("stat: %v %v", fi, err)
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(matches) != 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}

func TestRotateUsage(t *testing.T) {
	for _, args := range [][]string{
		{"rotate"},
		{"rotate", "--days", "-1", "x.yml"},
		{"rotate", "--cert-days", "0", "x.yml"},
		{"rotate", "no-such-inventory.yml"},
	} {
		if _, stderr, code := runApp(t, args...); code != exitInvalid {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, exitInvalid, stderr)
		}
	}
	out, _, _ := runApp(t, "rotate", "--help")
	for _, want := range []string{"--dry-run", "--yes", "--renew", "--metrics-file", "--restart-nodes", "same CA", "new CA"} {
		if !strings.Contains(out, want) {
			t.Errorf("rotate --help lacks %q", want)
		}
	}
}

// A second run while one holds the lock exits at once with code 7, before
// connecting to anything.
func TestRotateLockHeld(t *testing.T) {
	_, inv := genInventory(t)
	if _, stderr, code := runApp(t, "certs", "generate", inv); code != exitOK {
		t.Fatalf("generate: %d %s", code, stderr)
	}
	lockDir := t.TempDir()
	lock, err := playbook.AcquireLock(playbook.LockPath(lockDir, "prod", inv), "rotate "+inv, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	start := time.Now()
	_, stderr, code := runApp(t, "rotate", "--lock-dir", lockDir, inv)
	if code != exitLocked || !strings.Contains(stderr, "rotate") {
		t.Fatalf("exit %d, want %d\n%s", code, exitLocked, stderr)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %s: a locked run must exit at once", took)
	}
}

// The crontab line and the systemd unit in examples/cron use flags that
// exist: run with a missing inventory, they fail on the inventory only.
func TestCronExamplesUseRealFlags(t *testing.T) {
	for _, file := range []string{"crontab", "galeraflow-rotate.service"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "examples", "cron", file))
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(data), "\\\n", " ")
		var cmd string
		for _, l := range strings.Split(text, "\n") {
			if i := strings.Index(l, "/usr/local/bin/galeraflow "); i >= 0 && !strings.HasPrefix(strings.TrimSpace(l), "#") {
				cmd = l[i+len("/usr/local/bin/galeraflow "):]
			}
		}
		if cmd == "" {
			t.Fatalf("%s: no galeraflow command line", file)
		}
		cmd, _, _ = strings.Cut(cmd, ">")
		args := strings.Fields(cmd)
		if args[len(args)-1] != "/etc/galeraflow/inventory.yml" {
			t.Fatalf("%s: the command does not end with the inventory: %v", file, args)
		}
		args[len(args)-1] = filepath.Join(t.TempDir(), "missing.yml")
		for i, a := range args {
			if strings.HasSuffix(a, ".prom") {
				args[i] = filepath.Join(t.TempDir(), "galeraflow.prom")
			}
		}
		_, stderr, code := runApp(t, args...)
		if code != exitInvalid || !strings.Contains(stderr, "missing.yml") || strings.Contains(stderr, "not defined") {
			t.Errorf("%s: %v: exit %d\n%s", file, args, code, stderr)
		}
	}
}

package main

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/playbook"
)

// writeRotateMetrics writes a Prometheus textfile for node_exporter's
// textfile collector: days to expiry of each node's certificate (as the
// run left it) and the outcome of the run. It is replaced atomically, so
// the collector never reads half a file.
func writeRotateMetrics(path string, r *playbook.Report, runErr error, started time.Time) error {
	m := runMetrics{started: started, err: runErr, result: "failed"}
	if r != nil {
		m.cluster, m.result, m.duration = r.Cluster, r.Result, r.Duration
		m.rot = playbook.RotationOf(r)
	}
	if err := playbook.WriteLocalFile(path, []byte(rotateMetrics(m)), 0o644); err != nil {
		return fmt.Errorf("--metrics-file: %w", err)
	}
	return nil
}

// runMetrics is what the textfile says about one run.
type runMetrics struct {
	cluster, result string
	rot             *playbook.Rotation
	duration        time.Duration
	started         time.Time
	err             error
}

func rotateMetrics(m runMetrics) string {
	cluster, result, path, method, rot, runErr := m.cluster, m.result, "", "", m.rot, m.err
	if runErr == nil {
		result = "ok"
	}
	if rot != nil {
		path, method = rot.Path, rot.Method
	}
	code := exitCode(runErr)
	ok := 0
	if code == exitOK {
		ok = 1
	}
	c := `cluster="` + escapeLabel(cluster) + `"`
	var b strings.Builder
	metric := func(name, help, typ string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	if rot != nil && len(rot.Nodes) > 0 {
		metric("galeraflow_cert_days_left", "Whole days until the node's server certificate expires, as the last rotate run left it (negative once expired).", "gauge")
		nodes := append([]*playbook.NodeRotation{}, rot.Nodes...)
		sort.Slice(nodes, func(i, j int) bool { return nodes[i].Node < nodes[j].Node })
		for _, n := range nodes {
			fmt.Fprintf(&b, "galeraflow_cert_days_left{%s,node=\"%s\"} %d\n", c, escapeLabel(n.Node), n.DaysLeft)
		}
	}
	metric("galeraflow_rotate_last_run_timestamp_seconds", "Unix time when the last rotate run started.", "gauge")
	fmt.Fprintf(&b, "galeraflow_rotate_last_run_timestamp_seconds{%s} %d\n", c, m.started.Unix())
	metric("galeraflow_rotate_last_run_success", "1 if the last rotate run succeeded (nothing to do counts), else 0.", "gauge")
	fmt.Fprintf(&b, "galeraflow_rotate_last_run_success{%s} %d\n", c, ok)
	metric("galeraflow_rotate_last_run_exit_code", "Exit code of the last rotate run (see galeraflow --help).", "gauge")
	fmt.Fprintf(&b, "galeraflow_rotate_last_run_exit_code{%s} %d\n", c, code)
	metric("galeraflow_rotate_last_run_info", "The last rotate run: its result, the path it took and how nodes took their files.", "gauge")
	fmt.Fprintf(&b, "galeraflow_rotate_last_run_info{%s,result=\"%s\",path=\"%s\",method=\"%s\"} 1\n", c, escapeLabel(result), escapeLabel(path), escapeLabel(method))
	metric("galeraflow_rotate_last_run_duration_seconds", "How long the last rotate run took.", "gauge")
	fmt.Fprintf(&b, "galeraflow_rotate_last_run_duration_seconds{%s} %.3f\n", c, m.duration.Seconds())
	return b.String()
}

// escapeLabel escapes a Prometheus label value.
func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

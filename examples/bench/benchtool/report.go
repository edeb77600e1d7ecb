package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// A raw row of bench.sh: one run of one tool at one fleet size.
type sample struct {
	tool                 string
	n                    int
	wall, user, sys      float64
	peakKB, loginsPerRun float64
}

// summary is the medians of one tool at one fleet size.
type summary struct {
	tool                    string
	n, runs                 int
	wall, peakMB, cpuMsHost float64
	loginsPerHost           float64
	minWall, maxWall        float64
}

var toolOrder = []string{"galeraflow", "parallel-ssh", "ansible"}

// reportCmd reads bench.sh's raw CSV and writes results.md, results.csv
// and chart.svg to DIR; META is prepended to the markdown (machine, date,
// versions).
func reportCmd(args []string) error {
	if len(args) != 3 {
		return errors.New("report: usage: report RAW.csv DIR META.txt")
	}
	samples, err := readRaw(args[0])
	if err != nil {
		return err
	}
	meta, err := os.ReadFile(args[2])
	if err != nil {
		return err
	}
	sums := summarize(samples)
	if err := os.MkdirAll(args[1], 0o755); err != nil {
		return err
	}
	md := markdown(sums, string(meta))
	if err := os.WriteFile(filepath.Join(args[1], "results.md"), []byte(md), 0o644); err != nil {
		return err
	}
	if err := writeSummaryCSV(filepath.Join(args[1], "results.csv"), sums, string(meta)); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(args[1], "chart.svg"), []byte(chart(sums)), 0o644); err != nil {
		return err
	}
	fmt.Print(md)
	return nil
}

func readRaw(path string) ([]sample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []sample
	for i, r := range rows {
		if i == 0 || len(r) < 9 { // header
			continue
		}
		if r[8] != "ok" {
			return nil, fmt.Errorf("%s:%d: a run that failed its check is in the results", path, i+1)
		}
		num := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
		n, _ := strconv.Atoi(r[1])
		out = append(out, sample{tool: r[0], n: n, wall: num(r[3]), peakKB: num(r[4]),
			user: num(r[5]), sys: num(r[6]), loginsPerRun: num(r[7])})
	}
	return out, nil
}

func summarize(samples []sample) []summary {
	groups := map[string][]sample{}
	for _, s := range samples {
		k := fmt.Sprintf("%s/%d", s.tool, s.n)
		groups[k] = append(groups[k], s)
	}
	var out []summary
	for _, g := range groups {
		var walls, peaks, cpus, logins []float64
		for _, s := range g {
			walls = append(walls, s.wall)
			peaks = append(peaks, s.peakKB/1024)
			cpus = append(cpus, (s.user+s.sys)*1000/float64(s.n))
			logins = append(logins, s.loginsPerRun/float64(s.n))
		}
		sort.Float64s(walls)
		out = append(out, summary{tool: g[0].tool, n: g[0].n, runs: len(g), wall: median(walls),
			peakMB: median(peaks), cpuMsHost: median(cpus), loginsPerHost: median(logins),
			minWall: walls[0], maxWall: walls[len(walls)-1]})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n < out[j].n
		}
		return toolRank(out[i].tool) < toolRank(out[j].tool)
	})
	return out
}

func toolRank(t string) int {
	for i, x := range toolOrder {
		if x == t {
			return i
		}
	}
	return len(toolOrder)
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s) == 0 {
		return math.NaN()
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func find(sums []summary, tool string, n int) (summary, bool) {
	for _, s := range sums {
		if s.tool == tool && s.n == n {
			return s, true
		}
	}
	return summary{}, false
}

func sizes(sums []summary) []int {
	seen := map[int]bool{}
	var ns []int
	for _, s := range sums {
		if !seen[s.n] {
			seen[s.n] = true
			ns = append(ns, s.n)
		}
	}
	sort.Ints(ns)
	return ns
}

func markdown(sums []summary, meta string) string {
	var b strings.Builder
	b.WriteString("# galeraflow vs parallel-ssh vs Ansible: the same workload on a loopback OpenSSH fleet\n\n")
	b.WriteString(strings.TrimSpace(meta) + "\n\n")
	b.WriteString("Medians over the runs (each run checked afterwards on every host). Memory: peak of the summed RSS of the\n")
	b.WriteString("tool's process tree. CPU: user+sys of the controller's processes per host. Logins: \"Accepted publickey\" lines in\n")
	b.WriteString("the fleet's sshd logs per host and run.\n\n")
	b.WriteString("| N | tool | runs | wall s (median) | min–max s | peak MB | CPU ms/host | logins/host |\n")
	b.WriteString("|---:|---|---:|---:|---|---:|---:|---:|\n")
	for _, s := range sums {
		fmt.Fprintf(&b, "| %d | %s | %d | %.2f | %.2f–%.2f | %.0f | %.1f | %.1f |\n",
			s.n, s.tool, s.runs, s.wall, s.minWall, s.maxWall, s.peakMB, s.cpuMsHost, s.loginsPerHost)
	}
	b.WriteString("\nHow many times faster galeraflow is (median wall time of the other tool / galeraflow's):\n\n")
	b.WriteString("| N | vs Ansible | vs parallel-ssh |\n|---:|---:|---:|\n")
	for _, n := range sizes(sums) {
		g, ok := find(sums, "galeraflow", n)
		if !ok {
			continue
		}
		ratio := func(tool string) string {
			o, ok := find(sums, tool, n)
			if !ok {
				return "–"
			}
			return fmt.Sprintf("%.1f×", o.wall/g.wall)
		}
		fmt.Fprintf(&b, "| %d | %s | %s |\n", n, ratio("ansible"), ratio("parallel-ssh"))
	}
	b.WriteString("\n![wall time against fleet size](chart.svg)\n")
	return b.String()
}

func writeSummaryCSV(path string, sums []summary, meta string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"n", "tool", "runs", "wall_s_median", "wall_s_min", "wall_s_max", "peak_mb_median", "cpu_ms_per_host_median", "logins_per_host", "cores", "date"})
	cores, date := metaField(meta, "cores"), metaField(meta, "date")
	for _, s := range sums {
		w.Write([]string{strconv.Itoa(s.n), s.tool, strconv.Itoa(s.runs), f3(s.wall), f3(s.minWall), f3(s.maxWall),
			f3(s.peakMB), f3(s.cpuMsHost), f3(s.loginsPerHost), cores, date})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func f3(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

// metaField reads "- name: value" from the meta text.
func metaField(meta, name string) string {
	for _, l := range strings.Split(meta, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "- "+name+": "); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

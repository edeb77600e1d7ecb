package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/galeraflow/galeraflow/playbook"
)

// The read-only commands: check (facts per node) and status (the wsrep table).

func checkCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "validate the inventory, connect to every node and report its facts (read-only)",
		ArgsUsage: "INVENTORY",
		Description: "check loads and validates the inventory, connects to every node in parallel and\n" +
			"reports: login, sudo, server flavor and version, Galera provider version, wsrep\n" +
			"state, cluster size and state uuid, wsrep_OSU_method, wsrep_sst_method and TLS status.\n" +
			"It changes nothing. Exit code 0 when every node is reachable and the cluster healthy.",
		Action: func(c *cli.Context) error {
			return inspect(c, e, renderCheck)
		},
	}
}

func statusCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "show every node's wsrep state as a table (or --output json)",
		ArgsUsage: "INVENTORY",
		Action: func(c *cli.Context) error {
			return inspect(c, e, renderStatus)
		},
	}
}

// report is the JSON document of check and status.
type report struct {
	Cluster  string            `json:"cluster"`
	OK       bool              `json:"ok"`
	Nodes    []*playbook.Facts `json:"nodes"`
	Problems []string          `json:"problems"`
	Warnings []string          `json:"warnings,omitempty"`
}

func inspect(c *cli.Context, e env, render func(io.Writer, *report)) error {
	inv, log, err := openInventory(c, e)
	if err != nil {
		return err
	}
	r := &report{Cluster: inv.Cluster, Problems: []string{}}
	for _, w := range inv.Warnings {
		r.Warnings = append(r.Warnings, w.String())
	}
	r.Nodes = playbook.GatherAll(c.Context, inv, playbook.SSHDialer(log, nil))
	verdict := playbook.ClusterVerdict(r.Nodes)
	if verdict != nil {
		r.Problems = splitLines(verdict.Error())
	}
	r.OK = verdict == nil
	if err := writeResult(e.stdout, wantJSON(c), r, func(w io.Writer) { render(w, r) }); err != nil {
		return err
	}
	return verdict
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func renderCheck(w io.Writer, r *report) {
	for _, f := range r.Nodes {
		fmt.Fprintf(w, "%s (%s)\n", f.Node, f.Address)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		if !f.Reachable {
			fmt.Fprintf(tw, "  reachable\tno\n")
		} else {
			sudo := "no"
			if f.Sudo {
				sudo = "ok"
			}
			fmt.Fprintf(tw, "  login\t%s, sudo %s\n", f.Login, sudo)
		}
		if f.ServerVersion != "" {
			fmt.Fprintf(tw, "  server\t%s (%s), flavor %s\n", f.ServerVersion, f.VersionComment, f.Flavor)
			fmt.Fprintf(tw, "  galera\t%s\n", f.ProviderVersion)
			fmt.Fprintf(tw, "  wsrep\t%s, %s, size %d, state uuid %s\n",
				f.Wsrep.ClusterStatus, f.Wsrep.LocalStateComment, f.Wsrep.ClusterSize, f.Wsrep.ClusterStateUUID)
			fmt.Fprintf(tw, "  OSU method\t%s\n", f.OSUMethod)
			fmt.Fprintf(tw, "  SST method\t%s\n", f.SSTMethod)
			fmt.Fprintf(tw, "  TLS\tserver %s, replication %s, require_secure_transport %s\n",
				onOff(f.TLS.Server), onOff(f.TLS.Replication), onOff(f.TLS.RequireSecureTransport))
		}
		if f.Error != "" {
			fmt.Fprintf(tw, "  error\t%s\n", f.Error)
		}
		tw.Flush()
	}
	renderVerdict(w, r)
}

func renderStatus(w io.Writer, r *report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tADDRESS\tSTATE\tCLUSTER\tSIZE\tREADY\tLAST COMMITTED\tSTATE UUID")
	for _, f := range r.Nodes {
		if f.ServerVersion == "" {
			fmt.Fprintf(tw, "%s\t%s\t%s\t-\t-\t-\t-\t-\n", f.Node, f.Address, unreachableLabel(f))
			continue
		}
		s := f.Wsrep
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%d\t%s\n", f.Node, f.Address, s.LocalStateComment,
			s.ClusterStatus, s.ClusterSize, onOff(s.Ready), s.LastCommitted, s.ClusterStateUUID)
	}
	tw.Flush()
	renderVerdict(w, r)
}

func unreachableLabel(f *playbook.Facts) string {
	if !f.Reachable {
		return "UNREACHABLE"
	}
	return "NO SERVER"
}

func renderVerdict(w io.Writer, r *report) {
	if r.OK {
		fmt.Fprintf(w, "cluster %s: %d nodes, all Primary and Synced\n", r.Cluster, len(r.Nodes))
		return
	}
	fmt.Fprintf(w, "cluster %s: %d problem(s)\n", r.Cluster, len(r.Problems))
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  - %s\n", p)
	}
}

package playbook

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/playbook/mycnf"
	"github.com/galeraflow/galeraflow/remote"
)

// newClusterFile is where MariaDB's galera_new_cluster (10.11.15+, 11.x)
// leaves `_WSREP_NEW_CLUSTER=--wsrep-new-cluster` for the service unit
// while it starts the bootstrap node. Left behind, it makes the next plain
// start of that node bootstrap a second cluster.
const newClusterFile = "/run/mariadb-wsrep-new-cluster"

// startConfig is what decides how a node's server starts: whether its
// option files would make it bootstrap a new cluster instead of joining.
type startConfig struct {
	// ClusterAddress is the effective wsrep_cluster_address; HasAddress
	// is false when no option file sets it.
	ClusterAddress string
	HasAddress     bool
	// NewCluster: --wsrep-new-cluster is in an option file.
	NewCluster bool
	// PCBootstrap: pc.bootstrap is on in wsrep_provider_options.
	PCBootstrap bool
	// FlagFile: newClusterFile exists.
	FlagFile bool
	// LogError is the effective log_error ("" when unset).
	LogError string
}

// defaultConfigs are the option files the server reads without
// --defaults-file; a node whose paths.config is another file is read with
// --defaults-file, as its service must start it.
var defaultConfigs = []string{"/etc/my.cnf", "/etc/mysql/my.cnf"}

// readStartConfig asks the node's my_print_defaults what the server will
// read. Its output holds secrets: it runs as sensitive and only the keys
// below are kept.
func readStartConfig(ctx context.Context, t *Target, timeout time.Duration) (startConfig, error) {
	cmd := "my_print_defaults --mysqld"
	if cfg := t.Node.Paths.Config; cfg != "" && !contains(defaultConfigs, cfg) {
		cmd = "my_print_defaults --defaults-file=" + remote.ShellQuote(cfg) + " --mysqld"
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := t.Host.Exec(ctx, cmd, remote.ExecOptions{Sudo: true, Sensitive: true})
	if err != nil {
		return startConfig{}, fmt.Errorf("%s: read the server's options (my_print_defaults): %w", t.Node.Name, err)
	}
	vals := parsePrintDefaults(string(res.Stdout))
	var c startConfig
	c.ClusterAddress, c.HasAddress = vals["wsrep_cluster_address"]
	_, c.NewCluster = vals["wsrep_new_cluster"]
	if po, ok := vals["wsrep_provider_options"]; ok {
		_, opts := mycnf.ProviderOptions(strings.Trim(po, `"'`))
		switch strings.ToLower(strings.TrimSpace(opts["pc.bootstrap"])) {
		case "1", "yes", "true", "on":
			c.PCBootstrap = true
		}
	}
	c.LogError = vals["log_error"]
	if _, err := t.Host.Stat(ctx, newClusterFile); err == nil {
		c.FlagFile = true
	} else if !errors.Is(err, fs.ErrNotExist) {
		return startConfig{}, fmt.Errorf("%s: look for %s: %w", t.Node.Name, newClusterFile, err)
	}
	return c, nil
}

// bootstrapFlags names what in the node's configuration would make a
// start bootstrap a new cluster (or not join one at all); empty when the
// node joins through its cluster address. galeraflow bootstraps with the
// bootstrap command, once; a flag left in a file would split the cluster
// at the node's next plain start.
func (c startConfig) bootstrapFlags() []string {
	var why []string
	switch {
	case !c.HasAddress:
		why = append(why, "no wsrep_cluster_address in its option files: it would not join the cluster")
	case emptyClusterAddress(c.ClusterAddress):
		why = append(why, fmt.Sprintf("wsrep_cluster_address = %s has no member address: it bootstraps a new cluster at every start; list the nodes (gcomm://n1,n2,n3)", c.ClusterAddress))
	}
	if c.NewCluster {
		why = append(why, "wsrep-new-cluster is set in an option file: remove it (galeraflow bootstraps with the bootstrap command, once)")
	}
	if c.PCBootstrap {
		why = append(why, "wsrep_provider_options sets pc.bootstrap: remove it from the option file")
	}
	if c.FlagFile {
		why = append(why, newClusterFile+" exists (left by an interrupted galera_new_cluster): remove it")
	}
	return why
}

// emptyClusterAddress reports a gcomm:// address without any member, the
// classic way to bootstrap through the config file.
func emptyClusterAddress(addr string) bool {
	rest, ok := strings.CutPrefix(strings.TrimSpace(strings.Trim(addr, `"'`)), "gcomm://")
	if !ok {
		return false
	}
	rest, _, _ = strings.Cut(rest, "?")
	for _, h := range strings.Split(rest, ",") {
		if strings.TrimSpace(h) != "" {
			return false
		}
	}
	return true
}

// checkStartConfig refuses a node whose configuration would bootstrap it.
func checkStartConfig(ctx context.Context, t *Target, timeout time.Duration) (startConfig, error) {
	c, err := readStartConfig(ctx, t, timeout)
	if err != nil {
		return c, err
	}
	if why := c.bootstrapFlags(); len(why) > 0 {
		return c, fmt.Errorf("%s: refusing to start it: %s", t.Node.Name, strings.Join(why, "; "))
	}
	return c, nil
}

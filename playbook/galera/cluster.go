package galera

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

var (
	// ErrSplitBrain: nodes report different cluster state UUIDs, or more
	// than one Primary component.
	ErrSplitBrain = errors.New("split-brain risk")
	// ErrSizeMismatch: a node sees a cluster size other than expected.
	ErrSizeMismatch = errors.New("cluster size mismatch")
)

// CheckCluster checks the statuses of the nodes of one cluster, keyed by node
// name, against each other and against the expected member count. It returns
// nil for a healthy cluster, or every problem joined (errors.Is matches
// ErrUnhealthy, ErrSplitBrain and ErrSizeMismatch). Nodes that could not be
// queried are the caller's to report; expectedSize <= 0 skips the size check.
func CheckCluster(nodes map[string]Status, expectedSize int) error {
	if len(nodes) == 0 {
		return fmt.Errorf("%w: no node status to check", ErrUnhealthy)
	}
	names := make([]string, 0, len(nodes))
	for n := range nodes {
		names = append(names, n)
	}
	sort.Strings(names)

	var errs []error
	for _, n := range names {
		if err := nodes[n].Healthy(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", n, err))
		}
	}

	// Different state UUIDs: the nodes do not share one history.
	if g := groupBy(names, func(n string) string { return nodes[n].ClusterStateUUID }); len(g) > 1 {
		errs = append(errs, fmt.Errorf("%w: nodes report different wsrep_cluster_state_uuid (%s): they do not share one history; do not write to both sides, find which side holds the data to keep",
			ErrSplitBrain, describeGroups(g)))
	}
	// Two Primary components of the same history (pc.ignore_sb, or a
	// partition healed badly) show as Primary nodes in different views.
	var primary []string
	for _, n := range names {
		if nodes[n].ClusterStatus == "Primary" {
			primary = append(primary, n)
		}
	}
	if g := groupBy(primary, func(n string) string {
		if id := nodes[n].ClusterConfID; id >= 0 {
			return fmt.Sprint(id)
		}
		return ""
	}); len(g) > 1 {
		errs = append(errs, fmt.Errorf("%w: Primary nodes are in different cluster views (wsrep_cluster_conf_id %s): more than one Primary component; stop writes and check the network between them",
			ErrSplitBrain, describeGroups(g)))
	}

	if expectedSize > 0 {
		for _, n := range names {
			st := nodes[n]
			if st.Known && st.ClusterSize != expectedSize {
				errs = append(errs, fmt.Errorf("%w: %s sees %d of %d nodes (wsrep_cluster_size); %s",
					ErrSizeMismatch, n, st.ClusterSize, expectedSize, sizeAdvice(st.ClusterSize, expectedSize)))
			}
		}
	}
	return errors.Join(errs...)
}

func sizeAdvice(got, want int) string {
	if got > want {
		return "the cluster has members the inventory does not list (a garbd arbitrator, or a missing inventory entry)"
	}
	return "a node is down or cannot reach the others: run `galeraflow status`"
}

type group struct {
	key   string
	names []string
}

// groupBy groups names by key, in order of first appearance; an empty key
// (unknown value) forms no group.
func groupBy(names []string, key func(string) string) []group {
	var gs []group
	for _, n := range names {
		k := key(n)
		if k == "" {
			continue
		}
		i := 0
		for i < len(gs) && gs[i].key != k {
			i++
		}
		if i == len(gs) {
			gs = append(gs, group{key: k})
		}
		gs[i].names = append(gs[i].names, n)
	}
	return gs
}

func describeGroups(gs []group) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = g.key + " on " + joinNames(g.names)
	}
	return strings.Join(parts, "; ")
}

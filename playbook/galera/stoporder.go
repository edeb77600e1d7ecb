package galera

// StopOrder returns the order in which to stop nodes, one at a time, so that
// last stops last: Galera marks the last node to leave the primary component
// safe_to_bootstrap, and that is the node galeraflow will bootstrap. With last
// empty or not among names, the inventory order is kept (its last node stops
// last). The input is not modified.
func StopOrder(names []string, last string) []string {
	out := make([]string, 0, len(names))
	found := false
	for _, n := range names {
		if n == last {
			found = true
			continue
		}
		out = append(out, n)
	}
	if found {
		out = append(out, last)
	}
	return out
}

package inventory

import (
	"fmt"
	"strings"
)

// address checks a node address: a host name or IP address, without user
// or port (those have their own fields).
func (r *resolver) address(a opt[string]) string {
	if !a.set || a.v == "" {
		r.rep.errorf(a.o, "is required (host name or IP address)")
		return ""
	}
	switch {
	case strings.Contains(a.v, "@"):
		r.rep.errorf(a.o, "must not contain a user: set ssh.user instead")
	case strings.HasPrefix(a.v, "["):
		r.rep.errorf(a.o, "write IPv6 addresses without brackets (the port goes in ssh.port)")
	default:
		err := checkHost(a.v)
		if err == nil {
			return a.v
		}
		if strings.Contains(a.v, ":") {
			r.rep.errorf(a.o, "%v (the port goes in ssh.port)", err)
		} else {
			r.rep.errorf(a.o, "%v", err)
		}
	}
	return ""
}

// nodeRules checks what involves several nodes or the whole inventory.
func nodeRules(inv *Inventory, raw rawInventory, rep *report) {
	if len(raw.nodes) == 0 && !raw.nodesWritten {
		rep.errorf(raw.nodesAt, "at least one node is required")
	}
	names := map[string]int{}
	endpoints := map[string]Node{}
	for i, n := range inv.Nodes {
		rn := raw.nodes[i]
		if n.Name != "" {
			if line, dup := names[n.Name]; dup {
				rep.errorf(rn.name.o, "duplicate node name %q (first at line %d)", n.Name, line)
			} else {
				names[n.Name] = rn.name.o.at.line
			}
		}
		if n.Address != "" && n.SSH.Port != 0 {
			key := fmt.Sprintf("%s port %d", strings.ToLower(n.Address), n.SSH.Port)
			if first, dup := endpoints[key]; dup {
				rep.errorf(rn.address.o, "%s port %d is already node %s's (line %d)", n.Address, n.SSH.Port, first.Name, first.Line)
			} else {
				endpoints[key] = n
			}
		}
	}
}

// sstFlavorRules checks the SST method against the flavor and the
// credentials the method needs. With FlavorUnknown only what holds for
// every flavor is checked; CheckFlavor repeats this after detection.
func sstFlavorRules(f Flavor, s *SST, rep *report) {
	if s == nil || s.Method == "" {
		return
	}
	needsUser := false
	switch s.Method {
	case SSTMysqldump:
		needsUser = true
		if f == FlavorPXC80 {
			rep.errorf(s.at.method, "PXC 8.0 supports only xtrabackup-v2")
		}
	case SSTMariabackup:
		// mariabackup only exists on MariaDB, which has wsrep_sst_auth.
		needsUser = true
		if f.Known() && f != FlavorMariaDB {
			rep.errorf(s.at.method, "mariabackup is MariaDB's method: %s uses xtrabackup-v2", f)
		}
	case SSTXtrabackupV2:
		// MariaDB maps it to mariabackup; PXC 8.0 removed wsrep_sst_auth.
		needsUser = f == FlavorMariaDB || f == FlavorPXC57 || f == FlavorMySQLWsrep
	case SSTRsync:
		if f == FlavorPXC80 {
			rep.errorf(s.at.method, "PXC 8.0 supports only xtrabackup-v2")
		}
	}
	unused := s.Method == SSTRsync || (s.Method == SSTXtrabackupV2 && f == FlavorPXC80)
	if needsUser && s.User == "" {
		rep.errorf(s.at.user, "is required with method %s (galeraflow creates this user for the SST)", s.Method)
	}
	if needsUser && !s.at.passwordSet {
		rep.errorf(s.at.password, "is required with method %s (env:NAME or file:PATH)", s.Method)
	}
	if unused && (s.User != "" || s.at.passwordSet) {
		why := "rsync does not log in"
		if s.Method == SSTXtrabackupV2 {
			why = "PXC 8.0 has no wsrep_sst_auth"
		}
		rep.warnf(s.at.user, "sst.user and sst.password are not used: %s", why)
	}
	if s.at.passwordSet && s.User == "" && !needsUser {
		rep.errorf(s.at.password, "only allowed with sst.user")
	}
}

package inventory

import "slices"

// Flavor is the Galera distribution running on the nodes.
type Flavor string

// Known flavors. FlavorUnknown means "detect on the node".
const (
	FlavorUnknown    Flavor = ""
	FlavorMariaDB    Flavor = "mariadb"
	FlavorPXC57      Flavor = "pxc57"
	FlavorPXC80      Flavor = "pxc80"
	FlavorMySQLWsrep Flavor = "mysql-wsrep"
)

// flavorNames lists the accepted spellings, in the order messages show them.
var flavorNames = []string{string(FlavorMariaDB), string(FlavorPXC57), string(FlavorPXC80), string(FlavorMySQLWsrep)}

// Known reports whether f is one of the named flavors (not FlavorUnknown).
func (f Flavor) Known() bool { return slices.Contains(flavorNames, string(f)) }

// flavorDefaults are the per-flavor values of the fields a user may leave unset.
type flavorDefaults struct {
	config, mysqld                 string
	start, stop, bootstrap, status string
	client                         string
}

func defaultsFor(f Flavor) flavorDefaults {
	switch f {
	case FlavorMariaDB:
		return flavorDefaults{
			config: "/etc/mysql/my.cnf", mysqld: "mariadbd",
			start: "systemctl start mariadb", stop: "systemctl stop mariadb",
			bootstrap: "galera_new_cluster", status: "systemctl is-active mariadb",
			client: "mariadb",
		}
	case FlavorPXC57, FlavorPXC80:
		return flavorDefaults{
			config: "/etc/my.cnf", mysqld: "mysqld",
			start: "systemctl start mysql", stop: "systemctl stop mysql",
			bootstrap: "systemctl start mysql@bootstrap.service", status: "systemctl is-active mysql",
			client: "mysql",
		}
	case FlavorMySQLWsrep:
		return flavorDefaults{
			config: "/etc/my.cnf", mysqld: "mysqld",
			start: "systemctl start mysql", stop: "systemctl stop mysql",
			bootstrap: "mysqld_bootstrap", status: "systemctl is-active mysql",
			client: "mysql",
		}
	}
	// Unknown flavor: leave these empty rather than guess, so nothing runs
	// a MariaDB command on a Percona node before detection.
	return flavorDefaults{}
}

// explicitFields records which flavor-dependent fields the inventory set.
type explicitFields struct {
	config, mysqld                 bool
	start, stop, bootstrap, status bool
	client                         bool
}

// applyFlavor fills every flavor-dependent field the user did not set.
func (n *Node) applyFlavor(f Flavor) {
	d := defaultsFor(f)
	set := func(dst *string, explicit bool, v string) {
		if !explicit {
			*dst = v
		}
	}
	set(&n.Paths.Config, n.explicit.config, d.config)
	set(&n.Paths.Mysqld, n.explicit.mysqld, d.mysqld)
	set(&n.Service.Start, n.explicit.start, d.start)
	set(&n.Service.Stop, n.explicit.stop, d.stop)
	set(&n.Service.Bootstrap, n.explicit.bootstrap, d.bootstrap)
	set(&n.Service.Status, n.explicit.status, d.status)
	set(&n.MySQL.Client, n.explicit.client, d.client)
}

// WithFlavor returns a copy of the inventory for flavor f, typically the one
// detected on the nodes when the inventory left flavor unset. Fields the
// inventory set explicitly are kept; the others take f's defaults. The
// receiver is not modified. Call CheckFlavor on the result to apply the
// flavor-dependent rules (SST method and credentials).
func (inv *Inventory) WithFlavor(f Flavor) *Inventory {
	out := *inv
	out.Flavor = f
	out.Warnings = slices.Clone(inv.Warnings)
	if inv.TLS != nil {
		t := *inv.TLS
		out.TLS = &t
	}
	if inv.SST != nil {
		s := *inv.SST
		out.SST = &s
	}
	out.Nodes = make([]Node, len(inv.Nodes))
	for i, n := range inv.Nodes {
		n.SSH.Identities = slices.Clone(n.SSH.Identities)
		n.applyFlavor(f)
		out.Nodes[i] = n
	}
	return &out
}

// CheckFlavor applies the rules that depend on the flavor (which SST
// methods it supports, whether the method needs sst.user). Parse already
// applies them when the inventory names its flavor; call this after
// WithFlavor when the flavor was detected. It returns nil or a
// *ValidationError.
func (inv *Inventory) CheckFlavor() error {
	rep := &report{file: inv.File}
	sstFlavorRules(inv.Flavor, inv.SST, rep)
	return rep.err()
}

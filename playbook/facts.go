package playbook

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/inventory"
	"github.com/galeraflow/galeraflow/playbook/galera"
	"github.com/galeraflow/galeraflow/remote"
)

// Facts is what one read-only visit of a node learns. Fields stay empty when
// the step that would fill them failed; Err says which and why.
type Facts struct {
	Node    string `json:"node"`
	Address string `json:"address"`
	// Reachable: the SSH login succeeded.
	Reachable bool   `json:"reachable"`
	Login     string `json:"login,omitempty"`
	// Sudo: a privileged command ran (directly as root, or through sudo).
	Sudo bool `json:"sudo"`

	Flavor          string `json:"flavor,omitempty"`
	ServerVersion   string `json:"server_version,omitempty"`
	VersionComment  string `json:"version_comment,omitempty"`
	ProviderVersion string `json:"provider_version,omitempty"`

	Wsrep galera.Status `json:"wsrep"`

	OSUMethod string   `json:"osu_method,omitempty"`
	SSTMethod string   `json:"sst_method,omitempty"`
	TLS       TLSFacts `json:"tls"`

	Duration time.Duration `json:"duration_ns"`
	Error    string        `json:"error,omitempty"`
	Err      error         `json:"-"`
}

// TLSFacts says where TLS is on, as the running server reports it.
type TLSFacts struct {
	// Server: the server has a certificate and offers TLS to clients.
	Server bool `json:"server"`
	// Replication: Galera's group communication uses TLS (socket.ssl).
	Replication bool `json:"replication"`
	// RequireSecureTransport: plain client connections are refused.
	RequireSecureTransport bool   `json:"require_secure_transport"`
	ServerCert             string `json:"server_cert,omitempty"`
}

// factsSQL reads everything check and status need in one client call. Every
// statement returns two columns, so the rows form one name → value map.
const factsSQL = `SELECT 'version', @@version;
SELECT 'version_comment', @@version_comment;
SHOW GLOBAL STATUS LIKE 'wsrep%';
SHOW GLOBAL VARIABLES WHERE Variable_name IN ('wsrep_osu_method', 'wsrep_sst_method', 'have_ssl', 'ssl_cert', 'wsrep_provider_options', 'require_secure_transport', 'wsrep_on', 'wsrep_cluster_name');
`

// MySQLClient is the node's SQL client as the inventory describes it.
func MySQLClient(node inventory.Node) remote.MySQLClient {
	return remote.MySQLClient{
		Command:        node.MySQL.Client,
		User:           node.MySQL.User,
		Password:       node.MySQL.Password,
		Socket:         node.MySQL.Socket,
		ConnectTimeout: node.MySQL.ConnectTimeout,
	}
}

// GatherFacts visits one connected node read-only. The error is also kept
// in Facts.Err; a node that cannot be reached still gets a Facts value.
func GatherFacts(ctx context.Context, c *Conn, timeout time.Duration) *Facts {
	start := time.Now()
	f := &Facts{Node: c.Node.Name, Address: c.Node.Address}
	defer func() {
		f.Duration = time.Since(start)
		if f.Err != nil {
			f.Error = f.Err.Error()
		}
	}()
	if c.Host == nil {
		f.Err = c.Err
		return f
	}
	f.Reachable = true
	f.Login = c.Node.SSH.User + "@" + c.Node.Address

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if _, err := c.Host.Exec(ctx, "true", remote.ExecOptions{Sudo: true}); err != nil {
		f.Err = fmt.Errorf("%s: sudo: %w", c.Node.Name, err)
		return f
	}
	f.Sudo = true

	vars, err := MySQLClient(c.Node).QueryMap(ctx, c.Host, factsSQL)
	if err != nil {
		if serverDown(err) {
			err = fmt.Errorf("%w: the server is not running or not answering: %w", ErrDegraded, err)
		}
		f.Err = fmt.Errorf("%s: read server state: %w", c.Node.Name, err)
		return f
	}
	f.ServerVersion = vars["version"]
	f.VersionComment = vars["version_comment"]
	if sv, err := galera.ParseServerVersion(f.ServerVersion, f.VersionComment); err == nil {
		f.Flavor = string(sv.Flavor)
	}
	f.Wsrep = galera.ParseStatus(vars)
	f.ProviderVersion = f.Wsrep.ProviderVersion
	f.OSUMethod = vars["wsrep_osu_method"]
	f.SSTMethod = vars["wsrep_sst_method"]
	f.TLS = TLSFacts{
		Server:                 strings.EqualFold(vars["have_ssl"], "YES"),
		Replication:            providerSSLOn(vars["wsrep_provider_options"]),
		RequireSecureTransport: strings.EqualFold(vars["require_secure_transport"], "ON"),
		ServerCert:             vars["ssl_cert"],
	}
	if !strings.EqualFold(vars["wsrep_on"], "ON") {
		f.Err = fmt.Errorf("%s: wsrep_on is %q: this server is not a Galera node", c.Node.Name, vars["wsrep_on"])
	}
	return f
}

// serverDown tells a client that could not reach its server (CR_CONNECTION_ERROR,
// CR_CONN_HOST_ERROR, CR_SERVER_GONE_ERROR, CR_SERVER_LOST) from a refused
// login or a failing statement.
func serverDown(err error) bool {
	var se *remote.SQLError
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code {
	case 2002, 2003, 2006, 2013:
		return true
	}
	return false
}

// providerSSLOn reads `socket.ssl = YES` from @@wsrep_provider_options.
func providerSSLOn(opts string) bool {
	for _, item := range strings.Split(opts, ";") {
		k, v, ok := strings.Cut(item, "=")
		if ok && strings.TrimSpace(k) == "socket.ssl" {
			return strings.EqualFold(strings.TrimSpace(v), "YES")
		}
	}
	return false
}

// GatherAll connects to every node and gathers its facts, in inventory order.
// It never fails as a whole: per-node problems are in each Facts.
func GatherAll(ctx context.Context, inv *inventory.Inventory, dial Dialer) []*Facts {
	conns, _ := Connect(ctx, inv, dial)
	defer CloseAll(conns)
	facts := make([]*Facts, len(conns))
	_ = ForEach(ctx, len(conns), inv.Concurrency, func(ctx context.Context, i int) error {
		facts[i] = GatherFacts(ctx, conns[i], inv.Timeouts.Command)
		return facts[i].Err
	})
	return facts
}

// ClusterVerdict joins the per-node errors and the cluster-level checks
// (one state uuid, size = node count, all Primary/Synced) into one error
// that maps to an exit code: a connection problem keeps its remote sentinel,
// an unhealthy cluster wraps ErrDegraded.
func ClusterVerdict(facts []*Facts) error {
	var errs []error
	statuses := map[string]galera.Status{}
	for _, f := range facts {
		if f.Err != nil {
			errs = append(errs, f.Err)
			continue
		}
		statuses[f.Node] = f.Wsrep
	}
	if len(statuses) > 0 {
		if err := galera.CheckCluster(statuses, len(facts)); err != nil {
			errs = append(errs, fmt.Errorf("%w: %w", ErrDegraded, err))
		}
	}
	return errors.Join(errs...)
}

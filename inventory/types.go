package inventory

import (
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/inventory/secret"
)

// Inventory is a loaded, validated inventory. Nodes carry effective
// settings: top-level defaults merged with each node's overrides, with
// flavor defaults applied.
type Inventory struct {
	// File is the inventory's file name as the user gave it (for messages).
	File string
	// Dir is the absolute folder relative controller paths were resolved against.
	Dir     string
	Cluster string
	// Flavor is FlavorUnknown when the inventory leaves it to detection;
	// call WithFlavor once it is known.
	Flavor Flavor
	// Playbook is a built-in playbook name (never contains '/') or the
	// absolute path of a playbook file; see PlaybookIsFile.
	Playbook    string
	Concurrency int
	Nodes       []Node
	// TLS and SST are nil when their block is absent.
	TLS      *TLS
	SST      *SST
	Timeouts Timeouts
	// Warnings are problems that do not stop a run (an explicit host key
	// opt-out, a secret file others can read...). Callers should print them.
	Warnings []Problem
}

// PlaybookIsFile reports whether Playbook is a file path rather than a built-in name.
func (inv *Inventory) PlaybookIsFile() bool { return strings.Contains(inv.Playbook, "/") }

// Node is one cluster member with its effective settings.
type Node struct {
	Name    string
	Address string
	// Line is the line of the node's entry in the inventory, for messages.
	Line     int
	SSH      SSH
	Paths    Paths
	Service  Service
	MySQL    MySQL
	TLSFiles TLSFiles

	// explicit remembers which flavor-dependent fields the user wrote, so
	// flavor defaults can be re-applied after detection without clobbering them.
	explicit explicitFields
}

// SSH says how to reach a node.
type SSH struct {
	User string
	Port int
	// Identities are absolute controller paths of private keys (each exists).
	// Empty means: the agent plus the usual ~/.ssh/id_* keys.
	Identities         []string
	IdentityPassphrase secret.Secret
	Agent              bool
	// KnownHosts is an absolute controller path ("" only when the home directory is unknown).
	KnownHosts string
	// HostKeyPolicy is "strict", "accept-new" or "insecure-ignore".
	HostKeyPolicy string
	// Bastion is a ProxyJump chain, [user@]host[:port] comma-separated; see ParseBastion.
	Bastion string
	// SSHConfig is an absolute controller path of an ssh_config file, "" for none.
	SSHConfig      string
	SudoPassword   secret.Secret
	ConnectTimeout time.Duration
	KeepAlive      time.Duration
}

// Host key policies.
const (
	HostKeyStrict    = "strict"
	HostKeyAcceptNew = "accept-new"
	HostKeyInsecure  = "insecure-ignore"
)

// Paths are file locations on the node (absolute, except Mysqld which may be
// a bare command name looked up in the node's PATH).
type Paths struct {
	Config  string
	Dropin  string
	Datadir string
	Mysqld  string
}

// Service holds shell commands run on the node as root.
type Service struct {
	Start, Stop, Bootstrap, Status string
}

// MySQL says how galeraflow runs SQL on the node through its own client.
type MySQL struct {
	Client string
	// User "" means root over the unix socket, through sudo.
	User           string
	Password       secret.Secret
	Socket         string
	ConnectTimeout time.Duration
}

// TLS holds cluster-wide TLS settings; per-node files are in Node.TLSFiles.
type TLS struct {
	// RemoteDir is where the files go on every node (absolute).
	RemoteDir        string
	Replication      bool
	RequireClientSSL bool
}

// TLSFiles are one node's certificate files on the controller, absolute and
// existing. ClientCert and ClientKey are "" when the inventory has none.
type TLSFiles struct {
	CA, ServerCert, ServerKey, ClientCert, ClientKey string
}

// SST methods.
const (
	SSTMysqldump    = "mysqldump"
	SSTMariabackup  = "mariabackup"
	SSTXtrabackupV2 = "xtrabackup-v2"
	SSTRsync        = "rsync"
)

// SST is the state snapshot transfer configuration.
type SST struct {
	Method   string
	User     string
	Password secret.Secret

	// where each field was written, for flavor checks made after detection.
	at sstOrigins
}

type sstOrigins struct {
	block, method, user, password origin
	// passwordSet is true when a reference was written, even if it failed
	// to resolve (that failure is reported on its own).
	passwordSet bool
}

// Timeouts bound remote operations.
type Timeouts struct {
	Command, Stop, Start time.Duration
}

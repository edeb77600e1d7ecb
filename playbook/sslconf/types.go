package sslconf

// Flavor is the Galera server family; the values match the inventory's
// `flavor:` field.
type Flavor string

const (
	FlavorMariaDB    Flavor = "mariadb"
	FlavorPXC57      Flavor = "pxc57"
	FlavorPXC80      Flavor = "pxc80"
	FlavorMySQLWsrep Flavor = "mysql-wsrep"
)

// SST methods as the inventory spells them.
const (
	MethodMysqldump    = "mysqldump"
	MethodMariabackup  = "mariabackup"
	MethodXtrabackupV2 = "xtrabackup-v2"
	MethodRsync        = "rsync"
)

// Paths are absolute paths of the TLS files on the node.
type Paths struct {
	CA, ServerCert, ServerKey string
	// ClientCert and ClientKey are optional, but only together.
	ClientCert, ClientKey string
}

// Input is what Settings needs to know about one node.
type Input struct {
	Flavor Flavor
	// ServerVersion is SELECT VERSION() ("10.11.14-MariaDB-0+deb12u2",
	// "8.0.36-28.1"); "" when unknown. Some rules depend on it.
	ServerVersion string
	// SSTMethod as the user wrote it: mysqldump, mariabackup, xtrabackup-v2
	// or rsync.
	SSTMethod   string
	SSTUser     string
	SSTPassword string // only ever placed in a Setting marked Secret
	Files       Paths
	// Replication: TLS for Galera replication traffic.
	Replication bool
	// RequireClientSSL: refuse clients that connect over TCP without TLS.
	RequireClientSSL bool
}

// Op is the kind of edit a Setting asks for.
type Op int

const (
	// OpSet: Group.Key = Value.
	OpSet Op = iota + 1
	// OpRemove: delete Group.Key wherever the file defines it (no-op when
	// absent).
	OpRemove
	// OpMergeProviderOptions: merge ProviderOptions into Group.Key
	// (wsrep_provider_options), keeping every other option in that string.
	OpMergeProviderOptions
)

func (o Op) String() string {
	switch o {
	case OpSet:
		return "set"
	case OpRemove:
		return "remove"
	case OpMergeProviderOptions:
		return "merge"
	}
	return "op?"
}

// Setting is one option-file edit.
type Setting struct {
	Op    Op
	Group string
	Key   string
	Value string
	// ProviderOptions for OpMergeProviderOptions (Key "wsrep_provider_options").
	ProviderOptions map[string]string
	// Secret: Value holds a secret (wsrep_sst_auth); show it masked.
	Secret bool
	// Why: one line for the plan.
	Why string
}

// Result is what Settings decided.
type Result struct {
	Settings []Setting
	// Method is the wsrep_sst_method written, which may differ from the one
	// asked for (xtrabackup-v2 on MariaDB becomes mariabackup).
	Method string
	// Notes are things the operator must know; never secret.
	Notes []string
}

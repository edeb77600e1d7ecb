package sstuser

// Flavor is the Galera server family, spelled as the inventory spells it.
type Flavor string

const (
	FlavorMariaDB    Flavor = "mariadb"
	FlavorPXC57      Flavor = "pxc57"
	FlavorPXC80      Flavor = "pxc80"
	FlavorMySQLWsrep Flavor = "mysql-wsrep"
)

// SST methods (the effective one, as playbook/sslconf chose it).
const (
	MethodMysqldump    = "mysqldump"
	MethodMariabackup  = "mariabackup"
	MethodXtrabackupV2 = "xtrabackup-v2"
)

// DefaultHost is the account host when Input.Host is empty. The mysqldump
// SST logs in from the donor over TCP, and the joiner sees the donor's
// address, so the account must match any host; REQUIRE SSL keeps it off
// plain connections.
const DefaultHost = "%"

// Input describes the SST user wanted on one node.
type Input struct {
	Flavor Flavor
	// ServerVersion is SELECT VERSION(); "" when unknown. The privileges
	// and some statement forms depend on it.
	ServerVersion string
	User          string
	Host          string // DefaultHost when empty
	Password      string
	// Method is the effective SST method (after sslconf's mapping).
	Method string
}

// Current is what the node has now, from ParseInspect (or built by hand in
// tests).
type Current struct {
	Exists bool
	// SSLType is mysql.user.ssl_type: "" (none), "ANY" (REQUIRE SSL),
	// "X509" or "SPECIFIED".
	SSLType string
	// PasswordMatches: nil when unknown. Build fills it in itself when the
	// stored hash can be compared (mysql_native_password); a caller that
	// tried to log in as the user may set it.
	PasswordMatches *bool
	// Grants are the privileges held: global ones by name ("RELOAD",
	// "BINLOG MONITOR") and table ones as "SELECT ON schema.table".
	Grants []string
	// Plugin is the authentication plugin; AuthDigest the SHA-256 (hex) of
	// the stored authentication string, computed by the server, so that the
	// hash itself never leaves it.
	Plugin     string
	AuthDigest string
	// Reference are the global privileges of the account galeraflow runs
	// as: holding all of them is how ALL PRIVILEGES shows.
	Reference []string
	// Anonymous are the hosts of anonymous accounts (User = ''), which win
	// over 'user'@'%' for logins from those hosts.
	Anonymous []string
}

// Plan is the SQL to send, and what it does.
type Plan struct {
	// Statements are the real SQL, password included: send them on the
	// client's stdin, never log them.
	Statements []string
	// Masked is Statements with the password as '****', for --dry-run and
	// logs. It is built without the password, not by replacing it.
	Masked []string
	// Changed is false when the node already matches.
	Changed bool
	// Summary is one line for the plan.
	Summary string
	// Warnings are things that may break the SST which Build does not
	// change (anonymous accounts, extra privileges).
	Warnings []string
}

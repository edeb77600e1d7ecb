package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/inventory/secret"
)

// MySQLClient runs SQL through the node's own command-line client
// (mariadb, else mysql). galeraflow uses no Go SQL driver: the server is
// reached exactly as an operator on the node would reach it.
type MySQLClient struct {
	// Command is the client program; "" picks mariadb, else mysql.
	Command string
	// User and Password log in; with no User the client runs as root
	// through sudo and authenticates over the unix socket.
	User     string
	Password secret.Secret
	// Socket is the server's unix socket; "" uses the client's default.
	Socket string
	// ConnectTimeout bounds the connection (default 10s).
	ConnectTimeout time.Duration
	// Sensitive keeps the server's error text out of errors, for SQL that
	// carries secrets (the server may quote the statement back).
	Sensitive bool
}

// Rows are the decoded result rows, one string per column. NULL reads as "NULL".
type Rows [][]string

const defaultMySQLConnectTimeout = 10 * time.Second

// Query runs sql (one or more statements) and returns the rows of its output.
//
// The SQL goes on stdin. With a password, the credentials travel on stdin
// too, ahead of the SQL, into a 0600 option file in a fresh 0700 directory
// that the same remote shell removes on exit: they are never in argv, the
// environment, logs or errors.
func (c MySQLClient) Query(ctx context.Context, h Host, sql string) (Rows, error) {
	cmd, stdin, sudo, err := c.command(sql)
	if err != nil {
		return nil, fmt.Errorf("%s: mysql: %w", h.Name(), err)
	}
	res, err := h.Exec(ctx, cmd, ExecOptions{Stdin: stdin, Sudo: sudo, Sensitive: true})
	if err != nil {
		var ee *ExitError
		if !errors.As(err, &ee) {
			return nil, err // sudo, connection or context: already explained
		}
		if se := ParseSQLError(string(res.Stderr)); se != nil {
			se.Node = h.Name()
			if c.Sensitive {
				se.Message = "(message withheld: the statement is sensitive)"
			}
			return nil, se
		}
		detail := ""
		if !c.Sensitive {
			detail = ": " + firstLines(string(res.Stderr), 3)
		}
		return nil, fmt.Errorf("%s: mysql client exited with status %d%s", h.Name(), ee.Status, detail)
	}
	return DecodeBatch(res.Stdout), nil
}

// QueryMap runs a two-column query (SHOW STATUS, SHOW VARIABLES) and
// returns name → value with names lowercased.
func (c MySQLClient) QueryMap(ctx context.Context, h Host, sql string) (map[string]string, error) {
	rows, err := c.Query(ctx, h, sql)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(rows))
	for i, r := range rows {
		if len(r) != 2 {
			return nil, fmt.Errorf("%s: mysql: row %d has %d columns, want 2 (name, value)", h.Name(), i+1, len(r))
		}
		m[strings.ToLower(r[0])] = r[1]
	}
	return m, nil
}

// command builds the remote command line and its stdin.
func (c MySQLClient) command(sql string) (cmd string, stdin io.Reader, sudo bool, err error) {
	prog := `c=mysql; if command -v mariadb >/dev/null 2>&1; then c=mariadb; fi; `
	if c.Command != "" {
		prog = "c=" + ShellQuote(c.Command) + "; "
	}
	timeout := c.ConnectTimeout
	if timeout <= 0 {
		timeout = defaultMySQLConnectTimeout
	}
	secs := int((timeout + time.Second - 1) / time.Second)
	// -N -B: batch, tab-separated, escaped values, no header. Never --raw:
	// the escapes are what make tabs and newlines in values decodable.
	// utf8mb4 on the connection: no multibyte character can hide a quote
	// or a backslash of a string literal the caller quoted.
	opts := "--connect-timeout=" + strconv.Itoa(secs) + " --default-character-set=utf8mb4 -N -B"
	if c.Socket != "" {
		opts += " --socket=" + ShellQuote(c.Socket)
	}
	if c.User == "" {
		return prog + `exec "$c" ` + opts, strings.NewReader(sql), true, nil
	}
	file, err := optionFile(c.User, c.Password)
	if err != nil {
		return "", nil, false, err
	}
	// One shell: private dir, the first len(file) bytes of stdin become the
	// option file, the rest is the SQL. The trap removes the dir even when
	// the client fails. --defaults-extra-file must be the first argument.
	script := prog +
		`umask 077; d=$(mktemp -d) || exit 1; ` +
		`trap 'rm -rf -- "$d"' EXIT; trap 'exit 129' HUP INT TERM; ` +
		`head -c ` + strconv.Itoa(len(file)) + ` > "$d/client.cnf" || exit 1; ` +
		`"$c" --defaults-extra-file="$d/client.cnf" ` + opts
	return script, io.MultiReader(strings.NewReader(file), strings.NewReader(sql)), false, nil
}

// optionFile renders a [client] group holding the credentials, with values
// double-quoted and escaped the way the option file reader unescapes them.
func optionFile(user string, password secret.Secret) (string, error) {
	var b strings.Builder
	b.WriteString("[client]\n")
	b.WriteString("user=" + quoteOption(user) + "\n")
	if !password.IsZero() {
		b.WriteString("password=" + quoteOption(password.Reveal()) + "\n")
	}
	if len(b.String()) > 4000 {
		return "", fmt.Errorf("credentials too long for an option file line")
	}
	return b.String(), nil
}

func quoteOption(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`, "\b", `\b`)
	return `"` + r.Replace(v) + `"`
}

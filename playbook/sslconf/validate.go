package sslconf

import (
	"strings"
	"unicode/utf8"
)

func checkFlavor(f Flavor) error {
	switch f {
	case FlavorMariaDB, FlavorPXC57, FlavorPXC80, FlavorMySQLWsrep:
		return nil
	case "":
		return refuse("flavor", "is required: one of mariadb, pxc57, pxc80, mysql-wsrep")
	}
	return refuse("flavor", "unknown flavor %q: one of mariadb, pxc57, pxc80, mysql-wsrep", string(f))
}

// checkFiles requires the server's three files and the client pair together.
func checkFiles(p Paths) error {
	for _, f := range []struct{ field, path string }{
		{"tls.ca", p.CA}, {"tls.server_cert", p.ServerCert}, {"tls.server_key", p.ServerKey},
	} {
		if f.path == "" {
			return refuse(f.field, "is required")
		}
		if err := checkNodePath(f.field, f.path); err != nil {
			return err
		}
	}
	switch {
	case p.ClientCert != "" && p.ClientKey == "":
		return refuse("tls.client_key", "is required with tls.client_cert")
	case p.ClientKey != "" && p.ClientCert == "":
		return refuse("tls.client_cert", "is required with tls.client_key")
	}
	for _, f := range []struct{ field, path string }{
		{"tls.client_cert", p.ClientCert}, {"tls.client_key", p.ClientKey},
	} {
		if f.path == "" {
			continue
		}
		if err := checkNodePath(f.field, f.path); err != nil {
			return err
		}
	}
	return nil
}

// checkNodePath keeps node paths to characters every reader takes as they
// are. The SST scripts paste them into shell and socat arguments
// (cert='PATH', comma-separated socat options) and wsrep_provider_options
// separates its entries with ';' and splits them at '='. A path needs none
// of these, so refusing them is cheaper than quoting for five parsers.
func checkNodePath(field, p string) error {
	if !strings.HasPrefix(p, "/") {
		return refuse(field, "%q must be an absolute path on the node", p)
	}
	for _, r := range p {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		case strings.ContainsRune("/._+@-", r):
		default:
			return refuse(field, "%q contains %q, which the SST scripts or wsrep_provider_options cannot take: use letters, digits and / . _ + @ -", p, r)
		}
	}
	if strings.HasSuffix(p, "/") {
		return refuse(field, "%q names a directory: give the file", p)
	}
	return nil
}

// checkAuth checks what goes into wsrep_sst_auth = user:password. The server
// hands the value to the SST script, which splits it at the first ':' and
// passes the user on a command line it evaluates again (the xtrabackup-v2
// scripts unquoted, so '$' would expand), and the password in MYSQL_PWD.
func checkAuth(method, user, password string) error {
	if user == "" {
		return refuse("sst.user", "is required with method %s (wsrep_sst_auth names the SST user)", method)
	}
	for _, r := range user {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '.' || r == '-') {
			return refuse("sst.user", "%q contains %q: the SST scripts put the user on a shell command line: use letters, digits and _ . -", user, r)
		}
	}
	if len(user) > 32 {
		return refuse("sst.user", "%q is longer than 32 characters, the MySQL limit", user)
	}
	switch {
	case password == "":
		return refuse("sst.password", "is required with method %s", method)
	case strings.IndexByte(password, 0) >= 0:
		return refuse("sst.password", "contains a NUL byte, which no option file or environment variable can carry")
	case !utf8.ValidString(password):
		return refuse("sst.password", "is not valid UTF-8")
	}
	return nil
}

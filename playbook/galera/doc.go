// Package galera holds the pure Galera domain logic of galeraflow: reading
// grastate.dat and `--wsrep-recover` output, choosing the node to bootstrap
// (with a reason a human can check), decoding wsrep status variables,
// checking provider and server versions, and quoting SQL.
//
// It imports only the standard library and does no I/O: callers read files
// and run commands, then hand the bytes here.
package galera

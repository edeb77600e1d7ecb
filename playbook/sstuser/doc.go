// Package sstuser plans the SQL that creates the State Snapshot Transfer
// user, or brings an existing one in line: password, REQUIRE SSL and the
// least privileges the SST method needs on the flavor.
//
// The flow: run InspectSQL on a node (read-only), feed its rows to
// ParseInspect, hand the Current to Build, send Plan.Statements on the
// client's stdin (Plan.Masked is the same SQL for --dry-run and logs), then
// run VerifySQL on every node. Build is idempotent: when Current already
// matches it returns no statements and Changed=false, so a re-run reports
// "unchanged".
//
// It never touches the mysql.* tables directly: such changes do not
// replicate. Names and passwords are quoted by playbook/galera; every
// statement list starts with galera.SessionSQLMode so those quotes mean the
// same whatever the server's sql_mode.
//
// Pure: no I/O, standard library plus playbook/galera.
package sstuser

// Package inventory loads a galeraflow inventory: a strict YAML file that
// names a Galera cluster, its nodes and how to reach and operate them.
//
// Load and Parse decode the file, apply defaults (top-level blocks are
// merged into every node, then flavor defaults fill what is still unset),
// resolve controller paths and secret references, and validate everything in
// one pass. Every problem found is returned at once in a *ValidationError,
// each with the file, line, column and field path, so a user can fix the
// whole file in one edit. The package knows nothing of SSH; it only
// describes what the playbook and remote layers need.
package inventory

// Package mycnf reads and edits MySQL/MariaDB option files (my.cnf) the way
// the server's own parser (mysys/my_default.c) reads them, and edits them so
// that only the lines that must change do.
//
// Parsing rules, as observed on MariaDB 10.11 (my_print_defaults):
//   - A line is split at '\n' only; leading and trailing whitespace is the
//     latin1 set (space, \t \n \v \f \r and 0xA0). A NUL ends what the server
//     sees of a line.
//   - '#' or ';' as the first non-blank character makes a comment line. In an
//     option line a '#' outside quotes starts a trailing comment wherever it
//     is (no whitespace needed before it); ';' never does.
//   - "[name]" opens a group; anything after the first ']' is ignored;
//     trailing blanks inside the brackets are dropped, leading ones are kept
//     (so "[ mysqld]" is not [mysqld]). Group names match case-insensitively.
//   - "key", "key=value": the key ends at the first '='; the value is
//     trimmed; if it starts and ends with the same quote (' or ") and is
//     longer than one byte the quotes are dropped; then the escapes
//     \b \t \n \r \s \" \' \\ are decoded in quoted and unquoted values alike,
//     any other backslash is kept.
//   - An option before any group is an error, as is "[" without "]", an
//     "!include"/"!includedir" without an argument, and a UTF-8 byte-order
//     mark (the server reads it as an option outside any group). Parse also
//     refuses two inputs the server mangles rather than rejects: an option
//     without a name, and a line its 4094-byte buffer would split.
//   - "!include FILE" reads one file (a missing one is skipped silently);
//     "!includedir DIR" reads the DIR's files whose name ends in ".cnf"
//     (case-sensitive, after the last dot; ".ini" only on Windows), sorted
//     bytewise. The argument runs to the end of the line (a '#' is part of
//     it); on a last line without a newline the server drops its final
//     character. A missing directory stops the reading of the file that names
//     it, and aborts the server when that file is the top one.
//   - Each file has its own group state: an included file's options need
//     their own group header, and the including file's group goes on after
//     the directive. Includes nest up to depth 10; the server has no cycle
//     detection and re-reads a cycle until that depth.
//
// Option names: '-' and '_' are the same and a "loose-" prefix is ignored;
// otherwise names are case-sensitive. The last definition read wins.
//
// The oracle tests compare all this with MariaDB's my_print_defaults when it
// is installed (or MYCNF_ORACLE names it).
package mycnf

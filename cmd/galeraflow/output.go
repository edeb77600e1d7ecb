package main

import (
	"encoding/json"
	"io"

	"github.com/urfave/cli/v2"
)

// wantJSON: the user asked for a machine-readable result (--output json),
// so stdout carries one JSON document and nothing else.
func wantJSON(c *cli.Context) bool { return c.String("output") == "json" }

// writeResult prints a command's result in the format the user chose:
// doc as indented JSON, or whatever text prints.
func writeResult(w io.Writer, asJSON bool, doc any, text func(io.Writer)) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	text(w)
	return nil
}

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
)

func TestWriteResult(t *testing.T) {
	doc := map[string]any{"ok": true, "nodes": []string{"n1"}}
	text := func(w io.Writer) { io.WriteString(w, "n1  Synced\n") }

	var js bytes.Buffer
	if err := writeResult(&js, true, doc, text); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back["ok"] != true {
		t.Fatalf("json output %q: %v", js.String(), err)
	}
	if bytes.Contains(js.Bytes(), []byte("Synced")) {
		t.Errorf("json output carries the text rendering: %q", js.String())
	}

	var tx bytes.Buffer
	if err := writeResult(&tx, false, doc, text); err != nil {
		t.Fatal(err)
	}
	if tx.String() != "n1  Synced\n" {
		t.Errorf("text output = %q", tx.String())
	}
}

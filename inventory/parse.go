package inventory

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/galeraflow/galeraflow/inventory/secret"
	"gopkg.in/yaml.v3"
)

// Parse decodes and validates an inventory. filename is used in messages
// as given and, unless opts.Dir is set, locates relative paths. It returns
// the inventory, or nil and an error matching ErrInvalid (a
// *ValidationError listing every problem).
func Parse(filename string, data []byte, opts Options) (*Inventory, error) {
	rep := &report{file: filename}
	root := parseYAML(data, rep)
	if root == nil {
		return nil, rep.err()
	}
	d := &decoder{rep: rep}
	raw := d.inventory(root)

	r := &resolver{opts: opts.normalized(filename), rep: rep, secrets: map[secretKey]secret.Secret{}}
	inv := r.inventory(raw, filename)
	nodeRules(inv, raw, rep)
	sstFlavorRules(inv.Flavor, inv.SST, rep)
	if err := rep.err(); err != nil {
		return nil, err
	}
	inv.Warnings = tidy(rep.warnings)
	return inv, nil
}

// parseYAML returns the root mapping node, or nil after reporting why not.
func parseYAML(data []byte, rep *report) (root *yaml.Node) {
	// yaml.v3 recovers its own errors, but a bug in it must still end up as
	// a problem in the file rather than a crash of the whole tool.
	defer func() {
		if v := recover(); v != nil {
			rep.errorf(origin{at: pos{1, 1}}, "cannot parse YAML (internal parser error: %v)", v)
			root = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			rep.errorf(origin{at: pos{1, 1}}, "the inventory is empty")
		} else {
			reportYAMLError(err, data, rep)
		}
		return nil
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		rep.errorf(origin{at: documentPos(&extra)}, "only one YAML document is allowed; remove this second one")
	case !errors.Is(err, io.EOF):
		reportYAMLError(err, data, rep)
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		rep.errorf(origin{at: pos{1, 1}}, "the inventory is empty")
		return nil
	}
	root = doc.Content[0]
	if root.Kind != yaml.MappingNode {
		rep.errorf(origin{at: posOf(root)}, "the inventory must be a mapping of fields (cluster:, nodes: ...), got %s", describe(root))
		return nil
	}
	return root
}

func documentPos(doc *yaml.Node) pos {
	if len(doc.Content) > 0 {
		return posOf(doc.Content[0])
	}
	return posOf(doc)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// reportYAMLError turns a yaml.v3 syntax error into a problem with a line.
// For a bad byte the parser gives no line, so find the byte ourselves.
func reportYAMLError(err error, data []byte, rep *report) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		rep.errorf(origin{at: pos{problemLine(data, m[2], max(line, 1)), 0}}, "invalid YAML: %s", m[2])
		return
	}
	rep.errorf(origin{at: badBytePos(data)}, "invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
}

// problemLine improves on yaml.v3's line, which is where the enclosing
// block started (a bad indent on line 14 of a node list is reported at the
// "nodes:" line). It looks for the first prefix of whole lines that fails
// with the same message: that prefix ends at the line to fix. Prefixes
// failing is nearly monotonic, so a galloping then binary search finds it
// in a logarithmic number of parses; without one, keep the parser's line.
func problemLine(data []byte, msg string, context int) int {
	ends := []int{} // ends[i] is the offset just past line i+1
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(data) {
		ends = append(ends, len(data))
	}
	fails := func(line int) bool {
		dec := yaml.NewDecoder(bytes.NewReader(data[:ends[line-1]]))
		var doc yaml.Node
		var err error
		for err == nil {
			err = dec.Decode(&doc)
		}
		m := yamlLine.FindStringSubmatch(err.Error())
		return m != nil && m[2] == msg
	}
	lo, hi := context-1, 0 // lo passes (or is before the block); hi fails
	for step := 1; ; step *= 2 {
		next := min(context-1+step, len(ends))
		if fails(next) {
			hi = next
			break
		}
		if next == len(ends) {
			return context
		}
		lo = next
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// badBytePos locates the first byte YAML rejects (invalid UTF-8 or a
// control character), or line 1 when there is none.
func badBytePos(data []byte) pos {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if (r == utf8.RuneError && size <= 1) || (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f {
			return pos{line, col}
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return pos{1, 0}
}

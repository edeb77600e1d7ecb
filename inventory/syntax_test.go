package inventory

import (
	"slices"
	"strings"
	"testing"
)

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"empty", "", []string{"inventory.yml:1:1: the inventory is empty"}},
		{"only a comment", "# nothing\n", []string{"inventory.yml:1:1: the inventory is empty"}},
		{"null document", "---\n~\n", []string{"inventory.yml:1:1: the inventory is empty"}},
		{"root is a list", "- a\n- b\n", []string{"inventory.yml:1:1: the inventory must be a mapping of fields (cluster:, nodes: ...), got a list"}},
		{"bad indentation", "cluster: c\nnodes:\n  - name: a\n   address: h\n",
			[]string{"inventory.yml:4: invalid YAML: did not find expected '-' indicator"}},
		{"bad indentation deep in a long list", "cluster: c\nnodes:\n" + strings.Repeat("  - name: n\n    address: h\n", 50) + "   bad: x\n",
			[]string{"inventory.yml:103: invalid YAML: did not find expected '-' indicator"}},
		{"unclosed flow", "cluster: c\nnodes: [{name: a\n",
			[]string{"inventory.yml:2: invalid YAML: did not find expected ',' or '}'"}},
		{"tab indentation", "cluster: c\nnodes:\n\t- name: a\n",
			[]string{"inventory.yml:3: invalid YAML: found character that cannot start any token"}},
		{"invalid utf-8", "cluster: c\nnodes: [\xff]\n",
			[]string{"inventory.yml:2:9: invalid YAML: invalid leading UTF-8 octet"}},
		{"control character", "cluster: c\n\x01\n",
			[]string{"inventory.yml:2:1: invalid YAML: control characters are not allowed"}},
		{"second document", inv("") + "---\ncluster: d\n",
			[]string{"inventory.yml:5:1: only one YAML document is allowed; remove this second one"}},
		{"broken second document", inv("") + "---\n[\n",
			[]string{"inventory.yml:5: invalid YAML: did not find expected node content"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problems(t, tt.src, testOptions(ruleFiles(), nil))
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems:\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(tt.want, "\n      "))
			}
		})
	}
}

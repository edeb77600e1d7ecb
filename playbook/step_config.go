package playbook

import (
	"context"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/galeraflow/galeraflow/playbook/mycnf"
)

// ConfigPatch sets options in the node's option files (a user playbook's
// `mycnf:` step), with the same faithful editing as the built-in steps.
type ConfigPatch struct {
	Edits []OptionEdit
}

func (ConfigPatch) Name() string { return "mycnf" }
func (ConfigPatch) Scope() Scope { return PerNode }

func (s ConfigPatch) Plan(ctx context.Context, run *Run, t *Target) (*Change, error) {
	return planNodeOptions(ctx, run, t, s.Edits)
}

func (s ConfigPatch) Apply(ctx context.Context, run *Run, t *Target, c *Change) error {
	return applyNodeOptions(ctx, run, s.Name(), t, c)
}

// planNodeOptions plans edits with the node's config paths and version.
func planNodeOptions(ctx context.Context, run *Run, t *Target, edits []OptionEdit) (*Change, error) {
	if t.Node.Paths.Config == "" { // flavor unknown and not detected (preflight: ssh)
		return nil, fmt.Errorf("the node's option file is unknown: set `flavor:` or `paths.config` in the inventory")
	}
	_, c, err := planOptions(ctx, t, t.Node.Paths.Config, t.Node.Paths.Dropin, serverSeries(t), edits, run.Inv.Timeouts.Command)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func applyNodeOptions(ctx context.Context, run *Run, step string, t *Target, c *Change) error {
	return applyOptions(ctx, run, step, t, c.Data.(*optionPlan), serverSeries(t), run.Inv.Timeouts.Command)
}

// serverSeries is the server's major.minor ("10.11"), for the versioned
// option groups it reads; "" when unknown.
func serverSeries(t *Target) string {
	if t.Facts == nil {
		return ""
	}
	parts := strings.SplitN(t.Facts.ServerVersion, ".", 3)
	if len(parts) < 2 {
		return ""
	}
	minor := parts[1]
	if i := strings.IndexFunc(minor, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minor = minor[:i]
	}
	return parts[0] + "." + minor
}

// readerOfGroup guesses which program an option in group is meant for.
func readerOfGroup(group string) OptionReader {
	switch {
	case inGroupList(group, mycnf.ClientGroups()):
		return ReadByClient
	case inGroupList(group, []string{"sst", "xtrabackup", "mariabackup"}):
		return ReadBySST
	default:
		return ReadByServer
	}
}

// parseConfigPatch reads a `mycnf:` step's options:
//
//	mycnf:
//	  set:
//	    - {group: mysqld, key: max_connections, value: "500"}
//	  provider_options: {gcache.size: 1G}
func parseConfigPatch(opts *yaml.Node) (Step, error) {
	var spec struct {
		Set []struct {
			Group string `yaml:"group"`
			Key   string `yaml:"key"`
			Value string `yaml:"value"`
		} `yaml:"set"`
		ProviderOptions map[string]string `yaml:"provider_options"`
	}
	if opts == nil {
		return nil, fmt.Errorf("needs `set:` or `provider_options:`")
	}
	if err := decodeStrict(opts, &spec); err != nil {
		return nil, err
	}
	var s ConfigPatch
	for i, e := range spec.Set {
		if e.Group == "" || e.Key == "" {
			return nil, fmt.Errorf("set[%d]: group and key are required", i)
		}
		s.Edits = append(s.Edits, OptionEdit{Reader: readerOfGroup(e.Group), Group: e.Group, Key: e.Key, Value: e.Value, Secret: mycnf.IsSecretKey(e.Key)})
	}
	if len(spec.ProviderOptions) > 0 {
		s.Edits = append(s.Edits, OptionEdit{Reader: ReadByServer, Group: "mysqld", Key: "wsrep_provider_options", ProviderOptions: spec.ProviderOptions})
	}
	if len(s.Edits) == 0 {
		return nil, fmt.Errorf("needs `set:` or `provider_options:`")
	}
	return s, nil
}

// decodeStrict decodes a YAML node, refusing unknown fields.
func decodeStrict(n *yaml.Node, v any) error {
	data, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	return dec.Decode(v)
}

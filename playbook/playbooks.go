package playbook

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// ErrInvalidPlaybook marks a playbook file (or name) that cannot be used.
var ErrInvalidPlaybook = errors.New("invalid playbook")

// builtins are the playbooks galeraflow ships, by name. A function, not a
// table of values, so every run gets fresh steps.
func builtin(name string) (*Playbook, bool) {
	switch name {
	case "ssl":
		return &Playbook{
			Name:           "ssl",
			RequireHealthy: true,
			Steps:          []Step{UploadCerts{}, SSTUser{}, TLSConfig{InForce: true}, Restart{}, VerifyTLS{}},
		}, true
	case "restart":
		return RestartPlaybook(""), true
	case "tls-files":
		return &Playbook{
			Name:           "tls-files",
			RequireHealthy: true,
			Steps:          []Step{UploadCerts{}, TLSConfig{}},
		}, true
	}
	return nil, false
}

// BuiltinNames lists the built-in playbooks.
func BuiltinNames() []string { return []string{"ssl", "tls-files", "restart"} }

// Resolve returns the built-in playbook called name, or loads the playbook
// file at name (relative to dir) when name looks like a path.
func Resolve(name, dir string) (*Playbook, error) {
	if name == "" {
		name = "ssl"
	}
	if pb, ok := builtin(name); ok {
		return pb, nil
	}
	if !strings.ContainsRune(name, '/') && !strings.HasSuffix(name, ".yml") && !strings.HasSuffix(name, ".yaml") {
		return nil, fmt.Errorf("%w: no built-in playbook %q (built-in: %s; or give a playbook file path)",
			ErrInvalidPlaybook, name, strings.Join(BuiltinNames(), ", "))
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPlaybook, err)
	}
	pb, err := ParsePlaybook(name, data)
	if err != nil {
		return nil, err
	}
	// Steps that read local files (upload) read them beside the playbook.
	dir, err = filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPlaybook, err)
	}
	for i, st := range pb.Steps {
		if r, ok := st.(interface{ withDir(string) Step }); ok {
			pb.Steps[i] = r.withDir(dir)
		}
	}
	return pb, nil
}

// stepFactory builds a step from its YAML options (nil when the playbook
// names the kind alone).
type stepFactory func(opts *yaml.Node) (Step, error)

// stepKinds are the step kinds a playbook file may use.
func stepKinds() map[string]stepFactory {
	noOptions := func(s Step) stepFactory {
		return func(opts *yaml.Node) (Step, error) {
			if opts != nil && !(opts.Kind == yaml.ScalarNode && opts.Tag == "!!null") {
				return nil, fmt.Errorf("takes no options")
			}
			return s, nil
		}
	}
	return map[string]stepFactory{
		"upload-certs": noOptions(UploadCerts{}),
		"tls-config":   noOptions(TLSConfig{}),
		"mycnf":        parseConfigPatch,
		"sst-user":     noOptions(SSTUser{}),
		"restart":      parseRestart,
		"verify-tls":   noOptions(VerifyTLS{}),
		"upload":       parseUpload,
		"exec":         parseExec,
	}
}

// sshOnlyKinds are the step kinds that never need the database, the only
// ones a `preflight: ssh` playbook may use.
func sshOnlyKinds() map[string]bool {
	return map[string]bool{"upload": true, "exec": true, "mycnf": true, "upload-certs": true}
}

// ParsePlaybook reads a playbook file: a name and a list of steps, each a
// step kind alone ("- upload-certs") or a kind with options
// ("- exec: {command: ...}"). Every mistake is reported with its line.
func ParsePlaybook(file string, data []byte) (*Playbook, error) {
	var doc struct {
		Name string `yaml:"name"`
		// Preflight is "cluster" (default: every node's server healthy
		// before anything is planned) or "ssh" (nodes reachable over SSH;
		// no SQL at all, for steps that do not need the database).
		Preflight string      `yaml:"preflight"`
		Steps     []yaml.Node `yaml:"steps"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalidPlaybook, file, err)
	}
	kinds := stepKinds()
	pb := &Playbook{Name: doc.Name, RequireHealthy: true}
	if pb.Name == "" {
		pb.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	var problems []string
	bad := func(n *yaml.Node, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d: %s", file, n.Line, fmt.Sprintf(format, args...)))
	}
	if len(doc.Steps) == 0 {
		problems = append(problems, fmt.Sprintf("%s: steps: the playbook has no steps", file))
	}
	switch doc.Preflight {
	case "", "cluster":
	case "ssh":
		pb.RequireHealthy, pb.NoFacts = false, true
	default:
		problems = append(problems, fmt.Sprintf("%s: preflight: %q is not cluster or ssh", file, doc.Preflight))
	}
	for i := range doc.Steps {
		n := &doc.Steps[i]
		var kind string
		var opts *yaml.Node
		switch {
		case n.Kind == yaml.ScalarNode:
			kind = n.Value
		case n.Kind == yaml.MappingNode && len(n.Content) == 2:
			kind, opts = n.Content[0].Value, n.Content[1]
		default:
			bad(n, "steps[%d]: a step is a kind (`- upload-certs`) or one kind with options (`- exec: {...}`)", i)
			continue
		}
		make, ok := kinds[kind]
		if !ok {
			bad(n, "steps[%d]: unknown step kind %q (known: %s)", i, kind, strings.Join(sortedKeys(kinds), ", "))
			continue
		}
		if pb.NoFacts && !sshOnlyKinds()[kind] {
			bad(n, "steps[%d] (%s): needs the database, which `preflight: ssh` never reaches (allowed: %s)", i, kind, strings.Join(sortedKeys(sshOnlyKinds()), ", "))
			continue
		}
		st, err := make(opts)
		if err != nil {
			bad(n, "steps[%d] (%s): %v", i, kind, err)
			continue
		}
		pb.Steps = append(pb.Steps, st)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalidPlaybook, strings.Join(problems, "\n"))
	}
	return pb, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

package playbook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/playbook/diff"
	"github.com/galeraflow/galeraflow/playbook/mycnf"
	"github.com/galeraflow/galeraflow/remote"
)

// OptionReader names the program whose view of the option files an edit
// must change: the server, the command-line client (also used by the
// mysqldump SST donor), or the SST scripts.
type OptionReader string

const (
	ReadByServer OptionReader = "server"
	ReadByClient OptionReader = "client"
	ReadBySST    OptionReader = "sst"
)

// OptionEdit is one managed option: after the change, the program Reader
// sees Key = Value (or, for provider options, a wsrep_provider_options
// string that keeps every other option and holds these).
type OptionEdit struct {
	Reader OptionReader
	Group  string
	Key    string
	Value  string
	// ProviderOptions, when set, merges into wsrep_provider_options
	// (Key is then wsrep_provider_options and Value is ignored).
	ProviderOptions map[string]string
	// Remove: the key must not be set in Group any more (its lines are
	// commented out, so the old value stays visible).
	Remove bool
	Secret bool
}

func (e OptionEdit) describe() string {
	v := e.Value
	if e.Secret {
		v = "****"
	}
	if e.Remove {
		return fmt.Sprintf("[%s] %s removed", e.Group, e.Key)
	}
	if e.ProviderOptions != nil {
		names := sortedKeys(e.ProviderOptions)
		return fmt.Sprintf("[%s] %s += %s", e.Group, e.Key, strings.Join(names, ", "))
	}
	return fmt.Sprintf("[%s] %s = %s", e.Group, e.Key, v)
}

// optionPlan is what Apply writes and then verifies.
type optionPlan struct {
	root   string
	writes []optionWrite
	edits  []optionWant
}

type optionWrite struct {
	path  string
	data  []byte
	mode  fs.FileMode // 0: keep the file's mode
	isNew bool
}

// optionWant is the value a reader must see after the change.
type optionWant struct {
	reader OptionReader
	key    string
	value  string
	secret bool
	// absent: the key must no longer be set in group (a removal).
	absent bool
	group  string
}

// disableMarker labels lines galeraflow comments out.
const disableMarker = "galeraflow: overridden"

// planOptions computes the edits of option files on one node so that each
// reader sees the wanted values. It changes only the lines it must: a key
// already set somewhere is changed where it is effectively set; a new key
// goes into dropin (when given) or next to the node's Galera settings; a
// later definition that would override the edit is commented out. The
// result is checked by resolving the edited files again, in memory.
func planOptions(ctx context.Context, t *Target, root, dropin, version string, edits []OptionEdit, timeout time.Duration) (*optionPlan, *Change, error) {
	files := newNodeFiles(ctx, t.Host, timeout)
	set, err := mycnf.Resolve(root, files)
	if err != nil {
		return nil, nil, fmt.Errorf("read option files: %w", err)
	}
	for _, w := range set.Warnings {
		if w.Fatal {
			return nil, nil, fmt.Errorf("option files: %s", w)
		}
	}
	before := map[string][]byte{}
	for _, f := range set.Files {
		before[f.Name] = f.Bytes()
	}
	plan := &optionPlan{root: root}
	var notes []string
	for _, e := range edits {
		want, note, err := applyEdit(root, dropin, version, files, e)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", e.describe(), err)
		}
		if note != "" {
			notes = append(notes, note)
		}
		plan.edits = append(plan.edits, want)
	}

	c := &Change{Data: plan}
	paths := sortedKeys(files.overlay)
	for _, p := range paths {
		data := files.overlay[p]
		old, existed := before[p]
		if !existed {
			if o, err := files.original(p); err == nil {
				old, existed = o, true
			}
		}
		if existed && bytes.Equal(old, data) {
			continue
		}
		w := optionWrite{path: p, data: data, isNew: !existed}
		if w.isNew {
			w.mode = 0o644
		}
		plan.writes = append(plan.writes, w)
		d := diff.Unified(p, p, mycnf.MaskSecrets(old), mycnf.MaskSecrets(data), 3)
		c.Diffs = append(c.Diffs, FileDiff{Path: p, Diff: d})
	}
	if len(plan.writes) > 0 {
		stats, err := probeFiles(ctx, t.Host, writePaths(plan.writes), timeout)
		if err != nil {
			return nil, nil, err
		}
		for i := range plan.writes {
			// The server ignores a world-writable option file: never
			// keep (or make) one.
			if st := stats[i]; st.exists && st.mode&0o002 != 0 {
				plan.writes[i].mode = st.mode &^ 0o022
				c.Diffs[i].Note = fmt.Sprintf("mode %04o → %04o (the server ignores world-writable option files)", st.mode, plan.writes[i].mode)
			}
		}
	}
	c.Actions = notes
	c.Changed = len(plan.writes) > 0
	c.NeedsRestart = c.Changed
	if c.Changed {
		c.Summary = fmt.Sprintf("patch %d option file(s): %s", len(plan.writes), strings.Join(writePaths(plan.writes), ", "))
	} else {
		c.Summary = fmt.Sprintf("%d option(s) already set", len(edits))
	}
	return plan, c, nil
}

func writePaths(ws []optionWrite) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.path
	}
	return out
}

// effectiveFor returns the definition of key that reader uses.
func effectiveFor(set *mycnf.Set, reader OptionReader, version, key string) (mycnf.Option, bool) {
	switch reader {
	case ReadByClient:
		return set.Effective(mycnf.ClientGroups(), key)
	case ReadBySST:
		return set.FirstDefined(mycnf.SSTGroupSets(version), key)
	default:
		return set.Effective(mycnf.ServerGroups(version), key)
	}
}

// applyEdit edits the overlay until the reader sees the wanted value.
func applyEdit(root, dropin, version string, files *nodeFiles, e OptionEdit) (optionWant, string, error) {
	resolve := func() (*mycnf.Set, error) { return mycnf.Resolve(root, files) }
	set, err := resolve()
	if err != nil {
		return optionWant{}, "", err
	}
	if e.Remove {
		return removeEverywhere(set, files, e)
	}
	cur, defined := effectiveFor(set, e.Reader, version, e.Key)
	want := e.Value
	if e.ProviderOptions != nil {
		merged, _ := mycnf.MergeProviderOptions(cur.Value, e.ProviderOptions)
		want = merged
	}
	result := optionWant{reader: e.Reader, key: e.Key, value: want, secret: e.Secret}
	if defined && cur.Value == want {
		return result, "", nil
	}

	// Where to write: the dropin; else where the key is effectively set
	// (in place when that group is read by this reader alone, so the
	// file's own line changes); else beside the node's related settings.
	target, group := root, e.Group
	switch {
	case dropin != "":
		target = dropin
	case defined && inGroupList(cur.Group, ownGroups(e.Reader, version)):
		target, group = cur.File, cur.Group
	case defined:
		target = cur.File
	default:
		target, group = homeOf(set, e.Reader, version, e.Group, root)
	}
	if err := setIn(files, target, group, e.Key, want); err != nil {
		return result, "", err
	}

	// A definition read later may still win: comment it out, but only in a
	// group this reader alone reads — never take a server option away to
	// suit the SST scripts.
	var note string
	for attempt := 0; attempt < 8; attempt++ {
		set, err = resolve()
		if err != nil {
			return result, "", err
		}
		if target == dropin && set.File(path.Clean(dropin)) == nil {
			return result, "", fmt.Errorf("%s is not read by the server (no !include or !includedir names it): fix paths.dropin", dropin)
		}
		got, ok := effectiveFor(set, e.Reader, version, e.Key)
		if ok && got.Value == want {
			return result, note, nil
		}
		if !ok || (got.File == path.Clean(target) && mycnf.SameGroup(got.Group, group)) {
			break
		}
		if e.Reader == ReadBySST && inGroupList(got.Group, mycnf.ServerGroups(version)) {
			return result, "", fmt.Errorf("%s:%d sets %s in [%s], which the SST scripts read before [%s]; it also configures the server, so galeraflow will not remove it: change it by hand", got.File, got.Line, got.Key, got.Group, e.Group)
		}
		f, err := overlayFile(files, got.File)
		if err != nil {
			return result, "", err
		}
		if f.Disable(got.Group, got.Key, disableMarker) == 0 {
			break
		}
		files.overlay[path.Clean(got.File)] = f.Bytes()
		note = fmt.Sprintf("comment out %s:%d (%s in [%s] would override the new value)", got.File, got.Line, got.Key, got.Group)
	}
	return result, "", fmt.Errorf("could not make the %s see the new value of %s (check the include order of %s)", e.Reader, e.Key, root)
}

// removeEverywhere comments out every definition of the key in the edit's
// group, in every file read.
func removeEverywhere(set *mycnf.Set, files *nodeFiles, e OptionEdit) (optionWant, string, error) {
	want := optionWant{reader: e.Reader, key: e.Key, absent: true, group: e.Group}
	defs := set.Definitions([]string{e.Group}, e.Key)
	for _, d := range defs {
		f, err := overlayFile(files, d.File)
		if err != nil {
			return want, "", err
		}
		if f.Disable(e.Group, e.Key, "galeraflow: removed") > 0 {
			files.overlay[path.Clean(d.File)] = f.Bytes()
		}
	}
	return want, "", nil
}

// ownGroups are the groups only this reader reads ([client-server] is
// shared by server and client: editing it there would change both).
func ownGroups(reader OptionReader, version string) []string {
	var all []string
	switch reader {
	case ReadByClient:
		all = mycnf.ClientGroups()
	case ReadBySST:
		return []string{"sst", "xtrabackup", "mariabackup"}
	default:
		all = mycnf.ServerGroups(version)
	}
	var own []string
	for _, g := range all {
		if g != "client-server" {
			own = append(own, g)
		}
	}
	return own
}

// homeOf picks the file (and group) for a key no file sets yet: server
// keys join the group holding the node's wsrep_provider, SST keys go to
// [sst] in that file, client keys to the last file with a section of
// their group; the root file otherwise.
func homeOf(set *mycnf.Set, reader OptionReader, version, group, root string) (string, string) {
	if reader == ReadByClient {
		for i := len(set.Files) - 1; i >= 0; i-- {
			for _, g := range set.Files[i].Groups() {
				if mycnf.SameGroup(g, group) {
					return set.Files[i].Name, group
				}
			}
		}
		return root, group
	}
	o, ok := set.Effective(mycnf.ServerGroups(version), "wsrep_provider")
	if !ok {
		return root, group
	}
	if reader == ReadByServer && inGroupList(o.Group, ownGroups(ReadByServer, version)) {
		return o.File, o.Group
	}
	return o.File, group
}

func inGroupList(g string, groups []string) bool {
	for _, x := range groups {
		if mycnf.SameGroup(g, x) {
			return true
		}
	}
	return false
}

// overlayFile parses the current (overlay or node) version of p.
func overlayFile(files *nodeFiles, p string) (*mycnf.File, error) {
	p = path.Clean(p)
	data, err := files.ReadFile(p)
	if err != nil {
		if !isNotExist(err) {
			return nil, err
		}
		data = nil
	}
	return mycnf.Parse(p, data)
}

// setIn sets key in group of the file at p (creating it in the overlay).
func setIn(files *nodeFiles, p, group, key, value string) error {
	f, err := overlayFile(files, p)
	if err != nil {
		return err
	}
	if _, err := f.Set(group, key, value); err != nil {
		return err
	}
	files.overlay[path.Clean(p)] = f.Bytes()
	return nil
}

// applyOptions writes the planned files (atomically, with backups) and
// checks with the server's own my_print_defaults that every reader sees
// the wanted values.
func applyOptions(ctx context.Context, run *Run, step string, t *Target, plan *optionPlan, version string, timeout time.Duration) error {
	for _, w := range plan.writes {
		opts := remote.WriteOptions{Mode: w.mode}
		if w.isNew {
			opts.Owner, opts.Group = "root", "root"
		}
		wctx, cancel := context.WithTimeout(ctx, timeout)
		res, err := t.Host.WriteFile(wctx, w.path, w.data, opts)
		cancel()
		if err != nil {
			return fmt.Errorf("write %s: %w", w.path, err)
		}
		run.RecordBackup(FileBackup{Node: t.Node.Name, Path: res.Path, Backup: res.Backup, Step: step})
	}
	return verifyOptions(ctx, t, plan, version, timeout)
}

// verifyOptions runs my_print_defaults for each reader and compares the
// last value of each managed key. Its output holds secrets: it is read as
// sensitive and only masked values reach an error.
func verifyOptions(ctx context.Context, t *Target, plan *optionPlan, version string, timeout time.Duration) error {
	groupsArg := map[OptionReader]string{
		ReadByServer: "--mysqld",
		ReadByClient: strings.Join(mycnf.ClientGroups(), " "),
		ReadBySST:    "--mysqld sst xtrabackup mariabackup",
	}
	seen, err := printDefaults(ctx, t, plan, groupsArg, timeout)
	if err != nil {
		return err
	}
	var problems []string
	for _, w := range plan.edits {
		if w.absent {
			continue // removals are checked in the plan's own resolution
		}
		got, ok := seen[w.reader][normalizeOption(w.key)]
		if !ok || got != w.value {
			shown, gotShown := w.value, got
			if w.secret {
				shown, gotShown = "****", "****"
			}
			if !ok {
				gotShown = "(not set)"
			}
			problems = append(problems, fmt.Sprintf("%s sees %s = %s, want %s", w.reader, w.key, gotShown, shown))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("my_print_defaults disagrees after the change: %s", strings.Join(problems, "; "))
	}
	return nil
}

// printDefaults runs my_print_defaults once per reader the edits concern,
// all in one command (one round trip), and returns each reader's values.
func printDefaults(ctx context.Context, t *Target, plan *optionPlan, groupsArg map[OptionReader]string, timeout time.Duration) (map[OptionReader]map[string]string, error) {
	var readers []OptionReader
	for _, w := range plan.edits {
		if !w.absent && !slices.Contains(readers, w.reader) {
			readers = append(readers, w.reader)
		}
	}
	seen := map[OptionReader]map[string]string{}
	if len(readers) == 0 {
		return seen, nil
	}
	const sep = "--galeraflow-next-reader"
	cmds := make([]string, len(readers))
	for i, r := range readers {
		cmds[i] = "my_print_defaults --defaults-file=" + remote.ShellQuote(plan.root) + " " + groupsArg[r]
	}
	cmd := strings.Join(cmds, " && echo "+sep+" && ")
	res, err := t.Host.Exec(ctx, cmd, remote.ExecOptions{Sudo: true, Sensitive: true, Timeout: timeout})
	if err != nil {
		return nil, fmt.Errorf("verify with my_print_defaults: %w", err)
	}
	outs := strings.Split(string(res.Stdout), sep+"\n")
	if len(outs) != len(readers) {
		return nil, fmt.Errorf("verify with my_print_defaults: expected %d outputs, got %d", len(readers), len(outs))
	}
	for i, r := range readers {
		seen[r] = parsePrintDefaults(outs[i])
	}
	return seen, nil
}

// parsePrintDefaults reads "--key=value" lines; the last one wins.
func parsePrintDefaults(out string) map[string]string {
	vals := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimPrefix(strings.TrimSpace(l), "--")
		if l == "" {
			continue
		}
		k, v, _ := strings.Cut(l, "=")
		vals[normalizeOption(k)] = v
	}
	return vals
}

// normalizeOption folds '-' into '_' and drops "loose-", as the server does.
func normalizeOption(k string) string {
	k = strings.ReplaceAll(k, "-", "_")
	return strings.TrimPrefix(k, "loose_")
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

package playbook

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/galeraflow/galeraflow/remote"
)

// Upload puts files of this machine on every node (a user playbook's
// `upload:` step): content compared by hash first, in one round trip for
// all the node's files, then each differing file written atomically with a
// backup of the one it replaces; a file with the right content but the
// wrong owner or mode is only fixed. Identical files are left alone.
//
//	upload:
//	  files:
//	    - {src: certs/ca.pem, dest: /etc/mysql/ssl/ca.pem, mode: "0644", owner: root, group: root}
//
// src is relative to the playbook file's folder (the inventory's folder
// for a playbook given without a file). {node} in src and dest is the node's
// name. mode, owner and group are optional: unset, a replaced file keeps
// its own and a new file is 0644 root:root. Nothing restarts: the change
// takes effect as the files' readers decide.
type Upload struct {
	Files []UploadFile
	// Dir is the folder relative src paths are read from; "" means the
	// inventory's folder. Resolve sets it to the playbook file's folder.
	Dir string
	// local caches the files read on this machine, shared by the nodes'
	// plans (a pointer, so copies of the step share it).
	local *localFiles
}

// UploadFile is one file of an upload step.
type UploadFile struct {
	Src, Dest    string
	Mode         fs.FileMode // 0: keep the old file's (new files 0644)
	Owner, Group string      // "": keep the old file's (new files root)
}

const stepUploadName = "upload"

func (Upload) Name() string { return stepUploadName }
func (Upload) Scope() Scope { return PerNode }

// withDir returns the step reading relative sources from dir.
func (s Upload) withDir(dir string) Step {
	s.Dir = dir
	return s
}

// uploadItem is one file's plan on one node.
type uploadItem struct {
	UploadFile
	data []byte
	// upload: the content differs or the file is missing; fix: only
	// owner or mode differ.
	upload, fix bool
}

func (s Upload) Plan(ctx context.Context, run *Run, t *Target) (*Change, error) {
	items := make([]*uploadItem, len(s.Files))
	dests := make([]string, len(s.Files))
	for i, f := range s.Files {
		src := expandNode(f.Src, t.Node.Name)
		if !filepath.IsAbs(src) {
			dir := s.Dir
			if dir == "" {
				dir = run.Inv.Dir
			}
			src = filepath.Join(dir, src)
		}
		data, err := s.local.read(src)
		if err != nil {
			return nil, err
		}
		it := &uploadItem{UploadFile: f, data: data}
		it.Src, it.Dest = src, expandNode(f.Dest, t.Node.Name)
		items[i], dests[i] = it, it.Dest
	}
	states, err := probeFiles(ctx, t.Host, dests, run.Inv.Timeouts.Command)
	if err != nil {
		return nil, err
	}
	c := &Change{Data: items}
	var uploads, fixes int
	for i, it := range items {
		st := states[i]
		switch {
		case !st.exists:
			it.upload = true
			c.Actions = append(c.Actions, fmt.Sprintf("upload %s → %s (new, %s)", it.Src, it.Dest, it.describeWanted()))
		case st.sha256 != sha256Hex(it.data):
			it.upload = true
			c.Actions = append(c.Actions, fmt.Sprintf("upload %s → %s (content differs; old file backed up)", it.Src, it.Dest))
		case !it.ownerModeMatch(st):
			it.fix = true
			c.Actions = append(c.Actions, fmt.Sprintf("fix %s: %s → %s", it.Dest, st.describe(), it.describeWanted()))
		}
		if it.upload {
			uploads++
		}
		if it.fix {
			fixes++
		}
	}
	c.Changed = uploads+fixes > 0
	c.Summary = filesSummary(len(items), uploads, fixes)
	return c, nil
}

func (s Upload) Apply(ctx context.Context, run *Run, t *Target, c *Change) error {
	items := c.Data.([]*uploadItem)
	timeout := run.Inv.Timeouts.Command
	var fix []string
	var uploads []*uploadItem
	for _, it := range items {
		switch {
		case it.upload:
			uploads = append(uploads, it)
		case it.fix:
			fix = append(fix, it.fixCommand())
		}
	}
	// The node's files are written concurrently over its one connection
	// (each write is atomic on its own; their requests share the node's
	// wake-ups). Every write is tried; the errors are joined.
	errs := make([]error, len(uploads))
	var wg sync.WaitGroup
	for i, it := range uploads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			res, err := t.Host.WriteFile(wctx, it.Dest, it.data, remote.WriteOptions{Mode: it.Mode, Owner: it.Owner, Group: it.Group})
			if err != nil {
				errs[i] = fmt.Errorf("upload %s: %w", it.Dest, err)
				return
			}
			run.RecordBackup(FileBackup{Node: t.Node.Name, Path: res.Path, Backup: res.Backup, Step: stepUploadName})
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if len(fix) > 0 {
		// One round trip for every owner/mode fix of the node.
		cmd := strings.Join(fix, " && ")
		if _, err := t.Host.Exec(ctx, cmd, remote.ExecOptions{Sudo: true, Timeout: timeout}); err != nil {
			return fmt.Errorf("fix owner/mode: %w", err)
		}
	}
	return nil
}

func (it *uploadItem) ownerModeMatch(st fileState) bool {
	return (it.Mode == 0 || st.mode == it.Mode) &&
		(it.Owner == "" || st.owner == it.Owner) &&
		(it.Group == "" || st.group == it.Group)
}

func (it *uploadItem) describeWanted() string {
	owner, group, mode := it.Owner, it.Group, "0644"
	if owner == "" {
		owner = "root"
	}
	if group == "" {
		group = "root"
	}
	if it.Mode != 0 {
		mode = fmt.Sprintf("%04o", it.Mode)
	}
	return owner + ":" + group + " " + mode
}

// fixCommand sets what the step manages of an existing file.
func (it *uploadItem) fixCommand() string {
	q := remote.ShellQuote(it.Dest)
	var cmds []string
	switch {
	case it.Owner != "" && it.Group != "":
		cmds = append(cmds, "chown -- "+remote.ShellQuote(it.Owner+":"+it.Group)+" "+q)
	case it.Owner != "":
		cmds = append(cmds, "chown -- "+remote.ShellQuote(it.Owner)+" "+q)
	case it.Group != "":
		cmds = append(cmds, "chgrp -- "+remote.ShellQuote(it.Group)+" "+q)
	}
	if it.Mode != 0 {
		cmds = append(cmds, fmt.Sprintf("chmod %04o %s", it.Mode, q))
	}
	return strings.Join(cmds, " && ")
}

// expandNode replaces {node} with the node's name.
func expandNode(s, node string) string { return strings.ReplaceAll(s, "{node}", node) }

// localFiles reads each local file once per run, whatever the node count.
type localFiles struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (l *localFiles) read(p string) ([]byte, error) {
	if l == nil {
		return readLocal(p)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if data, ok := l.files[p]; ok {
		return data, nil
	}
	data, err := readLocal(p)
	if err != nil {
		return nil, err
	}
	l.files[p] = data
	return data, nil
}

func readLocal(p string) ([]byte, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("read %w", err)
	}
	return data, nil
}

// parseUpload reads an `upload:` step's options.
func parseUpload(opts *yaml.Node) (Step, error) {
	var spec struct {
		Files []struct {
			Src   string `yaml:"src"`
			Dest  string `yaml:"dest"`
			Mode  string `yaml:"mode"`
			Owner string `yaml:"owner"`
			Group string `yaml:"group"`
		} `yaml:"files"`
	}
	if opts == nil {
		return nil, fmt.Errorf("needs `files:`")
	}
	if err := decodeStrict(opts, &spec); err != nil {
		return nil, err
	}
	if len(spec.Files) == 0 {
		return nil, fmt.Errorf("needs `files:` (a list of {src, dest})")
	}
	s := Upload{local: &localFiles{files: map[string][]byte{}}}
	seen := map[string]bool{}
	for i, f := range spec.Files {
		switch {
		case f.Src == "" || f.Dest == "":
			return nil, fmt.Errorf("files[%d]: src and dest are required", i)
		case !path.IsAbs(f.Dest) || path.Clean(f.Dest) != f.Dest:
			return nil, fmt.Errorf("files[%d]: dest %q must be an absolute, clean path on the node", i, f.Dest)
		case seen[f.Dest]:
			return nil, fmt.Errorf("files[%d]: dest %s appears twice", i, f.Dest)
		}
		seen[f.Dest] = true
		for _, name := range []string{f.Owner, f.Group} {
			if strings.ContainsAny(name, ": \t\n") || strings.HasPrefix(name, "-") {
				return nil, fmt.Errorf("files[%d]: bad owner or group name %q", i, name)
			}
		}
		uf := UploadFile{Src: f.Src, Dest: f.Dest, Owner: f.Owner, Group: f.Group}
		if f.Mode != "" {
			m, err := parseMode(f.Mode)
			if err != nil {
				return nil, fmt.Errorf("files[%d]: %w", i, err)
			}
			uf.Mode = m
		}
		s.Files = append(s.Files, uf)
	}
	return s, nil
}

// parseMode reads an octal permission string ("0644"); world-writable
// files are refused, as remote.WriteFile would.
func parseMode(s string) (fs.FileMode, error) {
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m > 0o777 {
		return 0, fmt.Errorf("mode %q: want octal permission bits such as \"0644\" (quote it)", s)
	}
	if m&0o002 != 0 {
		return 0, fmt.Errorf("mode %s would make the file world-writable", s)
	}
	return fs.FileMode(m), nil
}

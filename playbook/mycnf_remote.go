package playbook

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/remote"
)

// nodeFiles reads a node's option files for mycnf.Resolve. It caches what
// it read (a plan resolves the includes several times while it edits) and
// holds an overlay of edited or new files, so a resolution sees the files
// as they will be after the change, without writing anything.
type nodeFiles struct {
	ctx     context.Context
	host    remote.Host
	timeout time.Duration

	read    map[string][]byte
	missing map[string]bool
	dirs    map[string][]string
	overlay map[string][]byte
}

func newNodeFiles(ctx context.Context, h remote.Host, timeout time.Duration) *nodeFiles {
	return &nodeFiles{ctx: ctx, host: h, timeout: timeout,
		read: map[string][]byte{}, missing: map[string]bool{}, dirs: map[string][]string{}, overlay: map[string][]byte{}}
}

// ReadFile returns the overlay's version of p, or the node's.
func (n *nodeFiles) ReadFile(p string) ([]byte, error) {
	p = path.Clean(p)
	if data, ok := n.overlay[p]; ok {
		return data, nil
	}
	data, err := n.original(p)
	if err != nil {
		return nil, err
	}
	return data, nil
}

// original returns the node's content of p (cached).
func (n *nodeFiles) original(p string) ([]byte, error) {
	if data, ok := n.read[p]; ok {
		return data, nil
	}
	if n.missing[p] {
		return nil, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
	}
	ctx, cancel := context.WithTimeout(n.ctx, n.timeout)
	defer cancel()
	data, err := n.host.ReadFile(ctx, p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			n.missing[p] = true
		}
		return nil, err
	}
	n.read[p] = data
	return data, nil
}

// exists reports whether p exists on the node (before the change).
func (n *nodeFiles) exists(p string) bool {
	_, err := n.original(path.Clean(p))
	return err == nil
}

// listDirScript prints a directory's entries, one per line; exit 3 when
// it is not a readable directory (the server then skips it).
const listDirScript = `[ -d "$1" ] && [ -r "$1" ] || exit 3; ls -1A -- "$1"`

// ReadDir returns the names in dir, with the overlay's new files added.
func (n *nodeFiles) ReadDir(dir string) ([]string, error) {
	dir = path.Clean(dir)
	names, ok := n.dirs[dir]
	if !ok {
		ctx, cancel := context.WithTimeout(n.ctx, n.timeout)
		defer cancel()
		res, err := n.host.Exec(ctx, "sh -c "+remote.ShellQuote(listDirScript)+" sh "+remote.ShellQuote(dir), remote.ExecOptions{Sudo: true})
		if err != nil {
			var ee *remote.ExitError
			if errors.As(err, &ee) && ee.Status == 3 {
				return nil, fmt.Errorf("%s: %w", dir, fs.ErrNotExist)
			}
			return nil, err
		}
		for _, l := range strings.Split(string(res.Stdout), "\n") {
			if l != "" {
				names = append(names, l)
			}
		}
		n.dirs[dir] = names
	}
	out := append([]string(nil), names...)
	for p := range n.overlay {
		if path.Dir(p) == dir && !contains(out, path.Base(p)) {
			out = append(out, path.Base(p))
		}
	}
	sort.Strings(out)
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

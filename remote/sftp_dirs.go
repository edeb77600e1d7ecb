package remote

import (
	"path"
	"strings"
	"sync"

	"github.com/pkg/sftp"
)

// tempMark names galeraflow's temp files: .<base>.galeraflow-tmp-<random>.
const tempMark = ".galeraflow-tmp-"

// dirWork is what the SFTP fast path does once per directory and
// connection instead of once per file: a node's certificates share a
// directory and are written together, and every listing or directory
// fsync is a round trip through sshd and sftp-server.
type dirWork struct {
	scan  sync.Once
	mu    sync.Mutex
	temps []string // stale temp files found by scan, not yet removed

	// Directory fsyncs are shared: a sync that starts after a rename
	// makes it durable, so writes whose renames landed while another
	// sync ran share the next one.
	syncMu  sync.Mutex
	renamed uint64 // renames done (under mu)
	synced  uint64 // renames a finished sync covers (under syncMu)
}

// dir returns the connection's record of directory d.
func (c *Client) dir(d string) *dirWork {
	c.sftpMu.Lock()
	defer c.sftpMu.Unlock()
	if c.dirs == nil {
		c.dirs = map[string]*dirWork{}
	}
	w, ok := c.dirs[d]
	if !ok {
		w = &dirWork{}
		c.dirs[d] = w
	}
	return w
}

// removeStaleTemps removes the temp files an earlier write of the same
// target left when its connection dropped (its own cleanup needed the
// connection). Only this target's: other files of the directory may be
// being written at the same time; the cluster lock keeps two runs from
// writing one file at once. The directory is listed once per connection,
// before this connection creates any temp file in it (sync.Once), so the
// list holds only earlier runs' leftovers.
func (w *dirWork) removeStaleTemps(sc *sftp.Client, dir, base string) {
	w.scan.Do(func() {
		ents, err := sc.ReadDir(dir)
		if err != nil {
			return // the write itself will say what is wrong with dir
		}
		for _, e := range ents {
			if strings.Contains(e.Name(), tempMark) && e.Mode().IsRegular() {
				w.temps = append(w.temps, e.Name())
			}
		}
	})
	prefix := "." + base + tempMark
	w.mu.Lock()
	var mine []string
	kept := w.temps[:0]
	for _, name := range w.temps {
		if strings.HasPrefix(name, prefix) {
			mine = append(mine, name)
		} else {
			kept = append(kept, name)
		}
	}
	w.temps = kept
	w.mu.Unlock()
	for _, name := range mine {
		_ = sc.Remove(path.Join(dir, name))
	}
}

// syncAfterRename makes a rename in the directory durable with syncDir,
// unless a sync that started after this rename has already finished.
func (w *dirWork) syncAfterRename(syncDir func()) {
	w.mu.Lock()
	w.renamed++
	mine := w.renamed
	w.mu.Unlock()

	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	if w.synced >= mine {
		return
	}
	w.mu.Lock()
	covers := w.renamed
	w.mu.Unlock()
	syncDir()
	w.synced = covers
}

package remote

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/pkg/sftp"
)

// The SFTP fast path of a root login. Every shell command costs the node a
// session, a shell and a process per tool it runs; on a fleet that is most
// of the work. A root login needs no sudo, so files are probed and written
// with SFTP requests on the one SFTP session instead, with the same
// guarantees as installScript: a temp file beside the target, owner and
// mode set before the rename, fsync, a backup of the replaced file (a hard
// link to the old inode: same content, owner, mode and times, as cp -p),
// an atomic rename (posix-rename), then the directory synced. It needs the
// OpenSSH extensions fsync, hardlink and posix-rename; without them, or
// for a case it does not handle (a missing parent directory to create, an
// owner name not in /etc/passwd), the shell path does the work.

// errNoFastPath sends a write back to the shell path.
var errNoFastPath = errors.New("sftp fast path not applicable")

// fastSFTP returns the SFTP session when the fast path applies.
func (c *Client) fastSFTP(ctx context.Context) (*sftp.Client, bool) {
	if !c.isRoot() || ctx.Err() != nil {
		return nil, false
	}
	sc, err := c.sftpClient(ctx)
	if err != nil {
		return nil, false
	}
	for _, ext := range []string{"fsync@openssh.com", "hardlink@openssh.com", "posix-rename@openssh.com"} {
		if _, ok := sc.HasExtension(ext); !ok {
			return nil, false
		}
	}
	return sc, true
}

// FileProbe is what ProbeFiles learns about one path.
type FileProbe struct {
	Exists       bool
	Owner, Group string // names, or numeric ids the node cannot name
	Mode         fs.FileMode
	IsDir        bool
	SHA256       string // hex; "" for a directory
}

// probeHashLimit: larger files are hashed on the node, not read over SFTP.
const probeHashLimit = 1 << 20

// ProbeFiles reports owner, group, permission bits and content hash of
// each path, for a root login over SFTP (owner and mode of the path
// itself, content and type through symlinks, as `stat -c` and `sha256sum <`
// report them). It returns ok=false when the fast path does not apply: the
// caller then asks the node's shell.
func (c *Client) ProbeFiles(ctx context.Context, paths []string) ([]FileProbe, bool, error) {
	sc, ok := c.fastSFTP(ctx)
	if !ok {
		return nil, false, nil
	}
	if sc == nil {
		return nil, false, nil
	}
	ids := c.nodeIDs()
	out := make([]FileProbe, len(paths))
	for _, p := range paths {
		if !path.IsAbs(p) {
			return nil, true, fmt.Errorf("%s: probe %s: path is not absolute", c.name, p)
		}
	}
	// The paths are probed concurrently: their requests share the node's
	// wake-ups (sshd and sftp-server handle several per read), which on a
	// busy node costs less than one round trip after the other.
	errs := make([]error, len(paths))
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.probeOne(ctx, ids, p, &out[i])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, true, err
	}
	return out, true, nil
}

// probeOne fills *out for one path.
func (c *Client) probeOne(ctx context.Context, ids *nodeIDs, p string, out *FileProbe) error {
	{
		var big bool
		err := c.withSFTP(ctx, "probe "+p, func(sc *sftp.Client) error {
			lst, err := sc.Lstat(p)
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: probe %s: %w", c.name, p, err)
			}
			st := lst
			if lst.Mode()&fs.ModeSymlink != 0 { // owner and mode of the link, the rest of its target
				if st, err = sc.Stat(p); errors.Is(err, os.ErrNotExist) {
					return nil // a dangling link: `[ -e ]` says missing
				} else if err != nil {
					return fmt.Errorf("%s: probe %s: %w", c.name, p, err)
				}
			}
			uid, gid := statIDs(lst)
			owner, group, err := ids.names(ctx, uid, gid)
			if err != nil {
				return fmt.Errorf("%s: probe %s: %w", c.name, p, err)
			}
			*out = FileProbe{Exists: true, Owner: owner, Group: group, Mode: lst.Mode().Perm(), IsDir: st.IsDir()}
			if st.IsDir() {
				return nil
			}
			if st.Size() > probeHashLimit {
				big = true
				return nil
			}
			f, err := sc.Open(p)
			if err != nil {
				return fmt.Errorf("%s: probe %s: %w", c.name, p, err)
			}
			defer f.Close()
			// One read request for a file of the size just seen; a file
			// that grew meanwhile is read to its end.
			buf := make([]byte, st.Size())
			n, err := io.ReadFull(f, buf)
			h := sha256.New()
			h.Write(buf[:n])
			if err == nil {
				_, err = io.Copy(h, f)
			} else if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				err = nil // it shrank: what is there is its content
			}
			if err != nil {
				return fmt.Errorf("%s: probe %s: %w", c.name, p, err)
			}
			out.SHA256 = hex.EncodeToString(h.Sum(nil))
			return nil
		})
		if err != nil {
			return err
		}
		if big {
			res, err := c.run(ctx, "sha256sum -- "+ShellQuote(p), "sha256sum "+p, ExecOptions{})
			if err != nil {
				return err
			}
			out.SHA256, _, _ = strings.Cut(string(res.Stdout), " ")
		}
	}
	return nil
}

// fastWrite is WriteFile over SFTP (see the top of this file). It returns
// errNoFastPath, having changed nothing, when the shell path must do it.
func (c *Client) fastWrite(ctx context.Context, p string, data []byte, opts WriteOptions, stamp string) (WriteResult, error) {
	ids := c.nodeIDs()
	var res WriteResult
	err := c.withSFTP(ctx, "write "+p, func(sc *sftp.Client) error {
		r, err := c.fastWriteOn(ctx, sc, ids, p, data, opts, stamp)
		res = r
		return err
	})
	return res, err
}

func (c *Client) fastWriteOn(ctx context.Context, sc *sftp.Client, ids *nodeIDs, p string, data []byte, opts WriteOptions, stamp string) (WriteResult, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: write %s: %s", c.name, p, fmt.Sprintf(format, args...))
	}
	target, old, err := resolveLinks(sc, p)
	dir, base := path.Dir(target), path.Base(target)
	exists := err == nil
	switch {
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return WriteResult{}, fail("cannot resolve %s: %v", p, err)
	case exists && old.IsDir():
		return WriteResult{}, fail("%s is a directory", target)
	case exists && !old.Mode().IsRegular():
		return WriteResult{}, fail("%s is not a regular file", target)
	}
	if !exists {
		if _, err := sc.Stat(dir); err != nil {
			return WriteResult{}, errNoFastPath // the shell path explains or creates it
		}
	}
	mode, uid, gid := fs.FileMode(0o644), 0, 0
	if exists {
		mode = old.Mode().Perm()
		uid, gid = statIDs(old)
	}
	if opts.Mode != 0 {
		mode = opts.Mode.Perm()
	}
	mode &^= 0o002 // never world-writable, whatever the old file had
	if opts.Owner != "" {
		if uid, err = ids.uid(ctx, opts.Owner); err != nil {
			return WriteResult{}, errNoFastPath
		}
	}
	if opts.Group != "" {
		if gid, err = ids.gid(ctx, opts.Group); err != nil {
			return WriteResult{}, errNoFastPath
		}
	}

	dw := c.dir(dir)
	dw.removeStaleTemps(sc, dir, base)
	tmp := path.Join(dir, "."+base+tempMark+randomHex(5))
	f, err := sc.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return WriteResult{}, fail("cannot create a temporary file in %s: %v", dir, err)
	}
	renamed := false
	bak := ""
	defer func() {
		if !renamed {
			f.Close()
			sc.Remove(tmp)
			if bak != "" {
				sc.Remove(bak)
			}
		}
	}()
	// The file is created root:root (sftp-server runs as root). When that
	// is the wanted owner, the final mode is set before the first byte
	// lands; otherwise the file stays private until chown is done, and the
	// final mode comes after it (chown clears set-id bits).
	chown := uid != 0 || gid != 0
	first := mode
	if chown {
		first = 0o600
	}
	if err := f.Chmod(first); err != nil {
		return WriteResult{}, fail("cannot set mode %04o: %v", first, err)
	}
	if _, err := f.ReadFrom(bytes.NewReader(data)); err != nil {
		return WriteResult{}, fail("write %s: %v", tmp, err)
	}
	if chown {
		if err := f.Chown(uid, gid); err != nil {
			return WriteResult{}, fail("cannot set owner %d:%d: %v", uid, gid, err)
		}
		if err := f.Chmod(mode); err != nil {
			return WriteResult{}, fail("cannot set mode %04o: %v", mode, err)
		}
	}
	if err := f.Sync(); err != nil {
		return WriteResult{}, fail("fsync %s: %v", tmp, err)
	}
	if err := f.Close(); err != nil {
		return WriteResult{}, fail("close %s: %v", tmp, err)
	}
	if exists && stamp != "" {
		if bak, err = linkBackup(sc, target, stamp); err != nil {
			return WriteResult{}, fail("cannot back up %s: %v", target, err)
		}
	}
	if err := sc.PosixRename(tmp, target); err != nil {
		return WriteResult{}, fail("cannot rename %s to %s: %v", tmp, target, err)
	}
	renamed = true
	// The rename is durable once the directory is (best effort, as sync DIR).
	dw.syncAfterRename(func() {
		if d, err := sc.Open(dir); err == nil {
			_ = d.Sync()
			d.Close()
		}
	})
	c.log.Debug("wrote file", "node", c.name, "path", target, "backup", bak, "bytes", len(data), "via", "sftp")
	return WriteResult{Path: target, Backup: bak}, nil
}

// resolveLinks follows symlinks at the last component of p (the link
// stays a link; its target is replaced), as readlink -m does for it, and
// returns the target with its Lstat result (an error matching
// os.ErrNotExist for a target yet to be created).
func resolveLinks(sc *sftp.Client, p string) (string, os.FileInfo, error) {
	for range 40 {
		st, err := sc.Lstat(p)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			return p, st, err
		}
		to, err := sc.ReadLink(p)
		if err != nil {
			return p, nil, err
		}
		if !path.IsAbs(to) {
			to = path.Join(path.Dir(p), to)
		}
		p = path.Clean(to)
	}
	return p, nil, fmt.Errorf("too many levels of symbolic links")
}

// linkBackup hard-links target to the first free
// <target>.galeraflow-<stamp>[-n].bak name.
func linkBackup(sc *sftp.Client, target, stamp string) (string, error) {
	for n := 0; n < 1000; n++ {
		bak := target + ".galeraflow-" + stamp + ".bak"
		if n > 0 {
			bak = fmt.Sprintf("%s.galeraflow-%s-%d.bak", target, stamp, n)
		}
		err := sc.Link(target, bak)
		if err == nil {
			return bak, nil
		}
		if _, serr := sc.Lstat(bak); serr != nil {
			return "", err // not a name clash
		}
	}
	return "", fmt.Errorf("no free backup name")
}

func statIDs(fi os.FileInfo) (int, int) {
	if st, ok := fi.Sys().(*sftp.FileStat); ok {
		return int(st.UID), int(st.GID)
	}
	return -1, -1
}

// nodeIDs maps user and group names of the node to ids and back, from its
// /etc/passwd and /etc/group, read once per connection and only when a
// name other than root is involved (root is uid and gid 0 on Linux). Names
// only a directory service knows are not there: callers fall back to the
// shell.
type nodeIDs struct {
	c    *Client
	once sync.Once
	err  error

	users, groups   map[string]int
	userOf, groupOf map[int]string
}

// nodeIDs returns the connection's (lazily loaded) name tables.
func (c *Client) nodeIDs() *nodeIDs {
	c.sftpMu.Lock()
	defer c.sftpMu.Unlock()
	if c.ids == nil {
		c.ids = &nodeIDs{c: c}
	}
	return c.ids
}

func (ids *nodeIDs) load(ctx context.Context) error {
	ids.once.Do(func() {
		ids.users, ids.groups = map[string]int{}, map[string]int{}
		ids.userOf, ids.groupOf = map[int]string{}, map[int]string{}
		for _, db := range []struct {
			file     string
			byName   map[string]int
			byNumber map[int]string
		}{{"/etc/passwd", ids.users, ids.userOf}, {"/etc/group", ids.groups, ids.groupOf}} {
			var data []byte
			err := ids.c.withSFTP(ctx, "read "+db.file, func(sc *sftp.Client) error {
				f, err := sc.Open(db.file)
				if err != nil {
					return err
				}
				defer f.Close()
				data, err = io.ReadAll(f)
				return err
			})
			if err != nil {
				ids.err = fmt.Errorf("read %s: %w", db.file, err)
				return
			}
			parseIDs(data, db.byName, db.byNumber)
		}
	})
	return ids.err
}

// parseIDs reads passwd/group lines: name:x:id:...
func parseIDs(data []byte, byName map[string]int, byNumber map[int]string) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) < 3 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		id, err := strconv.Atoi(fields[2])
		if err != nil {
			continue
		}
		if _, dup := byName[fields[0]]; !dup {
			byName[fields[0]] = id
		}
		if _, dup := byNumber[id]; !dup {
			byNumber[id] = fields[0]
		}
	}
}

func (ids *nodeIDs) uid(ctx context.Context, name string) (int, error) {
	return ids.lookup(ctx, name, func() map[string]int { return ids.users })
}

func (ids *nodeIDs) gid(ctx context.Context, name string) (int, error) {
	return ids.lookup(ctx, name, func() map[string]int { return ids.groups })
}

// lookup reads a name, or a number ("+123" or "123") as chown does.
func (ids *nodeIDs) lookup(ctx context.Context, name string, table func() map[string]int) (int, error) {
	if id, err := strconv.Atoi(strings.TrimPrefix(name, "+")); err == nil && id >= 0 {
		return id, nil
	}
	if name == "root" {
		return 0, nil
	}
	if err := ids.load(ctx); err != nil {
		return 0, err
	}
	if id, ok := table()[name]; ok {
		return id, nil
	}
	return 0, fmt.Errorf("unknown name %q", name)
}

// names names a uid and gid as `stat -c '%U %G'` does: the name, or the
// number when the node has none for it.
func (ids *nodeIDs) names(ctx context.Context, uid, gid int) (string, string, error) {
	if uid == 0 && gid == 0 {
		return "root", "root", nil
	}
	if err := ids.load(ctx); err != nil {
		return "", "", err
	}
	return nameOf(ids.userOf, uid), nameOf(ids.groupOf, gid), nil
}

func nameOf(m map[int]string, id int) string {
	if n, ok := m[id]; ok {
		return n
	}
	return strconv.Itoa(id)
}

package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	"github.com/pkg/sftp"
)

// BackupTimeFormat names backups: <target>.galeraflow-<UTC stamp>.bak.
const BackupTimeFormat = "20060102T150405Z"

// WriteFile replaces p atomically (see installScript for the steps). The
// data is uploaded over SFTP to a private staging directory in the login
// user's home, then one shell step, run through sudo for a non-root login,
// installs it. The data never appears in a command line, log or error.
func (c *Client) WriteFile(ctx context.Context, p string, data []byte, opts WriteOptions) (WriteResult, error) {
	if err := checkWrite(p, opts); err != nil {
		return WriteResult{}, fmt.Errorf("%s: write %s: %w", c.name, p, err)
	}
	stamp := ""
	if !opts.NoBackup {
		stamp = c.cfg.Now().UTC().Format(BackupTimeFormat)
	}
	// A root login writes over SFTP alone (sftp_fast.go); the shell path
	// below handles sudo and the cases the fast path leaves to it.
	if _, ok := c.fastSFTP(ctx); ok {
		res, err := c.fastWrite(ctx, p, data, opts, stamp)
		if !errors.Is(err, errNoFastPath) {
			return res, err
		}
	}
	staged, err := c.stage(ctx, p, data)
	if err != nil {
		return WriteResult{}, err
	}
	// The script removes the staged file; this catches a script that never ran.
	defer c.unstage(staged)

	mode, dmode := "", ""
	if opts.Mode != 0 {
		mode = fmt.Sprintf("%o", uint32(opts.Mode.Perm()))
	}
	if opts.MkdirMode != 0 {
		dmode = fmt.Sprintf("%o", uint32(opts.MkdirMode.Perm()))
	}
	cmd := "sh -c " + ShellQuote(installScript) + " galeraflow-install " +
		ShellJoin(staged, p, mode, opts.Owner, opts.Group, stamp, dmode)
	res, err := c.run(ctx, cmd, "install "+p, ExecOptions{Sudo: true})
	if err != nil {
		var ee *ExitError
		if errors.As(err, &ee) && ee.Status == exitNotExist {
			return WriteResult{}, fmt.Errorf("%s: write %s: %s (set MkdirMode to create it): %w",
				c.name, p, strings.TrimPrefix(ee.Stderr, "galeraflow: "), fs.ErrNotExist)
		}
		if ee != nil {
			return WriteResult{}, fmt.Errorf("write %s: %w", p, err) // ExitError names the node
		}
		return WriteResult{}, err
	}
	wr := WriteResult{Path: p}
	for _, line := range strings.Split(string(res.Stdout), "\n") {
		if v, ok := strings.CutPrefix(line, "target="); ok {
			wr.Path = v
		} else if v, ok := strings.CutPrefix(line, "backup="); ok {
			wr.Backup = v
		}
	}
	c.log.Debug("wrote file", "node", c.name, "path", wr.Path, "backup", wr.Backup, "bytes", len(data))
	return wr, nil
}

// checkWrite refuses what the contract forbids before anything is touched.
func checkWrite(p string, opts WriteOptions) error {
	if !path.IsAbs(p) || path.Clean(p) != p || p == "/" {
		return fmt.Errorf("path must be absolute and clean")
	}
	if opts.Mode&^fs.ModePerm != 0 {
		return fmt.Errorf("mode %v: only permission bits are allowed", opts.Mode)
	}
	if opts.Mode&0o002 != 0 {
		return fmt.Errorf("mode %04o would make the file world-writable", uint32(opts.Mode))
	}
	if opts.MkdirMode&^fs.ModePerm != 0 || opts.MkdirMode&0o002 != 0 {
		return fmt.Errorf("directory mode %04o: only permission bits, not world-writable", uint32(opts.MkdirMode.Perm()))
	}
	for _, name := range []string{opts.Owner, opts.Group} {
		if strings.ContainsAny(name, ":\n") || strings.HasPrefix(name, "-") {
			return fmt.Errorf("bad owner or group name %q", name)
		}
	}
	return nil
}

// stage uploads data to a new 0600 file in the private staging directory
// and returns its absolute path.
func (c *Client) stage(ctx context.Context, target string, data []byte) (string, error) {
	home, err := c.homeDir(ctx)
	if err != nil {
		return "", err
	}
	dir := c.cfg.StagingDir
	if !path.IsAbs(dir) {
		dir = path.Join(home, dir)
	}
	name := path.Join(dir, "upload-"+randomHex(8))
	what := "upload " + target
	err = c.withSFTP(ctx, what, func(sc *sftp.Client) error {
		if err := ensurePrivateDir(sc, dir); err != nil {
			return fmt.Errorf("%s: %s: staging directory %s: %w", c.name, what, dir, err)
		}
		f, err := sc.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
		if err != nil {
			return fmt.Errorf("%s: %s: create %s: %w", c.name, what, name, err)
		}
		// Private before the first byte lands (the directory is private too).
		err = f.Chmod(0o600)
		if err == nil {
			_, err = f.ReadFrom(bytes.NewReader(data))
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			sc.Remove(name)
			return fmt.Errorf("%s: %s: write %s: %w", c.name, what, name, err)
		}
		c.stagingSwept.Do(func() { sweepStaging(sc, dir, name) })
		return nil
	})
	if err != nil {
		return "", err
	}
	return name, nil
}

// staleStaging: a staged upload lives seconds, from its upload to its
// install; one this old was left by a write whose connection dropped.
const staleStaging = 10 * time.Minute

// sweepStaging removes the uploads earlier runs left in the staging
// directory when their connection dropped before the install (they may
// hold keys, private to the login user but not meant to stay). The node's
// clock dates them: fresh is the upload just made. Once per connection.
func sweepStaging(sc *sftp.Client, dir, fresh string) {
	now, err := sc.Stat(fresh)
	if err != nil {
		return
	}
	ents, err := sc.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "upload-") && e.Mode().IsRegular() &&
			now.ModTime().Sub(e.ModTime()) > staleStaging {
			_ = sc.Remove(path.Join(dir, e.Name()))
		}
	}
}

// ensurePrivateDir creates dir 0700, or checks an existing one is a real
// directory and makes it 0700.
func ensurePrivateDir(sc *sftp.Client, dir string) error {
	st, err := sc.Lstat(dir)
	if errors.Is(err, os.ErrNotExist) {
		if err := sc.Mkdir(dir); err != nil {
			// Lost a race with a concurrent write: fine if it is a directory now.
			if st, serr := sc.Lstat(dir); serr != nil || !st.IsDir() {
				return err
			}
		}
		return sc.Chmod(dir, 0o700)
	}
	if err != nil {
		return err
	}
	if !st.IsDir() || st.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("exists and is not a directory")
	}
	if st.Mode().Perm() != 0o700 {
		return sc.Chmod(dir, 0o700)
	}
	return nil
}

// unstage removes a staged upload if it is still there. It runs even when
// the caller's context is cancelled, with a short bound of its own.
func (c *Client) unstage(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := c.withSFTP(ctx, "remove "+name, func(sc *sftp.Client) error {
		err := sc.Remove(name)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	})
	if err != nil {
		c.log.Warn("could not remove staged upload", "node", c.name, "path", name, "err", err)
	}
}

package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/sftp"
)

// exitNotExist is the status our helper scripts use for "no such file",
// so that case maps to fs.ErrNotExist.
const exitNotExist = 44

// ReadFile returns a file's content: over SFTP for a root login, otherwise
// through `sudo cat` (the login user may not read root's files).
func (c *Client) ReadFile(ctx context.Context, p string) ([]byte, error) {
	if !path.IsAbs(p) {
		return nil, fmt.Errorf("%s: read %s: path is not absolute", c.name, p)
	}
	if c.isRoot() {
		var data []byte
		err := c.withSFTP(ctx, "read "+p, func(sc *sftp.Client) error {
			f, err := sc.Open(p)
			if err != nil {
				return fmt.Errorf("%s: read %s: %w", c.name, p, err)
			}
			defer f.Close()
			data, err = io.ReadAll(f)
			if err != nil {
				return fmt.Errorf("%s: read %s: %w", c.name, p, err)
			}
			return nil
		})
		return data, err
	}
	q := ShellQuote(p)
	cmd := fmt.Sprintf("if [ ! -e %s ]; then exit %d; fi; exec cat -- %s", q, exitNotExist, q)
	res, err := c.run(ctx, cmd, "cat "+p, ExecOptions{Sudo: true})
	if err != nil {
		return nil, notExistErr(c.name, "read", p, res, err)
	}
	return res.Stdout, nil
}

// Stat describes the file at p, following symlinks.
func (c *Client) Stat(ctx context.Context, p string) (FileInfo, error) {
	if !path.IsAbs(p) {
		return FileInfo{}, fmt.Errorf("%s: stat %s: path is not absolute", c.name, p)
	}
	if c.isRoot() {
		var fi FileInfo
		err := c.withSFTP(ctx, "stat "+p, func(sc *sftp.Client) error {
			st, err := sc.Stat(p)
			if err != nil {
				return fmt.Errorf("%s: stat %s: %w", c.name, p, err)
			}
			fi = fileInfoFromSFTP(p, st)
			return nil
		})
		return fi, err
	}
	q := ShellQuote(p)
	cmd := fmt.Sprintf("if [ ! -e %s ]; then exit %d; fi; exec stat -L -c '%%s %%f %%u %%g %%Y' -- %s", q, exitNotExist, q)
	res, err := c.run(ctx, cmd, "stat "+p, ExecOptions{Sudo: true})
	if err != nil {
		return FileInfo{}, notExistErr(c.name, "stat", p, res, err)
	}
	fi, err := parseStatLine(p, string(res.Stdout))
	if err != nil {
		return FileInfo{}, fmt.Errorf("%s: stat %s: %w", c.name, p, err)
	}
	return fi, nil
}

// notExistErr turns our scripts' "no such file" status into fs.ErrNotExist.
func notExistErr(node, op, p string, res Result, err error) error {
	var ee *ExitError
	if errors.As(err, &ee) && ee.Status == exitNotExist {
		return fmt.Errorf("%s: %s %s: %w", node, op, p, fs.ErrNotExist)
	}
	if ee != nil {
		return fmt.Errorf("%s %s: %w", op, p, err) // ExitError names the node
	}
	return err
}

func fileInfoFromSFTP(p string, st os.FileInfo) FileInfo {
	fi := FileInfo{Path: p, Size: st.Size(), Mode: st.Mode(), ModTime: st.ModTime(), IsDir: st.IsDir()}
	if sys, ok := st.Sys().(*sftp.FileStat); ok {
		fi.UID, fi.GID = int(sys.UID), int(sys.GID)
	}
	return fi
}

// parseStatLine reads `stat -c '%s %f %u %g %Y'`: size, raw mode in hex,
// uid, gid, mtime.
func parseStatLine(p, line string) (FileInfo, error) {
	f := strings.Fields(line)
	if len(f) != 5 {
		return FileInfo{}, fmt.Errorf("unexpected stat output %q", shorten(line, 100))
	}
	size, err1 := strconv.ParseInt(f[0], 10, 64)
	raw, err2 := strconv.ParseUint(f[1], 16, 32)
	uid, err3 := strconv.Atoi(f[2])
	gid, err4 := strconv.Atoi(f[3])
	mtime, err5 := strconv.ParseInt(f[4], 10, 64)
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		return FileInfo{}, fmt.Errorf("unexpected stat output %q: %w", shorten(line, 100), err)
	}
	mode := unixMode(uint32(raw))
	return FileInfo{Path: p, Size: size, Mode: mode, UID: uid, GID: gid,
		ModTime: time.Unix(mtime, 0), IsDir: mode.IsDir()}, nil
}

// unixMode converts a st_mode value to fs.FileMode.
func unixMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & 0o170000 {
	case 0o040000:
		mode |= fs.ModeDir
	case 0o120000:
		mode |= fs.ModeSymlink
	case 0o010000:
		mode |= fs.ModeNamedPipe
	case 0o140000:
		mode |= fs.ModeSocket
	case 0o020000:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case 0o060000:
		mode |= fs.ModeDevice
	}
	if m&0o4000 != 0 {
		mode |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		mode |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

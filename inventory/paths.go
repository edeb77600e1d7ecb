package inventory

import (
	"errors"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
)

// controllerPath resolves a path on the controller: "~/" is the home
// folder and a relative path is relative to the inventory's folder.
func (r *resolver) controllerPath(p opt[string]) (string, bool) {
	s := p.v
	switch {
	case s == "":
		r.rep.errorf(p.o, "must not be empty")
		return "", false
	case s == "~" || strings.HasPrefix(s, "~/"):
		if r.opts.Home == "" {
			r.rep.errorf(p.o, "cannot expand ~: the home folder is unknown")
			return "", false
		}
		s = filepath.Join(r.opts.Home, s[1:])
	case strings.HasPrefix(s, "~"):
		r.rep.errorf(p.o, "~user is not supported: write the full path")
		return "", false
	case !filepath.IsAbs(s):
		s = filepath.Join(r.opts.Dir, s)
	}
	return filepath.Clean(s), true
}

// existingFile resolves a controller path that must name an existing file.
// forNode is added to messages when the path was made from a {node} template.
func (r *resolver) existingFile(p opt[string], forNode string) (string, bool) {
	s, ok := r.controllerPath(p)
	if !ok {
		return "", false
	}
	suffix := ""
	if forNode != "" {
		suffix = " (for node " + forNode + ")"
	}
	fi, err := r.opts.Files.Stat(s)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		r.rep.errorf(p.o, "file not found: %s%s", s, suffix)
		return "", false
	case errors.Is(err, fs.ErrPermission):
		r.rep.errorf(p.o, "cannot access %s%s: permission denied", s, suffix)
		return "", false
	case err != nil:
		r.rep.errorf(p.o, "cannot access %s%s: %v", s, suffix, err)
		return "", false
	case fi.IsDir():
		r.rep.errorf(p.o, "%s%s is a folder, not a file", s, suffix)
		return "", false
	}
	return s, true
}

// exists reports whether a controller file exists, for optional defaults.
func (r *resolver) exists(p string) bool {
	fi, err := r.opts.Files.Stat(p)
	return err == nil && !fi.IsDir()
}

// nodePath checks a path on the node: it must be absolute (the node's "~"
// is not the controller's, so it is refused too).
func (r *resolver) nodePath(p opt[string]) string {
	if strings.ContainsAny(p.v, "\x00\n\r") {
		r.rep.errorf(p.o, "must be an absolute path on the node, without control characters")
		return ""
	}
	if !path.IsAbs(p.v) {
		r.rep.errorf(p.o, "must be an absolute path on the node, got %q", truncate(p.v))
		return ""
	}
	return path.Clean(p.v)
}

// nodeCommand checks a program on the node: a bare name found in the
// node's PATH, or an absolute path.
func (r *resolver) nodeCommand(p opt[string]) string {
	if strings.Contains(p.v, "/") {
		return r.nodePath(p)
	}
	if strings.ContainsAny(p.v, " \t\x00\n\r") {
		r.rep.errorf(p.o, "must be a program name or an absolute path, got %q", truncate(p.v))
		return ""
	}
	return p.v
}

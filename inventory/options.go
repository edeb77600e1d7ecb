package inventory

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
)

// Options are the inventory's view of the controller: where relative paths
// start, the home folder, the environment and the files. Tests pass fakes;
// Load passes the real ones (OSOptions). A nil LookupEnv sees no variables
// and a nil Files sees no files.
type Options struct {
	// Dir is the folder relative controller paths resolve against; "" means
	// the folder of the inventory file, made absolute.
	Dir string
	// Home expands "~"; "" makes "~" an error.
	Home string
	// User is the default ssh.user ("" leaves it to the SSH layer).
	User string
	// LookupEnv resolves env:NAME references.
	LookupEnv func(name string) (string, bool)
	// Files stats and reads controller files (certificates, keys, secrets).
	Files Files
}

// Files is the part of a file system the loader uses. Paths are absolute
// (or relative to the process when Dir is relative).
type Files interface {
	Stat(path string) (fs.FileInfo, error)
	ReadFile(path string) ([]byte, error)
}

// OSFiles reads the real file system.
type OSFiles struct{}

func (OSFiles) Stat(path string) (fs.FileInfo, error) { return os.Stat(path) }
func (OSFiles) ReadFile(path string) ([]byte, error)  { return os.ReadFile(path) }

// noFiles is the file system of zero Options: nothing exists.
type noFiles struct{}

func (noFiles) Stat(path string) (fs.FileInfo, error) {
	return nil, &fs.PathError{Op: "stat", Path: path, Err: fs.ErrNotExist}
}
func (noFiles) ReadFile(path string) ([]byte, error) {
	return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
}

// OSOptions returns Options backed by the real environment, home folder,
// current user and file system.
func OSOptions() Options {
	o := Options{LookupEnv: os.LookupEnv, Files: OSFiles{}}
	if h, err := os.UserHomeDir(); err == nil {
		o.Home = h
	}
	if u, err := user.Current(); err == nil {
		o.User = u.Username
	} else {
		o.User = os.Getenv("USER")
	}
	return o
}

// Load reads and parses the inventory at path with OSOptions. Every error
// matches ErrInvalid; validation problems come as a *ValidationError.
func Load(path string) (*Inventory, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return Parse(path, data, OSOptions())
}

// normalized fills the zero fields of Options with their documented meaning.
func (o Options) normalized(filename string) Options {
	if o.LookupEnv == nil {
		o.LookupEnv = func(string) (string, bool) { return "", false }
	}
	if o.Files == nil {
		o.Files = noFiles{}
	}
	if o.Dir == "" {
		o.Dir = filepath.Dir(filename)
		if abs, err := filepath.Abs(o.Dir); err == nil {
			o.Dir = abs
		}
	}
	return o
}

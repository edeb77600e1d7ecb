package remotetest

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/galeraflow/galeraflow/remote"
)

// Fake is a scripted remote.Host for step tests. Commands must be expected
// (exact text or a matcher) and get canned results; an unexpected command
// fails the test and returns an error. Files live in memory; writes and
// backups are recorded. When the test ends, every expectation must have
// been used (unless marked Optional).
type Fake struct {
	t    testing.TB
	name string
	// Now names backups, like remote.Config.Now; default a fixed time.
	Now func() time.Time

	mu      sync.Mutex
	expects []*Expectation
	calls   []Call
	files   map[string]*FakeFile
	links   map[string]string
	writes  []Write
	fail    map[string]error
	closed  bool
}

// Call is one Exec the fake received.
type Call struct {
	Command string
	Stdin   string
	Opts    remote.ExecOptions
}

// FakeFile is an in-memory file.
type FakeFile struct {
	Data  []byte
	Mode  fs.FileMode
	Owner string
	Group string
}

// Write records one WriteFile.
type Write struct {
	Path   string // as asked
	Target string // after following symlinks
	Data   []byte
	Opts   remote.WriteOptions
	Backup string // "" when nothing was backed up
}

// NewFake returns a fake host named name. At the end of the test it
// reports every expectation that was not used.
func NewFake(t testing.TB, name string) *Fake {
	f := &Fake{
		t:     t,
		name:  name,
		Now:   func() time.Time { return time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC) },
		files: map[string]*FakeFile{},
		links: map[string]string{},
		fail:  map[string]error{},
	}
	t.Cleanup(f.AssertDone)
	return f
}

var _ remote.Host = (*Fake)(nil)

// Expectation is one scripted command.
type Expectation struct {
	desc     string
	match    func(string) bool
	sudo     *bool
	result   remote.Result
	err      error
	do       func(Call) (remote.Result, error)
	times    int // 0 means any number (with optional), else exact count
	used     int
	optional bool
}

// Expect scripts an exact command, used once unless Times says otherwise.
func (f *Fake) Expect(command string) *Expectation {
	return f.add(&Expectation{desc: fmt.Sprintf("%q", command), match: func(c string) bool { return c == command }, times: 1})
}

// ExpectMatch scripts commands matching a regular expression.
func (f *Fake) ExpectMatch(pattern string) *Expectation {
	re := regexp.MustCompile(pattern)
	return f.add(&Expectation{desc: "/" + pattern + "/", match: re.MatchString, times: 1})
}

// ExpectFunc scripts commands accepted by match; desc names it in messages.
func (f *Fake) ExpectFunc(desc string, match func(command string) bool) *Expectation {
	return f.add(&Expectation{desc: desc, match: match, times: 1})
}

func (f *Fake) add(e *Expectation) *Expectation {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expects = append(f.expects, e)
	return e
}

// Stdout sets the command's output.
func (e *Expectation) Stdout(s string) *Expectation { e.result.Stdout = []byte(s); return e }

// Stderr sets the command's error output.
func (e *Expectation) Stderr(s string) *Expectation { e.result.Stderr = []byte(s); return e }

// Exit makes the command exit with status (non-zero returns *remote.ExitError).
func (e *Expectation) Exit(status int) *Expectation { e.result.ExitStatus = status; return e }

// Err makes Exec return err (e.g. one wrapping remote.ErrSudo).
func (e *Expectation) Err(err error) *Expectation { e.err = err; return e }

// Do computes the result from the call (stdin included).
func (e *Expectation) Do(fn func(Call) (remote.Result, error)) *Expectation { e.do = fn; return e }

// Sudo requires opts.Sudo to be exactly want.
func (e *Expectation) Sudo(want bool) *Expectation { e.sudo = &want; return e }

// Times expects exactly n calls (n >= 1).
func (e *Expectation) Times(n int) *Expectation {
	if n < 1 {
		panic("remotetest: Times needs n >= 1; use AnyTimes or Optional")
	}
	e.times = n
	return e
}

// AnyTimes accepts zero or more calls.
func (e *Expectation) AnyTimes() *Expectation { e.times = 0; e.optional = true; return e }

// Optional accepts that the command is never called.
func (e *Expectation) Optional() *Expectation { e.optional = true; return e }

// Name is the node name.
func (f *Fake) Name() string { return f.name }

// Exec matches command against the expectations in the order they were added.
func (f *Fake) Exec(ctx context.Context, command string, opts remote.ExecOptions) (remote.Result, error) {
	if err := ctx.Err(); err != nil {
		return remote.Result{}, fmt.Errorf("%s: %s: %w", f.name, command, err)
	}
	var stdin []byte
	if opts.Stdin != nil {
		b, err := io.ReadAll(opts.Stdin)
		if err != nil {
			return remote.Result{}, fmt.Errorf("%s: %s: read stdin: %w", f.name, command, err)
		}
		stdin = b
	}
	call := Call{Command: command, Stdin: string(stdin), Opts: opts}
	f.mu.Lock()
	f.calls = append(f.calls, call)
	var hit *Expectation
	for _, e := range f.expects {
		if (e.times == 0 || e.used < e.times) && e.match(command) {
			hit = e
			break
		}
	}
	if hit == nil {
		pending := f.pendingLocked()
		f.mu.Unlock()
		f.t.Errorf("remotetest: %s: unexpected command (sudo=%v): %q\npending expectations:\n%s",
			f.name, opts.Sudo, command, orNone(pending))
		return remote.Result{}, fmt.Errorf("%s: unexpected command %q", f.name, command)
	}
	hit.used++
	f.mu.Unlock()
	if hit.sudo != nil && *hit.sudo != opts.Sudo {
		f.t.Errorf("remotetest: %s: %s: sudo=%v, want %v", f.name, command, opts.Sudo, *hit.sudo)
	}
	res, err := hit.result, hit.err
	if hit.do != nil {
		res, err = hit.do(call)
	}
	if err == nil && res.ExitStatus != 0 {
		ee := &remote.ExitError{Host: f.name, Command: command, Status: res.ExitStatus}
		if !opts.Sensitive {
			ee.Stderr = strings.TrimSpace(string(res.Stderr))
		}
		err = ee
	}
	return res, err
}

// Calls returns every Exec received, in order.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// AssertDone fails the test for each expectation not used as scripted.
// NewFake registers it with t.Cleanup.
func (f *Fake) AssertDone() {
	f.mu.Lock()
	pending := f.pendingLocked()
	f.mu.Unlock()
	if len(pending) > 0 {
		f.t.Errorf("remotetest: %s: expected commands not run:\n%s", f.name, strings.Join(pending, "\n"))
	}
}

func (f *Fake) pendingLocked() []string {
	var out []string
	for _, e := range f.expects {
		if e.optional || e.times == 0 || e.used >= e.times {
			continue
		}
		out = append(out, fmt.Sprintf("  %s (called %d of %d times)", e.desc, e.used, e.times))
	}
	return out
}

func orNone(lines []string) string {
	if len(lines) == 0 {
		return "  (none)"
	}
	return strings.Join(lines, "\n")
}

// SetFile puts a file in memory (mode 0 means 0644, owner/group "" mean root).
func (f *Fake) SetFile(p string, data string, mode fs.FileMode, owner, group string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if mode == 0 {
		mode = 0o644
	}
	if owner == "" {
		owner = "root"
	}
	if group == "" {
		group = "root"
	}
	f.files[p] = &FakeFile{Data: []byte(data), Mode: mode, Owner: owner, Group: group}
}

// Symlink makes link point to target (relative targets resolve from link's directory).
func (f *Fake) Symlink(link, target string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.links[link] = target
}

// FailFile makes ReadFile, Stat and WriteFile of p (as asked, before
// symlinks) return err, e.g. to test a step's error path.
func (f *Fake) FailFile(p string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[p] = err
}

// File returns a copy of a file in memory, or nil.
func (f *Fake) File(p string) *FakeFile {
	f.mu.Lock()
	defer f.mu.Unlock()
	ff := f.files[f.resolveLocked(p)]
	if ff == nil {
		return nil
	}
	c := *ff
	c.Data = append([]byte(nil), ff.Data...)
	return &c
}

// Paths lists the files in memory, sorted.
func (f *Fake) Paths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for p := range f.files {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Writes returns every WriteFile received, in order.
func (f *Fake) Writes() []Write {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Write(nil), f.writes...)
}

func (f *Fake) resolveLocked(p string) string {
	for i := 0; i < 40; i++ {
		t, ok := f.links[p]
		if !ok {
			return p
		}
		if !path.IsAbs(t) {
			t = path.Join(path.Dir(p), t)
		}
		p = t
	}
	return p
}

// ReadFile returns an in-memory file.
func (f *Fake) ReadFile(ctx context.Context, p string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: read %s: %w", f.name, p, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail[p]; err != nil {
		return nil, fmt.Errorf("%s: read %s: %w", f.name, p, err)
	}
	ff := f.files[f.resolveLocked(p)]
	if ff == nil {
		return nil, fmt.Errorf("%s: read %s: %w", f.name, p, fs.ErrNotExist)
	}
	return append([]byte(nil), ff.Data...), nil
}

// Stat describes an in-memory file (UID/GID are 0; see File for names).
func (f *Fake) Stat(ctx context.Context, p string) (remote.FileInfo, error) {
	if err := ctx.Err(); err != nil {
		return remote.FileInfo{}, fmt.Errorf("%s: stat %s: %w", f.name, p, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail[p]; err != nil {
		return remote.FileInfo{}, fmt.Errorf("%s: stat %s: %w", f.name, p, err)
	}
	ff := f.files[f.resolveLocked(p)]
	if ff == nil {
		return remote.FileInfo{}, fmt.Errorf("%s: stat %s: %w", f.name, p, fs.ErrNotExist)
	}
	return remote.FileInfo{Path: p, Size: int64(len(ff.Data)), Mode: ff.Mode}, nil
}

// WriteFile follows the remote contract in memory: symlinks followed,
// mode/owner kept when unset, a backup of a replaced file unless NoBackup,
// world-writable modes refused.
func (f *Fake) WriteFile(ctx context.Context, p string, data []byte, opts remote.WriteOptions) (remote.WriteResult, error) {
	if err := ctx.Err(); err != nil {
		return remote.WriteResult{}, fmt.Errorf("%s: write %s: %w", f.name, p, err)
	}
	if opts.Mode&0o002 != 0 || opts.Mode&^fs.ModePerm != 0 {
		return remote.WriteResult{}, fmt.Errorf("%s: write %s: bad mode %v", f.name, p, opts.Mode)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail[p]; err != nil {
		return remote.WriteResult{}, fmt.Errorf("%s: write %s: %w", f.name, p, err)
	}
	target := f.resolveLocked(p)
	old := f.files[target]
	nf := &FakeFile{Data: append([]byte(nil), data...), Mode: opts.Mode, Owner: opts.Owner, Group: opts.Group}
	if nf.Mode == 0 {
		nf.Mode = 0o644
		if old != nil {
			nf.Mode = old.Mode &^ 0o002
		}
	}
	if nf.Owner == "" {
		nf.Owner = "root"
		if old != nil {
			nf.Owner = old.Owner
		}
	}
	if nf.Group == "" {
		nf.Group = "root"
		if old != nil {
			nf.Group = old.Group
		}
	}
	w := Write{Path: p, Target: target, Data: nf.Data, Opts: opts}
	if old != nil && !opts.NoBackup {
		base := target + ".galeraflow-" + f.Now().UTC().Format(remote.BackupTimeFormat)
		w.Backup = base + ".bak"
		for n := 1; f.files[w.Backup] != nil; n++ {
			w.Backup = fmt.Sprintf("%s-%d.bak", base, n)
		}
		b := *old
		f.files[w.Backup] = &b
	}
	f.files[target] = nf
	f.writes = append(f.writes, w)
	return remote.WriteResult{Path: target, Backup: w.Backup}, nil
}

// Close marks the fake closed.
func (f *Fake) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

// Closed reports whether Close was called.
func (f *Fake) Closed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

package playbook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/playbook/certs"
	"github.com/galeraflow/galeraflow/remote"
)

// The server reads its certificates as the mysql user: certificates are
// world-readable, keys readable by mysql only, the directory closed to others.
const (
	mysqlOwner   = "mysql"
	certMode     = fs.FileMode(0o644)
	keyMode      = fs.FileMode(0o600)
	certDirMode  = fs.FileMode(0o750)
	remoteCA     = "ca.pem"
	remoteCert   = "server-cert.pem"
	remoteKey    = "server-key.pem"
	remoteCCert  = "client-cert.pem"
	remoteCKey   = "client-key.pem"
	stepCertName = "upload-certs"
)

// RemoteTLSPaths are where a node's TLS files live on the node.
type RemoteTLSPaths struct {
	Dir, CA, ServerCert, ServerKey, ClientCert, ClientKey string
}

// TLSPaths returns the node-side paths of the TLS files under dir. Client
// paths are "" when the inventory has no client certificate.
func TLSPaths(dir string, withClient bool) RemoteTLSPaths {
	p := RemoteTLSPaths{
		Dir:        dir,
		CA:         path.Join(dir, remoteCA),
		ServerCert: path.Join(dir, remoteCert),
		ServerKey:  path.Join(dir, remoteKey),
	}
	if withClient {
		p.ClientCert = path.Join(dir, remoteCCert)
		p.ClientKey = path.Join(dir, remoteCKey)
	}
	return p
}

// UploadCerts puts the CA, server and client certificates and keys on every
// node, owned by mysql, keys 0600, certificates 0644. Files already
// identical (content, owner and mode) are left alone.
type UploadCerts struct{}

func (UploadCerts) Name() string { return stepCertName }
func (UploadCerts) Scope() Scope { return PerNode }

// certFile is one file to put in place.
type certFile struct {
	local  string
	remote string
	mode   fs.FileMode
	data   []byte
	// what must change: content (upload), or only owner/mode (fix)
	upload, fix bool
}

type certsPlan struct {
	mkdir bool
	files []*certFile
}

func (UploadCerts) Plan(ctx context.Context, run *Run, t *Target) (*Change, error) {
	if run.Inv.TLS == nil {
		return nil, fmt.Errorf("%w: the inventory has no tls block: nothing to upload", ErrInvalidInput)
	}
	tf := t.Node.TLSFiles
	paths := TLSPaths(run.Inv.TLS.RemoteDir, tf.ClientCert != "")
	files := []*certFile{
		{local: tf.CA, remote: paths.CA, mode: certMode},
		{local: tf.ServerCert, remote: paths.ServerCert, mode: certMode},
		{local: tf.ServerKey, remote: paths.ServerKey, mode: keyMode},
	}
	if paths.ClientCert != "" {
		files = append(files,
			&certFile{local: tf.ClientCert, remote: paths.ClientCert, mode: certMode},
			&certFile{local: tf.ClientKey, remote: paths.ClientKey, mode: keyMode})
	}
	for _, f := range files {
		data, err := os.ReadFile(f.local)
		if err != nil {
			return nil, fmt.Errorf("read %w", err)
		}
		f.data = data
	}
	// Validate locally before looking at the node: a key that does not
	// match, a foreign CA or an expired certificate stops the run here.
	warnings, err := validateCerts(run, t, files)
	if err != nil {
		return nil, err
	}

	remotePaths := []string{paths.Dir}
	for _, f := range files {
		remotePaths = append(remotePaths, f.remote)
	}
	states, err := probeFiles(ctx, t.Host, remotePaths, run.Inv.Timeouts.Command)
	if err != nil {
		return nil, err
	}
	plan := &certsPlan{files: files}
	c := &Change{Data: plan, Actions: warnings}
	dir := states[0]
	if !dir.exists || dir.owner != mysqlOwner || dir.group != mysqlOwner || dir.mode != certDirMode {
		plan.mkdir = true
		c.Actions = append(c.Actions, fmt.Sprintf("directory %s: %s → mysql:mysql %04o", paths.Dir, dir.describe(), certDirMode))
	}
	var uploads, fixes int
	for i, f := range files {
		st := states[i+1]
		switch {
		case !st.exists:
			f.upload = true
			c.Actions = append(c.Actions, fmt.Sprintf("upload %s → %s (new, mysql:mysql %04o)", f.local, f.remote, f.mode))
		case st.sha256 != sha256Hex(f.data):
			f.upload = true
			c.Actions = append(c.Actions, fmt.Sprintf("upload %s → %s (content differs; old file backed up)", f.local, f.remote))
		case st.owner != mysqlOwner || st.group != mysqlOwner || st.mode != f.mode:
			f.fix = true
			c.Actions = append(c.Actions, fmt.Sprintf("fix %s: %s → mysql:mysql %04o", f.remote, st.describe(), f.mode))
		}
		if f.upload {
			uploads++
		}
		if f.fix {
			fixes++
		}
	}
	c.Changed = plan.mkdir || uploads > 0 || fixes > 0
	// New certificate files are read by the server only when it starts
	// (or reloads TLS): a content change needs the restart.
	c.NeedsRestart = uploads > 0
	c.Summary = filesSummary(len(files), uploads, fixes)
	return c, nil
}

// filesSummary is the one-line plan of a step that puts files in place.
func filesSummary(total, uploads, fixes int) string {
	switch {
	case uploads > 0:
		return fmt.Sprintf("upload %d of %d files", uploads, total)
	case fixes > 0:
		return fmt.Sprintf("fix owner/mode of %d files", fixes)
	default:
		return fmt.Sprintf("%d files already in place", total)
	}
}

func (UploadCerts) Apply(ctx context.Context, run *Run, t *Target, c *Change) error {
	plan := c.Data.(*certsPlan)
	timeout := run.Inv.Timeouts.Command
	if plan.mkdir {
		dir := run.Inv.TLS.RemoteDir
		cmd := "install -d -o mysql -g mysql -m " + fmt.Sprintf("%04o", certDirMode) + " " + remote.ShellQuote(dir)
		if _, err := t.Host.Exec(ctx, cmd, remote.ExecOptions{Sudo: true, Timeout: timeout}); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
	}
	for _, f := range plan.files {
		switch {
		case f.upload:
			wctx, cancel := context.WithTimeout(ctx, timeout)
			res, err := t.Host.WriteFile(wctx, f.remote, f.data, remote.WriteOptions{Mode: f.mode, Owner: mysqlOwner, Group: mysqlOwner})
			cancel()
			if err != nil {
				return fmt.Errorf("upload %s: %w", f.remote, err)
			}
			run.RecordBackup(FileBackup{Node: t.Node.Name, Path: res.Path, Backup: res.Backup, Step: stepCertName})
		case f.fix:
			cmd := fmt.Sprintf("chown mysql:mysql %s && chmod %04o %s", remote.ShellQuote(f.remote), f.mode, remote.ShellQuote(f.remote))
			if _, err := t.Host.Exec(ctx, cmd, remote.ExecOptions{Sudo: true, Timeout: timeout}); err != nil {
				return fmt.Errorf("fix %s: %w", f.remote, err)
			}
		}
	}
	return nil
}

// certWarnWindow: certificates expiring sooner are reported (not refused).
const certWarnWindow = 30 * 24 * time.Hour

// validateCerts checks one node's files with playbook/certs; errors refuse
// the plan, warnings come back as plan lines.
func validateCerts(run *Run, t *Target, files []*certFile) ([]string, error) {
	nf := certs.NodeFiles{Node: t.Node.Name}
	slots := []*certs.File{&nf.CA, &nf.ServerCert, &nf.ServerKey, &nf.ClientCert, &nf.ClientKey}
	for i, f := range files {
		*slots[i] = certs.File{Path: f.local, Data: f.data}
	}
	report := certs.Check(nf, certs.CheckOptions{
		Now:         run.now(),
		WarnWithin:  certWarnWindow,
		ExpectNames: []string{t.Node.Name, t.Node.Address},
		// The donor of an encrypt=3 socat SST checks the joiner's IP.
		RequireIPSANs: run.Inv.SST != nil && run.Inv.SST.Method != "mysqldump",
	})
	if report.HasErrors() {
		return nil, fmt.Errorf("%w: certificates refused: %w", ErrInvalidInput, report.Err())
	}
	var warnings []string
	for _, p := range report.Problems {
		warnings = append(warnings, "warning: "+p.Message)
	}
	return warnings, nil
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// fileState is what probeFiles learns about one remote path.
type fileState struct {
	exists       bool
	owner, group string
	mode         fs.FileMode
	sha256       string // "" for directories
}

func (s fileState) describe() string {
	if !s.exists {
		return "missing"
	}
	return fmt.Sprintf("%s:%s %04o", s.owner, s.group, s.mode)
}

// probeScript prints one line per argument: "-" when missing, otherwise
// "owner group mode sha256" (sha256 "-" for a directory). One round trip
// for all files instead of a read per file; run as root because keys are
// readable by mysql only.
const probeScript = `for f in "$@"; do
  if [ ! -e "$f" ]; then echo -; continue; fi
  m=$(stat -c '%U %G %a' "$f") || exit 1
  if [ -d "$f" ]; then echo "$m -"; else echo "$m $(sha256sum < "$f" | cut -d' ' -f1)"; fi
done`

// fileProber is a host that can probe files without a command (remote.Client).
type fileProber interface {
	ProbeFiles(ctx context.Context, paths []string) ([]remote.FileProbe, bool, error)
}

// probeFiles reads owner, group, mode and content hash of remote paths.
func probeFiles(ctx context.Context, h remote.Host, paths []string, timeout time.Duration) ([]fileState, error) {
	if fast, ok := h.(fileProber); ok { // a root login: SFTP, no command
		pctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		probes, ok, err := fast.ProbeFiles(pctx, paths)
		if err != nil {
			return nil, fmt.Errorf("inspect %s: %w", strings.Join(paths, ", "), err)
		}
		if ok {
			out := make([]fileState, len(probes))
			for i, p := range probes {
				out[i] = fileState{exists: p.Exists, owner: p.Owner, group: p.Group, mode: p.Mode, sha256: p.SHA256}
			}
			return out, nil
		}
	}
	cmd := "sh -c " + remote.ShellQuote(probeScript) + " sh " + remote.ShellJoin(paths...)
	res, err := h.Exec(ctx, cmd, remote.ExecOptions{Sudo: true, Timeout: timeout})
	if err != nil {
		return nil, fmt.Errorf("inspect %s: %w", strings.Join(paths, ", "), err)
	}
	lines := strings.Split(strings.TrimRight(string(res.Stdout), "\n"), "\n")
	if len(lines) != len(paths) {
		return nil, fmt.Errorf("inspect files: expected %d lines, got %d", len(paths), len(lines))
	}
	out := make([]fileState, len(paths))
	for i, l := range lines {
		if l == "-" {
			continue
		}
		f := strings.Fields(l)
		if len(f) != 4 {
			return nil, fmt.Errorf("inspect %s: unexpected output %q", paths[i], l)
		}
		mode, err := strconv.ParseUint(f[2], 8, 32)
		if err != nil {
			return nil, fmt.Errorf("inspect %s: mode %q: %w", paths[i], f[2], err)
		}
		st := fileState{exists: true, owner: f[0], group: f[1], mode: fs.FileMode(mode)}
		if f[3] != "-" {
			st.sha256 = f[3]
		}
		out[i] = st
	}
	return out, nil
}

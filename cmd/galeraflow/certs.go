package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/galeraflow/galeraflow/inventory"
	"github.com/galeraflow/galeraflow/playbook"
	"github.com/galeraflow/galeraflow/playbook/certs"
)

// `galeraflow certs`: make the CA and the node and client certificates,
// and check the ones on the nodes.

func certsCommand(e env) *cli.Command {
	subs := []*cli.Command{certsGenerateCommand(e), certsCheckCommand(e)}
	for _, s := range subs {
		s.OnUsageError = usageError // flag mistakes exit 2, as everywhere
	}
	return &cli.Command{
		Name:        "certs",
		Usage:       "generate a CA and node/client certificates, or check the certificates on every node",
		Subcommands: subs,
	}
}

func certsGenerateCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "generate",
		Usage:     "make a CA, a certificate per node and a client certificate for the inventory",
		ArgsUsage: "INVENTORY",
		Description: "generate writes, at the paths the inventory's tls block names (or in --out DIR):\n" +
			"the CA certificate and its key (ca-key.pem next to the CA file, or --ca-key), for\n" +
			"each node a certificate with CN the node's name and SANs its name, address,\n" +
			"localhost and 127.0.0.1 (serverAuth+clientAuth: Galera presents it both ways), and\n" +
			"a client certificate. Keys are PKCS#8, mode 0600. It never overwrites a file\n" +
			"without --force. With --reuse-ca it signs new node and client certificates with the\n" +
			"existing CA (a same-CA rotation); without it, a new CA (a new-CA rotation).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "algorithm", Value: string(certs.ECDSAP256), Usage: "key type: ecdsa-p256, rsa2048 or rsa4096"},
			&cli.IntFlag{Name: "days", Value: int(certs.DefaultLeafLifetime / (24 * time.Hour)), Usage: "lifetime of the node and client certificates, in days"},
			&cli.IntFlag{Name: "ca-days", Value: 3650, Usage: "lifetime of a new CA, in days"},
			&cli.StringFlag{Name: "out", Usage: "write into this folder (ca.pem, NODE-cert.pem, ...) instead of the inventory's paths"},
			&cli.StringFlag{Name: "ca-key", Usage: "the CA key file (default: next to the CA file, ca.pem → ca-key.pem)"},
			&cli.BoolFlag{Name: "reuse-ca", Usage: "sign with the existing CA and key instead of making a new CA"},
			&cli.BoolFlag{Name: "force", Usage: "overwrite existing files"},
		},
		Action: func(c *cli.Context) error { return certsGenerate(c, e) },
	}
}

// genFile is one file generate writes.
type genFile struct {
	path string
	data []byte
	mode fs.FileMode
}

func certsGenerate(c *cli.Context, e env) error {
	path, err := inventoryArg(c)
	if err != nil {
		return err
	}
	alg, err := parseAlgorithmFlag(c.String("algorithm"))
	if err != nil {
		return err
	}
	if c.Int("days") < 1 || c.Int("ca-days") < 1 {
		return fmt.Errorf("%w: --days and --ca-days must be at least 1", errUsage)
	}
	inv, err := loadInventoryForGenerate(path)
	if err != nil {
		return err
	}
	if inv.TLS == nil && c.String("out") == "" {
		return fmt.Errorf("%w: the inventory has no tls block: give --out DIR", errUsage)
	}
	now := time.Now()
	layout := generateLayout(inv, c.String("out"), c.String("ca-key"))
	if err := refuseOverwrite(layout.targets(c.Bool("reuse-ca")), c.Bool("force")); err != nil {
		return err
	}
	var ca certs.CA
	var files []genFile
	if c.Bool("reuse-ca") {
		// The CA in use: the inventory's (with --out, copied there too).
		src, srcKey := layout.ca, layout.caKey
		if c.String("out") != "" && inv.TLS != nil && len(inv.Nodes) > 0 {
			src = inv.Nodes[0].TLSFiles.CA
			srcKey = playbook.DefaultCAKeyPath(src)
			if k := c.String("ca-key"); k != "" {
				srcKey = k
			}
		}
		if ca, err = readCA(src, srcKey); err != nil {
			return err
		}
		if src != layout.ca {
			caPEM, err := os.ReadFile(src)
			if err != nil {
				return err
			}
			files = append(files, genFile{layout.ca, caPEM, 0o644})
		}
	} else {
		caPEM, keyPEM, err := certs.GenerateCA(certs.CAOptions{
			CommonName: fmt.Sprintf("galeraflow CA %s %s", inv.Cluster, now.UTC().Format("2006-01-02 15:04:05")),
			Algorithm:  alg, Lifetime: time.Duration(c.Int("ca-days")) * 24 * time.Hour, Now: now,
		})
		if err != nil {
			return err
		}
		if ca, err = certs.LoadCA(caPEM, keyPEM); err != nil {
			return err
		}
		files = append(files, genFile{layout.ca, caPEM, 0o644}, genFile{layout.caKey, keyPEM, 0o600})
	}
	opts := playbook.IssueOptions{Algorithm: alg, Lifetime: time.Duration(c.Int("days")) * 24 * time.Hour, Now: now}
	if left := ca.Cert.NotAfter.Sub(now) - time.Hour; opts.Lifetime > left {
		// A certificate may not outlive its CA: end with it, and say so.
		opts.Lifetime = left
		fmt.Fprintf(e.stderr, "galeraflow: note: the CA expires on %s: the certificates end then too (make a new CA to go further)\n", ca.Cert.NotAfter.UTC().Format(time.DateOnly))
	}
	for _, n := range inv.Nodes {
		cert, key, err := playbook.IssueNodeCert(ca, n.Name, n.Address, opts)
		if err != nil {
			return fmt.Errorf("%s: %w", n.Name, err)
		}
		files = append(files, genFile{layout.nodeCert[n.Name], cert, 0o644}, genFile{layout.nodeKey[n.Name], key, 0o600})
	}
	if layout.clientCert != "" {
		cert, key, err := playbook.IssueClientCert(ca, "galeraflow client "+inv.Cluster, opts)
		if err != nil {
			return fmt.Errorf("client certificate: %w", err)
		}
		files = append(files, genFile{layout.clientCert, cert, 0o644}, genFile{layout.clientKey, key, 0o600})
	}
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o750); err != nil {
			return err
		}
		if err := playbook.WriteLocalFile(f.path, f.data, f.mode); err != nil {
			return err
		}
	}
	return renderGenerated(e.stdout, wantJSON(c), files, now)
}

func parseAlgorithmFlag(s string) (certs.Algorithm, error) {
	// rsa2048 and rsa-2048 both read naturally: accept both.
	s = strings.Replace(strings.ToLower(s), "rsa", "rsa-", 1)
	s = strings.Replace(s, "rsa--", "rsa-", 1)
	a, err := certs.ParseAlgorithm(s)
	if err != nil {
		return "", fmt.Errorf("%w: --algorithm: %v", errUsage, err)
	}
	return a, nil
}

// loadInventoryForGenerate loads the inventory even though the files it
// names do not exist yet (generate makes them).
func loadInventoryForGenerate(path string) (*inventory.Inventory, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", inventory.ErrInvalid, err)
	}
	opts := inventory.OSOptions()
	opts.Files = toBeMade{opts.Files}
	return inventory.Parse(path, data, opts)
}

// toBeMade makes a missing file look like an empty regular one.
type toBeMade struct{ inventory.Files }

func (f toBeMade) Stat(p string) (fs.FileInfo, error) {
	fi, err := f.Files.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return missingFile(filepath.Base(p)), nil
	}
	return fi, err
}

type missingFile string

func (m missingFile) Name() string       { return string(m) }
func (m missingFile) Size() int64        { return 0 }
func (m missingFile) Mode() fs.FileMode  { return 0o600 }
func (m missingFile) ModTime() time.Time { return time.Time{} }
func (m missingFile) IsDir() bool        { return false }
func (m missingFile) Sys() any           { return nil }

// layout is where generate writes each file.
type layout struct {
	out                              string
	ca, caKey, clientCert, clientKey string
	nodeCert, nodeKey                map[string]string
	order                            []string // node names, inventory order
}

func generateLayout(inv *inventory.Inventory, out, caKey string) layout {
	l := layout{out: out, nodeCert: map[string]string{}, nodeKey: map[string]string{}}
	for _, n := range inv.Nodes {
		l.order = append(l.order, n.Name)
	}
	if out != "" {
		l.ca, l.caKey = filepath.Join(out, "ca.pem"), filepath.Join(out, "ca-key.pem")
		l.clientCert, l.clientKey = filepath.Join(out, "client-cert.pem"), filepath.Join(out, "client-key.pem")
		for _, n := range inv.Nodes {
			l.nodeCert[n.Name], l.nodeKey[n.Name] = filepath.Join(out, n.Name+"-cert.pem"), filepath.Join(out, n.Name+"-key.pem")
		}
	} else {
		for _, n := range inv.Nodes {
			tf := n.TLSFiles
			l.ca, l.clientCert, l.clientKey = tf.CA, tf.ClientCert, tf.ClientKey
			l.nodeCert[n.Name], l.nodeKey[n.Name] = tf.ServerCert, tf.ServerKey
		}
		l.caKey = playbook.DefaultCAKeyPath(l.ca)
	}
	if caKey != "" {
		l.caKey = caKey
	}
	return l
}

func readCA(certPath, keyPath string) (certs.CA, error) {
	cert, err := os.ReadFile(certPath)
	if err != nil {
		return certs.CA{}, fmt.Errorf("%w: --reuse-ca: %v", errUsage, err)
	}
	key, err := os.ReadFile(keyPath)
	if err != nil {
		return certs.CA{}, fmt.Errorf("%w: --reuse-ca needs the CA key: %v (give it with --ca-key)", errUsage, err)
	}
	ca, err := certs.LoadCA(cert, key)
	if err != nil {
		return certs.CA{}, fmt.Errorf("%w: %s, %s: %v", errUsage, certPath, keyPath, err)
	}
	return ca, nil
}

// targets are the files generate will write; with reuseCA the CA key is
// read, not written (and the CA certificate only copied into --out).
func (l layout) targets(reuseCA bool) []string {
	var out []string
	if !reuseCA {
		out = append(out, l.ca, l.caKey)
	} else if l.out != "" {
		out = append(out, l.ca)
	}
	for _, name := range l.order {
		out = append(out, l.nodeCert[name], l.nodeKey[name])
	}
	if l.clientCert != "" {
		out = append(out, l.clientCert, l.clientKey)
	}
	return out
}

// refuseOverwrite lists every file that exists, unless force.
func refuseOverwrite(paths []string, force bool) error {
	if force {
		return nil
	}
	var exist []string
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			exist = append(exist, p)
		}
	}
	if len(exist) > 0 {
		return fmt.Errorf("%w: these files exist and --force was not given, nothing was written:\n%s", errUsage, strings.Join(exist, "\n"))
	}
	return nil
}

type generatedFile struct {
	Path     string    `json:"path"`
	Mode     string    `json:"mode"`
	Subject  string    `json:"subject,omitempty"`
	Serial   string    `json:"serial,omitempty"`
	NotAfter time.Time `json:"not_after,omitempty"`
}

func renderGenerated(w io.Writer, asJSON bool, files []genFile, now time.Time) error {
	var out []generatedFile
	for _, f := range files {
		g := generatedFile{Path: f.path, Mode: fmt.Sprintf("%04o", f.mode)}
		if cs, err := certs.ParseCertificates(f.data); err == nil {
			info := certs.Describe(f.path, cs[0], now)
			g.Subject, g.Serial, g.NotAfter = info.Subject, info.Serial, info.NotAfter
		}
		out = append(out, g)
	}
	return writeResult(w, asJSON, map[string]any{"files": out}, func(w io.Writer) {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "FILE\tMODE\tSUBJECT\tNOT AFTER")
		for _, g := range out {
			after := "-"
			if !g.NotAfter.IsZero() {
				after = g.NotAfter.Format(time.DateOnly)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", g.Path, g.Mode, orDash(g.Subject), after)
		}
		tw.Flush()
	})
}

func certsCheckCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "read the certificates on every node and in the inventory, and report their expiry",
		ArgsUsage: "INVENTORY",
		Description: "check reads the TLS files on every node over SSH (one round trip per node; a key is\n" +
			"reduced to its public key on the node) and the inventory's files, and prints for\n" +
			"each certificate its subject, issuer, serial, expiry and days left, whether the key\n" +
			"matches and whether the chain verifies against the CA file beside it. For cron:\n" +
			"exit 9 when a certificate expires within --warn-days, 10 when one expires within\n" +
			"--fail-days, has expired, or a node's files are broken. It changes nothing.",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "warn-days", Value: 30, Usage: "exit 9 when a certificate expires within this many days (0: never)"},
			&cli.IntFlag{Name: "fail-days", Value: 7, Usage: "exit 10 when a certificate expires within this many days (0: only once expired)"},
		},
		Action: func(c *cli.Context) error { return certsCheck(c, e) },
	}
}

func certsCheck(c *cli.Context, e env) error {
	if c.Int("warn-days") < 0 || c.Int("fail-days") < 0 {
		return fmt.Errorf("%w: --warn-days and --fail-days must not be negative", errUsage)
	}
	inv, log, err := openInventory(c, e)
	if err != nil {
		return err
	}
	rep, err := playbook.CheckCerts(c.Context, inv, playbook.CertsCheckOptions{
		Dial: playbook.SSHDialer(log, nil), Now: time.Now(), WarnDays: c.Int("warn-days"), FailDays: c.Int("fail-days"),
	})
	if rep == nil {
		return err
	}
	if werr := writeResult(e.stdout, wantJSON(c), rep, func(w io.Writer) { renderCertsReport(w, rep) }); werr != nil {
		return werr
	}
	return err
}

func renderCertsReport(w io.Writer, r *playbook.CertsReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tWHERE\tFILE\tSUBJECT\tISSUER\tSERIAL\tNOT AFTER\tDAYS\tKEY\tCHAIN")
	rows := func(nc *playbook.NodeCerts) {
		for _, f := range nc.Files {
			if strings.HasSuffix(f.Role, "-key") {
				continue
			}
			if f.Missing || len(f.Certs) == 0 {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t-\t-\t-\t-\t-\t-\n", nc.Node, nc.Source, f.Role, orDash(missingText(f)))
				continue
			}
			for _, ci := range f.Certs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", nc.Node, nc.Source, f.Role, ci.Subject, ci.Issuer,
					ci.Serial, ci.NotAfter.Format(time.DateOnly), ci.DaysLeft, keyText(f), chainText(f))
			}
		}
	}
	for i := range r.Nodes {
		rows(r.Nodes[i])
		if i < len(r.Local) {
			rows(r.Local[i])
		}
	}
	tw.Flush()
	for _, nc := range append(append([]*playbook.NodeCerts{}, r.Nodes...), r.Local...) {
		for _, p := range nc.Problems {
			fmt.Fprintf(w, "%s (%s): %s: %s\n", nc.Node, nc.Source, nc.Level, p)
		}
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "error: %s\n", e)
	}
	fmt.Fprintf(w, "certificates: %s (warn within %d days, fail within %d days)\n", r.Result, r.WarnDays, r.FailDays)
}

func missingText(f playbook.TLSFileReport) string {
	if f.Missing {
		return "missing: " + f.Path
	}
	return f.Error
}

func keyText(f playbook.TLSFileReport) string {
	switch {
	case f.KeyMatches == nil:
		return "-"
	case *f.KeyMatches:
		return "match"
	}
	return "MISMATCH"
}

func chainText(f playbook.TLSFileReport) string {
	switch f.Chain {
	case "":
		return "-"
	case "ok":
		return "ok"
	}
	return "FAILS"
}

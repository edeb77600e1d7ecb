package remote

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/inventory/secret"
)

// HostKeyPolicy says what to do with a host key that is not in known_hosts.
type HostKeyPolicy int

const (
	// HostKeyStrict refuses unknown and changed host keys (the default).
	HostKeyStrict HostKeyPolicy = iota
	// HostKeyAcceptNew accepts an unknown host and appends its key to the
	// first known_hosts file; a changed key is still refused.
	HostKeyAcceptNew
	// HostKeyInsecureIgnore skips host key checking. Only for an explicit
	// user opt-out: it allows a man in the middle to read every secret sent.
	HostKeyInsecureIgnore
)

func (p HostKeyPolicy) String() string {
	switch p {
	case HostKeyStrict:
		return "strict"
	case HostKeyAcceptNew:
		return "accept-new"
	case HostKeyInsecureIgnore:
		return "insecure-ignore"
	}
	return "HostKeyPolicy(" + strconv.Itoa(int(p)) + ")"
}

// ParseHostKeyPolicy reads "strict", "accept-new" or "insecure-ignore"
// ("" is strict).
func ParseHostKeyPolicy(s string) (HostKeyPolicy, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "strict", "yes":
		return HostKeyStrict, nil
	case "accept-new":
		return HostKeyAcceptNew, nil
	case "insecure-ignore", "no", "off":
		return HostKeyInsecureIgnore, nil
	}
	return 0, fmt.Errorf("unknown host key policy %q (want strict, accept-new or insecure-ignore)", s)
}

// PassphraseFunc supplies the passphrase of an encrypted private key, e.g.
// by prompting on a terminal. It is called at most once per key file and dial.
type PassphraseFunc func(keyFile string) (secret.Secret, error)

// Config says how to reach and log in to one node.
type Config struct {
	// Name is the inventory's node name, used in every message.
	Name string
	// Address is a host name, IP address or ssh_config host alias.
	Address string
	// Port defaults to ssh_config's Port, then 22.
	Port int
	// User defaults to ssh_config's User, then the local user.
	User string

	// IdentityFiles are private key files. When empty (and ssh_config names
	// none), the usual ~/.ssh/id_ed25519, id_ecdsa and id_rsa that exist are used.
	IdentityFiles []string
	// Passphrase decrypts encrypted identity files.
	Passphrase secret.Secret
	// PassphrasePrompt is asked when a key is encrypted and Passphrase is empty.
	PassphrasePrompt PassphraseFunc
	// UseAgent offers the keys of the agent at $SSH_AUTH_SOCK first.
	UseAgent bool

	// KnownHostsFiles are read for host keys; default ~/.ssh/known_hosts
	// and /etc/ssh/ssh_known_hosts. Missing files count as empty.
	// AcceptNew appends to the first one.
	KnownHostsFiles []string
	HostKeyPolicy   HostKeyPolicy

	// SSHConfigFile, when set, is an ssh_config whose HostName, Port, User,
	// IdentityFile and ProxyJump apply to Address (explicit fields win), and
	// whose HostName, Port, User and IdentityFile apply to each jump host
	// (a jump host's own ProxyJump is not followed).
	SSHConfigFile string
	// ProxyJump is a comma-separated chain of [user@]host[:port] hops,
	// dialled in order. Each hop is checked against known_hosts and uses
	// the same keys. "none" disables a ProxyJump from ssh_config.
	ProxyJump string

	// ConnectTimeout bounds the TCP connect and SSH handshake of each hop
	// (default 15s).
	ConnectTimeout time.Duration
	// KeepaliveInterval is how often a keepalive@openssh.com request is sent
	// (default 15s; negative disables). The connection is closed when
	// KeepaliveCountMax intervals (default 3) pass without a reply.
	KeepaliveInterval time.Duration
	KeepaliveCountMax int

	// SudoPassword is sent on stdin when sudo asks for it; without it sudo
	// runs with -n and must not need a password.
	SudoPassword secret.Secret

	// StagingDir is where non-root writes are uploaded before sudo installs
	// them; relative to the login user's home (default ".galeraflow-staging").
	StagingDir string

	// Now names backups; default time.Now.
	Now func() time.Time
	// Logger receives debug lines (commands, never their input or output).
	Logger *slog.Logger
}

const (
	defaultConnectTimeout    = 15 * time.Second
	defaultKeepaliveInterval = 15 * time.Second
	defaultKeepaliveCountMax = 3
	defaultStagingDir        = ".galeraflow-staging"
)

// hop is one SSH server on the way, already resolved through ssh_config.
type hop struct {
	alias    string // as written by the user, for messages
	host     string
	port     int
	user     string
	idFiles  []string
	hostPort string
}

// resolved is a Config with ssh_config applied and defaults filled in.
type resolved struct {
	Config
	target hop
	jumps  []hop
}

// resolve applies ssh_config and defaults. It touches no network.
func resolve(cfg Config) (*resolved, error) {
	if cfg.Address == "" {
		return nil, fmt.Errorf("%s: no address", cfg.Name)
	}
	if cfg.Name == "" {
		cfg.Name = cfg.Address
	}
	var sc *sshConfig
	if cfg.SSHConfigFile != "" {
		var err error
		sc, err = loadSSHConfig(expandHome(cfg.SSHConfigFile))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cfg.Name, err)
		}
	}
	r := &resolved{Config: cfg}
	if r.ConnectTimeout <= 0 {
		r.ConnectTimeout = defaultConnectTimeout
	}
	if r.KeepaliveInterval == 0 {
		r.KeepaliveInterval = defaultKeepaliveInterval
	}
	if r.KeepaliveCountMax <= 0 {
		r.KeepaliveCountMax = defaultKeepaliveCountMax
	}
	if r.StagingDir == "" {
		r.StagingDir = defaultStagingDir
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Logger == nil {
		r.Logger = slog.New(slog.DiscardHandler)
	}
	if len(r.KnownHostsFiles) == 0 {
		r.KnownHostsFiles = []string{"~/.ssh/known_hosts", "/etc/ssh/ssh_known_hosts"}
	}
	r.KnownHostsFiles = slices.Clone(r.KnownHostsFiles)
	for i, f := range r.KnownHostsFiles {
		r.KnownHostsFiles[i] = expandHome(f)
	}

	target, err := resolveHop(cfg.Address, cfg.Port, cfg.User, cfg.IdentityFiles, sc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Name, err)
	}
	r.target = target
	r.User = target.user

	jump := cfg.ProxyJump
	if jump == "" && sc != nil {
		jump = sc.lookup(cfg.Address).proxyJump
	}
	if jump != "" && !strings.EqualFold(jump, "none") {
		for _, spec := range strings.Split(jump, ",") {
			h, err := parseJump(strings.TrimSpace(spec), sc, target)
			if err != nil {
				return nil, fmt.Errorf("%s: proxy jump %q: %w", cfg.Name, spec, err)
			}
			r.jumps = append(r.jumps, h)
		}
	}
	return r, nil
}

// parseJump reads one [user@]host[:port] hop. Unset parts come from
// ssh_config, then from the target (same user and keys).
func parseJump(spec string, sc *sshConfig, target hop) (hop, error) {
	if spec == "" {
		return hop{}, fmt.Errorf("empty hop")
	}
	spec = strings.TrimPrefix(spec, "ssh://")
	var usr string
	if i := strings.LastIndex(spec, "@"); i >= 0 {
		usr, spec = spec[:i], spec[i+1:]
	}
	host, port := spec, 0
	if h, p, err := net.SplitHostPort(spec); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return hop{}, fmt.Errorf("bad port %q", p)
		}
		host, port = h, n
	} else if strings.HasPrefix(spec, "[") && strings.HasSuffix(spec, "]") {
		host = spec[1 : len(spec)-1]
	}
	h, err := resolveHop(host, port, usr, nil, sc)
	if err != nil {
		return hop{}, err
	}
	if usr == "" && (sc == nil || sc.lookup(host).user == "") {
		h.user = target.user
	}
	if len(h.idFiles) == 0 {
		h.idFiles = target.idFiles
	}
	return h, nil
}

// resolveHop fills one hop from explicit values, then ssh_config, then defaults.
func resolveHop(alias string, port int, usr string, ids []string, sc *sshConfig) (hop, error) {
	h := hop{alias: alias, host: alias, port: port, user: usr, idFiles: slices.Clone(ids)}
	if sc != nil {
		e := sc.lookup(alias)
		if e.hostName != "" {
			h.host = strings.ReplaceAll(e.hostName, "%h", alias)
		}
		if h.port == 0 && e.port != 0 {
			h.port = e.port
		}
		if h.user == "" {
			h.user = e.user
		}
		if len(h.idFiles) == 0 {
			h.idFiles = slices.Clone(e.identityFiles)
		}
	}
	if h.port == 0 {
		h.port = 22
	}
	if h.port < 0 || h.port > 65535 {
		return hop{}, fmt.Errorf("bad port %d", h.port)
	}
	if h.user == "" {
		u, err := user.Current()
		if err != nil {
			return hop{}, fmt.Errorf("no user given and the local user is unknown: %w", err)
		}
		h.user = u.Username
	}
	for i, f := range h.idFiles {
		h.idFiles[i] = expandHome(f)
	}
	h.hostPort = net.JoinHostPort(h.host, strconv.Itoa(h.port))
	return h, nil
}

// expandHome replaces a leading ~/ by the local home directory.
func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[1:])
		}
	}
	return p
}

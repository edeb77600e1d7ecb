package inventory

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Jump is one hop of a bastion (ProxyJump) chain.
type Jump struct {
	// User is "" when the hop uses the node's ssh.user.
	User string
	Host string
	Port int
}

// ParseBastion parses "[user@]host[:port]" hops separated by commas, in the
// order they are traversed. IPv6 hosts with a port are written [addr]:port.
func ParseBastion(s string) ([]Jump, error) {
	var out []Jump
	for i, hop := range strings.Split(s, ",") {
		j, err := parseJump(strings.TrimSpace(hop))
		if err != nil {
			return nil, fmt.Errorf("bastion hop %d: %w", i+1, err)
		}
		out = append(out, j)
	}
	return out, nil
}

func parseJump(hop string) (Jump, error) {
	j := Jump{Port: defaultPort}
	if hop == "" {
		return j, fmt.Errorf("empty hop (want [user@]host[:port])")
	}
	if u, rest, ok := strings.Cut(hop, "@"); ok {
		if u == "" || strings.ContainsAny(u, " \t:/") {
			return j, fmt.Errorf("bad user in %q (want [user@]host[:port])", truncate(hop))
		}
		j.User, hop = u, rest
	}
	host := hop
	// A bare IPv6 address has colons but no port.
	if _, err := netip.ParseAddr(hop); err != nil && strings.Contains(hop, ":") {
		h, p, err := net.SplitHostPort(hop)
		if err != nil {
			return j, fmt.Errorf("bad host:port %q (write IPv6 with a port as [addr]:port)", truncate(hop))
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return j, fmt.Errorf("port must be 1..65535, got %q", truncate(p))
		}
		host, j.Port = h, n
	}
	if err := checkHost(host); err != nil {
		return j, err
	}
	j.Host = host
	return j, nil
}

var hostChars = func() [256]bool {
	var t [256]bool
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['-'], t['.'], t['_'] = true, true, true
	return t
}()

// checkHost accepts an IP address (v4 or v6, without brackets) or a host name.
func checkHost(h string) error {
	if h == "" {
		return fmt.Errorf("host is empty")
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	for i := 0; i < len(h); i++ {
		if !hostChars[h[i]] {
			return fmt.Errorf("%q is neither an IP address nor a host name", truncate(h))
		}
	}
	if h[0] == '-' || h[0] == '.' {
		return fmt.Errorf("%q is not a valid host name", truncate(h))
	}
	return nil
}

package remote

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// sshConfig is the small subset of ssh_config(5) galeraflow honours:
// Host blocks with HostName, Port, User, IdentityFile and ProxyJump.
// Match blocks and Include are not evaluated (their lines are skipped).
type sshConfig struct {
	path   string
	blocks []sshBlock
}

type sshBlock struct {
	patterns []string // nil for the lines before the first Host
	match    bool     // a Match block: never applies
	opts     []sshOpt
}

type sshOpt struct {
	key, value string
	line       int
}

// sshEntry is what applies to one host alias.
type sshEntry struct {
	hostName      string
	port          int
	user          string
	identityFiles []string
	proxyJump     string
}

func loadSSHConfig(path string) (*sshConfig, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ssh_config: %w", err)
	}
	defer f.Close()
	sc := &sshConfig{path: path, blocks: []sshBlock{{}}}
	s := bufio.NewScanner(f)
	n := 0
	for s.Scan() {
		n++
		key, value, ok := splitSSHConfigLine(s.Text())
		if !ok {
			continue
		}
		switch key {
		case "host":
			sc.blocks = append(sc.blocks, sshBlock{patterns: strings.Fields(value)})
		case "match":
			sc.blocks = append(sc.blocks, sshBlock{match: true})
		default:
			b := &sc.blocks[len(sc.blocks)-1]
			b.opts = append(b.opts, sshOpt{key: key, value: value, line: n})
		}
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("ssh_config %s: %w", path, err)
	}
	// Check the values we use now, so a typo fails at load with file:line.
	for _, b := range sc.blocks {
		for _, o := range b.opts {
			if o.key == "port" {
				if p, err := strconv.Atoi(o.value); err != nil || p <= 0 || p > 65535 {
					return nil, fmt.Errorf("ssh_config %s:%d: bad Port %q", path, o.line, o.value)
				}
			}
		}
	}
	return sc, nil
}

// splitSSHConfigLine returns the lowercased keyword and its unquoted value.
// Both "Key value" and "Key=value" forms are accepted.
func splitSSHConfigLine(line string) (key, value string, ok bool) {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return "", "", false
	}
	i := strings.IndexAny(line, " \t=")
	if i < 0 {
		return strings.ToLower(line), "", true
	}
	key = strings.ToLower(line[:i])
	value = strings.TrimLeft(line[i:], " \t")
	value = strings.TrimPrefix(value, "=")
	value = strings.TrimSpace(value)
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		value = value[1 : len(value)-1]
	}
	return key, value, true
}

// lookup collects the options for alias: the first value of each keyword
// wins, IdentityFile accumulates, as in ssh(1).
func (sc *sshConfig) lookup(alias string) sshEntry {
	var e sshEntry
	seen := map[string]bool{}
	for _, b := range sc.blocks {
		if b.match || (b.patterns != nil && !matchHostPatterns(b.patterns, alias)) {
			continue
		}
		for _, o := range b.opts {
			if o.key == "identityfile" {
				e.identityFiles = append(e.identityFiles, expandSSHTokens(o.value, alias))
				continue
			}
			if seen[o.key] {
				continue
			}
			seen[o.key] = true
			switch o.key {
			case "hostname":
				e.hostName = o.value
			case "port":
				e.port, _ = strconv.Atoi(o.value) // checked at load
			case "user":
				e.user = o.value
			case "proxyjump":
				e.proxyJump = o.value
			}
		}
	}
	return e
}

// expandSSHTokens handles ~, %d (local home), %h (the alias) and %%.
func expandSSHTokens(v, alias string) string {
	v = expandHome(v)
	if !strings.Contains(v, "%") {
		return v
	}
	home, _ := os.UserHomeDir()
	r := strings.NewReplacer("%%", "%", "%d", home, "%h", alias)
	return r.Replace(v)
}

// matchHostPatterns applies ssh_config Host patterns: any positive match
// and no negated (!pattern) match.
func matchHostPatterns(patterns []string, host string) bool {
	matched := false
	for _, p := range patterns {
		for _, alt := range strings.Split(p, ",") {
			neg := strings.HasPrefix(alt, "!")
			alt = strings.TrimPrefix(alt, "!")
			if !wildcardMatch(strings.ToLower(alt), strings.ToLower(host)) {
				continue
			}
			if neg {
				return false
			}
			matched = true
		}
	}
	return matched
}

// wildcardMatch matches * (any run) and ? (one byte).
func wildcardMatch(pat, s string) bool {
	for len(pat) > 0 {
		switch pat[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if wildcardMatch(pat[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != pat[0] {
				return false
			}
		}
		pat, s = pat[1:], s[1:]
	}
	return s == ""
}

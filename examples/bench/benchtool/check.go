package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// checkCmd proves that every host of the fleet got the whole workload:
// the three files with their content, modes and owner, the eight keys in
// their groups of the option file, and the two commands' output. A run
// that missed anything on any host fails, so no figure comes from a run
// that did less than the others.
func checkCmd(args []string) error {
	if len(args) != 2 {
		return errors.New("check: usage: check FLEET N")
	}
	fleet := args[0]
	n, err := strconv.Atoi(args[1])
	if err != nil {
		return fmt.Errorf("check: N: %w", err)
	}
	certs := filepath.Join(fleet, "certs")
	node := filepath.Join(fleet, "node") // the path the hosts see their files at
	ssl := node + "/etc/mysql/ssl"
	files := []struct {
		name string
		mode os.FileMode
	}{{"ca.pem", 0o644}, {"server-cert.pem", 0o644}, {"server-key.pem", 0o600}}
	keys := []struct{ group, key, value string }{
		{"mysqld", "ssl_ca", ssl + "/ca.pem"},
		{"mysqld", "ssl_cert", ssl + "/server-cert.pem"},
		{"mysqld", "ssl_key", ssl + "/server-key.pem"},
		{"client", "ssl_ca", ssl + "/ca.pem"},
		{"client", "ssl_cert", ssl + "/server-cert.pem"},
		{"client", "ssl_key", ssl + "/server-key.pem"},
		{"sst", "encrypt", "3"},
		{"sst", "tca", ssl + "/ca.pem"},
	}
	var uname syscall.Utsname
	if err := syscall.Uname(&uname); err != nil {
		return err
	}
	release := cstr(uname.Release[:])
	var problems []string
	for i := 1; i <= n; i++ {
		host := fmt.Sprintf("h%03d", i)
		root := filepath.Join(fleet, "hosts", host, "root")
		bad := func(format string, a ...any) {
			problems = append(problems, host+": "+fmt.Sprintf(format, a...))
		}
		for _, f := range files {
			want, err := os.ReadFile(filepath.Join(certs, f.name))
			if err != nil {
				return err
			}
			p := filepath.Join(root, "etc/mysql/ssl", f.name)
			got, err := os.ReadFile(p)
			if err != nil {
				bad("%v", err)
				continue
			}
			if !bytes.Equal(got, want) {
				bad("%s: content differs", f.name)
			}
			st, err := os.Stat(p)
			if err != nil {
				bad("%v", err)
				continue
			}
			if st.Mode().Perm() != f.mode {
				bad("%s: mode %04o, want %04o", f.name, st.Mode().Perm(), f.mode)
			}
			if sys := st.Sys().(*syscall.Stat_t); sys.Uid != 0 || sys.Gid != 0 {
				bad("%s: owner %d:%d, want root:root", f.name, sys.Uid, sys.Gid)
			}
		}
		cnf, err := os.ReadFile(filepath.Join(root, "etc/mysql/my.cnf"))
		if err != nil {
			bad("%v", err)
		} else {
			vals := parseINI(string(cnf))
			for _, k := range keys {
				if got, ok := vals[k.group+"."+k.key]; !ok || got != k.value {
					bad("my.cnf [%s] %s = %q, want %q", k.group, k.key, got, k.value)
				}
			}
		}
		for _, c := range []struct{ file, want string }{{"cmd1.out", release}, {"cmd2.out", "root"}} {
			got, err := os.ReadFile(filepath.Join(root, "var", c.file))
			if err != nil {
				bad("command did not run: %v", err)
			} else if strings.TrimSpace(string(got)) != c.want {
				bad("%s = %q, want %q", c.file, strings.TrimSpace(string(got)), c.want)
			}
		}
	}
	if len(problems) > 0 {
		if len(problems) > 10 {
			problems = append(problems[:10], fmt.Sprintf("... and %d more", len(problems)-10))
		}
		return fmt.Errorf("check failed:\n  %s", strings.Join(problems, "\n  "))
	}
	fmt.Printf("check ok: %d hosts, 3 files, 8 keys, 2 commands each\n", n)
	return nil
}

// parseINI returns group.key → last value (as the server reads it).
func parseINI(s string) map[string]string {
	vals := map[string]string{}
	group := ""
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || l[0] == '#' || l[0] == ';':
		case l[0] == '[' && strings.HasSuffix(l, "]"):
			group = strings.TrimSpace(l[1 : len(l)-1])
		default:
			k, v, _ := strings.Cut(l, "=")
			k = strings.ReplaceAll(strings.TrimSpace(k), "-", "_")
			vals[group+"."+k] = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return vals
}

func cstr(b []int8) string {
	var out []byte
	for _, c := range b {
		if c == 0 {
			break
		}
		out = append(out, byte(c))
	}
	return string(out)
}

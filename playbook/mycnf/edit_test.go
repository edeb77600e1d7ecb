package mycnf

import (
	"strings"
	"testing"
)

func mustParse(t *testing.T, in string) *File {
	t.Helper()
	f, err := Parse("e.cnf", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSet(t *testing.T) {
	tests := []struct {
		name, in, group, key, value, want string
	}{
		{"replace in place, keep spelling, spacing, comment",
			"[mysqld]\nwsrep-sst-method   =  rsync   # was rsync\n",
			"mysqld", "wsrep_sst_method", "mariabackup",
			"[mysqld]\nwsrep-sst-method   =  mariabackup   # was rsync\n"},
		{"loose- spelling kept",
			"[mysqld]\nloose-wsrep_sst_auth=a:b\n",
			"mysqld", "wsrep_sst_auth", "u:p",
			"[mysqld]\nloose-wsrep_sst_auth=u:p\n"},
		{"last definition replaced, earlier ones disabled",
			"[mysqld]\nport=1\nother=x\n[MYSQLD]\nport = 2\n",
			"mysqld", "port", "3",
			"[mysqld]\n# galeraflow: port=1\nother=x\n[MYSQLD]\nport = 3\n"},
		{"quoted value stays quoted with its quote",
			"[galera]\nwsrep_cluster_name = 'old'\n",
			"galera", "wsrep_cluster_name", "new",
			"[galera]\nwsrep_cluster_name = 'new'\n"},
		{"value needing quotes",
			"[mysqld]\nk = a\n",
			"mysqld", "k", `x "y" # z; \`,
			"[mysqld]\nk = \"x \\\"y\\\" # z; \\\\\"\n"},
		{"bare key gets a value",
			"[mysqld]\nskip-name-resolve # why\n",
			"mysqld", "skip-name-resolve", "0",
			"[mysqld]\nskip-name-resolve = 0 # why\n"},
		{"empty value before a comment",
			"[mysqld]\nk =# c\n",
			"mysqld", "k", "v",
			"[mysqld]\nk =v # c\n"},
		{"new key after the last option of the last section",
			"[mysqld]\na = 1\n\n[client]\nb = 2\n\n# about mysqld\n[mysqld]\nc = 3\n\n# trailing comment\n\n[sst]\n",
			"mysqld", "d", "4",
			"[mysqld]\na = 1\n\n[client]\nb = 2\n\n# about mysqld\n[mysqld]\nc = 3\nd = 4\n\n# trailing comment\n\n[sst]\n"},
		{"new key in an empty section goes after the header",
			"[mysqld]\n\n# nothing yet\n[client]\n",
			"mysqld", "k", "v",
			"[mysqld]\nk = v\n\n# nothing yet\n[client]\n"},
		{"new key after a directive in the section",
			"[client-server]\nsocket = /run/mysqld/mysqld.sock\n\n!includedir /etc/mysql/conf.d/\n",
			"client-server", "port", "3306",
			"[client-server]\nsocket = /run/mysqld/mysqld.sock\n\n!includedir /etc/mysql/conf.d/\nport = 3306\n"},
		{"aligned style followed",
			"[mysqld]\npid-file                = /run/mysqld/mysqld.pid\nbasedir                 = /usr\n",
			"mysqld", "ssl_ca", "/etc/mysql/ssl/ca.pem",
			"[mysqld]\npid-file                = /run/mysqld/mysqld.pid\nbasedir                 = /usr\nssl_ca                  = /etc/mysql/ssl/ca.pem\n"},
		{"compact style and indentation followed",
			"[mysqld]\n\tport=3306\n",
			"mysqld", "k", "v",
			"[mysqld]\n\tport=3306\n\tk=v\n"},
		{"new group appended after a blank line",
			"[mysqld]\nport = 3306\n",
			"sst", "encrypt", "3",
			"[mysqld]\nport = 3306\n\n[sst]\nencrypt = 3\n"},
		{"new group in an empty file",
			"",
			"sst", "encrypt", "3",
			"[sst]\nencrypt = 3\n"},
		{"no final newline kept (append)",
			"[mysqld]\nport = 3306",
			"sst", "encrypt", "3",
			"[mysqld]\nport = 3306\n\n[sst]\nencrypt = 3"},
		{"no final newline kept (insert)",
			"[mysqld]\nport = 3306",
			"mysqld", "k", "v",
			"[mysqld]\nport = 3306\nk = v"},
		{"CRLF kept",
			"[mysqld]\r\nport = 3306\r\n",
			"mysqld", "port", "3307",
			"[mysqld]\r\nport = 3307\r\n"},
		{"CRLF used for new lines",
			"[mysqld]\r\nport = 3306\r\n",
			"client", "ssl-ca", "/ca.pem",
			"[mysqld]\r\nport = 3306\r\n\r\n[client]\r\nssl-ca = /ca.pem\r\n"},
		{"quote in the key: written plainly",
			"[g]\nk\"ey = 1 # c\n",
			"g", "k\"ey", "2",
			"[g]\nk\"ey = 2\n"},
		{"group matched case-insensitively",
			"[MySQLd]\nport = 1\n",
			"mysqld", "bind-address", "0.0.0.0",
			"[MySQLd]\nport = 1\nbind-address = 0.0.0.0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.in)
			changed, err := f.Set(tt.group, tt.key, tt.value)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(f.Bytes()); got != tt.want || !changed {
				t.Fatalf("changed %v, got\n%q\nwant\n%q", changed, got, tt.want)
			}
			// The server reads it back, and a second Set is a no-op.
			g := mustParse(t, tt.want)
			if o, ok := g.Lookup(tt.group, tt.key); !ok || o.Value != tt.value {
				t.Errorf("read back %+v, want %q", o, tt.value)
			}
			if again, err := f.Set(tt.group, tt.key, tt.value); again || err != nil || string(f.Bytes()) != tt.want {
				t.Errorf("second Set: changed %v err %v", again, err)
			}
		})
	}
}

// A directive on a last line without a newline reads one character short;
// adding a line after it would change what it includes.
func TestSetAfterTruncatedDirective(t *testing.T) {
	in := "[mysqld]\nport = 1\n!include /etc/mysql/extra.cnf"
	f := mustParse(t, in)
	for _, g := range []string{"mysqld", "sst"} {
		_, err := f.Set(g, "k", "v")
		if err == nil || !strings.Contains(err.Error(), `reads "/etc/mysql/extra.cn"`) || string(f.Bytes()) != in {
			t.Errorf("Set in [%s]: %v\n%q", g, err, f.Bytes())
		}
	}
	// A directory loses only its trailing '/': same directory.
	f = mustParse(t, "[client-server]\n!includedir /etc/mysql/conf.d/")
	if _, err := f.Set("client-server", "k", "v"); err != nil {
		t.Fatal(err)
	}
	if got, want := string(f.Bytes()), "[client-server]\n!includedir /etc/mysql/conf.d/\nk = v"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// Removing the last line leaves the one before as it was.
	f = mustParse(t, "[g]\n!include /a.cnf\nk = 1")
	f.Remove("g", "k")
	if got := string(f.Bytes()); got != "[g]\n!include /a.cnf\n" {
		t.Errorf("Remove: %q", got)
	}
}

func TestSetUnchanged(t *testing.T) {
	in := "[mysqld]\nport = 1\nport = \"3306\" # c\n"
	f := mustParse(t, in)
	if changed, err := f.Set("mysqld", "port", "3306"); changed || err != nil || string(f.Bytes()) != in {
		t.Errorf("Set of the current value: changed %v err %v\n%s", changed, err, f.Bytes())
	}
}

func TestSetErrors(t *testing.T) {
	tests := []struct{ group, key, value, msg string }{
		{"", "k", "v", "empty group"},
		{"g", "", "v", "empty key"},
		{"g\n", "k", "v", "control character"},
		{"g", "k\n", "v", "control character"},
		{"g", "k", "a\x00b", "NUL"},
		{"a]b", "k", "v", "header"},
		{"g ", "k", "v", "header"},
		{"g", "k=x", "v", "cannot be written"},
		{"g", "#k", "v", "cannot be written"},
		{"g", "k", strings.Repeat("v", maxLineBytes), "longer than"},
	}
	for _, tt := range tests {
		f := mustParse(t, "[other]\nx = 1\n")
		_, err := f.Set(tt.group, tt.key, tt.value)
		if err == nil || !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "e.cnf") {
			t.Errorf("Set(%q, %q, %.10q): err %v, want e.cnf...%s", tt.group, tt.key, tt.value, err, tt.msg)
		}
		if string(f.Bytes()) != "[other]\nx = 1\n" {
			t.Errorf("failed Set changed the file: %q", f.Bytes())
		}
	}
}

func TestRemoveDisable(t *testing.T) {
	in := "[mysqld]\nport = 1\n[client]\nport = 2\n[mysqld]\nloose-port = 3 # c\n  port=4"
	f := mustParse(t, in)
	if n := f.Disable("mysqld", "port", "replaced by 99-galeraflow.cnf"); n != 3 {
		t.Errorf("Disable = %d, want 3", n)
	}
	want := "[mysqld]\n# replaced by 99-galeraflow.cnf: port = 1\n[client]\nport = 2\n[mysqld]\n# replaced by 99-galeraflow.cnf: loose-port = 3 # c\n# replaced by 99-galeraflow.cnf:   port=4"
	if got := string(f.Bytes()); got != want {
		t.Errorf("Disable:\n%q\nwant\n%q", got, want)
	}
	if n := f.Disable("mysqld", "port", "x"); n != 0 {
		t.Errorf("second Disable = %d", n)
	}

	f = mustParse(t, in)
	if n := f.Remove("mysqld", "port"); n != 3 {
		t.Errorf("Remove = %d, want 3", n)
	}
	if got, want := string(f.Bytes()), "[mysqld]\n[client]\nport = 2\n[mysqld]\n"; got != want {
		t.Errorf("Remove:\n%q\nwant\n%q", got, want)
	}
	if n := f.Remove("mysqld", "port"); n != 0 {
		t.Errorf("second Remove = %d", n)
	}
}

func TestClone(t *testing.T) {
	f := mustParse(t, "[mysqld]\nport = 1\n")
	c := f.Clone()
	if _, err := c.Set("mysqld", "port", "2"); err != nil {
		t.Fatal(err)
	}
	if string(f.Bytes()) != "[mysqld]\nport = 1\n" {
		t.Error("editing a clone changed the original")
	}
}

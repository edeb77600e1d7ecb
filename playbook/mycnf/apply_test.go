package mycnf

import (
	"strings"
	"testing"
)

func TestEditString(t *testing.T) {
	tests := []struct {
		e    Edit
		want string
	}{
		{Edit{Op: OpSet, Group: "mysqld", Key: "ssl-ca", Value: "/ca.pem"}, `set [mysqld] ssl-ca = "/ca.pem"`},
		{Edit{Op: OpSet, Group: "mysqld", Key: "wsrep_sst_auth", Value: "u:secret"}, `set [mysqld] wsrep_sst_auth = "****"`},
		{Edit{Op: OpMergeProviderOptions, Group: "galera", Options: map[string]string{"b": "2", "a": "1"}}, "merge into [galera] wsrep_provider_options: a=1; b=2"},
		{Edit{Op: OpRemoveProviderOptions, Group: "galera", Names: []string{"a", "b"}}, "remove from [galera] wsrep_provider_options: a, b"},
		{Edit{Op: OpDisable, Group: "galera", Key: "k"}, "disable [galera] k"},
		{Edit{Op: OpRemove, Group: "galera", Key: "k"}, "remove [galera] k"},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestApply(t *testing.T) {
	in := "[galera]\nwsrep_on = ON\nwsrep_sst_method = rsync\n"
	f := mustParse(t, in)
	edits := []Edit{
		{Op: OpSet, Group: "galera", Key: "wsrep_sst_method", Value: "mariabackup"},
		{Op: OpMergeProviderOptions, Group: "galera", Options: map[string]string{"socket.ssl_ca": "/ca.pem"}},
		{Op: OpDisable, Group: "galera", Key: "wsrep_on"},
	}
	changed, err := Apply(f, edits)
	if err != nil || !changed {
		t.Fatalf("Apply: %v %v", changed, err)
	}
	want := "[galera]\n# galeraflow: wsrep_on = ON\nwsrep_sst_method = mariabackup\nwsrep_provider_options = \"socket.ssl_ca=/ca.pem\"\n"
	if got := string(f.Bytes()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if changed, err := Apply(f, edits); changed || err != nil || string(f.Bytes()) != want {
		t.Errorf("second Apply: %v %v", changed, err)
	}

	// A merge into a base that already has everything writes nothing.
	g := mustParse(t, in)
	merge := Edit{Op: OpMergeProviderOptions, Group: "galera", Options: map[string]string{"a": "1"}, Value: "a=1; b=2"}
	if changed, err := Apply(g, []Edit{merge}); changed || err != nil || string(g.Bytes()) != in {
		t.Errorf("merge into a complete base: %v %v", changed, err)
	}
	// Removing from an option the file does not define does nothing.
	rm := Edit{Op: OpRemoveProviderOptions, Group: "galera", Names: []string{"a"}}
	if changed, err := Apply(g, []Edit{rm}); changed || err != nil {
		t.Errorf("remove from nothing: %v %v", changed, err)
	}
}

func TestApplyErrors(t *testing.T) {
	f := mustParse(t, "[g]\nk = 1\n")
	_, err := Apply(f, []Edit{
		{Op: OpSet, Group: "g", Key: "k", Value: "2"},
		{Op: OpSet, Group: "g", Key: "bad=key", Value: "2"},
	})
	if err == nil || !strings.Contains(err.Error(), "edit 2 (set [g] bad=key") || !strings.Contains(err.Error(), "e.cnf") {
		t.Errorf("err = %v", err)
	}
	if _, err := Apply(f, []Edit{{Op: 99, Group: "g", Key: "k"}}); err == nil || !strings.Contains(err.Error(), "unknown edit operation") {
		t.Errorf("unknown op: %v", err)
	}
}

func TestEncodeValue(t *testing.T) {
	tests := []struct {
		v     string
		quote byte
		keep  bool
		want  string
	}{
		{"/etc/mysql/ssl/ca.pem", 0, false, "/etc/mysql/ssl/ca.pem"},
		{"", 0, false, `""`},
		{"a b", 0, false, `"a b"`},
		{"x;y", 0, false, `"x;y"`},
		{"a#b", 0, false, `"a#b"`},
		{`it's "q"`, 0, false, `"it's \"q\""`},
		{`it's`, '\'', true, `'it\'s'`},
		{"plain", '\'', true, `'plain'`},
		{"tab\tnl\ncr\rbs\b\\", 0, false, `"tab\tnl\ncr\rbs\b\\"`},
		{" lead", 0, false, `" lead"`},
		{"\xa0", 0, false, "\"\xa0\""},
	}
	for _, tt := range tests {
		got := encodeValue(tt.v, tt.quote, tt.keep)
		if got != tt.want {
			t.Errorf("encodeValue(%q) = %s, want %s", tt.v, got, tt.want)
		}
		if o := parseOne(t, "k = "+got+" # c"); o.Value != tt.v {
			t.Errorf("%s reads back as %q, want %q", got, o.Value, tt.v)
		}
	}
}

func TestGroupLists(t *testing.T) {
	g := ServerGroups("10.11")
	g[0] = "changed"
	if ServerGroups("10.11")[0] != "mysqld" {
		t.Error("ServerGroups shares its slice")
	}
	for _, want := range []string{"mysqld", "server", "mariadb", "mariadbd", "galera", "client-server", "mysqld-10.11", "mariadb-10.11", "mariadbd-10.11"} {
		if !inGroups(want, ServerGroups("10.11")) {
			t.Errorf("ServerGroups lacks %s", want)
		}
	}
	if inGroups("mysqld-10.11", ServerGroups("")) || inGroups("client", ServerGroups("10.11")) {
		t.Error("ServerGroups: unexpected group")
	}
	if sets := SSTGroupSets("10.11"); len(sets) != 4 || sets[1][0] != "sst" {
		t.Errorf("SSTGroupSets = %q", sets)
	}
	if !inGroups("client", ClientGroups()) || !inGroups("client-mariadb", ClientLibraryGroups()) {
		t.Error("client groups")
	}
}

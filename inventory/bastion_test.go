package inventory

import (
	"slices"
	"testing"
)

func TestParseBastion(t *testing.T) {
	tests := []struct {
		in      string
		want    []Jump
		wantErr string
	}{
		{"bastion.example.com", []Jump{{Host: "bastion.example.com", Port: 22}}, ""},
		{"ops@b:2222", []Jump{{User: "ops", Host: "b", Port: 2222}}, ""},
		{"a@b1:22, c@b2", []Jump{{User: "a", Host: "b1", Port: 22}, {User: "c", Host: "b2", Port: 22}}, ""},
		{"[fd00::1]:2022", []Jump{{Host: "fd00::1", Port: 2022}}, ""},
		{"fd00::1", []Jump{{Host: "fd00::1", Port: 22}}, ""},
		{"10.0.0.1", []Jump{{Host: "10.0.0.1", Port: 22}}, ""},
		{"", nil, "bastion hop 1: empty hop (want [user@]host[:port])"},
		{"a,,b", nil, "bastion hop 2: empty hop (want [user@]host[:port])"},
		{"@b", nil, `bastion hop 1: bad user in "@b" (want [user@]host[:port])`},
		{"b:0", nil, `bastion hop 1: port must be 1..65535, got "0"`},
		{"b:ssh", nil, `bastion hop 1: port must be 1..65535, got "ssh"`},
		{"ops@", nil, "bastion hop 1: host is empty"},
		{"b a", nil, `bastion hop 1: "b a" is neither an IP address nor a host name`},
		{"-oProxyCommand=x", nil, `bastion hop 1: "-oProxyCommand=x" is neither an IP address nor a host name`},
		{"-b", nil, `bastion hop 1: "-b" is not a valid host name`},
	}
	for _, tt := range tests {
		got, err := ParseBastion(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseBastion(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("ParseBastion(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"address", "name", "ssh", "identity", "host_key_policy"}
	tests := []struct{ key, want string }{
		{"adress", ` (did you mean "address"?)`},
		{"Name", ` (did you mean "name"?)`},
		{"nmae", ` (did you mean "name"?)`},
		{"hostkey_policy", ` (did you mean "host_key_policy"?)`},
		{"sh", ` (did you mean "ssh"?)`},
		{"identity_file", ""},
		{"port", " (did you mean ssh.port?)"},
		{"zzz", ""},
	}
	hints := map[string]string{"port": "did you mean ssh.port?"}
	for _, tt := range tests {
		if got := suggest(tt.key, known, hints); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

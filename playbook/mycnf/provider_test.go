package mycnf

import (
	"strings"
	"testing"
)

var sslOptions = map[string]string{
	"socket.ssl_key":  "/etc/mysql/ssl/server-key.pem",
	"socket.ssl_cert": "/etc/mysql/ssl/server-cert.pem",
	"socket.ssl_ca":   "/etc/mysql/ssl/ca.pem",
}

func TestMergeProviderOptions(t *testing.T) {
	tests := []struct {
		name, existing string
		set            map[string]string
		want           string
		changed        bool
	}{
		{"append sorted, keep existing and its style", "gcache.size=1G; gcs.fc_limit=128", sslOptions,
			"gcache.size=1G; gcs.fc_limit=128; socket.ssl_ca=/etc/mysql/ssl/ca.pem; socket.ssl_cert=/etc/mysql/ssl/server-cert.pem; socket.ssl_key=/etc/mysql/ssl/server-key.pem", true},
		{"no blank after ';'", "gcache.size=1G;gcs.fc_limit=128", map[string]string{"socket.ssl_ca": "/ca"},
			"gcache.size=1G;gcs.fc_limit=128;socket.ssl_ca=/ca", true},
		{"empty", "", map[string]string{"b": "2", "a": "1"}, "a=1; b=2", true},
		{"blanks only", "  ", map[string]string{"a": "1"}, "a=1", true},
		{"change in place, blanks kept", "a = 1 ; socket.ssl_ca = /old ;b=2", map[string]string{"socket.ssl_ca": "/new"},
			"a = 1 ; socket.ssl_ca = /new ;b=2", true},
		{"every occurrence", "k=1;x=0;k=2", map[string]string{"k": "3"}, "k=3;x=0;k=3", true},
		{"unchanged", "a=1; socket.ssl_ca=/ca", map[string]string{"socket.ssl_ca": "/ca"}, "a=1; socket.ssl_ca=/ca", false},
		{"trailing separator stays last", "a=1;", map[string]string{"b": "2"}, "a=1; b=2;", true},
		{"names are case-sensitive", "Socket.SSL_CA=/x", map[string]string{"socket.ssl_ca": "/ca"}, "Socket.SSL_CA=/x; socket.ssl_ca=/ca", true},
		{"escaped separators kept", `a=x\;y; b=1`, map[string]string{"c": "p;q=r"}, `a=x\;y; b=1; c=p\;q\=r`, true},
		{"item without value gets one", "a=1; flag", map[string]string{"flag": "yes"}, "a=1; flag=yes", true},
		{"trailing backslash does not escape the new separator", `a=1\`, map[string]string{"b": "2"}, `a=1\ ; b=2`, true},
		{"names that cannot be written are ignored", "a=1", map[string]string{"": "x", "x;y": "1", " a ": "1"}, "a=1", false},
		{"values are trimmed", "a=1", map[string]string{"a": " 1 "}, "a=1", false},
	}
	for _, tt := range tests {
		got, changed := MergeProviderOptions(tt.existing, tt.set)
		if got != tt.want || changed != tt.changed {
			t.Errorf("%s: got %q %v, want %q %v", tt.name, got, changed, tt.want, tt.changed)
			continue
		}
		if again, c := MergeProviderOptions(got, tt.set); again != got || c {
			t.Errorf("%s: second merge gave %q %v", tt.name, again, c)
		}
	}
}

func TestRemoveProviderOptions(t *testing.T) {
	tests := []struct {
		existing string
		names    []string
		want     string
		changed  bool
	}{
		{"gcache.size=1G; socket.ssl_ca=/ca; gcs.fc_limit=128", []string{"socket.ssl_ca"}, "gcache.size=1G; gcs.fc_limit=128", true},
		{"socket.ssl_ca=/ca; a=1", []string{"socket.ssl_ca"}, "a=1", true},
		{"a=1", []string{"b"}, "a=1", false},
		{"k=1;k=2;x=3", []string{"k"}, "x=3", true},
		{"k=1", []string{"k"}, "", true},
	}
	for _, tt := range tests {
		got, changed := RemoveProviderOptions(tt.existing, tt.names)
		if got != tt.want || changed != tt.changed {
			t.Errorf("Remove(%q, %q) = %q %v, want %q %v", tt.existing, tt.names, got, changed, tt.want, tt.changed)
		}
	}
}

func TestProviderOptions(t *testing.T) {
	names, values := ProviderOptions(" gcache.size = 1G ;; gcs.fc_limit=128; gcache.size=2G; flag ;")
	if strings.Join(names, ",") != "gcache.size,gcs.fc_limit,flag" || values["gcache.size"] != "2G" || values["gcs.fc_limit"] != "128" || values["flag"] != "" {
		t.Errorf("ProviderOptions = %q %q", names, values)
	}
}

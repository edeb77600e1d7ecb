package certs

import (
	"strings"
	"testing"
)

func subjectsOf(t *testing.T, pemData []byte) string {
	t.Helper()
	certs, err := ParseCertificates(pemData)
	if err != nil {
		t.Fatal(err)
	}
	var cns []string
	for _, c := range certs {
		cns = append(cns, c.Subject.CommonName)
	}
	return strings.Join(cns, ",")
}

func TestBundle(t *testing.T) {
	oldCA := mk(t, spec{cn: "old", ca: true})
	newCA := mk(t, spec{cn: "new", ca: true})
	third := mk(t, spec{cn: "third", ca: true})
	tests := []struct {
		name string
		in   [][]byte
		want string
	}{
		{name: "old then new", in: [][]byte{oldCA.certPEM, newCA.certPEM}, want: "old,new"},
		{name: "order of first appearance", in: [][]byte{newCA.certPEM, oldCA.certPEM}, want: "new,old"},
		{name: "duplicate rewrapped is dropped", in: [][]byte{oldCA.certPEM, newCA.certPEM, rewrap(t, oldCA.certPEM, 76, "\r\n")}, want: "old,new"},
		{name: "inputs may be bundles", in: [][]byte{cat(oldCA.certPEM, newCA.certPEM), cat(newCA.certPEM, third.certPEM)}, want: "old,new,third"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Bundle(tt.in...)
			if err != nil {
				t.Fatal(err)
			}
			if got := subjectsOf(t, b); got != tt.want {
				t.Errorf("bundle = %s, want %s", got, tt.want)
			}
			again, _ := Bundle(b)
			if string(again) != string(b) {
				t.Error("Bundle of a bundle is not the same bytes: output is not stable")
			}
		})
	}
	if _, err := Bundle(oldCA.certPEM, []byte("junk")); err == nil || !strings.Contains(err.Error(), "bundle input 2") {
		t.Errorf("junk input: err = %v", err)
	}
}

func TestBundleContainsAndWithout(t *testing.T) {
	oldCA := mk(t, spec{cn: "old", ca: true})
	newCA := mk(t, spec{cn: "new", ca: true})
	both, err := Bundle(oldCA.certPEM, newCA.certPEM)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name        string
		bundle, ca  []byte
		wantContain bool
	}{
		{"old in both", both, oldCA.certPEM, true},
		{"new in both, rewrapped", both, rewrap(t, newCA.certPEM, 76, "\r\n"), true},
		{"both in both", both, both, true},
		{"new not in old", oldCA.certPEM, newCA.certPEM, false},
		{"garbage ca", both, []byte("x"), false},
		{"garbage bundle", []byte("x"), oldCA.certPEM, false},
	} {
		if got := BundleContains(tt.bundle, tt.ca); got != tt.wantContain {
			t.Errorf("%s: BundleContains = %v, want %v", tt.name, got, tt.wantContain)
		}
	}

	dropped, err := BundleWithout(both, rewrap(t, oldCA.certPEM, 64, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := subjectsOf(t, dropped); got != "new" {
		t.Errorf("after dropping old: %s", got)
	}
	if _, err := BundleWithout(dropped, newCA.certPEM); err == nil {
		t.Error("dropping the last CA was allowed")
	}
	if _, err := BundleWithout(both, []byte("x")); err == nil {
		t.Error("garbage CA to drop accepted")
	}
}

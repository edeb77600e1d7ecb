package certs

import (
	"testing"
)

// FuzzParse feeds arbitrary bytes to every parser and to Check in every
// file slot: nothing may panic, and what parses must behave consistently.
func FuzzParse(f *testing.F) {
	ca := mk(f, spec{cn: "CA", ca: true})
	leaf := mk(f, nodeSpec(ca))
	for _, seed := range [][]byte{
		ca.certPEM, leaf.certPEM, leaf.keyPEM, cat(ca.certPEM, leaf.certPEM, leaf.keyPEM),
		leaf.cert.Raw, nil, []byte("-----BEGIN CERTIFICATE-----\n"),
		[]byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAA==\n-----END ENCRYPTED PRIVATE KEY-----\n"),
		[]byte("-----BEGIN EC PRIVATE KEY-----\nMAA=\n-----END EC PRIVATE KEY-----\n"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := ParseCertificates(data)
		if err == nil {
			if len(certs) == 0 {
				t.Fatal("no error and no certificates")
			}
			if eq, err := EqualCertificates(data, data); err != nil || !eq {
				t.Fatalf("parsed data not equal to itself: %v, %v", eq, err)
			}
			b, err := Bundle(data, data)
			if err != nil || !BundleContains(b, data) {
				t.Fatalf("bundle of parsed data: %v", err)
			}
			if fps, err := Fingerprints(data); err != nil || len(fps) != len(certs) {
				t.Fatalf("fingerprints: %v, %v", fps, err)
			}
			for _, c := range certs {
				_ = Describe("f", c, now)
			}
		}
		if key, err := ParsePrivateKey(data); err == nil && key == nil {
			t.Fatal("no error and no key")
		}
		_, _ = EqualKeys(data, data)
		_, _ = LoadCA(data, data)
		d := File{Path: "fuzz.pem", Data: data}
		for _, files := range []NodeFiles{
			{Node: "n", CA: d, ServerCert: d, ServerKey: d, ClientCert: d, ClientKey: d},
			{Node: "n", CA: File{Data: ca.certPEM}, ServerCert: d, ServerKey: File{Data: leaf.keyPEM}},
			{Node: "n", CA: d, ServerCert: File{Data: leaf.certPEM}, ServerKey: d},
		} {
			r := Check(files, CheckOptions{Now: now, WarnWithin: 1 << 50, ExpectNames: []string{"n", "10.0.0.1"}})
			_ = r.String()
		}
	})
}

package certs

import (
	"bytes"
	"errors"
	"fmt"
)

// A CA rotation goes through a dual-trust window: (1) every node trusts a
// bundle of the old and the new CA, (2) node certificates are replaced one
// node at a time, (3) the old CA is dropped. These helpers build and test
// those bundles.

// Bundle concatenates the certificates of every input (each may itself be
// a bundle), drops repeats (same DER), and keeps first-seen order so the
// result is stable. Text outside PEM blocks is not kept.
func Bundle(cas ...[]byte) ([]byte, error) {
	var out bytes.Buffer
	seen := map[string]bool{}
	for i, in := range cas {
		ders, err := certDERs(in)
		if err != nil {
			return nil, fmt.Errorf("bundle input %d: %w", i+1, err)
		}
		for _, der := range ders {
			if seen[string(der)] {
				continue
			}
			seen[string(der)] = true
			out.Write(encodeCert(der))
		}
	}
	return out.Bytes(), nil
}

// BundleContains reports whether every certificate of ca is in bundle;
// false when either cannot be read.
func BundleContains(bundle, ca []byte) bool {
	have, err := certDERs(bundle)
	if err != nil {
		return false
	}
	want, err := certDERs(ca)
	if err != nil {
		return false
	}
	set := map[string]bool{}
	for _, der := range have {
		set[string(der)] = true
	}
	for _, der := range want {
		if !set[string(der)] {
			return false
		}
	}
	return true
}

// BundleWithout returns bundle without the certificates of ca (the last
// step of a rotation). It refuses to return an empty bundle: nodes would
// then trust nothing.
func BundleWithout(bundle, ca []byte) ([]byte, error) {
	have, err := certDERs(bundle)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	drop, err := certDERs(ca)
	if err != nil {
		return nil, fmt.Errorf("CA to drop: %w", err)
	}
	gone := map[string]bool{}
	for _, der := range drop {
		gone[string(der)] = true
	}
	var out bytes.Buffer
	for _, der := range have {
		if !gone[string(der)] {
			out.Write(encodeCert(der))
		}
	}
	if out.Len() == 0 {
		return nil, errors.New("dropping that CA would leave the bundle empty")
	}
	return out.Bytes(), nil
}

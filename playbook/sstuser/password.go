package sstuser

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// nativePlugin stores an unsalted hash: "*" and the upper-case hex of
// SHA1(SHA1(password)), over the password's bytes as the utf8mb4 connection
// sends them (checked against MariaDB 10.11 for a password with a quote, a
// backslash, a newline and 4-byte UTF-8).
const nativePlugin = "mysql_native_password"

func nativeHash(password string) string {
	first := sha1.Sum([]byte(password))
	second := sha1.Sum(first[:])
	return "*" + strings.ToUpper(hex.EncodeToString(second[:]))
}

// passwordMatches compares the password with the stored hash without
// either travelling: InspectSQL asks the server for SHA-256 of the stored
// authentication string, and the same digest is computed here from the
// candidate's hash. Only mysql_native_password hashes are unsalted enough
// for that; MySQL 8's caching_sha2_password (and MariaDB's ed25519) salt
// them, so for those the answer is unknown (nil) and Build sets the
// password again: only a login attempt could tell.
func passwordMatches(c Current, password string) *bool {
	if c.PasswordMatches != nil {
		return c.PasswordMatches
	}
	if !c.Exists || c.Plugin != nativePlugin || c.AuthDigest == "" {
		return nil
	}
	d := sha256.Sum256([]byte(nativeHash(password)))
	m := strings.EqualFold(hex.EncodeToString(d[:]), c.AuthDigest)
	return &m
}

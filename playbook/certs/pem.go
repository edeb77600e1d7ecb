package certs

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// Kinds of parse failure, for errors.Is. The error text says more, but
// never names the file: callers prefix the path, as Check does.
var (
	ErrNotPEM        = errors.New("not PEM")
	ErrNoCertificate = errors.New("no certificate")
	ErrNoPrivateKey  = errors.New("no private key")
	ErrEncryptedKey  = errors.New("encrypted private key")
	ErrBadPEMBlock   = errors.New("unreadable PEM block")
)

type parseError struct {
	kind error
	msg  string
}

func (e *parseError) Error() string { return e.msg }
func (e *parseError) Unwrap() error { return e.kind }

func errorf(kind error, format string, args ...any) error {
	return &parseError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// pemContents sorts a file's PEM blocks by what they hold.
type pemContents struct {
	certs []*pem.Block
	keys  []*pem.Block // every "... PRIVATE KEY" block, encrypted or not
	other []string     // types of the remaining blocks, in file order
}

func (c pemContents) empty() bool { return len(c.certs)+len(c.keys)+len(c.other) == 0 }

// scanPEM reads every PEM block; text around blocks (such as the output of
// `openssl x509 -text` kept above a certificate) is ignored, as OpenSSL does.
func scanPEM(data []byte) (pemContents, error) {
	var c pemContents
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch {
		case b.Type == "CERTIFICATE":
			c.certs = append(c.certs, b)
		case strings.HasSuffix(b.Type, "PRIVATE KEY"):
			c.keys = append(c.keys, b)
		default:
			c.other = append(c.other, b.Type)
		}
	}
	if !c.empty() {
		return c, nil
	}
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return c, errorf(ErrNotPEM, "is empty")
	case bytes.Contains(data, []byte("-----BEGIN")):
		return c, errorf(ErrBadPEMBlock, "has a damaged PEM block (bad base64 or no matching -----END line)")
	case looksDER(data):
		return c, errorf(ErrNotPEM, "is not PEM but looks like binary DER: convert it with `openssl x509 -inform der` (certificates) or `openssl pkey -inform der` (keys)")
	default:
		return c, errorf(ErrNotPEM, "is not PEM: no -----BEGIN ...----- block found")
	}
}

// looksDER: an ASN.1 SEQUENCE with a long-form length, how every DER
// certificate and key starts.
func looksDER(data []byte) bool {
	return len(data) > 4 && data[0] == 0x30 && data[1] >= 0x81 && data[1] <= 0x84
}

// ParseCertificates returns every certificate in pemData, in file order. A
// CA bundle may hold several CAs (the old and the new one during a CA
// rotation); a node certificate file may carry intermediates after the leaf.
func ParseCertificates(pemData []byte) ([]*x509.Certificate, error) {
	c, err := scanPEM(pemData)
	if err != nil {
		return nil, err
	}
	return c.certificates()
}

func (c pemContents) certificates() ([]*x509.Certificate, error) {
	if len(c.certs) == 0 {
		if len(c.keys) > 0 {
			return nil, errorf(ErrNoCertificate, "holds a private key, not a certificate")
		}
		return nil, errorf(ErrNoCertificate, "holds no certificate (found %s)", strings.Join(c.other, ", "))
	}
	out := make([]*x509.Certificate, 0, len(c.certs))
	for i, b := range c.certs {
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, errorf(ErrBadPEMBlock, "certificate %d of %d cannot be parsed: %v", i+1, len(c.certs), err)
		}
		out = append(out, cert)
	}
	return out, nil
}

// ParsePrivateKey reads the one private key in pemData: PKCS#8
// ("PRIVATE KEY"), PKCS#1 RSA ("RSA PRIVATE KEY") or SEC1 EC
// ("EC PRIVATE KEY"). Encrypted keys are refused: the files galeraflow
// installs are read by mariadbd, Galera, the SST script (socat) and the
// mariadb client, and not all of them can be given a passphrase.
func ParsePrivateKey(pemData []byte) (crypto.Signer, error) {
	c, err := scanPEM(pemData)
	if err != nil {
		return nil, err
	}
	return c.privateKey()
}

func (c pemContents) privateKey() (crypto.Signer, error) {
	switch {
	case len(c.keys) == 0 && len(c.certs) > 0:
		return nil, errorf(ErrNoPrivateKey, "holds a certificate, not a private key")
	case len(c.keys) == 0:
		return nil, errorf(ErrNoPrivateKey, "holds no private key (found %s)", strings.Join(c.other, ", "))
	case len(c.keys) > 1:
		return nil, errorf(ErrNoPrivateKey, "holds %d private keys: keep exactly one key per file", len(c.keys))
	}
	b := c.keys[0]
	if b.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED") {
		return nil, errorf(ErrEncryptedKey, "holds an encrypted private key, which MariaDB cannot read here "+
			"(the mariadb client, Galera and the SST script get no passphrase): decrypt it with "+
			"`openssl pkey -in KEY -out KEY.plain` and protect the file with mode 0600 instead")
	}
	key, err := parseKeyBlock(b)
	if err != nil {
		return nil, errorf(ErrBadPEMBlock, "%s block cannot be parsed: %v", b.Type, err)
	}
	return key, nil
}

func parseKeyBlock(b *pem.Block) (crypto.Signer, error) {
	var (
		key any
		err error
	)
	switch b.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(b.Bytes)
	default:
		return nil, fmt.Errorf("unsupported key type %q (want PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)", b.Type)
	}
	if err != nil {
		return nil, err
	}
	switch k := key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		return k.(crypto.Signer), nil
	default:
		return nil, fmt.Errorf("unsupported key algorithm %T", key)
	}
}

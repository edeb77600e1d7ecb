package inventory

import (
	"errors"
	"io/fs"
	"regexp"
	"strings"

	"github.com/galeraflow/galeraflow/inventory/secret"
	"gopkg.in/yaml.v3"
)

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

const inlineSecret = "inline secrets are not allowed: use env:NAME or file:PATH"

// secretRef reads a secret reference (env:NAME or file:PATH; "" means
// none). Messages never quote what was written: it may be a password.
func (d *decoder) secretRef(b block, key string) opt[string] {
	n, o, ok := d.value(b, key)
	if !ok {
		return opt[string]{o: o}
	}
	if n.Kind != yaml.ScalarNode {
		d.rep.errorf(o, "must be a secret reference (env:NAME or file:PATH)")
		return opt[string]{o: o, bad: true}
	}
	if isNull(n) || (n.Tag == "!!str" && n.Value == "") {
		return opt[string]{set: true, o: o}
	}
	if n.Tag != "!!str" {
		d.rep.errorf(o, inlineSecret)
		return opt[string]{o: o, bad: true}
	}
	switch kind, rest, _ := strings.Cut(n.Value, ":"); kind {
	case "env":
		if !envName.MatchString(rest) {
			d.rep.errorf(o, "env: needs a variable name (letters, digits, _), e.g. env:GALERA_SST_PASSWORD")
			return opt[string]{o: o, bad: true}
		}
	case "file":
		if strings.TrimSpace(rest) == "" {
			d.rep.errorf(o, "file: needs a path, e.g. file:secrets/sst.pw")
			return opt[string]{o: o, bad: true}
		}
	default:
		d.rep.errorf(o, inlineSecret)
		return opt[string]{o: o, bad: true}
	}
	return opt[string]{v: n.Value, set: true, o: o}
}

// secret resolves a reference decoded by secretRef. Each distinct
// reference at each place is read once.
func (r *resolver) secret(ref opt[string]) secret.Secret {
	if !ref.set || ref.v == "" {
		return secret.Secret{}
	}
	key := secretKey{ref.v, ref.o}
	if s, ok := r.secrets[key]; ok {
		return s
	}
	s := r.readSecret(ref)
	r.secrets[key] = s
	return s
}

type secretKey struct {
	ref string
	o   origin
}

func (r *resolver) readSecret(ref opt[string]) secret.Secret {
	kind, rest, _ := strings.Cut(ref.v, ":")
	if kind == "env" {
		v, ok := r.opts.LookupEnv(rest)
		switch {
		case !ok:
			r.rep.errorf(ref.o, "environment variable %s is not set", rest)
		case v == "":
			r.rep.errorf(ref.o, "environment variable %s is empty", rest)
		default:
			return secret.New(v, ref.v)
		}
		return secret.Secret{}
	}
	path, ok := r.controllerPath(opt[string]{v: rest, set: true, o: ref.o})
	if !ok {
		return secret.Secret{}
	}
	data, err := r.opts.Files.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		r.rep.errorf(ref.o, "secret file %s does not exist", path)
		return secret.Secret{}
	case errors.Is(err, fs.ErrPermission):
		r.rep.errorf(ref.o, "secret file %s is not readable (permission denied)", path)
		return secret.Secret{}
	case err != nil:
		r.rep.errorf(ref.o, "cannot read secret file %s: %v", path, err)
		return secret.Secret{}
	}
	// The secret is the first line, so a trailing newline (or CRLF from an
	// editor) is not part of the password.
	line, _, _ := strings.Cut(string(data), "\n")
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		r.rep.errorf(ref.o, "secret file %s is empty (the secret is its first line)", path)
		return secret.Secret{}
	}
	if fi, err := r.opts.Files.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		r.rep.warnf(ref.o, "secret file %s can be read by group or others (mode %04o): chmod 600 it", path, fi.Mode().Perm())
	}
	return secret.New(line, ref.v)
}

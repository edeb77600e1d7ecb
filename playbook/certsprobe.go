package playbook

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/galeraflow/galeraflow/remote"
)

// A probe is a TLS client run on a node with openssl s_client: what it
// sees is what a client on the network sees, through bastions and
// firewalls alike, with nothing but openssl needed on the node. The node's
// own certificate and key (as root) serve as the client certificate, so a
// server that demands one (Galera does) completes the handshake, and one
// that distrusts it says so.

// ServedCert is what one probe saw.
type ServedCert struct {
	Addr string `json:"addr"`
	// Serial and Issuer of the certificate the server presented.
	Serial string `json:"serial,omitempty"`
	Issuer string `json:"issuer,omitempty"`
	cert   *x509.Certificate
	// Verified: the server's chain verified against the CA file given.
	Verified bool   `json:"verified"`
	Verify   string `json:"verify,omitempty"`
	// Refused: the server rejected the client certificate (its alert).
	Refused string `json:"refused,omitempty"`
}

// sClientScript runs s_client with the arguments and prints its exit status
// on a last line (s_client fails on a refused handshake, but also exits 0
// after a TLS 1.3 alert, so the output is what counts).
const sClientScript = `command -v openssl >/dev/null 2>&1 || { echo "openssl is not installed on this node: galeraflow needs it to see which certificate a server presents" >&2; exit 127; }
a=$1; shift
if command -v timeout >/dev/null 2>&1; then t="timeout 20"; else t=""; fi
$t openssl s_client -connect "$a" "$@" </dev/null 2>&1
echo "##galeraflow exit $?"`

// probeRequest says what to connect to, from where, with which files.
type probeRequest struct {
	from     *Target
	host     string
	port     int
	starttls string // "mysql" for the server port, "" for Galera's
	caFile   string
	certFile string
	keyFile  string
	// tls12: TLS 1.2 makes a refused client certificate fail the handshake
	// itself (in TLS 1.3 the server's alert comes after it).
	tls12 bool
}

// alertRE finds the alert a server sent ("tlsv1 alert unknown ca").
var alertRE = regexp.MustCompile(`alert ([a-z][a-z ]*[a-z])`)

// probe runs one s_client and reads the served certificate.
func tlsProbe(ctx context.Context, req probeRequest, timeout time.Duration) (ServedCert, error) {
	addr := net.JoinHostPort(req.host, strconv.Itoa(req.port))
	sc := ServedCert{Addr: addr}
	args := []string{addr}
	if req.starttls != "" {
		args = append(args, "-starttls", req.starttls)
	}
	args = append(args, "-CAfile", req.caFile, "-cert", req.certFile, "-key", req.keyFile)
	if req.tls12 {
		args = append(args, "-tls1_2")
	}
	cmd := "sh -c " + remote.ShellQuote(sClientScript) + " sh " + remote.ShellJoin(args...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := req.from.Host.Exec(ctx, cmd, remote.ExecOptions{Sudo: true})
	if err != nil {
		return sc, fmt.Errorf("%s: TLS probe of %s: %w", req.from.Node.Name, addr, err)
	}
	return parseProbe(sc, string(res.Stdout))
}

// parseProbe reads s_client's output: the first certificate block, the
// verify result and any alert.
func parseProbe(sc ServedCert, out string) (ServedCert, error) {
	if i := strings.Index(out, "-----BEGIN CERTIFICATE-----"); i >= 0 {
		if b, _ := pem.Decode([]byte(out[i:])); b != nil {
			if c, err := x509.ParseCertificate(b.Bytes); err == nil {
				sc.cert, sc.Serial, sc.Issuer = c, serialOf(c), c.Issuer.String()
			}
		}
	}
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if v, ok := strings.CutPrefix(l, "Verify return code: "); ok {
			sc.Verify = v
			sc.Verified = strings.HasPrefix(v, "0 ")
		}
		if m := alertRE.FindStringSubmatch(l); m != nil && sc.Refused == "" {
			sc.Refused = m[1]
		}
	}
	if sc.cert == nil {
		detail := lastLines(out, 4)
		if sc.Refused != "" {
			detail = sc.Refused
		}
		return sc, fmt.Errorf("%s presented no certificate: %s", sc.Addr, detail)
	}
	return sc, nil
}

func serialOf(c *x509.Certificate) string {
	s := strings.ToUpper(c.SerialNumber.Text(16))
	if len(s)%2 == 1 {
		s = "0" + s
	}
	return s
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// galeraPort reads the port of gmcast.listen_addr from the running
// wsrep_provider_options (default 4567).
func galeraPort(providerOptions string) int {
	for _, item := range strings.Split(providerOptions, ";") {
		k, v, ok := strings.Cut(item, "=")
		if !ok || strings.TrimSpace(k) != "gmcast.listen_addr" {
			continue
		}
		v = strings.TrimSpace(v)
		if i := strings.LastIndex(v, ":"); i >= 0 {
			if p, err := strconv.Atoi(v[i+1:]); err == nil && p > 0 {
				return p
			}
		}
	}
	return 4567
}

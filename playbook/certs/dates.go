package certs

import (
	"crypto/x509"
	"fmt"
	"time"
)

const day = 24 * time.Hour

// checkDates reports a certificate that is not valid now (with sev) or
// expires within the warning window (always a Warning). advice ends the
// expiry message.
func (c *checker) checkDates(file, label string, cert *x509.Certificate, sev Severity, advice string) {
	now := c.opts.Now
	switch {
	case now.Before(cert.NotBefore):
		c.add(sev, file, "%s is not valid yet: valid from %s, %s; check the clock of this machine and of the nodes, or reissue it",
			label, cert.NotBefore.UTC().Format(time.DateTime+" MST"), inDays(cert.NotBefore.Sub(now)))
	case now.After(cert.NotAfter):
		c.add(sev, file, "%s expired on %s, %s ago; %s",
			label, cert.NotAfter.UTC().Format(time.DateOnly), days(now.Sub(cert.NotAfter)), advice)
	case c.opts.WarnWithin > 0 && cert.NotAfter.Sub(now) <= c.opts.WarnWithin:
		c.add(Warning, file, "%s expires on %s, %s (warning window: %s); plan its renewal",
			label, cert.NotAfter.UTC().Format(time.DateOnly), inDays(cert.NotAfter.Sub(now)), days(c.opts.WarnWithin))
	}
}

// days says a positive duration in whole days, rounding down.
func days(d time.Duration) string {
	n := wholeDays(d)
	switch n {
	case 0:
		return "less than a day"
	case 1:
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

func inDays(d time.Duration) string { return "in " + days(d) }

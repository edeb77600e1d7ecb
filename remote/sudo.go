package remote

import (
	"fmt"
	"strings"
)

// sudoError explains why sudo did not run the command.
func sudoError(node, user, desc string, status int, msg string, prompts int, password bool) error {
	var hint string
	low := strings.ToLower(msg)
	switch {
	case password && prompts >= 2 || strings.Contains(low, "incorrect password"):
		hint = fmt.Sprintf("sudo rejected the password configured for %s; check the sudo password", user)
	case strings.Contains(low, "password is required") || strings.Contains(low, "terminal is required"):
		hint = fmt.Sprintf("sudo needs a password for %s: configure the sudo password, or allow NOPASSWD in sudoers", user)
	case strings.Contains(low, "not in the sudoers") || strings.Contains(low, "may not run sudo") || strings.Contains(low, "not allowed to"):
		hint = fmt.Sprintf("%s may not use sudo here: add it to sudoers, or log in as root", user)
	case strings.Contains(low, "command not found") || status == 127:
		hint = "sudo is not installed on the node: install it, or log in as root"
	case password && prompts == 1 && msg == "":
		hint = "sudo did not accept the password"
	default:
		hint = fmt.Sprintf("sudo exited with status %d", status)
	}
	if msg != "" {
		hint += " (sudo said: " + firstLines(msg, 3) + ")"
	}
	return fmt.Errorf("%s: %s: %w: %s", node, desc, ErrSudo, hint)
}

func firstLines(s string, n int) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " / ")
}

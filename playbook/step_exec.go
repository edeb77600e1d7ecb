package playbook

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/galeraflow/galeraflow/remote"
)

// Exec runs a shell command on every node, or on the first one (a user
// playbook's `exec:` step):
//
//	exec: {command: "systemctl reload rsyslog", sudo: true, once: false, creates: /path, timeout: 30s}
//
// galeraflow cannot know what a command changes, so it always plans (and
// reports) a change, unless `creates:` names a node path that already
// exists: then the command is skipped there, as Ansible's `creates` does.
// {node} in command and creates is the node's name. The command is shown
// in plans, logs and errors: never put a secret in it. A non-zero exit
// status fails the step, with the command's stderr.
type Exec struct {
	Command string
	Sudo    bool
	// Once runs the command on the inventory's first node only.
	Once bool
	// Creates: skip the command where this node path exists.
	Creates string
	// Timeout bounds the command; 0 means the inventory's command timeout.
	Timeout time.Duration
}

func (Exec) Name() string { return "exec" }

func (s Exec) Scope() Scope {
	if s.Once {
		return Once
	}
	return PerNode
}

// execPlan is the command to run and where.
type execPlan struct {
	target  *Target
	command string
}

func (s Exec) Plan(ctx context.Context, run *Run, t *Target) (*Change, error) {
	if t == nil { // once: the first node
		if len(run.Targets) == 0 {
			return nil, fmt.Errorf("no node to run on")
		}
		t = run.Targets[0]
	}
	cmd := expandNode(s.Command, t.Node.Name)
	c := &Change{Data: &execPlan{target: t, command: cmd}, Changed: true, Summary: "run: " + shortCommand(cmd)}
	if s.Once {
		c.Summary = "run on " + t.Node.Name + ": " + shortCommand(cmd)
	}
	if s.Creates != "" {
		p := expandNode(s.Creates, t.Node.Name)
		exists, err := pathExists(ctx, t.Host, p, s.Sudo, s.timeout(run))
		if err != nil {
			return nil, err
		}
		if exists {
			c.Changed = false
			c.Summary = "skipped: " + p + " exists"
		}
	}
	return c, nil
}

func (s Exec) Apply(ctx context.Context, run *Run, _ *Target, c *Change) error {
	p := c.Data.(*execPlan)
	res, err := p.target.Host.Exec(ctx, p.command, remote.ExecOptions{Sudo: s.Sudo, Timeout: s.timeout(run)})
	if err != nil {
		return err // an ExitError names the node, command, status and stderr
	}
	p.target.Log.Debug("command ran", "step", s.Name(), "cmd", shortCommand(p.command),
		"stdout", shortCommand(strings.TrimSpace(string(res.Stdout))))
	return nil
}

func (s Exec) timeout(run *Run) time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return run.Inv.Timeouts.Command
}

// pathExists tests a node path with `test -e` (exit 1: missing).
func pathExists(ctx context.Context, h remote.Host, p string, sudo bool, timeout time.Duration) (bool, error) {
	_, err := h.Exec(ctx, "test -e "+remote.ShellQuote(p), remote.ExecOptions{Sudo: sudo, Timeout: timeout})
	var ee *remote.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &ee) && ee.Status == 1:
		return false, nil
	}
	return false, fmt.Errorf("check %s: %w", p, err)
}

// shortCommand is a command as plans show it: one line, bounded.
func shortCommand(cmd string) string {
	cmd = strings.Join(strings.Fields(cmd), " ")
	if len(cmd) > 120 {
		cmd = cmd[:117] + "..."
	}
	return cmd
}

// parseExec reads an `exec:` step's options.
func parseExec(opts *yaml.Node) (Step, error) {
	var spec struct {
		Command string `yaml:"command"`
		Sudo    bool   `yaml:"sudo"`
		Once    bool   `yaml:"once"`
		Creates string `yaml:"creates"`
		Timeout string `yaml:"timeout"`
	}
	if opts == nil {
		return nil, fmt.Errorf("needs `command:`")
	}
	if err := decodeStrict(opts, &spec); err != nil {
		return nil, err
	}
	if strings.TrimSpace(spec.Command) == "" {
		return nil, fmt.Errorf("needs `command:`")
	}
	s := Exec{Command: spec.Command, Sudo: spec.Sudo, Once: spec.Once, Creates: spec.Creates}
	if s.Creates != "" && !path.IsAbs(s.Creates) {
		return nil, fmt.Errorf("creates %q must be an absolute path on the node", s.Creates)
	}
	if spec.Timeout != "" {
		d, err := time.ParseDuration(spec.Timeout)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("timeout %q: want a positive duration such as 30s", spec.Timeout)
		}
		s.Timeout = d
	}
	return s, nil
}

package remotetest

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// session serves one session channel: an exec request or the sftp subsystem.
func (s *Server) session(user string, ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	var (
		mu      sync.Mutex
		proc    *os.Process
		started bool
	)
	exited := make(chan struct{})
	for req := range reqs {
		switch req.Type {
		case "exec", "subsystem":
			var p struct{ Value string }
			if started || ssh.Unmarshal(req.Payload, &p) != nil {
				req.Reply(false, nil)
				continue
			}
			if req.Type == "subsystem" && p.Value != "sftp" {
				req.Reply(false, nil)
				continue
			}
			started = true
			req.Reply(true, nil)
			if req.Type == "subsystem" {
				go func() {
					defer close(exited)
					s.serveSFTP(user, ch)
					ch.Close()
				}()
				continue
			}
			cmd := s.command(user, p.Value)
			go func() {
				defer close(exited)
				s.runCommand(ch, cmd, func(p *os.Process) {
					mu.Lock()
					proc = p
					mu.Unlock()
				})
				mu.Lock()
				proc = nil
				mu.Unlock()
				ch.Close()
			}()
		case "signal":
			// Like OpenSSH: honoured only for non-root logins (root
			// sessions run without privilege separation, which sshd needs
			// for signalling).
			var p struct{ Signal string }
			if user != "root" && ssh.Unmarshal(req.Payload, &p) == nil {
				mu.Lock()
				if proc != nil {
					if sig, ok := signals[p.Signal]; ok {
						syscall.Kill(-proc.Pid, sig)
					}
				}
				mu.Unlock()
			}
			if req.WantReply {
				req.Reply(true, nil)
			}
		case "env", "pty-req":
			if req.WantReply {
				req.Reply(req.Type == "env", nil)
			}
		default:
			if req.WantReply {
				req.Reply(false, nil)
			}
		}
	}
	// The client closed the channel. Like sshd, leave a running command
	// alone (Server.Close kills what is left).
	if started {
		<-exited
	}
}

var signals = map[string]syscall.Signal{
	"HUP": syscall.SIGHUP, "INT": syscall.SIGINT, "QUIT": syscall.SIGQUIT,
	"KILL": syscall.SIGKILL, "TERM": syscall.SIGTERM, "USR1": syscall.SIGUSR1,
	"USR2": syscall.SIGUSR2, "ALRM": syscall.SIGALRM, "PIPE": syscall.SIGPIPE,
}

// command prepares `sh -c command` as the user would get it from sshd.
func (s *Server) command(user, command string) *exec.Cmd {
	home := s.Home(user)
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.Dir = home
	cmd.Env = []string{
		"PATH=" + s.bin + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=" + home,
		"USER=" + user,
		"LOGNAME=" + user,
		"SHELL=/bin/sh",
		"LC_ALL=C",
		"REMOTETEST_ROOT=" + s.root,
	}
	// Own process group, so a signal or a closed channel stops the whole tree.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

func (s *Server) runCommand(ch ssh.Channel, cmd *exec.Cmd, setProc func(*os.Process)) {
	cmd.Stdout = ch
	cmd.Stderr = ch.Stderr()
	stdin, err := cmd.StdinPipe()
	if err == nil {
		s.mu.Lock()
		if s.closed {
			err = errors.New("server closed")
		} else {
			err = cmd.Start()
			if err == nil {
				s.procs[cmd.Process] = true
			}
		}
		s.mu.Unlock()
	}
	if err != nil {
		io.WriteString(ch.Stderr(), "remotetest: "+err.Error()+"\n")
		sendExitStatus(ch, 127)
		return
	}
	setProc(cmd.Process)
	// Not waited for: a command that never reads stdin must still finish.
	go func() {
		io.Copy(stdin, ch)
		stdin.Close()
	}()
	err = cmd.Wait()
	s.mu.Lock()
	delete(s.procs, cmd.Process)
	s.mu.Unlock()
	var ee *exec.ExitError
	switch {
	case err == nil:
		sendExitStatus(ch, 0)
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			sendExitSignal(ch, ws.Signal())
		} else {
			sendExitStatus(ch, ee.ExitCode())
		}
	default:
		sendExitStatus(ch, 255)
	}
	ch.CloseWrite()
}

func sendExitStatus(ch ssh.Channel, code int) {
	ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(code)}))
}

func sendExitSignal(ch ssh.Channel, sig syscall.Signal) {
	name := "KILL"
	for n, s := range signals {
		if s == sig {
			name = n
		}
	}
	ch.SendRequest("exit-signal", false, ssh.Marshal(struct {
		Signal     string
		CoreDumped bool
		Error      string
		Lang       string
	}{Signal: name}))
}

func killGroup(p *os.Process) {
	syscall.Kill(-p.Pid, syscall.SIGKILL)
}

func (s *Server) serveSFTP(user string, ch ssh.Channel) {
	srv, err := sftp.NewServer(ch, sftp.WithServerWorkingDirectory(s.Home(user)))
	if err != nil {
		return
	}
	srv.Serve() // ends when the client closes the session
	srv.Close()
}

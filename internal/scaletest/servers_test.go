package scaletest

import (
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// server is a private nats-server or redis-server on a free loopback
// port, restartable on the same port and data.
type server struct {
	t    testing.TB
	name string
	bin  string
	args []string
	addr string
	log  string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// findBinary finds a server binary on PATH or in /usr/sbin; the test fails
// without it (.ci/run and scripts/services.sh install both).
func findBinary(t testing.TB, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin", "/usr/local/bin"} {
		if _, err := os.Stat(dir + "/" + name); err == nil {
			return dir + "/" + name
		}
	}
	t.Fatalf("%s not installed (scripts/services.sh installs it)", name)
	return ""
}

// privateNATS starts a nats-server with JetStream on storeDir (a fresh one
// when "").
func privateNATS(t testing.TB, storeDir string) *server {
	t.Helper()
	if storeDir == "" {
		storeDir = t.TempDir()
	}
	addr := freeAddr(t)
	host, port, _ := net.SplitHostPort(addr)
	s := &server{t: t, name: "nats-server", bin: findBinary(t, "nats-server"), addr: addr,
		args: []string{"-js", "-a", host, "-p", port, "-sd", storeDir}}
	s.start()
	return s
}

// privateRedis starts a redis-server with no persistence: a restart is
// also a flush.
func privateRedis(t testing.TB) *server {
	t.Helper()
	addr := freeAddr(t)
	host, port, _ := net.SplitHostPort(addr)
	s := &server{t: t, name: "redis-server", bin: findBinary(t, "redis-server"), addr: addr,
		args: []string{"--bind", host, "--port", port, "--save", "", "--appendonly", "no", "--daemonize", "no"}}
	s.start()
	return s
}

func (s *server) url() string {
	if s.name == "redis-server" {
		return "redis://" + s.addr + "/0"
	}
	return "nats://" + s.addr
}

func (s *server) start() {
	s.t.Helper()
	if s.log == "" {
		s.log = s.t.TempDir() + "/" + s.name + ".log"
		s.t.Cleanup(func() {
			s.stop()
			if s.t.Failed() {
				data, _ := os.ReadFile(s.log)
				lines := strings.Split(strings.TrimSpace(string(data)), "\n")
				if len(lines) > 20 {
					lines = lines[len(lines)-20:]
				}
				s.t.Logf("---- last lines of %s ----\n%s", s.name, strings.Join(lines, "\n"))
			}
		})
	}
	f, err := os.OpenFile(s.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(s.bin, s.args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("starting %s: %v", s.name, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); f.Close(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s not answering on %s", s.name, s.addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the server (SIGTERM; SIGKILL after 10 s).
func (s *server) stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
	}
}

// restart stops the server, waits down, and starts it again.
func (s *server) restart(down time.Duration) {
	s.stop()
	time.Sleep(down)
	s.start()
}

package scaletest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/sink/notify"
)

// binary is the handlewatch binary TestMain built for this run.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hw-scaletest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "handlewatch")
	build := exec.Command("go", "build", "-o", binary, "github.com/handlewatch/handlewatch/cmd/handlewatch")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building handlewatch:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is one handlewatch process.
type proc struct {
	t    testing.TB
	name string
	args []string
	env  []string
	log  string

	mu    sync.Mutex
	cmd   *exec.Cmd
	done  chan struct{}
	kills int // how many times kill9 killed it
}

// start runs `handlewatch args...` with env added, logging to a file in the
// test's directory (printed when the test fails).
func start(t testing.TB, name string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: name, args: args, env: env, log: filepath.Join(t.TempDir(), name+".log")}
	p.run()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			data, _ := os.ReadFile(p.log)
			lines := strings.Split(strings.TrimSpace(string(data)), "\n")
			if len(lines) > 40 {
				lines = lines[len(lines)-40:]
			}
			t.Logf("---- last lines of %s ----\n%s", p.name, strings.Join(lines, "\n"))
		}
	})
	return p
}

func (p *proc) run() {
	p.t.Helper()
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		p.t.Fatal(err)
	}
	cmd := exec.Command(binary, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		p.t.Fatalf("starting %s: %v", p.name, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); f.Close(); close(done) }()
	p.mu.Lock()
	p.cmd, p.done = cmd, done
	p.mu.Unlock()
}

// kill9 kills the process with SIGKILL and waits for it: nothing is
// flushed, acked or released.
func (p *proc) kill9() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	if cmd != nil {
		p.kills++
	}
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-done
}

// restart starts the process again with the same arguments.
func (p *proc) restart() { p.run() }

// stop ends the process gracefully (SIGTERM), or kills it after 20 s.
func (p *proc) stop() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
	}
}

// logContains reports whether the process's log has a line with s.
func (p *proc) logContains(s string) bool {
	f, err := os.Open(p.log)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), s) {
			return true
		}
	}
	return false
}

// freeAddr is a loopback address nothing listens on right now.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitUntil(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// receiver is a webhook endpoint that verifies signatures and counts what
// it accepted per case and level; it can fail some or all requests.
type receiver struct {
	*httptest.Server
	secret []byte

	mu       sync.Mutex
	attempts int
	bad      int
	levels   map[string]map[string]int // case → level → deliveries accepted
	keys     map[string]bool           // Idempotency-Keys accepted
	resent   int                       // deliveries of a key accepted before
	failEven bool                      // fail every other request (50 %)
	down     bool                      // fail every request
}

const hookSecret = "scaletest-webhook-secret"

func newReceiver(t testing.TB) *receiver {
	r := &receiver{secret: []byte(hookSecret), levels: map[string]map[string]int{}, keys: map[string]bool{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts++
	if r.down || (r.failEven && r.attempts%2 == 0) {
		http.Error(w, "receiver failing on purpose", http.StatusServiceUnavailable)
		return
	}
	if notify.Verify(r.secret, req.Header.Get(notify.HeaderSignature), req.Header.Get(notify.HeaderTimestamp), body, time.Now(), 5*time.Minute) != nil {
		r.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var p notify.WebhookPayload
	if err := json.Unmarshal(body, &p); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// As the webhook contract asks of a target: a delivery whose
	// Idempotency-Key was accepted before is acknowledged, not acted on
	// again (a sink killed after sending, before recording, sends again).
	if key := req.Header.Get(notify.HeaderIdempotency); key != "" {
		if r.keys[key] {
			r.resent++
			w.WriteHeader(http.StatusNoContent)
			return
		}
		r.keys[key] = true
	}
	for _, a := range p.Alerts {
		if r.levels[a.CaseID] == nil {
			r.levels[a.CaseID] = map[string]int{}
		}
		for _, l := range a.Levels {
			r.levels[a.CaseID][l]++
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) setMode(failEven, down bool) {
	r.mu.Lock()
	r.failEven, r.down = failEven, down
	r.mu.Unlock()
}

// newCases counts the cases whose "new" alert was accepted, and lists
// those accepted more than once.
func (r *receiver) newCases() (n int, twice []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, lv := range r.levels {
		if lv["new"] > 0 {
			n++
		}
		if lv["new"] > 1 {
			twice = append(twice, fmt.Sprintf("%s×%d", id, lv["new"]))
		}
	}
	return n, twice
}

// resentCount is how many deliveries repeated an accepted key.
func (r *receiver) resentCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.resent
}

func (r *receiver) attemptCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attempts
}

func (r *receiver) badSignatures() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bad
}

// scrape reads one metric family's total from a process's /metrics.
func scrape(addr, metric string) (float64, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var total float64
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, metric) || (len(line) > len(metric) && line[len(metric)] != ' ' && line[len(metric)] != '{') {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &v); err == nil {
			total += v
		}
	}
	return total, sc.Err()
}

// ready reports whether a process's /readyz answers 200.
func ready(addr string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/readyz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

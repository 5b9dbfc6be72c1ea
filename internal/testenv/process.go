package testenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// process is a server started in its own process group, its output going to
// a log file. Stop kills the whole group, so helper processes (kc.sh's java,
// npm's node) go too.
type process struct {
	name    string
	logFile string
	cmd     *exec.Cmd
	log     *os.File

	mu     sync.Mutex
	done   chan struct{}
	err    error // exit status, valid once done is closed
	exited bool
}

// startProcess starts cmd in a new process group with stdout and stderr
// written to logFile. It does not wait for readiness.
//
// Unless detached, the child also gets SIGKILL when this program dies
// (Linux parent-death signal), so a test binary that panics or is killed by
// `go test -timeout` leaves nothing behind. Detached children (the CLI's
// `testenv up`) start a new session and outlive this program.
func startProcess(name string, cmd *exec.Cmd, logFile string, detached bool) (*process, error) {
	if err := os.MkdirAll(filepath.Dir(logFile), 0o755); err != nil {
		return nil, fmt.Errorf("%s: create log directory: %w", name, err)
	}
	f, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: open log file: %w", name, err)
	}
	cmd.Stdout = f
	cmd.Stderr = f
	cmd.Stdin = nil
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	if detached {
		cmd.SysProcAttr.Setsid = true
	} else {
		cmd.SysProcAttr.Setpgid = true
		setParentDeathSignal(cmd.SysProcAttr)
	}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: start %s: %w (log: %s)", name, cmd.Path, err, logFile)
	}
	registerPID(cmd.Process.Pid)
	p := &process{name: name, logFile: logFile, cmd: cmd, log: f, done: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.err = err
		p.exited = true
		p.mu.Unlock()
		close(p.done)
	}()
	return p, nil
}

// stopOnce stops *p and forgets it, so a server's Stop is safe to call
// again (and on a server that never started).
func stopOnce(p **process, grace time.Duration) error {
	if *p == nil {
		return nil
	}
	err := (*p).stop(grace)
	*p = nil
	return err
}

// Pid is the process (and process group) id.
func (p *process) Pid() int { return p.cmd.Process.Pid }

// exitErr reports whether the process has exited, and how.
func (p *process) exitErr() (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exited, p.err
}

// stop sends SIGTERM to the process group, waits up to grace, then SIGKILLs
// the group. Safe to call more than once.
func (p *process) stop(grace time.Duration) error {
	if p == nil {
		return nil
	}
	pid := p.cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
	}
	// Kill the group even after the leader exited: children may linger.
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
	}
	unregisterPID(pid)
	p.log.Close()
	if !groupGone(pid) {
		return fmt.Errorf("%s: process group %d still alive after SIGKILL", p.name, pid)
	}
	return nil
}

// processAlive reports whether a process with this pid exists.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// groupGone reports whether no process of group pgid is left, waiting briefly.
func groupGone(pgid int) bool {
	for i := 0; i < 50; i++ {
		if err := syscall.Kill(-pgid, 0); errors.Is(err, syscall.ESRCH) {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// Registry of live process groups, so KillAll can clean up after a panic or a
// signal even when the caller lost its handles.
var (
	pidsMu sync.Mutex
	pids   = map[int]struct{}{}
)

func registerPID(pid int) {
	pidsMu.Lock()
	pids[pid] = struct{}{}
	pidsMu.Unlock()
}

func unregisterPID(pid int) {
	pidsMu.Lock()
	delete(pids, pid)
	pidsMu.Unlock()
}

// KillAll SIGKILLs every process group this package started and that has not
// been stopped yet. It is a last resort for signal handlers and panics;
// prefer the servers' Stop methods.
func KillAll() {
	pidsMu.Lock()
	defer pidsMu.Unlock()
	for pid := range pids {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		delete(pids, pid)
	}
}

// logTail returns the last n lines of a log file, for error messages.
func logTail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	const max = 64 << 10
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	off := st.Size() - max
	if off < 0 {
		off = 0
	}
	b, err := io.ReadAll(io.NewSectionReader(f, off, st.Size()-off))
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// startError builds an error that names the server, its log file, a hint and
// the tail of the log.
func startError(server, logFile, hint string, err error) error {
	msg := fmt.Sprintf("%s: %v", server, err)
	if logFile != "" {
		msg += "\n  log file: " + logFile
	}
	if hint != "" {
		msg += "\n  what to do: " + hint
	}
	if tail := logTail(logFile, 30); tail != "" {
		msg += "\n  last lines of the log:\n    " + strings.ReplaceAll(tail, "\n", "\n    ")
	}
	return errors.New(msg)
}

// FreePort asks the kernel for a free TCP port on 127.0.0.1.
func FreePort(ctx context.Context) (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// freePorts returns n distinct free ports.
func freePorts(ctx context.Context, n int) ([]int, error) {
	var lc net.ListenConfig
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var out []int
	for i := 0; i < n; i++ {
		l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	return out, nil
}

// checkPortFree fails when something already listens on the port (on any of
// the loopback names or the wildcard address).
func checkPortFree(ctx context.Context, server string, port int) error {
	var lc net.ListenConfig
	for _, host := range []string{"127.0.0.1", "0.0.0.0"} {
		l, err := lc.Listen(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return fmt.Errorf("%s: port %d is already in use (%w); stop whatever listens there (`ss -ltnp 'sport = :%d'`) or choose another port", server, port, err, port)
		}
		l.Close()
	}
	return nil
}

// waitReady polls url until it answers 200 OK, the process exits, or the
// timeout / context ends.
func waitReady(ctx context.Context, p *process, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 5 * time.Second}
	var last string
	for {
		if exited, err := p.exitErr(); exited {
			if err == nil {
				return errors.New("exited before it was ready (exit status 0)")
			}
			return fmt.Errorf("exited before it was ready (%w)", err)
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			// Drain so the connection can be reused; a failed read only
			// costs that, and the status code is already known.
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("last answer: HTTP %d", resp.StatusCode)
		} else {
			last = "last error: " + err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready after %s waiting for %s (%s)", timeout, url, last)
		case <-p.done:
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// launchSpec is one server start: the command, where its output goes, and
// the URLs that must answer 200 OK, in order, before the server counts as ready.
type launchSpec struct {
	server    string
	cmd       *exec.Cmd
	logFile   string
	detach    bool
	startHint string // what to do when the process cannot be started
	ready     []readyCheck
	timeout   time.Duration // for each readiness URL
}

// readyCheck is a URL that must answer 200 OK, and what to do when it does not.
type readyCheck struct{ url, hint string }

// launch starts s.cmd and waits for every readiness URL. When start-up
// fails it stops the process again and returns an error with the log's tail.
func launch(ctx context.Context, s launchSpec) (*process, error) {
	proc, err := startProcess(s.server, s.cmd, s.logFile, s.detach)
	if err != nil {
		return nil, startError(s.server, s.logFile, s.startHint, err)
	}
	for _, r := range s.ready {
		if err := waitReady(ctx, proc, r.url, s.timeout); err != nil {
			_ = proc.stop(5 * time.Second) // best effort: the start-up error below is the one to report
			return nil, startError(s.server, s.logFile, r.hint, err)
		}
	}
	return proc, nil
}

// choosePorts fills each port left 0 with a distinct free port and checks
// that each port given is free. labels name the ports in errors, in order.
func choosePorts(ctx context.Context, labels []string, ports ...*int) error {
	free, err := freePorts(ctx, 2*len(ports))
	if err != nil {
		return fmt.Errorf("%s: pick free ports: %w", labels[0], err)
	}
	taken := map[int]bool{}
	for i, p := range ports {
		if *p != 0 {
			if err := checkPortFree(ctx, labels[i], *p); err != nil {
				return err
			}
			taken[*p] = true
		}
	}
	for _, p := range ports {
		for *p == 0 {
			if len(free) == 0 {
				return fmt.Errorf("%s: no free port left", labels[0])
			}
			if !taken[free[0]] {
				*p = free[0]
				taken[*p] = true
			}
			free = free[1:]
		}
	}
	return nil
}

// logDirOrDefault is dir, or the cache's log directory when dir is "".
func logDirOrDefault(dir string) string {
	if dir == "" {
		return filepath.Join(CacheDir(), "logs")
	}
	return dir
}

// durationFromEnv reads a duration (Go syntax or whole seconds) from env.
func durationFromEnv(name string, def time.Duration) time.Duration {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return def
	}
	if d, err := time.ParseDuration(v); err == nil {
		return d
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Second
	}
	return def
}

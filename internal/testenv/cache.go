package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
)

// CacheDir is where slow things are kept between runs: the Keycloak
// distribution, built binaries, node_modules, and the CLI's run/ folder.
// $MCP_CACHE_DIR, else $HOME/.cache/terraform-provider-mcp.
func CacheDir() string {
	if d := os.Getenv("MCP_CACHE_DIR"); d != "" {
		return d
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return filepath.Join(home, ".cache", "terraform-provider-mcp")
	}
	return filepath.Join(os.TempDir(), "terraform-provider-mcp-cache")
}

// withLock runs fn while holding an exclusive flock on CacheDir()/locks/name,
// so parallel test binaries do not unpack or build the same thing twice.
func withLock(ctx context.Context, name string, fn func() error) error {
	dir := filepath.Join(CacheDir(), "locks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, name+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	locked := make(chan error, 1)
	go func() { locked <- syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }()
	select {
	case err := <-locked:
		if err != nil {
			return fmt.Errorf("lock %s: %w", f.Name(), err)
		}
	case <-ctx.Done():
		// The goroutine keeps waiting; closing the file releases it.
		return ctx.Err()
	}
	defer func() {
		// An unlock failure leaves nothing to do: closing f (deferred
		// above, so it runs next) releases the lock anyway.
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	}()
	return fn()
}

// fileExists reports whether path exists and is a regular file.
func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// runLogged runs cmd to completion with its output appended to logFile.
func runLogged(cmd *exec.Cmd, logFile string) error {
	if err := os.MkdirAll(filepath.Dir(logFile), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(f, "$ (cd %s && %v)\n", cmd.Dir, cmd.Args)
	cmd.Stdout = f
	cmd.Stderr = f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A test binary killed mid-build (go test -timeout) must not leave the
	// build running: an orphaned build would write the same output file as
	// the next run's.
	setParentDeathSignal(cmd.SysProcAttr)
	// Kill the whole group if the context is cancelled.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd.Run()
}

// SourceDir returns the directory of this package's source files
// (internal/testenv), needed to build the MCP server and to find the
// oidc-provider script. $MCP_TESTENV_SRC overrides it; otherwise the path
// recorded at compile time is used, then a search upwards from the working
// directory for internal/testenv.
func SourceDir() (string, error) {
	if d := os.Getenv("MCP_TESTENV_SRC"); d != "" {
		return d, nil
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		d := filepath.Dir(file)
		if fileExists(filepath.Join(d, realmFileName)) {
			return d, nil
		}
	}
	wd, err := os.Getwd()
	if err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			c := filepath.Join(d, "internal", "testenv")
			if fileExists(filepath.Join(c, realmFileName)) {
				return c, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", fmt.Errorf("cannot find the internal/testenv source directory; run from the repository or set MCP_TESTENV_SRC")
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Environment of the provider wrapper: the benchmark copies its own binary
// into the dev_overrides directory as terraform-provider-mcp; Terraform
// starts it with its environment, and it runs the real provider as a child,
// passing stdin/stdout/stderr through (the plugin handshake goes to
// Terraform unchanged), then appends the child's rusage to a file.
const (
	envWrapProvider = "BENCHSCALE_PROVIDER_BIN"
	envRusageFile   = "BENCHSCALE_RUSAGE_FILE"
)

// usage is one provider process's resource use.
type usage struct {
	Pid     int     `json:"pid"`
	CPUms   float64 `json:"cpu_ms"`
	UserMs  float64 `json:"user_ms"`
	SysMs   float64 `json:"sys_ms"`
	MaxRSSk int64   `json:"max_rss_kib"`
	WallMs  float64 `json:"wall_ms"`
	Exit    int     `json:"exit"`
}

// runWrapped is main when the binary runs as the provider wrapper.
func runWrapped(target string) {
	t0 := time.Now()
	cmd := exec.CommandContext(context.Background(), target, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err := cmd.Run()
	code := 0
	if err != nil {
		code = 1
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
	}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			u := usage{
				Pid:     cmd.ProcessState.Pid(),
				UserMs:  float64(time.Duration(ru.Utime.Nano())) / 1e6,
				SysMs:   float64(time.Duration(ru.Stime.Nano())) / 1e6,
				MaxRSSk: ru.Maxrss,
				WallMs:  float64(time.Since(t0)) / 1e6,
				Exit:    code,
			}
			u.CPUms = u.UserMs + u.SysMs
			if f := os.Getenv(envRusageFile); f != "" {
				if fh, err := os.OpenFile(f, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
					b, _ := json.Marshal(u)
					_, _ = fh.Write(append(b, '\n'))
					_ = fh.Close()
				}
			}
		}
	}
	os.Exit(code)
}

//go:build linux

package main

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup starts cmd in a process group of its own, killed whole when
// its context ends (a scenario's timeout, an interrupt), and killed when this
// program dies: the suite starts the client, which starts the CLI, which
// starts the provider, and a kill of the suite alone would orphan them.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}

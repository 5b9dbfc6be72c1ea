package testenv

import "syscall"

// setParentDeathSignal makes the kernel SIGKILL the child when the thread
// that started it exits, which for a Go program means when it dies.
func setParentDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }

//go:build !linux

package testenv

import "syscall"

// setParentDeathSignal is Linux-only; elsewhere callers must rely on Stop,
// Env.Stop and KillAll.
func setParentDeathSignal(*syscall.SysProcAttr) {}

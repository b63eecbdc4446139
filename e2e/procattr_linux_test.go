package e2e_test

import "syscall"

// procAttr makes the kernel kill a started otc process when the test binary
// dies (a test timeout, a crash), so that no node outlives its test and keeps
// its ports.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

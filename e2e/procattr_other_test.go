//go:build !linux

package e2e_test

import "syscall"

// procAttr: outside Linux there is no parent-death signal; the tests'
// cleanups kill what they started.
func procAttr() *syscall.SysProcAttr { return nil }

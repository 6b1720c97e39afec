//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
	"time"
)

// usage reads the CPU time and peak RSS of a finished process from its
// rusage.
func usage(ps *os.ProcessState) measurement {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return measurement{}
	}
	return measurement{
		cpu:    time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		maxRSS: maxRSS(ru),
	}
}

// selfMaxRSS is the benchmark's own peak RSS.
func selfMaxRSS() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return maxRSS(&ru)
}

// maxRSS is ru_maxrss in bytes: it is in KiB, except on macOS.
func maxRSS(ru *syscall.Rusage) int64 {
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss)
	}
	return int64(ru.Maxrss) << 10
}

// syncDisks writes dirty pages out, so that a measurement that writes
// files does not pay for the writes of the one before.
func syncDisks() { syscall.Sync() }

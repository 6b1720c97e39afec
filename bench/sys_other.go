//go:build !unix

package main

import "os"

// usage reads the CPU time of a finished process; its peak RSS is not
// known on this system.
func usage(ps *os.ProcessState) measurement {
	return measurement{cpu: ps.UserTime() + ps.SystemTime()}
}

// selfMaxRSS is the benchmark's own peak RSS, not known on this system.
func selfMaxRSS() int64 { return 0 }

// syncDisks does nothing on this system.
func syncDisks() {}

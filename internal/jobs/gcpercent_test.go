package jobs

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestLowerGCPercent checks that Prepares running at once lower the
// collector's target once, that the last one puts it back, and that a
// lower target (GOGC=5) and a memory limit leave it alone.
func TestLowerGCPercent(t *testing.T) {
	gcPercent := func() int {
		p := debug.SetGCPercent(0)
		debug.SetGCPercent(p)
		return p
	}
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	restoreA := lowerGCPercent()
	restoreB := lowerGCPercent()
	restoreA()
	if got := gcPercent(); got != prepareGCPercent {
		t.Errorf("with one Prepare still running: GOGC %d, want %d", got, prepareGCPercent)
	}
	restoreB()
	if got := gcPercent(); got != 100 {
		t.Errorf("after both: GOGC %d, want 100", got)
	}

	debug.SetGCPercent(5)
	restore := lowerGCPercent()
	if got := gcPercent(); got != 5 {
		t.Errorf("GOGC 5 while preparing: %d, want 5", got)
	}
	restore()

	debug.SetGCPercent(100)
	debug.SetMemoryLimit(42 << 20)
	restore = lowerGCPercent()
	if got := gcPercent(); got != 100 {
		t.Errorf("under a memory limit, GOGC while preparing: %d, want 100", got)
	}
	restore()
	if got := gcPercent(); got != 100 {
		t.Errorf("under a memory limit, GOGC after: %d, want 100", got)
	}
}

package core

import (
	"testing"
	"time"
)

// testEpoch is when the timelines of these tests start.
var testEpoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestTimeline(t *testing.T) {
	at := func(s float64) time.Time { return testEpoch.Add(time.Duration(s * float64(time.Second))) }
	valid := Timeline{Created: testEpoch, Duration: 100 * time.Second, Requests: 7, Valid: true}
	invalid := valid
	invalid.Valid = false
	expiring := valid
	expiring.Expiring = true
	cancelled := valid
	cancelled.Cancelling = at(45)
	cancelledEarly := valid
	cancelledEarly.Cancelling = at(5)
	instant := valid
	instant.Duration = 0

	var zero time.Time
	tests := []struct {
		name string
		tl   Timeline
		now  time.Time
		want Progress
	}{
		{"validating", valid, at(9.9), Progress{Phase: PhaseValidating}},
		{"starts", valid, at(10), Progress{Phase: PhaseInProgress, InProgressAt: at(10)}},
		{"first request", valid, at(20), Progress{Phase: PhaseInProgress, InProgressAt: at(10), Executed: 1}},
		{"just before the second", valid, at(29.999), Progress{Phase: PhaseInProgress, InProgressAt: at(10), Executed: 1}},
		{"second request", valid, at(30), Progress{Phase: PhaseInProgress, InProgressAt: at(10), Executed: 2}},
		{"finalizing", valid, at(80), Progress{Phase: PhaseFinalizing, InProgressAt: at(10), FinalizingAt: at(80), Executed: 7}},
		{"completed", valid, at(100), Progress{Phase: PhaseCompleted, InProgressAt: at(10), FinalizingAt: at(80), EndedAt: at(100), Executed: 7}},
		{"invalid while validating", invalid, at(9), Progress{Phase: PhaseValidating}},
		{"failed", invalid, at(10), Progress{Phase: PhaseFailed, EndedAt: at(10)}},
		{"expiring before the end", expiring, at(99), Progress{Phase: PhaseFinalizing, InProgressAt: at(10), FinalizingAt: at(80), Executed: 7}},
		{"expired", expiring, at(100), Progress{Phase: PhaseExpired, InProgressAt: at(10), FinalizingAt: at(80), EndedAt: at(100), Executed: 7}},
		{"before the cancel", cancelled, at(44), Progress{Phase: PhaseInProgress, InProgressAt: at(10), Executed: 3}},
		{"cancelling", cancelled, at(54), Progress{Phase: PhaseCancelling, InProgressAt: at(10), CancellingAt: at(45), Executed: 3}},
		{"cancelled", cancelled, at(200), Progress{Phase: PhaseCancelled, InProgressAt: at(10), CancellingAt: at(45), EndedAt: at(55), Executed: 3}},
		{"cancelled while validating", cancelledEarly, at(20), Progress{Phase: PhaseCancelled, CancellingAt: at(5), EndedAt: at(15)}},
		{"zero duration", instant, at(0), Progress{Phase: PhaseCompleted, InProgressAt: at(0), FinalizingAt: at(0), EndedAt: at(0), Executed: 7}},
		{"zero time", valid, zero, Progress{Phase: PhaseValidating}},
	}
	for _, tt := range tests {
		if got := tt.tl.At(tt.now); got != tt.want {
			t.Errorf("%s: at(%v) = %+v\nwant %+v", tt.name, tt.now, got, tt.want)
		}
	}
}

func TestExecutedAt(t *testing.T) {
	tl := Timeline{Created: testEpoch, Duration: 100 * time.Second, Requests: 3, Valid: true}
	// Request i runs exactly when executed() first counts it.
	for i := range tl.Requests {
		ran := tl.ExecutedAt(i)
		if tl.Executed(ran) != i+1 || tl.Executed(ran.Add(-time.Nanosecond)) != i {
			t.Errorf("request %d runs at %v, but executed there is %d and just before %d",
				i, ran.Sub(testEpoch), tl.Executed(ran), tl.Executed(ran.Add(-time.Nanosecond)))
		}
	}
	// A day-long batch of many requests does not overflow.
	big := Timeline{Created: testEpoch, Duration: 24 * time.Hour, Requests: 50000, Valid: true}
	if got := big.Executed(testEpoch.Add(12 * time.Hour)); got != 28571 { // (12h-2.4h)/16.8h of 50000
		t.Errorf("executed at 12h = %d, want 28571", got)
	}
}

package core

import (
	"math/bits"
	"time"
)

// Phase is where a batch is in its life, in protocol-neutral terms.
type Phase int

const (
	PhaseValidating Phase = iota
	PhaseInProgress
	PhaseFinalizing
	PhaseCancelling
	PhaseCompleted
	PhaseFailed
	PhaseExpired
	PhaseCancelled
)

// terminal reports whether a batch in phase p will not change again.
func (p Phase) Terminal() bool { return p >= PhaseCompleted }

// Timeline is what fixes a batch's progress: it is stored with the batch, and
// the batch's state at any instant is computed from it and the clock alone,
// so every process sharing the state directory agrees on it.
type Timeline struct {
	Created  time.Time     `json:"created"`
	Duration time.Duration `json:"duration"`
	// Requests is the number of requests in the input.
	Requests int `json:"requests"`
	// Valid is false when the input failed validation.
	Valid bool `json:"valid"`
	// Expiring is true when some request asked for the batch to expire.
	Expiring bool `json:"expiring"`
	// Cancelling is when a cancel was asked for; zero if never.
	Cancelling time.Time `json:"cancelling,omitzero"`
}

// Progress is a batch's state at one instant.
type Progress struct {
	Phase Phase
	// inProgressAt, finalizingAt, cancellingAt and endedAt are when the
	// batch entered those phases (endedAt: its terminal one); zero if it
	// has not.
	InProgressAt time.Time
	FinalizingAt time.Time
	CancellingAt time.Time
	EndedAt      time.Time
	// executed is how many requests, in input order, had run by now (by
	// the cancel, for a cancelled batch).
	Executed int
}

// tenth returns the instant n tenths of the duration after creation.
func (t Timeline) tenth(n int) time.Time {
	return t.Created.Add(t.Duration / 10 * time.Duration(n))
}

// runWindow is when requests run: they start at creation + 0.1d and the
// last one is done at creation + 0.8d.
func (t Timeline) runWindow() (start, end time.Time) { return t.tenth(1), t.tenth(8) }

// at returns the batch's state at now.
func (t Timeline) At(now time.Time) Progress {
	start, finalize := t.runWindow()
	end := t.Created.Add(t.Duration)
	cancelled := !t.Cancelling.IsZero() && !now.Before(t.Cancelling)
	cutoff := now
	if cancelled {
		cutoff = t.Cancelling
	}
	var p Progress
	if !cutoff.Before(start) {
		if !t.Valid {
			p.Phase, p.EndedAt = PhaseFailed, start
			return p
		}
		p.InProgressAt = start
		p.Executed = t.Executed(cutoff)
	}
	if t.Valid && !cutoff.Before(finalize) {
		p.FinalizingAt = finalize
	}
	switch {
	case cancelled:
		p.CancellingAt = t.Cancelling
		if done := t.Cancelling.Add(t.Duration / 10); now.Before(done) {
			p.Phase = PhaseCancelling
		} else {
			p.Phase, p.EndedAt = PhaseCancelled, done
		}
	case now.Before(start):
		p.Phase = PhaseValidating
	case now.Before(finalize):
		p.Phase = PhaseInProgress
	case now.Before(end):
		p.Phase = PhaseFinalizing
	case t.Expiring:
		p.Phase, p.EndedAt = PhaseExpired, end
	default:
		p.Phase, p.EndedAt = PhaseCompleted, end
	}
	return p
}

// executed returns how many requests had run by instant at: request i
// (0-based) runs at executedAt(i).
func (t Timeline) Executed(at time.Time) int {
	start, end := t.runWindow()
	switch {
	case !at.Before(end):
		return t.Requests
	case at.Before(start):
		return 0
	}
	q := mulDiv(uint64(at.Sub(start)), uint64(t.Requests), uint64(end.Sub(start)), false)
	return int(q)
}

// executedAt returns when request i (0-based) runs: the requests are spread
// evenly over the run window, the last one at its end.
func (t Timeline) ExecutedAt(i int) time.Time {
	start, end := t.runWindow()
	window := end.Sub(start)
	if window <= 0 || t.Requests == 0 {
		return start
	}
	return start.Add(time.Duration(mulDiv(uint64(window), uint64(i+1), uint64(t.Requests), true)))
}

// mulDiv returns a*b/c, rounded down or up, computed without overflow. The
// quotient must fit in 64 bits.
func mulDiv(a, b, c uint64, roundUp bool) uint64 {
	hi, lo := bits.Mul64(a, b)
	q, r := bits.Div64(hi, lo, c)
	if roundUp && r != 0 {
		q++
	}
	return q
}

package store

import "time"

// Attempt is one call that may create a provider batch for a part,
// recorded before it is sent.
type Attempt struct {
	Job  string
	Part int
	N    int    // 1-based per part, set by AddAttempt
	Tag  string // sent with the batch where the provider keeps metadata
	// StartedAt is when the call was sent; SettleAt is when the provider
	// can no longer act on it.
	StartedAt time.Time
	SettleAt  time.Time
	// BatchID is the batch it made, "" while unknown.
	BatchID string
	// Settled says its outcome is known: it was answered, or a sweep after
	// SettleAt saw every batch it could have made.
	Settled bool
}

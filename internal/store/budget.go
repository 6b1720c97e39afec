package store

import "time"

// LearnedBudget is an enqueued-token budget learned from a provider's
// quota refusals, for one (endpoint, model): lowered on a refusal to what
// was in flight, raised slowly after accepted submissions.
type LearnedBudget struct {
	Endpoint string // the profile's base URL
	Model    string
	Tokens   int64 // in the provider's unit (requests for Anthropic)
	// Refusals counts the provider's quota refusals that taught it.
	Refusals  int
	UpdatedAt time.Time
}

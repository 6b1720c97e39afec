package core

import (
	"crypto/subtle"
	"sync"
	"time"
)

// Host is what the protocols of one server share: its clock, the duration
// of new batches, the API key it accepts and the server faults still to
// inject.
type Host struct {
	now      func() time.Time
	duration time.Duration
	apiKey   string
	faults   *faultInjector
	limits   *limiter
	// quota limits the batch queues (Limits.Quota); queues are those
	// with a limit, by protocol.
	quota    Quota
	queuesMu sync.Mutex
	queues   map[string]*Queue
	// tokenLifetime is Limits.TokenLifetime.
	tokenLifetime time.Duration
}

// NewHost returns a Host; now nil means time.Now, apiKey empty accepts any
// non-empty key. held, when set, is told each time a "late" or "hang"
// fault starts holding a call of op. limits apply to the synchronous
// endpoints, in real time scaled (never on now, the batches' clock), and
// limits.Quota to the batch queues.
func NewHost(now func() time.Time, duration time.Duration, apiKey string, faults []Fault, held func(op string), limits Limits) *Host {
	if now == nil {
		now = time.Now
	}
	return &Host{now: now, duration: duration, apiKey: apiKey, faults: newFaultInjector(faults, held),
		limits: newLimiter(limits, nil), quota: limits.Quota, queues: make(map[string]*Queue), tokenLifetime: limits.TokenLifetime}
}

// TokenLifetime is how long the OAuth2 access tokens the server issues
// last: Limits.TokenLifetime, an hour when unset.
func (h *Host) TokenLifetime() time.Duration {
	if h.tokenLifetime == 0 {
		return time.Hour
	}
	return h.tokenLifetime
}

// Clock returns the current time in UTC, without a monotonic reading, so it
// compares like the times read back from disk.
func (h *Host) Clock() time.Time { return h.now().UTC() }

// Duration is the time from a new batch's creation to its end.
func (h *Host) Duration() time.Duration { return h.duration }

// keyAccepted reports whether key may use the server.
func (h *Host) keyAccepted(key string) bool {
	if key == "" {
		return false
	}
	return h.apiKey == "" || subtle.ConstantTimeCompare([]byte(key), []byte(h.apiKey)) == 1
}

package core

import (
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"
)

// This file holds what the synchronous endpoints of the protocols share.
// A synchronous call runs its body through the same function that runs a
// request of a batch, so it is answered exactly as that request's result
// would be, and the markers in its text act as they do in a batch:
//
//   - [fail] and [fail:NNN] answer the error of the batch result, with its
//     HTTP status;
//   - [error], a batch's non-HTTP error, answers that error as a 500;
//   - [expire], a request a batch never runs, answers the vendor's timeout
//     error (504);
//   - [drop], a request a batch never reports, cuts the connection in the
//     middle of a 200 answer (DropConnection), so the client cannot know
//     whether the request ran.

// ErrBodyTooLarge is the error of a synchronous body over MaxSyncBody.
var ErrBodyTooLarge = errors.New("request body too large")

// MaxSyncBody bounds the body of a synchronous call.
const MaxSyncBody = 32 << 20

// ReadSyncBody reads the body of a synchronous call.
func ReadSyncBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxSyncBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, ErrBodyTooLarge
	}
	return body, err
}

// Send answers a call to a synchronous endpoint of p within the server's
// limits: tokens is what the request counts against a tokens-per-minute
// limit (its input and output tokens), answer writes its answer. A call
// the limits refuse is answered by p.WriteRefusal; an admitted one after
// its latency, unless the client leaves first. Every answer carries the
// vendor's rate-limit headers (p.RateHeaders).
func (h *Host) Send(p Protocol, w http.ResponseWriter, r *http.Request, tokens int64, answer func()) {
	latency, state, refusal := h.limits.admit(tokens)
	p.RateHeaders(w.Header(), state)
	if refusal != nil {
		p.WriteRefusal(w, *refusal)
		return
	}
	defer h.limits.release()
	if latency > 0 {
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	answer()
}

// Stats returns what the server saw of the calls to its synchronous
// endpoints.
func (h *Host) Stats() Stats { return h.limits.snapshot() }

// RetryAfter formats a wait as a Retry-After header value: whole seconds,
// rounded up, at least 1 (RFC 9110 section 10.2.3 allows delay-seconds or
// a date, nothing finer).
func RetryAfter(wait time.Duration) string {
	return strconv.FormatInt(max(1, int64(math.Ceil(wait.Seconds()))), 10)
}

// RetryAfterMs formats a wait as a retry-after-ms header value:
// milliseconds, rounded up, at least 1. The OpenAI and Anthropic SDKs read
// it before Retry-After (openai-go v3 and anthropic-sdk-go,
// internal/requestconfig/requestconfig.go, retryDelay), so a time-scaled
// wait shorter than a second is honoured as it is.
func RetryAfterMs(wait time.Duration) string {
	return strconv.FormatInt(max(1, int64(math.Ceil(float64(wait)/float64(time.Millisecond)))), 10)
}

package anthropic

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// sendMessage answers POST /v1/messages exactly as a message batch answers
// the same params (execute, execution.message and errorResponse; see
// package core's sync.go for the markers). The emulator does not stream:
// a body asking for it is refused.
func (a *API) sendMessage(w http.ResponseWriter, r *http.Request) error {
	body, err := core.ReadSyncBody(w, r)
	switch {
	case errors.Is(err, core.ErrBodyTooLarge):
		return errorf(http.StatusRequestEntityTooLarge, "Request exceeds the maximum allowed number of bytes.")
	case err != nil:
		return err
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil || members == nil {
		return errorf(http.StatusBadRequest, "There was an error parsing the body: the body is not a JSON object")
	}
	if err := checkParams(members, ""); err != nil {
		return err
	}
	var stream bool
	if json.Unmarshal(members["stream"], &stream) == nil && stream {
		return errorf(http.StatusBadRequest, "stream: the batchctl emulator does not stream answers; send stream: false")
	}
	run := execute(body)
	now := a.host.Clock()
	use := useCache(body, core.HitSet(a.lookUp(body, now)))
	use.apply(&run)
	if run.outcome == core.OutcomeSucceeded {
		if err := a.record(use, now); err != nil {
			return err
		}
	}
	requestID := w.Header().Get(requestIDHeader)
	a.host.Send(a, w, r, run.inputTokens+run.outputTokens, func() { a.writeSync(w, run, requestID) })
	return nil
}

// writeSync writes the synchronous answer of a request that ran as run.
func (a *API) writeSync(w http.ResponseWriter, run execution, requestID string) {
	switch run.outcome {
	case core.OutcomeDropped:
		core.DropConnection(w)
	case core.OutcomeExpired:
		writeError(w, http.StatusGatewayTimeout, ErrorBody{Type: errTimeout, Message: defaultMessage(errTimeout) + " (emulated by [expire])"})
	case core.OutcomeFailed:
		core.WriteJSON(w, run.status, run.errorResponse(requestID))
	default:
		core.WriteJSON(w, http.StatusOK, run.message(core.DerivedID("msg_", requestID, 0), core.DerivedID("toolu_", requestID, 0), "standard"))
	}
}

// RateHeaders implements core.SyncProtocol with the headers the Anthropic API
// sends on every answer: limit, remaining, and when the limit is whole
// again in RFC 3339 (https://docs.anthropic.com/en/api/rate-limits,
// "Response headers").
func (a *API) RateHeaders(h http.Header, s core.RateState) {
	now := time.Now().UTC()
	if s.RequestLimit > 0 {
		h.Set("Anthropic-Ratelimit-Requests-Limit", strconv.Itoa(s.RequestLimit))
		h.Set("Anthropic-Ratelimit-Requests-Remaining", strconv.Itoa(s.RequestsRemaining))
		h.Set("Anthropic-Ratelimit-Requests-Reset", resetTime(now, s.RequestsReset))
	}
	if s.TokenLimit > 0 {
		h.Set("Anthropic-Ratelimit-Tokens-Limit", strconv.FormatInt(s.TokenLimit, 10))
		h.Set("Anthropic-Ratelimit-Tokens-Remaining", strconv.FormatInt(s.TokensRemaining, 10))
		h.Set("Anthropic-Ratelimit-Tokens-Reset", resetTime(now, s.TokensReset))
	}
}

// resetTime formats the time d after now in RFC 3339, rounded up to the
// second as the API writes it.
func resetTime(now time.Time, d time.Duration) string {
	t := now.Add(d)
	if r := t.Truncate(time.Second); r.Before(t) {
		t = r.Add(time.Second)
	}
	return t.Format(time.RFC3339)
}

// WriteRefusal implements core.SyncProtocol: a 429 rate_limit_error with
// retry-after (and retry-after-ms), or a 529 overloaded_error.
func (a *API) WriteRefusal(w http.ResponseWriter, r core.Refusal) {
	if r.Overload {
		writeError(w, statusOverloaded, ErrorBody{Type: errOverloaded, Message: defaultMessage(errOverloaded) + " (emulated: " + r.Message + ")"})
		return
	}
	w.Header().Set("Retry-After", core.RetryAfter(r.Wait))
	w.Header().Set("Retry-After-Ms", core.RetryAfterMs(r.Wait))
	per := map[string]string{
		core.LimitRequests:    "requests per minute",
		core.LimitTokens:      "tokens per minute",
		core.LimitConcurrency: "concurrent requests",
	}[r.Limit]
	writeError(w, http.StatusTooManyRequests, ErrorBody{
		Type:    errRateLimit,
		Message: fmt.Sprintf("This request would exceed the batchctl emulator's rate limit of %s (%s).", per, r.Message),
	})
}

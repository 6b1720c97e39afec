package openai

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// syncEndpoints are the endpoints also served synchronously: every
// endpoint a batch takes.
func syncEndpoints() []string { return endpoints() }

// send answers a synchronous call to endpoint exactly as a batch answers
// the same body (see execution.answer and package core's sync.go). It
// reads the prompt cache when the call arrives and writes it as it is
// answered (cache.go).
func (o *API) send(endpoint string) core.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		body, err := core.ReadSyncBody(w, r)
		switch {
		case errors.Is(err, core.ErrBodyTooLarge):
			return &httpError{status: http.StatusRequestEntityTooLarge, body: invalidRequest("", "", "The request body is too large.")}
		case err != nil:
			return err
		}
		ex := execute(endpoint, body)
		now := o.host.Clock()
		(&cacheLookup{o: o, now: now, hits: map[string]bool{}}).read(&ex)
		if err := o.record(&ex, now); err != nil {
			return err
		}
		meta := core.AnswerMeta{Seed: w.Header().Get(o.RequestIDHeader()), Created: now.Unix()}
		o.host.Send(o, w, r, ex.inputTokens+ex.outputTokens, func() { o.writeSync(w, ex, meta) })
		return nil
	}
}

// writeSync writes the synchronous answer of a request that ran as ex.
func (o *API) writeSync(w http.ResponseWriter, ex execution, meta core.AnswerMeta) {
	switch {
	case ex.outcome == core.OutcomeDropped:
		core.DropConnection(w)
	case ex.outcome == core.OutcomeExpired:
		writeAPIError(w, http.StatusGatewayTimeout, &apiError{
			Message: "The request timed out (emulated by [expire]).",
			Type:    errServer,
			Code:    core.StrPtr("timeout"),
		})
	case ex.failure != nil:
		writeAPIError(w, http.StatusInternalServerError, &apiError{Message: ex.failure.Message, Type: errServer, Code: &ex.failure.Code})
	default:
		status, body := ex.answer(meta)
		core.WriteJSON(w, status, body)
	}
}

// RateHeaders implements core.SyncProtocol with the headers the OpenAI API
// sends on every answer: limit, remaining and the time until the limit is
// whole again, as a duration such as "1s", "6m0s" or "12ms"
// (https://platform.openai.com/docs/guides/rate-limits, "Rate limits in
// headers").
func (o *API) RateHeaders(h http.Header, s core.RateState) {
	if s.RequestLimit > 0 {
		h.Set("X-Ratelimit-Limit-Requests", strconv.Itoa(s.RequestLimit))
		h.Set("X-Ratelimit-Remaining-Requests", strconv.Itoa(s.RequestsRemaining))
		h.Set("X-Ratelimit-Reset-Requests", resetDuration(s.RequestsReset))
	}
	if s.TokenLimit > 0 {
		h.Set("X-Ratelimit-Limit-Tokens", strconv.FormatInt(s.TokenLimit, 10))
		h.Set("X-Ratelimit-Remaining-Tokens", strconv.FormatInt(s.TokensRemaining, 10))
		h.Set("X-Ratelimit-Reset-Tokens", resetDuration(s.TokensReset))
	}
}

// resetDuration formats a reset time as the API does: a Go-style duration
// in milliseconds at most.
func resetDuration(d time.Duration) string { return d.Round(time.Millisecond).String() }

// WriteRefusal implements core.SyncProtocol: a 429 of type "requests" or
// "tokens" and code rate_limit_exceeded, whose message says the limit, as
// the API's ("Rate limit reached for ... on requests per min (RPM): Limit
// 3, Used 3, Requested 1. Please try again in 20s."), with Retry-After and
// retry-after-ms; an overload is a 503.
func (o *API) WriteRefusal(w http.ResponseWriter, r core.Refusal) {
	if r.Overload {
		writeAPIError(w, http.StatusServiceUnavailable, &apiError{
			Message: "The server is overloaded or not ready yet. (Emulated: " + r.Message + ".)",
			Type:    errServer,
		})
		return
	}
	w.Header().Set("Retry-After", core.RetryAfter(r.Wait))
	w.Header().Set("Retry-After-Ms", core.RetryAfterMs(r.Wait))
	errType, per := "requests", "requests per min (RPM)"
	switch r.Limit {
	case core.LimitTokens:
		errType, per = "tokens", "tokens per min (TPM)"
	case core.LimitConcurrency:
		per = "concurrent requests"
	}
	writeAPIError(w, http.StatusTooManyRequests, &apiError{
		Message: fmt.Sprintf("Rate limit reached for the batchctl emulator on %s: %s. Please try again in %s.", per, r.Message, resetDuration(r.Wait)),
		Type:    errType,
		Code:    core.StrPtr("rate_limit_exceeded"),
	})
}

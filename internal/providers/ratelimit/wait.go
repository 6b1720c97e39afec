package ratelimit

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxWait bounds a wait read from an answer.
const maxWait = 24 * time.Hour

// Wait returns the wait an answer names before the next request, at now,
// or 0. In order of preference:
//
//   - retry-after-ms, milliseconds, which the OpenAI and Anthropic SDKs
//     read first (openai-go v3 and anthropic-sdk-go,
//     internal/requestconfig/requestconfig.go);
//   - Retry-After, seconds (a fraction is accepted, as those SDKs do) or
//     an HTTP date (RFC 9110 section 10.2.3);
//   - the retryDelay of a google.rpc.RetryInfo detail in a Gemini error
//     body, a google.protobuf.Duration such as "1.5s"
//     (google/rpc/error_details.proto);
//   - on a 429 that names none of those, the reset of each limit whose
//     remaining count is 0: OpenAI's x-ratelimit-reset-requests and
//     -tokens, durations such as "1s", "6m0s" or "12ms"
//     (https://platform.openai.com/docs/guides/rate-limits, "Rate limits
//     in headers"), and Anthropic's anthropic-ratelimit-*-reset, RFC 3339
//     times (https://docs.anthropic.com/en/api/rate-limits, "Response
//     headers"), as the Anthropic TypeScript SDK was asked to do
//     (anthropics/anthropic-sdk-typescript#357).
//
// The reset headers of a successful answer are not a wait: they say when
// the limit is whole again, not when the next request may go, and a
// client pacing at the limit sees a remaining count of 0 all the time.
func Wait(status int, header http.Header, body []byte, now time.Time) time.Duration {
	if d, ok := retryAfterMs(header.Get("Retry-After-Ms")); ok {
		return d
	}
	if d, ok := retryAfter(header.Get("Retry-After"), now); ok {
		return d
	}
	if d, ok := retryInfo(body); ok {
		return d
	}
	if status == http.StatusTooManyRequests {
		return exhaustedReset(header, now)
	}
	return 0
}

// clamp bounds a wait to [0, maxWait].
func clamp(d time.Duration) time.Duration { return min(max(d, 0), maxWait) }

// seconds converts a number of seconds to a wait, bounded.
func seconds(s float64) time.Duration {
	if math.IsNaN(s) || s <= 0 {
		return 0
	}
	if s >= maxWait.Seconds() {
		return maxWait
	}
	return time.Duration(s * float64(time.Second))
}

func retryAfterMs(v string) (time.Duration, bool) {
	ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || ms < 0 {
		return 0, false
	}
	return seconds(ms / 1000), true
}

func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return seconds(s), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return clamp(t.Sub(now)), true
	}
	return 0, false
}

// retryInfo reads the retryDelay of a RetryInfo detail of a Google error
// body.
func retryInfo(body []byte) (time.Duration, bool) {
	if len(body) == 0 {
		return 0, false
	}
	var e struct {
		Error struct {
			Details []struct {
				Type       string `json:"@type"`
				RetryDelay string `json:"retryDelay"`
			} `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return 0, false
	}
	for _, d := range e.Error.Details {
		if d.Type != "type.googleapis.com/google.rpc.RetryInfo" {
			continue
		}
		s, ok := strings.CutSuffix(d.RetryDelay, "s")
		if !ok {
			continue
		}
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			return seconds(v), true
		}
	}
	return 0, false
}

// exhaustedReset returns the latest reset among the limits with nothing
// remaining.
func exhaustedReset(header http.Header, now time.Time) time.Duration {
	var wait time.Duration
	for _, kind := range []string{"requests", "tokens"} {
		if header.Get("X-Ratelimit-Remaining-"+kind) == "0" {
			if d, err := time.ParseDuration(header.Get("X-Ratelimit-Reset-" + kind)); err == nil {
				wait = max(wait, clamp(d))
			}
		}
	}
	for _, kind := range []string{"requests", "tokens", "input-tokens", "output-tokens"} {
		if header.Get("Anthropic-Ratelimit-"+kind+"-Remaining") == "0" {
			if t, err := time.Parse(time.RFC3339, header.Get("Anthropic-Ratelimit-"+kind+"-Reset")); err == nil {
				wait = max(wait, clamp(t.Sub(now)))
			}
		}
	}
	return wait
}

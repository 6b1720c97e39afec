package providers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// Caller is a Provider whose protocol also answers requests one at a time
// on its synchronous endpoints (OpenAI's /v1/chat/completions,
// Anthropic's /v1/messages, Gemini's :generateContent, ...): what a
// direct job sends. Every provider package's client is one.
type Caller interface {
	Provider
	// Call sends the request of one line of a job's converted input (the
	// provider's own batch input line) to its synchronous endpoint, and
	// returns the line the provider's batch results would hold for the
	// answer, which Normalize reads. A non-2xx answer comes with its
	// *HTTPError, so that the caller can judge whether to try again (a
	// 429, a 5xx); a failure to send or to read has no line.
	Call(ctx context.Context, req CallRequest) (Answer, error)
	// FailedLine is the result line of a request that got no answer, for
	// the reason msg.
	FailedLine(id, msg string) []byte
}

// TokenCounter is a Provider whose API counts the input tokens of a
// request for free (Anthropic's POST /v1/messages/count_tokens, Gemini's
// models/{model}:countTokens): what `batchctl estimate --exact` asks.
type TokenCounter interface {
	// CountTokens returns the input tokens of the request of one line of
	// a job's converted input. A non-2xx answer comes with its *HTTPError.
	CountTokens(ctx context.Context, req CallRequest) (int, error)
}

// CallRequest is one request of a direct job.
type CallRequest struct {
	// Endpoint is the job's endpoint ("/v1/chat/completions",
	// "batchGenerateContent", ...), for the protocols whose lines do not
	// name theirs.
	Endpoint string
	// Model is the job's model, for the protocols whose lines do not name it.
	Model string
	// Line is the converted input line.
	Line []byte
}

// Answer is what a synchronous endpoint answered one request.
type Answer struct {
	// ID is the request's custom id.
	ID string
	// Line is the provider's result line made of the answer (no newline).
	Line []byte
	// Status is the answer's HTTP status; Header its headers (the rate
	// limit headers a limiter reads).
	Status int
	Header http.Header
	// Body is the answer's body (a limiter reads Gemini's RetryInfo there).
	Body []byte
}

// OK reports whether the answer is a 2xx.
func (a Answer) OK() bool { return a.Status >= 200 && a.Status <= 299 }

// AppendString appends s as a JSON string, as result lines write strings.
func AppendString(dst []byte, s string) []byte { return appendJSONString(dst, s) }

// ScanRequest reads the members of one converted input line that a
// direct call needs: the value of each key in keys, raw (aliasing line).
func ScanRequest(line []byte, keys ...string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	err := ScanResultLine(line, func(s *jsonscan.Scanner, key []byte) error {
		for _, k := range keys {
			if string(key) == k {
				raw, err := s.Raw()
				out[k] = raw
				return err
			}
		}
		return s.Skip()
	})
	if err != nil {
		return nil, errors.New("request line: " + strings.TrimPrefix(err.Error(), "result line: "))
	}
	return out, nil
}

// StringOf reads a raw JSON string ("" when raw is not one).
func StringOf(raw []byte) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

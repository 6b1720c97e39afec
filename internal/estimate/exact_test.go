package estimate

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/prices"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/anthropic"
	"github.com/batchctl/batchctl/internal/providers/retry"
)

// anthropicLine is an Anthropic batch line whose user text is text.
func anthropicLine(id, text string) string {
	return `{"custom_id":"` + id + `","params":{"model":"claude-haiku-4-5","max_tokens":10,"messages":[{"role":"user","content":"` + text + `"}]}}` + "\n"
}

// countServer is a count_tokens endpoint: 429 (with Retry-After) to its
// first call when busy is set, 400 for the text "refuse", else 100 tokens
// plus the body's length; calls counts every call.
func countServer(t *testing.T, busy bool, calls *atomic.Int32) *anthropic.Client {
	t.Helper()
	var refusedOnce atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path != "/v1/messages/count_tokens" {
			t.Errorf("path %s", r.URL.Path)
		}
		var body strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := r.Body.Read(buf)
			body.Write(buf[:n])
			if err != nil {
				break
			}
		}
		if strings.Contains(body.String(), "max_tokens") {
			t.Errorf("count_tokens was sent max_tokens: %s", body.String())
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case busy && refusedOnce.CompareAndSwap(false, true):
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`))
		case strings.Contains(body.String(), "refuse"):
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"type":"error","error":{"type":"invalid_request_error","message":"no"}}`))
		default:
			w.Write([]byte(`{"input_tokens":` + strconv.Itoa(100+body.Len()) + `}`))
		}
	}))
	t.Cleanup(srv.Close)
	return anthropic.New(anthropic.Config{Name: "anthropic", BaseURL: srv.URL, APIKey: "k", HTTPClient: srv.Client()})
}

func exactInput(t *testing.T, c providers.TokenCounter, lines ...string) Input {
	return Input{Target: jsonl.TargetAnthropic, Provider: "anthropic", Model: "claude-haiku-4-5",
		Parts: writeParts(t, strings.Join(lines, "")), Prices: prices.Builtin(),
		Exact: &Exact{Counter: c, Model: "claude-haiku-4-5", Retry: retry.Policy{Attempts: 3, Sleep: func(context.Context, time.Duration) error { return nil }}}}
}

// TestExactAsksEachDistinctRequestOnce checks that requests differing only
// in their id are counted once, that the provider's count replaces the
// offline one, and that a 429 is retried.
func TestExactAsksEachDistinctRequestOnce(t *testing.T) {
	var calls atomic.Int32
	c := countServer(t, true, &calls)
	in := exactInput(t, c, anthropicLine("a", "hello"), anthropicLine("b", "hello"), anthropicLine("c", "world!"))
	var progress atomic.Int64
	in.Exact.Progress = func(done int64) { progress.Store(max(progress.Load(), done)) }
	rep, err := RunContext(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	// bodies: {"messages":[...],"model":"claude-haiku-4-5"} of 75 and 76 bytes
	if rep.InputTokens != 175+175+176 || rep.Counting != "exact" || rep.CountedBy != "provider" || rep.ErrorBound != nil {
		t.Errorf("input tokens %d, counting %s by %s, bound %v; want 526, exact by provider, no bound",
			rep.InputTokens, rep.Counting, rep.CountedBy, rep.ErrorBound)
	}
	if n := calls.Load(); n != 3 { // two distinct requests and one 429
		t.Errorf("%d calls, want 3", n)
	}
	if progress.Load() != 3 {
		t.Errorf("progress reached %d, want 3", progress.Load())
	}
}

// TestExactErrorNamesTheLine checks that a refused count fails the
// estimate with the file and line of the request.
func TestExactErrorNamesTheLine(t *testing.T) {
	var calls atomic.Int32
	c := countServer(t, false, &calls)
	in := exactInput(t, c, anthropicLine("a", "hello"), anthropicLine("b", "refuse"))
	_, err := RunContext(context.Background(), in)
	if err == nil || !strings.Contains(err.Error(), "part-1.jsonl: line 2: count tokens: 400 Bad Request: no") {
		t.Errorf("error %v, want the file, line 2 and the 400", err)
	}
}

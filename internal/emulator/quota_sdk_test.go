package emulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go"
	"google.golang.org/genai"
)

// Anthropic limits the requests of all batches in its processing queue:
// a create over it is answered 429 rate_limit_error, which the official
// SDK surfaces as *anthropic.Error; requests return to the pool when
// batches end or are cancelled.
func TestAnthropicEnqueuedRequestLimit(t *testing.T) {
	env := newTestEnv(t, Options{Duration: 100 * time.Second, APIKey: anthropicTestKey,
		Limits: Limits{Quota: Quota{Requests: 3, Tokens: map[string]int64{"*": 1}}}}) // token limits are not Anthropic's
	client := newAnthropicSDKClient(env, &recorder{base: env.http.Client().Transport})
	ctx := t.Context()
	create := func(prefix string, models ...string) (*anthropic.MessageBatch, error) {
		var reqs []anthropic.MessageBatchNewParamsRequest
		for i, m := range models {
			reqs = append(reqs, sdkRequest(prefix+string(rune('a'+i)), m, "the same five words here"))
		}
		return client.Messages.Batches.New(ctx, anthropic.MessageBatchNewParams{Requests: reqs})
	}
	mustCreate := func(prefix string, models ...string) *anthropic.MessageBatch {
		t.Helper()
		b, err := create(prefix, models...)
		if err != nil {
			t.Fatalf("create %s: %v", prefix, err)
		}
		return b
	}

	mustCreate("a", "claude-haiku-4-5", "claude-sonnet-4-5")
	_, err := create("b", "claude-haiku-4-5", "claude-haiku-4-5")
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTooManyRequests ||
		!strings.HasPrefix(apiErr.RawJSON(), `{"type":"error","error":{"type":"rate_limit_error","message":"Number of batch requests in the processing queue would exceed your organization's limit of 3 (2 queued, 2 in this batch).`) {
		t.Fatalf("create over the limit: %v", err)
	}
	if r := env.anthropicDo(http.MethodGet, "/v1/messages/batches", "", nil); !strings.Contains(string(r.body), `"data":[{`) ||
		strings.Count(string(r.body), `"id":"msgbatch_`) != 1 {
		t.Errorf("the refused batch was stored: %s", r.body)
	}
	c := mustCreate("c", "claude-haiku-4-5")

	// at 100s the batches have ended: their requests are free again
	env.clock.set(100 * time.Second)
	d := mustCreate("d", "claude-haiku-4-5", "claude-haiku-4-5", "claude-haiku-4-5")
	if _, err := client.Messages.Batches.Cancel(ctx, d.ID, anthropic.MessageBatchCancelParams{}); err != nil {
		t.Fatal(err)
	}
	env.clock.set(109 * time.Second) // still cancelling
	if _, err := create("e", "claude-haiku-4-5"); !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("create while cancelling: %v", err)
	}
	env.clock.set(110 * time.Second)
	mustCreate("f", "claude-haiku-4-5", "claude-haiku-4-5", "claude-haiku-4-5")
	if b, _ := client.Messages.Batches.Get(ctx, c.ID, anthropic.MessageBatchGetParams{}); b.ProcessingStatus != anthropic.MessageBatchProcessingStatusEnded {
		t.Errorf("batch c = %s", b.RawJSON())
	}

	s := env.queueStats("anthropic")
	haiku, sonnet := s.Models["claude-haiku-4-5"], s.Models["claude-sonnet-4-5"]
	if s.Counts != "requests" || s.Limit != 3 || s.Peak.Requests != 3 || s.Held.Requests != 3 || s.Admitted != 4 || s.Refused != 2 ||
		haiku == nil || haiku.Peak.Requests != 3 || haiku.Admitted != 4 || haiku.Refused != 2 || haiku.Limit != 0 ||
		sonnet == nil || sonnet.Peak.Requests != 1 || sonnet.Held.Requests != 0 || s.Peak.Tokens <= 0 {
		raw, _ := json.Marshal(s)
		t.Errorf("stats = %s", raw)
	}
}

// Gemini answers a batch create over its model's enqueued-token limit with
// 429 RESOURCE_EXHAUSTED, which the genai SDK surfaces as genai.APIError;
// the tokens counted are those models.countTokens answers.
func TestGeminiEnqueuedTokenLimit(t *testing.T) {
	const model = "gemini-2.5-flash"
	text := "the same five words here"
	// the count endpoint tells a client what the queue counts
	env0 := newTestEnv(t, Options{APIKey: geminiTestKey})
	counted, err := newGenAIClient(t, env0, &recorder{base: env0.http.Client().Transport}).Models.CountTokens(t.Context(), model, genai.Text(text), nil)
	if err != nil {
		t.Fatal(err)
	}
	per := int64(counted.TotalTokens)

	env := newTestEnv(t, Options{Duration: 100 * time.Second, APIKey: geminiTestKey,
		Limits: Limits{Quota: Quota{Tokens: map[string]int64{model: 3 * per}, Requests: 1}}}) // the request limit is Anthropic's
	client := newGenAIClient(t, env, &recorder{base: env.http.Client().Transport})
	ctx := t.Context()
	create := func(n int) (*genai.BatchJob, error) {
		var reqs []*genai.InlinedRequest
		for range n {
			reqs = append(reqs, &genai.InlinedRequest{Contents: genai.Text(text)})
		}
		return client.Batches.Create(ctx, model, &genai.BatchJobSource{InlinedRequests: reqs}, nil)
	}
	mustCreate := func(n int) *genai.BatchJob {
		t.Helper()
		b, err := create(n)
		if err != nil {
			t.Fatalf("create %d: %v", n, err)
		}
		return b
	}

	mustCreate(2)
	_, err = create(2)
	var apiErr genai.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != http.StatusTooManyRequests || apiErr.Status != "RESOURCE_EXHAUSTED" ||
		!strings.HasPrefix(apiErr.Message, "You exceeded your current quota, please check your plan and billing details.") ||
		!strings.Contains(apiErr.Message, "(Emulated: enqueued tokens of models/gemini-2.5-flash, limit ") ||
		len(apiErr.Details) != 1 || apiErr.Details[0]["@type"] != "type.googleapis.com/google.rpc.Help" {
		t.Fatalf("create over the limit: %#v", err)
	}
	c := mustCreate(1)
	env.clock.set(100 * time.Second)
	d := mustCreate(3)
	if err := client.Batches.Cancel(ctx, d.Name, nil); err != nil {
		t.Fatal(err)
	}
	env.clock.set(109 * time.Second)
	if _, err := create(1); !errors.As(err, &apiErr) || apiErr.Code != http.StatusTooManyRequests {
		t.Fatalf("create while cancelling: %v", err)
	}
	env.clock.set(110 * time.Second)
	mustCreate(3)
	if b, _ := client.Batches.Get(ctx, c.Name, nil); b.State != genai.JobStateSucceeded {
		t.Errorf("batch c = %+v", b)
	}

	s := env.queueStats("gemini")
	m := s.Models[model]
	if s.Counts != "tokens" || s.Peak.Tokens != 3*per || s.Held.Tokens != 3*per || s.Admitted != 4 || s.Refused != 2 ||
		m == nil || m.Limit != 3*per || m.Peak.Requests != 3 {
		raw, _ := json.Marshal(s)
		t.Errorf("stats = %s", raw)
	}
}

package emulator

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"

	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/tokens"
)

// lineTokens is the prompt tokens the emulator's queue counts for an input
// line: batchctl's own count (internal/tokens), as its count endpoints.
func lineTokens(t *testing.T, target jsonl.Target, line string) int64 {
	t.Helper()
	l, err := tokens.NewCounter(target, "").Count([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	return int64(l.Input)
}

// queueStats fetches GET /_emulator/stats and returns its queue of
// protocol.
func (e *testEnv) queueStats(protocol string) QueueStats {
	e.t.Helper()
	var s struct {
		Queues map[string]QueueStats `json:"queues"`
	}
	e.ok(http.MethodGet, StatsPath, nil, nil).decode(e.t, &s)
	return s.Queues[protocol]
}

// quotaLines returns n chat lines of model, each of the same size.
func quotaLines(prefix, model string, n int) []string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = chatLine(prefix+string(rune('a'+i)), model, "the same five words here")
	}
	return lines
}

// The OpenAI Batch API creates a batch over the enqueued-token limit and
// fails it from validating with token_limit_exceeded; the official SDK
// reads the error. Tokens return to the pool when batches complete or are
// cancelled.
func TestOpenAIEnqueuedTokenLimit(t *testing.T) {
	per := lineTokens(t, jsonl.TargetOpenAI, quotaLines("x", "gpt-4o-mini", 1)[0])
	env := newTestEnv(t, Options{Duration: 100 * time.Second, APIKey: "sk-test",
		Limits: Limits{Quota: Quota{Tokens: map[string]int64{"gpt-4o-mini": 3 * per, "*": 1}}}})
	client := newSDKClient(env, &recorder{base: env.http.Client().Transport})
	ctx := t.Context()
	create := func(lines []string) *openai.Batch {
		t.Helper()
		f, err := client.Files.New(ctx, openai.FileNewParams{
			File:    openai.File(strings.NewReader(strings.Join(lines, "\n")+"\n"), "in.jsonl", "application/jsonl"),
			Purpose: openai.FilePurposeBatch,
		})
		if err != nil {
			t.Fatal(err)
		}
		b, err := client.Batches.New(ctx, openai.BatchNewParams{InputFileID: f.ID,
			Endpoint: openai.BatchNewParamsEndpointV1ChatCompletions, CompletionWindow: openai.BatchNewParamsCompletionWindow24h})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if b.Status != openai.BatchStatusValidating {
			t.Errorf("created %s: status %s", b.ID, b.Status)
		}
		return b
	}
	get := func(id string) *openai.Batch {
		t.Helper()
		b, err := client.Batches.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	a := create(quotaLines("a", "gpt-4o-mini", 2))
	refused := create(quotaLines("b", "gpt-4o-mini", 2)) // 4 lines > 3
	c := create(quotaLines("c", "gpt-4o-mini", 1))       // 3 lines, the limit
	if s := env.queueStats("openai"); s.Held.Tokens != 3*per || s.Admitted != 2 || s.Refused != 1 {
		t.Errorf("after three creates: %+v", s)
	}
	env.clock.set(10 * time.Second)
	b := get(refused.ID)
	wantMsg := "Enqueued token limit reached for gpt-4o-mini in organization org-batchctl-emulator. Limit: " +
		strconv.FormatInt(3*per, 10) + " enqueued tokens. Please try again once some in_progress batches have been completed."
	if b.Status != openai.BatchStatusFailed || len(b.Errors.Data) != 1 || b.Errors.Data[0].Code != "token_limit_exceeded" ||
		b.Errors.Data[0].Message != wantMsg || b.FailedAt != testEpoch.Unix()+10 {
		t.Errorf("refused batch = %s", b.RawJSON())
	}
	if !strings.Contains(b.RawJSON(), `"errors":{"object":"list","data":[{"code":"token_limit_exceeded","message":"`+wantMsg+`","param":null,"line":null}]}`) {
		t.Errorf("refused batch errors on the wire: %s", b.RawJSON())
	}
	if s := get(a.ID); s.Status != openai.BatchStatusInProgress {
		t.Errorf("admitted batch = %s", s.RawJSON())
	}
	// Another model has the "*" limit of 1 token.
	other := create(quotaLines("o", "gpt-4o", 1))
	env.clock.set(20 * time.Second)
	if b := get(other.ID); b.Status != openai.BatchStatusFailed || !strings.Contains(b.Errors.Data[0].Message, "for gpt-4o in organization") {
		t.Errorf("gpt-4o batch = %s", b.RawJSON())
	}

	// a and c complete at 100s: their tokens return to the pool.
	env.clock.set(100 * time.Second)
	d := create(quotaLines("d", "gpt-4o-mini", 3))
	if b := get(d.ID); b.Status != openai.BatchStatusValidating {
		t.Errorf("batch after completion = %s", b.RawJSON())
	}
	// a cancelled batch returns its tokens once cancelled (10s later)
	if _, err := client.Batches.Cancel(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	env.clock.set(109 * time.Second)
	still := create(quotaLines("e", "gpt-4o-mini", 1))
	env.clock.set(119 * time.Second)
	if b := get(still.ID); b.Status != openai.BatchStatusFailed {
		t.Errorf("batch while cancelling = %s", b.RawJSON())
	}
	e := create(quotaLines("e", "gpt-4o-mini", 3))
	env.clock.set(129 * time.Second)
	if b := get(e.ID); b.Status != openai.BatchStatusInProgress {
		t.Errorf("batch after cancel = %s", b.RawJSON())
	}
	if b := get(c.ID); b.Status != openai.BatchStatusCompleted {
		t.Errorf("batch c = %s", b.RawJSON())
	}

	s := env.queueStats("openai")
	m := s.Models["gpt-4o-mini"]
	if s.Counts != "tokens" || s.Peak.Tokens != 3*per || s.Held.Tokens != 3*per || s.Peak.Requests != 3 ||
		m == nil || m.Limit != 3*per || m.Admitted != 4 || m.Refused != 2 || s.Admitted != 4 || s.Refused != 3 || m.Peak.Tokens != 3*per ||
		s.Models["gpt-4o"] == nil || s.Models["gpt-4o"].Limit != 1 || s.Models["gpt-4o"].Refused != 1 {
		raw, _ := json.Marshal(s)
		t.Errorf("stats = %s", raw)
	}
}

// GET /_emulator/stats adds "queues" only when a quota is set, in this
// shape.
func TestQueueStatsJSON(t *testing.T) {
	env := newTestEnv(t, Options{Duration: 100 * time.Second, APIKey: "sk-test"})
	if body := string(env.ok(http.MethodGet, StatsPath, nil, nil).body); strings.Contains(body, "queues") {
		t.Errorf("stats without a quota: %s", body)
	}

	per := lineTokens(t, jsonl.TargetOpenAI, quotaLines("x", "echo", 1)[0])
	env = newTestEnv(t, Options{Duration: 100 * time.Second, APIKey: "sk-test",
		Limits: Limits{Quota: Quota{Tokens: map[string]int64{"*": 2 * per}, Requests: 7}}})
	env.createBatch("/v1/chat/completions", quotaLines("a", "echo", 2)...)
	env.createBatch("/v1/chat/completions", quotaLines("b", "echo", 1)...)
	env.clock.set(100 * time.Second)
	body := string(env.ok(http.MethodGet, StatsPath, nil, nil).body)
	two := strconv.FormatInt(2*per, 10)
	want := `"queues":{"anthropic":{"counts":"requests","limit":7,"held":{"tokens":0,"requests":0},"peak":{"tokens":0,"requests":0},"admitted":0,"refused":0,"models":{}},` +
		`"gemini":{"counts":"tokens","limit":0,"held":{"tokens":0,"requests":0},"peak":{"tokens":0,"requests":0},"admitted":0,"refused":0,"models":{}},` +
		`"openai":{"counts":"tokens","limit":0,"held":{"tokens":0,"requests":0},"peak":{"tokens":` + two + `,"requests":2},"admitted":1,"refused":1,` +
		`"models":{"echo":{"limit":` + two + `,"held":{"tokens":0,"requests":0},"peak":{"tokens":` + two + `,"requests":2},"admitted":1,"refused":1}}}}}`
	if !strings.HasPrefix(body, `{"admitted":0,`) || !strings.HasSuffix(strings.TrimSpace(body), want) {
		t.Errorf("stats = %s\nwant its end %s", body, want)
	}
}

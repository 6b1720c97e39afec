package providertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/retry"
)

// testResults runs a batch with one request of each kind the emulator
// knows and checks the normalized results: one per reported request, none
// for the dropped one (which the caller reports missing).
func testResults(t *testing.T, h Harness) {
	e := newEnv(t, h, "")
	reqs := []Request{
		{"ok-1", "Hello there"},
		{"fail-400", "[fail] bad request"},
		{"fail-429", "[fail:429] slow down"},
		{"error-1", "[error] boom"},
		{"drop-1", "[drop] lost"},
		{"ok-2", "Goodbye now, dear friend"},
	}
	final := e.poll(t, e.submit(t, reqs, nil), nil)
	if final.Status != providers.StatusCompleted {
		t.Fatalf("batch ended %s, want %s", final.Status, providers.StatusCompleted)
	}
	// The dropped request counts in the total only.
	if want := (providers.Counts{Total: 6, Succeeded: 2, Failed: 3}); final.Counts != want {
		t.Errorf("counts %+v, want %+v", final.Counts, want)
	}
	got := e.results(t, final)
	wantIDs := []string{"error-1", "fail-400", "fail-429", "ok-1", "ok-2"}
	if ids := slices.Sorted(maps.Keys(got)); !slices.Equal(ids, wantIDs) {
		t.Errorf("results for %v, want %v", ids, wantIDs)
	}
	// Every protocol can tell 400 and 429 apart in a result; a 503, for
	// one, is only an api_error to Anthropic.
	tests := []struct {
		id         string
		status     providers.ResultStatus
		httpStatus int // of an errored request; 0: not checked
	}{
		{"ok-1", providers.ResultSucceeded, 0},
		{"fail-400", providers.ResultErrored, 400},
		{"fail-429", providers.ResultErrored, 429},
		{"error-1", providers.ResultErrored, 0},
		{"ok-2", providers.ResultSucceeded, 0},
	}
	prompts := map[string]string{}
	for _, r := range reqs {
		prompts[r.ID] = r.Prompt
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			r, ok := got[tt.id]
			if !ok {
				t.Fatalf("no result")
			}
			if r.Job != "" || r.Provider != "" || r.BatchID != "" {
				t.Errorf("job %q, provider %q, batch %q; those are left to the caller", r.Job, r.Provider, r.BatchID)
			}
			if tt.status == providers.ResultSucceeded {
				checkSucceeded(t, h, r, prompts[tt.id])
				return
			}
			if r.Status != tt.status || r.Error == nil || r.Text != nil {
				t.Fatalf("status %s, error %+v, text %v; want %s with an error and no text", r.Status, r.Error, r.Text, tt.status)
			}
			if tt.httpStatus != 0 && (r.Error.HTTPStatus == nil || *r.Error.HTTPStatus != tt.httpStatus) {
				t.Errorf("error %+v, want HTTP status %d", r.Error, tt.httpStatus)
			}
			if r.Error.Message == "" {
				t.Errorf("error %+v has no message", r.Error)
			}
		})
	}
	// batchctl downloads results of a batch it rebuilt from what its
	// registry keeps, not of the batch Get returned.
	stored := &providers.Batch{ID: final.ID, Status: final.Status, OutputFileID: final.OutputFileID, ErrorFileID: final.ErrorFileID}
	if raw, again := e.download(t, final), e.download(t, stored); !bytes.Equal(raw, again) {
		t.Errorf("results of the batch Get returned:\n%s\nof the batch rebuilt from the registry's fields:\n%s", raw, again)
	}
}

// checkSucceeded checks a succeeded result of the emulator, which answers
// the prompt itself and counts words as tokens.
func checkSucceeded(t *testing.T, h Harness, r providers.Result, prompt string) {
	t.Helper()
	if r.Status != providers.ResultSucceeded || r.Error != nil {
		t.Errorf("%s: status %s, error %+v; want succeeded", r.CustomID, r.Status, r.Error)
		return
	}
	if r.Text == nil || *r.Text != prompt {
		t.Errorf("%s: text %v, want %q", r.CustomID, strPtr(r.Text), prompt)
	}
	words := int64(len(strings.Fields(prompt)))
	if r.Usage == nil || r.Usage.InputTokens != words || r.Usage.OutputTokens != words {
		t.Errorf("%s: usage %+v, want %d input and %d output tokens", r.CustomID, r.Usage, words, words)
	} else if d := nonZeroDetail(*r.Usage); d != "" {
		t.Errorf("%s: usage %s is not 0 or null for a prompt nothing cached or reasoned about", r.CustomID, d)
	}
	if r.FinishReason == nil || *r.FinishReason == "" {
		t.Errorf("%s: no finish reason", r.CustomID)
	}
	if r.Model != h.Model {
		t.Errorf("%s: model %q, want %q", r.CustomID, r.Model, h.Model)
	}
	if len(r.Response) == 0 || !json.Valid(r.Response) {
		t.Errorf("%s: response %q is not a JSON value", r.CustomID, r.Response)
	}
}

// strPtr renders an optional string for a message.
func strPtr(s *string) string {
	if s == nil {
		return "nil"
	}
	return `"` + *s + `"`
}

// testNormalize feeds Normalize lines it must reject and lines with a
// member it does not know.
func testNormalize(t *testing.T, h Harness) {
	e := newEnv(t, h, "")
	final := e.poll(t, e.submit(t, []Request{{"n-ok", "normalize me"}, {"n-fail", "[fail] no"}}, nil), nil)
	raw := lines(e.download(t, final))
	if len(raw) != 2 {
		t.Fatalf("got %d result lines, want 2", len(raw))
	}
	t.Run("unknown member", func(t *testing.T) {
		for _, line := range raw {
			want, err := normalize(e.p, line)
			if err != nil {
				t.Fatalf("Normalize(%s): %v", line, err)
			}
			extended := append([]byte(`{"conformance_extra":{"list":[1,"two",null,{"x":true}]},`), line[1:]...)
			got, err := normalize(e.p, extended)
			if err != nil {
				t.Errorf("Normalize(%s): %v", extended, err)
			} else if !reflect.DeepEqual(got, want) {
				t.Errorf("Normalize(%s) = %+v\nwithout the unknown member: %+v", extended, got, want)
			}
		}
	})
	t.Run("malformed", func(t *testing.T) {
		line := raw[0]
		tests := []struct {
			name string
			line []byte
		}{
			{"empty", nil},
			{"blank", []byte("  ")},
			{"not JSON", []byte("results follow")},
			{"null", []byte("null")},
			{"array", []byte("[" + string(line) + "]")},
			{"string", []byte(`"` + strings.Repeat("x", 8) + `"`)},
			{"open brace", []byte("{")},
			{"empty object", []byte("{}")},
			{"truncated", line[:len(line)/2]},
			{"last brace missing", line[:len(line)-1]},
			{"trailing garbage", append(bytes.Clone(line), '}')},
			{"two objects", append(bytes.Clone(line), line...)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r, err := normalize(e.p, tt.line)
				if _, panicked := err.(*panicError); panicked {
					t.Fatalf("Normalize(%q) %v", tt.line, err)
				}
				if err == nil {
					t.Errorf("Normalize(%q) = %+v, want an error", tt.line, r)
				}
			})
		}
	})
}

// testLongResult checks that a result much longer than the usual 64 KiB
// line buffers comes back whole.
func testLongResult(t *testing.T, h Harness) {
	e := newEnv(t, h, "")
	long := Request{"long-1", strings.TrimSpace(strings.Repeat("lengthy ", 20_000))}
	final := e.poll(t, e.submit(t, []Request{long}, nil), nil)
	got := e.results(t, final)
	if r, ok := got[long.ID]; !ok || len(got) != 1 {
		t.Errorf("results for %v, want %s only", slices.Sorted(maps.Keys(got)), long.ID)
	} else {
		checkSucceeded(t, h, r, long.Prompt)
	}
}

// testDownloadInterrupted cuts the connection in the middle of the first
// download: Download must fail with an error worth retrying, or (when it
// needed no download to write the results) succeed with all of them;
// never succeed with part of them.
func testDownloadInterrupted(t *testing.T, h Harness) {
	e := newEnv(t, h, "content=drop")
	final := e.poll(t, e.submit(t, []Request{{"d-1", "first"}, {"d-2", "second"}}, nil), nil)
	ctx := context.Background()
	var first bytes.Buffer
	err := e.p.Download(ctx, final, &first)
	whole := e.download(t, final)
	switch {
	case err != nil:
		if again, _ := retry.Classify(ctx, err); !again {
			t.Errorf("Download: %v, which retry.Classify would not retry", err)
		}
	case !bytes.Equal(first.Bytes(), whole):
		t.Errorf("interrupted Download succeeded with\n%s\nwant\n%s", first.Bytes(), whole)
	}
	if n := len(lines(whole)); n != 2 {
		t.Errorf("Download gave %d lines, want 2", n)
	}
}

// nonZeroDetail names the first detail count of u that is neither null
// nor 0, "" when there is none.
func nonZeroDetail(u providers.Usage) string {
	for _, d := range []struct {
		name string
		n    *int64
	}{
		{"cache_read_input_tokens", u.CacheReadInputTokens},
		{"cache_creation_input_tokens", u.CacheCreationInputTokens},
		{"reasoning_tokens", u.ReasoningTokens},
	} {
		if d.n != nil && *d.n != 0 {
			return fmt.Sprintf("%s %d", d.name, *d.n)
		}
	}
	return ""
}

package anthropic

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/providers"
)

// testClock is the emulator's clock, moved by the test.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// emulatorLine is an input line of one user message.
func emulatorLine(t *testing.T, customID, model, prompt string, maxTokens int) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"custom_id": customID,
		"params": map[string]any{
			"model": model, "max_tokens": maxTokens,
			"messages": []map[string]string{{"role": "user", "content": prompt}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// TestAgainstEmulator runs the client against the emulator through whole
// batch lifecycles: submit, poll until the batch ends, download, normalize.
func TestAgainstEmulator(t *testing.T) {
	epoch := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := &testClock{now: epoch}
	srv, err := emulator.New(emulator.Options{Dir: t.TempDir(), Duration: time.Minute, Now: clock.Now, APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	c := New(Config{Name: "anthropic", BaseURL: hs.URL, APIKey: testKey, HTTPClient: hs.Client()})

	tests := []struct {
		name       string
		lines      []string
		cancelAt   time.Duration // 0: never
		status     providers.Status
		counts     providers.Counts
		wantResult map[string]providers.ResultStatus
	}{
		{
			name: "completed",
			lines: []string{
				emulatorLine(t, "q1", "claude-sonnet-4-5", "Capital of France?", 64),
				emulatorLine(t, "q2", "claude-sonnet-4-5", "[fail:529] busy", 64),
				emulatorLine(t, "q3", "claude-sonnet-4-5", "[drop] lost", 64),
				emulatorLine(t, "q4", "fixed", "anything", 64),
				emulatorLine(t, "q5", "claude-sonnet-4-5", "no tokens", 0),
			},
			status: providers.StatusCompleted,
			counts: providers.Counts{Total: 5, Succeeded: 2, Failed: 2},
			wantResult: map[string]providers.ResultStatus{
				"q1": providers.ResultSucceeded, "q2": providers.ResultErrored, "q4": providers.ResultSucceeded, "q5": providers.ResultErrored,
			},
		},
		{
			name: "expired",
			lines: []string{
				emulatorLine(t, "e1", "claude-sonnet-4-5", "in time", 64),
				emulatorLine(t, "e2", "claude-sonnet-4-5", "[expire] too late", 64),
			},
			status:     providers.StatusExpired,
			counts:     providers.Counts{Total: 2, Succeeded: 1, Failed: 1},
			wantResult: map[string]providers.ResultStatus{"e1": providers.ResultSucceeded, "e2": providers.ResultExpired},
		},
		{
			name: "cancelled",
			lines: []string{
				emulatorLine(t, "c1", "claude-sonnet-4-5", "first", 64),
				emulatorLine(t, "c2", "claude-sonnet-4-5", "second", 64),
				emulatorLine(t, "c3", "claude-sonnet-4-5", "third", 64),
				emulatorLine(t, "c4", "claude-sonnet-4-5", "fourth", 64),
			},
			// At 30s, (30s-6s)/42s of the 4 requests have run: c1 and c2.
			cancelAt:   30 * time.Second,
			status:     providers.StatusCancelled,
			counts:     providers.Counts{Total: 4, Succeeded: 2, Failed: 2},
			wantResult: map[string]providers.ResultStatus{"c1": providers.ResultSucceeded, "c2": providers.ResultSucceeded, "c3": providers.ResultCanceled, "c4": providers.ResultCanceled},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			start := clock.Now()
			input := strings.Join(tt.lines, "")
			b, err := c.Submit(ctx, providers.SubmitRequest{
				Open:     func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(input)), nil },
				Size:     int64(len(input)),
				Requests: len(tt.lines),
				Model:    "claude-sonnet-4-5",
			})
			if err != nil {
				t.Fatal(err)
			}
			if b.Status != providers.StatusInProgress || b.Counts.Total != len(tt.lines) || !b.CreatedAt.Equal(start) || b.Model != "claude-sonnet-4-5" {
				t.Errorf("submitted batch = %+v", b)
			}
			if tt.cancelAt > 0 {
				clock.set(start.Add(tt.cancelAt))
				if b, err = c.Cancel(ctx, b.ID); err != nil || b.Status != providers.StatusCancelling {
					t.Fatalf("cancel = %+v, %v", b, err)
				}
			}
			for !b.Status.Terminal() {
				clock.set(clock.Now().Add(10 * time.Second))
				if b, err = c.Get(ctx, b.ID); err != nil {
					t.Fatal(err)
				}
			}
			if b.Status != tt.status || b.Counts != tt.counts || b.CompletedAt.IsZero() || b.OutputFileID != hs.URL+"/v1/messages/batches/"+b.ID+"/results" {
				t.Errorf("ended batch = %+v", b)
			}
			var found bool
			err = c.List(ctx, providers.ListOptions{}, func(l *providers.Batch) error {
				found = found || l.ID == b.ID && l.Status == tt.status
				return nil
			})
			if err != nil || !found {
				t.Errorf("list: found %v, %v", found, err)
			}

			var raw bytes.Buffer
			if err := c.Download(ctx, b, &raw); err != nil {
				t.Fatal(err)
			}
			got := map[string]providers.ResultStatus{}
			sc := bufio.NewScanner(&raw)
			for sc.Scan() {
				r, err := c.Normalize(sc.Bytes())
				if err != nil {
					t.Fatalf("normalize %s: %v", sc.Bytes(), err)
				}
				if _, dup := got[r.CustomID]; dup {
					t.Errorf("%s reported twice", r.CustomID)
				}
				got[r.CustomID] = r.Status
				checkEmulatorResult(t, r)
			}
			if !maps.Equal(got, tt.wantResult) {
				t.Errorf("results %v, want %v", got, tt.wantResult)
			}
		})
	}
}

// checkEmulatorResult checks what the emulator answers a request with.
func checkEmulatorResult(t *testing.T, r providers.Result) {
	t.Helper()
	switch r.CustomID {
	case "q1":
		if *r.Text != "Capital of France?" || *r.FinishReason != "end_turn" || r.Model != "claude-sonnet-4-5" || *r.Usage != (providers.Usage{InputTokens: 3, OutputTokens: 3, CacheReadInputTokens: r.Usage.CacheReadInputTokens, CacheCreationInputTokens: r.Usage.CacheCreationInputTokens}) || *r.Usage.CacheReadInputTokens != 0 || *r.Usage.CacheCreationInputTokens != 0 {
			t.Errorf("q1 = %+v", r)
		}
	case "q2":
		if want := (providers.ResultError{Type: "overloaded_error", Message: "Overloaded (emulated by [fail:529])", HTTPStatus: intPtr(529)}); !reflect.DeepEqual(*r.Error, want) {
			t.Errorf("q2 error = %+v", r.Error)
		}
	case "q4":
		if *r.Text != "This is a fixed answer from the batchctl emulator." {
			t.Errorf("q4 text = %q", *r.Text)
		}
	case "q5":
		if want := (providers.ResultError{Type: "invalid_request_error", Message: "max_tokens: Input should be greater than or equal to 1", HTTPStatus: intPtr(400)}); !reflect.DeepEqual(*r.Error, want) {
			t.Errorf("q5 error = %+v", r.Error)
		}
	}
}

package gemini

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/providers"
)

// emulatorClock is a settable clock for the emulator.
type emulatorClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *emulatorClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *emulatorClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestAgainstEmulator runs the client against the emulator's Gemini
// protocol: submit, poll until done, download and normalize, for inline
// requests and for an uploaded file (whose first chunk fails once and is
// resumed), for both endpoints.
func TestAgainstEmulator(t *testing.T) {
	clock := &emulatorClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	srv, err := emulator.New(emulator.Options{Dir: t.TempDir(), Duration: time.Minute, Now: clock.Now, APIKey: testKey, Faults: "upload=500"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)

	generate := strings.Join([]string{
		`{"key":"ok-1","request":{"contents":[{"parts":[{"text":"Hello there"}],"role":"user"}]}}`,
		`{"key":"fail-1","request":{"contents":[{"parts":[{"text":"[fail:503] busy"}]}]}}`,
		`{"key":"error-1","request":{"contents":[{"parts":[{"text":"[error]"}]}]}}`,
		`{"key":"ok-2","request":{"contents":[{"parts":[{"text":"Goodbye"}]}]}}`,
	}, "\n") + "\n"
	embed := `{"key":"e-1","request":{"content":{"parts":[{"text":"vector please"}]},"outputDimensionality":3}}` + "\n"
	tests := []struct {
		name     string
		endpoint string
		model    string
		input    string
		inline   int64 // InlineLimit
		want     string
	}{
		{"inline", EndpointGenerate, "echo", generate, 0, `ok-1 succeeded Hello there|fail-1 errored UNAVAILABLE ["UNAVAILABLE",503]|error-1 errored INTERNAL ["INTERNAL",500]|ok-2 succeeded Goodbye`},
		{"file", EndpointGenerate, "echo", generate, 100, `ok-1 succeeded Hello there|fail-1 errored UNAVAILABLE ["UNAVAILABLE",503]|error-1 errored INTERNAL ["INTERNAL",500]|ok-2 succeeded Goodbye`},
		{"embeddings inline", EndpointEmbed, "text-embedding-004", embed, 0, "e-1 succeeded embedding"},
		{"embeddings from a file", EndpointEmbed, "text-embedding-004", embed, 1, "e-1 succeeded embedding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "in.jsonl")
			if err := os.WriteFile(path, []byte(tt.input), 0o600); err != nil {
				t.Fatal(err)
			}
			c := New(Config{Name: "gemini", BaseURL: hs.URL, APIKey: testKey, HTTPClient: hs.Client(), InlineLimit: tt.inline, ChunkSize: 64})
			ctx := context.Background()
			b, err := c.Submit(ctx, providers.SubmitRequest{
				Open: func() (io.ReadCloser, error) { return os.Open(path) }, Size: int64(len(tt.input)),
				Filename: "j1-1.jsonl", Endpoint: tt.endpoint, Model: tt.model, Requests: strings.Count(tt.input, "\n"),
				Metadata: map[string]string{"batchctl_job": "j1", "batchctl_part": "1/2"},
			})
			if err != nil {
				t.Fatal(err)
			}
			if b.Status != providers.StatusValidating || b.Endpoint != tt.endpoint || b.Model != tt.model ||
				b.Metadata["batchctl_job"] != "j1" || b.Metadata["batchctl_part"] != "1/2" || (tt.inline > 0) != (b.InputFileID != "") {
				t.Errorf("submitted batch = %+v", b)
			}
			for !b.Status.Terminal() {
				clock.advance(15 * time.Second)
				if b, err = c.Get(ctx, b.ID); err != nil {
					t.Fatal(err)
				}
			}
			requests := strings.Count(tt.input, "\n")
			if b.Status != providers.StatusCompleted || b.Counts.Total != requests || b.CompletedAt.IsZero() || (tt.inline > 0) != (b.OutputFileID != "") {
				t.Errorf("finished batch = %+v", b)
			}
			var out bytes.Buffer
			if err := c.Download(ctx, &providers.Batch{ID: b.ID, OutputFileID: b.OutputFileID}, &out); err != nil {
				t.Fatal(err)
			}
			var got []string
			sc := bufio.NewScanner(&out)
			for sc.Scan() {
				r, err := c.Normalize(sc.Bytes())
				if err != nil {
					t.Fatalf("normalize %s: %v", sc.Bytes(), err)
				}
				got = append(got, summary(r))
			}
			if strings.Join(got, "|") != tt.want {
				t.Errorf("results %q\nwant %q", strings.Join(got, "|"), tt.want)
			}
		})
	}
}

// summary is what the emulator test compares of a result.
func summary(r providers.Result) string {
	s := r.CustomID + " " + string(r.Status)
	switch {
	case r.Error != nil:
		codes, _ := json.Marshal([]any{r.Error.Code, r.Error.HTTPStatus})
		return fmt.Sprintf("%s %s %s", s, r.Error.Type, codes)
	case r.Embedding != nil:
		return s + " embedding"
	case r.Text != nil:
		return s + " " + *r.Text
	}
	return s
}

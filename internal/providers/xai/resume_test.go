package xai_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/providertest"
	"github.com/batchctl/batchctl/internal/providers/xai"
)

// loser passes calls to the emulator, but does the nth call matching
// method and path suffix without answering it: the connection drops.
type loser struct {
	next         http.Handler
	method, path string
	nth          int

	mu    sync.Mutex
	seen  int
	calls []string // "METHOD path" of every call
}

func (l *loser) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.calls = append(l.calls, r.Method+" "+r.URL.Path)
	lose := false
	if r.Method == l.method && strings.HasSuffix(r.URL.Path, l.path) {
		l.seen++
		lose = l.seen == l.nth
	}
	l.mu.Unlock()
	if !lose {
		l.next.ServeHTTP(w, r)
		return
	}
	l.next.ServeHTTP(httptest.NewRecorder(), r)
	panic(http.ErrAbortHandler)
}

// TestSubmitResumes loses the answer to one step of a create (opening the
// batch, or adding its second chunk of requests) and submits again, as
// batchctl's retry does: the second Submit finds the batch the first one
// opened and adds only what it lacks, so the batch ends with every
// request once (the emulator refuses a request id it already has).
func TestSubmitResumes(t *testing.T) {
	for _, tt := range []struct {
		name, method, path string
		nth                int
	}{
		{"open lost", http.MethodPost, "/batches", 1},
		{"second chunk lost", http.MethodPost, "/requests", 2},
		{"first chunk lost", http.MethodPost, "/requests", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			emu, err := emulator.New(emulator.Options{Dir: t.TempDir(), APIKey: "k"})
			if err != nil {
				t.Fatal(err)
			}
			l := &loser{next: emu, method: tt.method, path: tt.path, nth: tt.nth}
			srv := httptest.NewServer(l)
			defer srv.Close()
			p := xai.New(xai.Config{Name: "xai", BaseURL: srv.URL + "/xai/v1", APIKey: "k", ChunkRequests: 2})
			var reqs []providertest.Request
			for i, prompt := range []string{"one", "two", "three", "four", "five"} {
				reqs = append(reqs, providertest.Request{ID: fmt.Sprintf("r%d", i+1), Prompt: prompt})
			}
			input := chatLines(t, reqs)
			md := map[string]string{"batchctl_job": "j1"}
			req := providers.SubmitRequest{
				Open:     func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(input)), nil },
				Size:     int64(len(input)),
				Endpoint: "/v1/chat/completions",
				Requests: len(reqs),
				Metadata: md,
			}
			ctx := context.Background()
			if _, err := p.Submit(ctx, req); err == nil {
				t.Fatal("first Submit succeeded; want the lost answer's error")
			}
			b, err := p.Submit(ctx, req)
			if err != nil {
				t.Fatalf("second Submit: %v", err)
			}
			var listed []*providers.Batch
			if err := p.List(ctx, providers.ListOptions{}, func(b *providers.Batch) error {
				listed = append(listed, b)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if len(listed) != 1 || listed[0].ID != b.ID || listed[0].Counts.Total != len(reqs) || listed[0].Metadata["batchctl_job"] != "j1" {
				t.Fatalf("listed %+v; want the one batch %s holding %d requests, tagged", listed, b.ID, len(reqs))
			}
			var out bytes.Buffer
			if err := p.Download(ctx, b, &out); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for line := range bytes.Lines(out.Bytes()) {
				var r struct {
					ID string `json:"batch_request_id"`
				}
				if err := json.Unmarshal(line, &r); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, r.ID)
			}
			if want := []string{"r1", "r2", "r3", "r4", "r5"}; !slices.Equal(ids, want) {
				t.Errorf("results for %v, want %v (calls: %v)", ids, want, l.calls)
			}
		})
	}
}

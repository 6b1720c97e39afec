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

// loser passes calls to the emulator, but spoils the answer to the nth
// call matching method and path suffix: "lost" does the call and drops
// the connection, "500 after" does it and answers 500, "500" answers 500
// without doing it.
type loser struct {
	next         http.Handler
	method, path string
	nth          int
	how          string

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
	switch {
	case !lose:
		l.next.ServeHTTP(w, r)
	case l.how == "500":
		http.Error(w, `{"code":"Internal error","error":"spoiled"}`, http.StatusInternalServerError)
	case l.how == "500 after":
		l.next.ServeHTTP(httptest.NewRecorder(), r)
		http.Error(w, `{"code":"Internal error","error":"spoiled"}`, http.StatusInternalServerError)
	default:
		l.next.ServeHTTP(httptest.NewRecorder(), r)
		panic(http.ErrAbortHandler)
	}
}

// TestSubmitResumes spoils the answer to one step of a create of five
// requests added two at a time. A lost answer to the open or to an add
// call that is not the last is made good at once (the batch is looked up);
// otherwise Submit fails and a second Submit, as batchctl's retry makes,
// finds the batch by its name and adds only what it lacks. Either way the
// batch ends with every request once (the emulator refuses a request id it
// already has).
func TestSubmitResumes(t *testing.T) {
	for _, tt := range []struct {
		name, method, path, how string
		nth                     int
		firstFails              bool
	}{
		{"open lost", http.MethodPost, "/batches", "lost", 1, false},
		{"first chunk lost", http.MethodPost, "/requests", "lost", 1, false},
		{"second chunk lost", http.MethodPost, "/requests", "lost", 2, false},
		{"last chunk lost", http.MethodPost, "/requests", "lost", 3, true},
		{"second chunk 500 after adding", http.MethodPost, "/requests", "500 after", 2, true},
		{"second chunk 500", http.MethodPost, "/requests", "500", 2, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			emu, err := emulator.New(emulator.Options{Dir: t.TempDir(), APIKey: "k"})
			if err != nil {
				t.Fatal(err)
			}
			l := &loser{next: emu, method: tt.method, path: tt.path, nth: tt.nth, how: tt.how}
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
			b, err := p.Submit(ctx, req)
			if (err != nil) != tt.firstFails {
				t.Fatalf("first Submit: %v, want an error: %v", err, tt.firstFails)
			}
			if err != nil {
				if b, err = p.Submit(ctx, req); err != nil {
					t.Fatalf("second Submit: %v", err)
				}
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

package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/openai"
	"github.com/batchctl/batchctl/internal/jsonl"
)

// Many clients creating batches at once, through two servers sharing one
// state directory (as two batchctl processes do), on a real clock with
// batches ending meanwhile: the tokens held never exceed the limit. The
// check is independent of the ledger: it sweeps the stored batches'
// timelines.
func TestOpenAIEnqueuedTokenLimitConcurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a second")
	}
	const (
		workers   = 8
		perWorker = 12
		duration  = 150 * time.Millisecond
	)
	line := chatLine("x", "gpt-4o-mini", "the same five words here")
	per := lineTokens(t, jsonl.TargetOpenAI, line)
	limit := 5 * per // room for two batches of two lines at most
	dir := t.TempDir()
	opts := Options{Dir: dir, Duration: duration, APIKey: "sk-test",
		Limits: Limits{Quota: Quota{Tokens: map[string]int64{"gpt-4o-mini": limit}}}}
	var urls []string
	for range 2 {
		srv, err := New(opts)
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		t.Cleanup(hs.Close)
		urls = append(urls, hs.URL)
	}
	input := quotaLines("q", "gpt-4o-mini", 2)
	fileID := uploadTo(t, urls[0], strings.Join(input, "\n")+"\n")

	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range perWorker {
				createAt(t, urls[w%2], fileID)
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	wg.Wait()

	admitted, peak := sweepBatches(t, filepath.Join(dir, "openai", "batches"), 2*per)
	if peak > limit {
		t.Errorf("held %d tokens at once, limit %d", peak, limit)
	}
	if peak < 2*per || admitted < 2 {
		t.Errorf("peak %d, %d admitted: the test did not fill the queue", peak, admitted)
	}
	var stats struct {
		Queues map[string]QueueStats `json:"queues"`
	}
	getJSON(t, urls[1]+StatsPath, &stats)
	s := stats.Queues["openai"]
	if s.Peak.Tokens != peak || s.Admitted != int64(admitted) || s.Admitted+s.Refused != workers*perWorker {
		t.Errorf("stats %+v; swept peak %d, %d admitted of %d", s, peak, admitted, workers*perWorker)
	}
	t.Logf("%d creates, %d admitted, peak %d of %d tokens", workers*perWorker, admitted, peak, limit)
}

// sweepBatches reads the stored OpenAI batch records in dir and returns how
// many were admitted (valid) and the most tokens they held at once, each
// holding tokens from creation to its end.
func sweepBatches(t *testing.T, dir string, tokens int64) (admitted int, peak int64) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "batch_*.json"))
	if err != nil {
		t.Fatal(err)
	}
	type event struct {
		at    time.Time
		delta int64
	}
	var events []event
	for _, name := range names {
		var rec struct {
			Timeline struct {
				Created  time.Time     `json:"created"`
				Duration time.Duration `json:"duration"`
				Valid    bool          `json:"valid"`
			} `json:"timeline"`
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatal(err)
		}
		if !rec.Timeline.Valid {
			continue
		}
		admitted++
		events = append(events, event{rec.Timeline.Created, tokens}, event{rec.Timeline.Created.Add(rec.Timeline.Duration), -tokens})
	}
	// at equal instants the end comes first: a batch ending frees its
	// tokens for one created at that instant
	slices.SortFunc(events, func(a, b event) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return int(a.delta - b.delta)
	})
	var held int64
	for _, e := range events {
		held += e.delta
		peak = max(peak, held)
	}
	return admitted, peak
}

func uploadTo(t *testing.T, url, content string) string {
	t.Helper()
	body, header := multipartBody(t, map[string]string{"purpose": "batch"}, "input.jsonl", content)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, url+"/v1/files", body)
	req.Header = header
	req.Header.Set("Authorization", "Bearer sk-test")
	var f openai.FileObject
	doJSON(t, req, &f)
	return f.ID
}

func createAt(t *testing.T, url, fileID string) {
	b, _ := json.Marshal(map[string]string{"input_file_id": fileID, "endpoint": "/v1/chat/completions", "completion_window": "24h"})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, url+"/v1/batches", strings.NewReader(string(b)))
	req.Header.Set("Authorization", "Bearer sk-test")
	req.Header.Set("Content-Type", "application/json")
	var batch openai.BatchObject
	doJSON(t, req, &batch)
}

func getJSON(t *testing.T, url string, v any) {
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	doJSON(t, req, v)
}

func doJSON(t *testing.T, req *http.Request, v any) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
		return
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Error(err)
	}
}

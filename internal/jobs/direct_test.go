package jobs_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/openai"
)

// chatServer answers /v1/chat/completions as OpenAI does, with the
// answer of a request chosen by its last user message: "fail400" gets a
// 400, "busy" a 429 the first time. It counts the requests of each text.
type chatServer struct {
	mu   sync.Mutex
	seen map[string]int
}

func (s *chatServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.URL.Path != "/v1/chat/completions" {
		http.NotFound(w, r)
		return
	}
	text := string(body)
	s.mu.Lock()
	s.seen[text]++
	n := s.seen[text]
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.Contains(text, "fail400"):
		w.WriteHeader(400)
		io.WriteString(w, `{"error":{"message":"bad request","type":"invalid_request_error","param":null,"code":"bad"}}`)
	case strings.Contains(text, "busy") && n == 1:
		w.Header().Set("Retry-After-Ms", "10")
		w.WriteHeader(429)
		io.WriteString(w, `{"error":{"message":"slow down","type":"requests","param":null,"code":"rate_limit_exceeded"}}`)
	default:
		io.WriteString(w, `{"id":"chatcmpl-1","object":"chat.completion","model":"m1","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}`)
	}
}

// directEnv is a testEnv whose "fake" profile is a direct one, reaching srv.
func directEnv(t *testing.T) (*testEnv, *chatServer) {
	t.Helper()
	e := newEnv(t)
	cs := &chatServer{seen: map[string]int{}}
	srv := httptest.NewServer(cs)
	t.Cleanup(srv.Close)
	e.profile.Mode = config.ModeDirect
	client := openai.New(openai.Config{Name: "fake", BaseURL: srv.URL + "/v1", APIKey: "k"})
	e.m.Provider = func(string) (providers.Provider, error) { return client, nil }
	return e, cs
}

// chatLine is a request whose user message is text.
func chatLine(id, text string) string {
	return `{"custom_id":"` + id + `","method":"POST","url":"/v1/chat/completions","body":{"model":"m1","messages":[{"role":"user","content":"` + text + `"}]}}` + "\n"
}

func createDirect(t *testing.T, e *testEnv, in string) *jobs.Job {
	t.Helper()
	return createDirectFrom(t, e, strings.NewReader(in))
}

// createDirectFrom is createDirect of the requests in read.
func createDirectFrom(t *testing.T, e *testEnv, in io.Reader) *jobs.Job {
	t.Helper()
	ctx := context.Background()
	spec := jobs.Spec{File: "in.jsonl", Input: in, Profile: e.profile}
	plan, err := e.m.Prepare(ctx, "jd1", spec)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.m.Create(ctx, plan, spec, jobs.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Job
}

// resultsOf is "custom_id status attempts batch_id" of each result line,
// sorted (results come in the order the answers came).
func resultsOf(t *testing.T, e *testEnv, j *jobs.Job) string {
	t.Helper()
	var b strings.Builder
	_, err := e.m.Results(context.Background(), j, func(r *providers.Result) error {
		a := "null"
		if r.Attempts != nil {
			a = fmt.Sprint(*r.Attempts)
		}
		fmt.Fprintf(&b, "%s %s %s %s\n", r.CustomID, r.Status, a, r.BatchID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(b.String(), "\n")
	slices.Sort(lines)
	return strings.Join(lines, "")
}

func TestDirectRun(t *testing.T) {
	e, cs := directEnv(t)
	j := createDirect(t, e, chatLine("a1", "hi")+chatLine("a2", "busy")+chatLine("a3", "fail400"))
	if j.Parts[0].BatchID != "direct-jd1-1" || j.Status != "in_progress" {
		t.Fatalf("new direct job: part %q, status %q", j.Parts[0].BatchID, j.Status)
	}
	if err := e.m.Run(context.Background(), j, jobs.RunOptions{Concurrency: 2, Limiter: limiter(t, jobs.RunLimits{Concurrency: 2}, 0)}); err != nil {
		t.Fatal(err)
	}
	if j.Status != "completed" || j.Counts != (providers.Counts{Total: 3, Succeeded: 2, Failed: 1}) {
		t.Errorf("after the run: %s %+v", j.Status, j.Counts)
	}
	want := "a1 succeeded 1 direct-jd1-1\na2 succeeded 2 direct-jd1-1\na3 errored 1 direct-jd1-1\n"
	if got := resultsOf(t, e, j); got != want {
		t.Errorf("results:\n%swant\n%s", got, want)
	}
	if len(cs.seen) != 3 {
		t.Errorf("the server saw %d different requests, want 3", len(cs.seen))
	}
}

// A run resumed after a kill sends only what has no outcome: a request in
// flight at the kill once more, marked, and one sent twice without an
// answer never again.
func TestDirectResume(t *testing.T) {
	e, cs := directEnv(t)
	j := createDirect(t, e, chatLine("a1", "one")+chatLine("a2", "two")+chatLine("a3", "three")+chatLine("a4", "four"))
	journal := `{"sent":"a1","attempt":1}` + "\n" +
		`{"attempts":1,"ok":true,"direct_id":"a1","custom_id":"a1","response":{"status_code":200,"request_id":"","body":{"model":"m1","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}},"error":null}` + "\n" +
		`{"sent":"a2","attempt":1}` + "\n" +
		`{"sent":"a3","attempt":1}` + "\n" + `{"sent":"a3","attempt":2}` + "\n" +
		`{"attempts":1,"ok":true,"direct_id":"a4","custom_id":"a4","respo` // cut short by the kill
	if err := os.WriteFile(e.m.JournalPath(j.ID, 1), []byte(journal), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Run(context.Background(), j, jobs.RunOptions{Concurrency: 1}); err != nil {
		t.Fatal(err)
	}
	want := "a1 succeeded 1 direct-jd1-1\na2 succeeded 2 direct-jd1-1\na3 errored 2 direct-jd1-1\na4 succeeded 1 direct-jd1-1\n"
	if got := resultsOf(t, e, j); got != want {
		t.Errorf("results:\n%swant\n%s", got, want)
	}
	for text, n := range cs.seen {
		if strings.Contains(text, `"one"`) || strings.Contains(text, `"three"`) || n != 1 {
			t.Errorf("sent %d times: %s", n, text)
		}
	}
	if len(cs.seen) != 2 {
		t.Errorf("the server saw %d requests, want a2 and a4", len(cs.seen))
	}
}

func limiter(t testing.TB, l jobs.RunLimits, scale float64) jobs.Limiter {
	t.Helper()
	lim, err := jobs.NewLimiter(l, scale)
	if err != nil {
		t.Fatal(err)
	}
	return lim
}

// While a process runs a direct job, RunningProgress reads how it goes
// (what status shows); once the run ends, there is none.
func TestDirectRunningProgress(t *testing.T) {
	e := newEnv(t)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		io.WriteString(w, `{"id":"c","object":"chat.completion","model":"m1","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}`)
	}))
	defer srv.Close()
	e.profile.Mode = config.ModeDirect
	client := openai.New(openai.Config{Name: "fake", BaseURL: srv.URL + "/v1", APIKey: "k"})
	e.m.Provider = func(string) (providers.Provider, error) { return client, nil }
	j := createDirect(t, e, chatLine("a1", "x")+chatLine("a2", "y")+chatLine("a3", "z"))
	if _, ok := e.m.RunningProgress(context.Background(), j.ID); ok {
		t.Fatal("progress of a job nobody runs")
	}
	done := make(chan error, 1)
	go func() { done <- e.m.Run(context.Background(), j, jobs.RunOptions{Concurrency: 2}) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p, ok := e.m.RunningProgress(context.Background(), j.ID)
		if ok && p.InFlight == 2 {
			if p.Total != 3 || p.Done != 0 {
				t.Errorf("running: %+v, want 3 in all, none done", p)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no progress with 2 in flight within 10s (last: %+v, %v)", p, ok)
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, ok := e.m.RunningProgress(context.Background(), j.ID); ok {
		t.Error("progress after the run ended")
	}
}

// An endpoint that cannot be reached stops the run with an error and no
// outcome, nothing counted as sent: the next run, the endpoint up, sends
// every request once.
func TestDirectUnreachable(t *testing.T) {
	e, _ := directEnv(t)
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close() // nothing listens there now
	live := e.m.Provider
	e.m.Provider = func(string) (providers.Provider, error) {
		return openai.New(openai.Config{Name: "fake", BaseURL: downURL + "/v1", APIKey: "k"}), nil
	}
	j := createDirect(t, e, chatLine("a1", "one")+chatLine("a2", "two"))
	err := e.m.Run(context.Background(), j, jobs.RunOptions{Concurrency: 1})
	if err == nil || !strings.Contains(err.Error(), "connect") {
		t.Fatalf("Run against a closed port: %v, want a connection error", err)
	}
	if j.Status != "in_progress" {
		t.Errorf("status %s after the failed run, want in_progress", j.Status)
	}
	e.m.Provider = live
	if err := e.m.Run(context.Background(), j, jobs.RunOptions{Concurrency: 1}); err != nil {
		t.Fatal(err)
	}
	want := "a1 succeeded 1 direct-jd1-1\na2 succeeded 1 direct-jd1-1\n"
	if got := resultsOf(t, e, j); got != want {
		t.Errorf("results:\n%swant\n%s", got, want)
	}
}

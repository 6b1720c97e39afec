package providertest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/providers"
)

const (
	// apiKey is the only key the emulator accepts.
	apiKey = "conformance-key"
	// duration is how long a batch takes from its creation to its end.
	duration = time.Hour
	// step is how far the clock moves between two polls of a batch.
	step = duration / 20
	// maxPolls bounds the polls of a batch that should end within duration.
	maxPolls = 2 * int(duration/step)
	// pageCap is the most batches the emulator serves on one page of a
	// List when the harness names its page size parameter.
	pageCap = 2
)

// APIKey is the key a Harness's New is given for a provider the emulator
// accepts (providers that sign with a key pair map it to the emulator's).
const APIKey = apiKey

// epoch is when the emulator's clock starts.
func epoch() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

// clock is the emulator's clock, moved by the suite.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// frontend sits in front of the emulator: it caps the page size of list
// calls and lets a test watch the requests arriving.
type frontend struct {
	next      http.Handler
	pageParam string

	mu        sync.Mutex
	pages     int                 // list pages served: GETs carrying pageParam
	onRequest func(*http.Request) // nil: none
}

func (f *frontend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.pageParam != "" && r.Method == http.MethodGet {
		q := r.URL.Query()
		if size, err := strconv.Atoi(q.Get(f.pageParam)); err == nil {
			q.Set(f.pageParam, strconv.Itoa(min(size, pageCap)))
			r.URL.RawQuery = q.Encode()
			f.mu.Lock()
			f.pages++
			f.mu.Unlock()
		}
	}
	f.mu.Lock()
	hook := f.onRequest
	f.mu.Unlock()
	if hook != nil {
		hook(r)
	}
	f.next.ServeHTTP(w, r)
}

// listPages returns how many list pages were served since the last call.
func (f *frontend) listPages() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.pages
	f.pages = 0
	return n
}

// watch makes hook see every request from now on.
func (f *frontend) watch(hook func(*http.Request)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onRequest = hook
}

// env is one emulator, its clock, and the provider under test pointed at
// it with the right key.
type env struct {
	h     Harness
	p     providers.Provider
	clock *clock
	srv   *httptest.Server
	front *frontend
}

// newEnv starts an emulator with the server fault spec faults (see the
// emulator package) and returns the provider pointed at it.
func newEnv(t *testing.T, h Harness, faults string) *env {
	t.Helper()
	c := &clock{now: epoch()}
	emu, err := emulator.New(emulator.Options{Dir: t.TempDir(), Duration: duration, Now: c.Now, APIKey: apiKey, Faults: faults})
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	front := &frontend{next: emu, pageParam: h.PageSizeParam}
	srv := httptest.NewServer(front)
	t.Cleanup(srv.Close)
	return &env{h: h, p: h.New(t, srv.URL, apiKey), clock: c, srv: srv, front: front}
}

// name is the provider's name, for messages.
func (e *env) name() string { return e.p.Name() }

// submitRequest is the SubmitRequest of a batch of reqs.
func (e *env) submitRequest(reqs []Request, metadata map[string]string) providers.SubmitRequest {
	input := e.h.Lines(reqs)
	return providers.SubmitRequest{
		Open:             func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(input)), nil },
		Size:             int64(len(input)),
		Filename:         "j1-1.jsonl",
		Endpoint:         e.h.Endpoint,
		Model:            e.h.Model,
		Requests:         len(reqs),
		Metadata:         metadata,
		CompletionWindow: "24h",
	}
}

// submit submits a batch of reqs, failing t on an error.
func (e *env) submit(t *testing.T, reqs []Request, metadata map[string]string) *providers.Batch {
	t.Helper()
	b, err := e.p.Submit(context.Background(), e.submitRequest(reqs, metadata))
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if b.ID == "" {
		t.Fatalf("Submit returned a batch without an id: %+v", b)
	}
	return b
}

// get fetches a batch, failing t on an error.
func (e *env) get(t *testing.T, id string) *providers.Batch {
	t.Helper()
	b, err := e.p.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return b
}

// poll moves the clock one step at a time and fetches b until it ends,
// calling seen with each state fetched. It returns the final state.
func (e *env) poll(t *testing.T, b *providers.Batch, seen func(*providers.Batch)) *providers.Batch {
	t.Helper()
	for range maxPolls {
		if b.Status.Terminal() {
			return b
		}
		e.clock.advance(step)
		b = e.get(t, b.ID)
		if seen != nil {
			seen(b)
		}
	}
	t.Fatalf("batch %s still %s after %s", b.ID, b.Status, time.Duration(maxPolls)*step)
	return nil
}

// download returns the raw result lines of b, checking that each ends in
// a newline.
func (e *env) download(t *testing.T, b *providers.Batch) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := e.p.Download(context.Background(), b, &buf); err != nil {
		t.Fatalf("Download(%s): %v", b.ID, err)
	}
	if n := buf.Len(); n > 0 && buf.Bytes()[n-1] != '\n' {
		t.Errorf("Download(%s) does not end in a newline: %q", b.ID, buf.Bytes()[max(0, n-40):])
	}
	return buf.Bytes()
}

// results downloads b's results and normalizes them, by custom id. A
// custom id reported twice fails t.
func (e *env) results(t *testing.T, b *providers.Batch) map[string]providers.Result {
	t.Helper()
	got := map[string]providers.Result{}
	for _, line := range lines(e.download(t, b)) {
		r, err := normalize(e.p, line)
		if err != nil {
			t.Fatalf("Normalize(%s): %v", line, err)
		}
		if _, dup := got[r.CustomID]; dup {
			t.Errorf("%s is reported twice", r.CustomID)
		}
		got[r.CustomID] = r
	}
	return got
}

// lines splits downloaded results into lines, without their newlines.
func lines(raw []byte) [][]byte {
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, len(raw)+1)
	for sc.Scan() {
		out = append(out, bytes.Clone(sc.Bytes()))
	}
	return out
}

// normalize calls p.Normalize, turning a panic into an error.
func normalize(p providers.Provider, line []byte) (r providers.Result, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{value: v}
		}
	}()
	return p.Normalize(line)
}

// panicError is a panic caught in Normalize.
type panicError struct{ value any }

func (e *panicError) Error() string { return fmt.Sprint("panic: ", e.value) }

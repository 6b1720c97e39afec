package core

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeBatches are the batches a test queue asks about: each ends at its
// instant; a missing one is gone.
type fakeBatches struct {
	mu   sync.Mutex
	ends map[string]time.Time
}

func (f *fakeBatches) ended(id string, now time.Time) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	end, ok := f.ends[id]
	return !ok || !now.Before(end), nil
}

func (f *fakeBatches) set(id string, end time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ends[id] = end
}

var quotaEpoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// newTestQueue returns the queue of a host with quota q, counting count,
// its clock and its batches.
func newTestQueue(t *testing.T, q Quota, count QueueCount) (*Queue, *time.Time, *fakeBatches) {
	t.Helper()
	now := quotaEpoch
	h := NewHost(func() time.Time { return now }, 0, "", nil, nil, Limits{Quota: q})
	batches := &fakeBatches{ends: make(map[string]time.Time)}
	queue := h.Queue("p", t.TempDir(), count, batches.ended)
	if queue == nil {
		t.Fatal("no queue")
	}
	return queue, &now, batches
}

func load(model string, tokens, requests int64) Enqueued {
	return Enqueued{Models: map[string]Load{model: {tokens, requests}}}
}

// admit offers e as batch id, ending at end if admitted, and returns the
// refusal.
func admit(t *testing.T, q *Queue, batches *fakeBatches, id string, e Enqueued, end time.Time) *QueueRefusal {
	t.Helper()
	e.ID = id
	var got *QueueRefusal
	err := q.Admit(context.Background(), e, func(r *QueueRefusal) error {
		got = r
		if r == nil {
			batches.set(id, end)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestQueueTokensReturnWhenBatchesEnd(t *testing.T) {
	q, now, batches := newTestQueue(t, Quota{Tokens: map[string]int64{"m": 100, AnyModel: 10}}, QueueTokens)
	at := func(d time.Duration) time.Time { return quotaEpoch.Add(d) }
	steps := []struct {
		now     time.Duration
		id      string
		e       Enqueued
		end     time.Duration
		refused *QueueRefusal
	}{
		{0, "a", load("m", 60, 2), 10 * time.Second, nil},
		{0, "b", load("m", 41, 1), 10 * time.Second, &QueueRefusal{Model: "m", Limit: 100, Held: 60, Asked: 41}},
		{0, "c", load("m", 40, 1), 20 * time.Second, nil}, // exactly the limit
		{0, "d", load("other", 11, 1), time.Hour, &QueueRefusal{Model: "other", Limit: 10, Held: 0, Asked: 11}},
		{0, "e", load("other", 10, 1), time.Hour, nil}, // other models have their own pool
		// a ends at 10s: its 60 return
		{9 * time.Second, "f", load("m", 1, 1), time.Hour, &QueueRefusal{Model: "m", Limit: 100, Held: 100, Asked: 1}},
		{10 * time.Second, "g", load("m", 60, 1), time.Hour, nil},
	}
	for _, s := range steps {
		*now = at(s.now)
		got := admit(t, q, batches, s.id, s.e, at(s.end))
		if fmt.Sprint(got) != fmt.Sprint(s.refused) {
			t.Errorf("%s at %s: refusal %+v, want %+v", s.id, s.now, got, s.refused)
		}
	}
	// c is gone (an Anthropic batch deleted, say): it holds nothing
	delete(batches.ends, "c")
	st, err := q.stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m, other := st.Models["m"], st.Models["other"]
	if st.Held != (Load{70, 2}) || st.Peak != (Load{110, 4}) || st.Admitted != 4 || st.Refused != 3 ||
		*m != (ModelQueueStats{Limit: 100, Held: Load{60, 1}, Peak: Load{100, 3}, Admitted: 3, Refused: 2}) ||
		*other != (ModelQueueStats{Limit: 10, Held: Load{10, 1}, Peak: Load{10, 1}, Admitted: 1, Refused: 1}) {
		t.Errorf("stats %+v; m %+v; other %+v", st, m, other)
	}
}

func TestQueueRequestsOverAllModels(t *testing.T) {
	q, _, batches := newTestQueue(t, Quota{Requests: 5, Tokens: map[string]int64{AnyModel: 1}}, QueueRequests)
	two := Enqueued{Models: map[string]Load{"x": {100, 2}, "y": {100, 1}}}
	if r := admit(t, q, batches, "a", two, quotaEpoch.Add(time.Hour)); r != nil {
		t.Errorf("refused %+v", r)
	}
	want := &QueueRefusal{Limit: 5, Held: 3, Asked: 3, Count: QueueRequests}
	if r := admit(t, q, batches, "b", two, quotaEpoch.Add(time.Hour)); fmt.Sprint(r) != fmt.Sprint(want) {
		t.Errorf("refusal %+v, want %+v", r, want)
	}
	if r := admit(t, q, batches, "c", load("z", 1000, 2), quotaEpoch.Add(time.Hour)); r != nil {
		t.Errorf("refused %+v (token limits do not apply)", r)
	}
}

// A refusal answered with an error is still counted; a failure to store
// an admitted batch leaves the ledger as it was.
func TestQueueStoreErrors(t *testing.T) {
	q, _, _ := newTestQueue(t, Quota{Tokens: map[string]int64{"m": 10}}, QueueTokens)
	boom := errors.New("disk full")
	if err := q.Admit(context.Background(), Enqueued{ID: "a", Models: map[string]Load{"m": {5, 1}}}, func(*QueueRefusal) error { return boom }); err != boom {
		t.Errorf("admitted store error: %v", err)
	}
	tooMany := errors.New("429")
	if err := q.Admit(context.Background(), Enqueued{ID: "b", Models: map[string]Load{"m": {11, 1}}}, func(*QueueRefusal) error { return tooMany }); err != tooMany {
		t.Errorf("refused store error: %v", err)
	}
	st, err := q.stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Admitted != 0 || st.Refused != 1 || st.Held != (Load{}) || st.Peak != (Load{}) {
		t.Errorf("stats %+v", st)
	}
}

// Two hosts sharing a directory (two processes, or two servers) keep one
// ledger: concurrent admissions never hold more than the limit.
func TestQueueSharedAcrossHosts(t *testing.T) {
	dir := t.TempDir()
	batches := &fakeBatches{ends: make(map[string]time.Time)}
	queues := make([]*Queue, 2)
	for i := range queues {
		h := NewHost(func() time.Time { return quotaEpoch }, 0, "", nil, nil, Limits{Quota: Quota{Tokens: map[string]int64{"m": 50}}})
		queues[i] = h.Queue("p", dir, QueueTokens, batches.ended)
	}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			admit(t, queues[i%2], batches, fmt.Sprint("b", i), load("m", 7, 1), quotaEpoch.Add(time.Hour))
		})
	}
	wg.Wait()
	st, err := queues[0].stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Admitted != 7 || st.Refused != 33 || st.Peak.Tokens != 49 || st.Held.Tokens != 49 {
		t.Errorf("stats %+v", st)
	}
}

// The ledger is a file in the queue's directory; a corrupt one is an
// error, not an empty queue.
func TestQueueCorruptLedger(t *testing.T) {
	q, _, _ := newTestQueue(t, Quota{Tokens: map[string]int64{"m": 10}}, QueueTokens)
	if filepath.Base(q.path) != "queue.json" {
		t.Errorf("ledger at %s", q.path)
	}
	if err := os.WriteFile(q.path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := q.Admit(context.Background(), Enqueued{ID: "a"}, func(*QueueRefusal) error { return nil })
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Admit on a corrupt ledger: %v", err)
	}
}

func TestQueueNoLimitNoQueue(t *testing.T) {
	h := NewHost(nil, 0, "", nil, nil, Limits{Quota: Quota{Requests: 3}})
	if q := h.Queue("openai", t.TempDir(), QueueTokens, nil); q != nil {
		t.Error("a token queue without token limits")
	}
	var q *Queue
	called := false
	if err := q.Admit(context.Background(), Enqueued{}, func(r *QueueRefusal) error { called = r == nil; return nil }); err != nil || !called {
		t.Errorf("nil queue: %v, store called %v", err, called)
	}
	if q.Tally("", "") != nil {
		t.Error("nil queue's tally")
	}
}

func TestQuotaValidate(t *testing.T) {
	tests := []struct {
		q    Quota
		want string
	}{
		{Quota{}, ""},
		{Quota{Tokens: map[string]int64{"": 5}}, "enqueued token limit without a model"},
		{Quota{Tokens: map[string]int64{"m": 0}}, "enqueued token limit 0 of m is not a positive number"},
		{Quota{Requests: -1}, "negative enqueued request limit -1"},
	}
	for _, tt := range tests {
		err := tt.q.Validate()
		if got := fmt.Sprint(err); tt.want == "" && err != nil || tt.want != "" && got != tt.want {
			t.Errorf("Validate(%+v) = %v, want %q", tt.q, err, tt.want)
		}
	}
}

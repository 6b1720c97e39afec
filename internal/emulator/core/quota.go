package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/lockfile"
	"github.com/batchctl/batchctl/internal/tokens"
)

// AnyModel is the model of a Quota.Tokens limit that applies to every
// model without a limit of its own.
const AnyModel = "*"

// Quota is how much the batches of one protocol may hold in its batch
// queue at once, as the real services limit it: OpenAI (and Azure) count
// the enqueued prompt tokens of each model, Gemini the enqueued tokens of
// each model, Anthropic the requests of all batches in its processing
// queue. A batch holds its share from its creation until it ends
// (completed, failed, expired or cancelled). The zero value has no limit.
type Quota struct {
	// Tokens are the most input tokens the unfinished batches of a model
	// may hold, by model (without "models/"); AnyModel's applies to the
	// models without their own. Only the protocols counting tokens apply
	// them.
	Tokens map[string]int64
	// Requests is the most requests all unfinished batches together may
	// hold; 0 means no limit. Only Anthropic applies it.
	Requests int64
}

// Validate reports the first limit out of range.
func (q Quota) Validate() error {
	for _, model := range slices.Sorted(maps.Keys(q.Tokens)) {
		switch n := q.Tokens[model]; {
		case model == "":
			return errors.New("enqueued token limit without a model")
		case n <= 0:
			return fmt.Errorf("enqueued token limit %d of %s is not a positive number", n, model)
		}
	}
	if q.Requests < 0 {
		return fmt.Errorf("negative enqueued request limit %d", q.Requests)
	}
	return nil
}

// IsZero reports whether q limits nothing.
func (q Quota) IsZero() bool { return len(q.Tokens) == 0 && q.Requests == 0 }

// tokenLimit returns the token limit of model; 0 means none.
func (q Quota) tokenLimit(model string) int64 {
	if n, ok := q.Tokens[model]; ok {
		return n
	}
	return q.Tokens[AnyModel]
}

// QueueCount is what a protocol's batch queue limits.
type QueueCount int

const (
	// QueueTokens limits the input tokens held, per model (Quota.Tokens).
	QueueTokens QueueCount = iota
	// QueueRequests limits the requests held, all models together
	// (Quota.Requests).
	QueueRequests
)

func (c QueueCount) String() string {
	if c == QueueRequests {
		return "requests"
	}
	return "tokens"
}

// Load is what batches hold in a queue.
type Load struct {
	Tokens   int64 `json:"tokens"`
	Requests int64 `json:"requests"`
}

func (l Load) add(m Load) Load { return Load{l.Tokens + m.Tokens, l.Requests + m.Requests} }

func (l Load) max(m Load) Load { return Load{max(l.Tokens, m.Tokens), max(l.Requests, m.Requests)} }

// Enqueued is what one batch holds in its protocol's queue, by model.
type Enqueued struct {
	ID     string          `json:"id"`
	Models map[string]Load `json:"models"`
}

// total returns what the batch holds over all its models.
func (e Enqueued) total() Load {
	var t Load
	for _, l := range e.Models {
		t = t.add(l)
	}
	return t
}

// QueueRefusal says which limit refused a batch.
type QueueRefusal struct {
	// Model is the model over its token limit; "" for the request limit.
	Model string
	// Limit is the limit; Held is what the batches already in the queue
	// held of it, Asked what the refused batch would have added.
	Limit, Held, Asked int64
	Count              QueueCount
}

// Queue keeps the ledger of a protocol's batch queue: the batches holding
// part of the quota, and the peaks they held. The ledger is a file under
// the protocol's state directory, read and written under a file lock, so
// every process sharing the directory keeps the same one.
type Queue struct {
	name  string
	count QueueCount
	quota Quota
	path  string
	now   func() time.Time
	// ended reports whether the batch id has ended (or is gone) at now.
	ended func(id string, now time.Time) (bool, error)
	// mu orders this process's callers; the file lock, the processes.
	mu sync.Mutex
}

// ledger is the stored state of a Queue.
type ledger struct {
	Held     []Enqueued                  `json:"held"`
	Peak     Load                        `json:"peak"`
	Models   map[string]*ModelQueueStats `json:"models"`
	Admitted int64                       `json:"admitted"`
	Refused  int64                       `json:"refused"`
}

// ModelQueueStats are one model's share of a queue's stats. Held is what
// unfinished batches hold now; Peak is the most they held at once (tokens
// and requests each at their own peak); Admitted and Refused count the
// batches the quota let in and turned away.
type ModelQueueStats struct {
	Limit    int64 `json:"limit"`
	Held     Load  `json:"held"`
	Peak     Load  `json:"peak"`
	Admitted int64 `json:"admitted"`
	Refused  int64 `json:"refused"`
}

// QueueStats are what GET /_emulator/stats reports of a protocol's batch
// queue: what it counts and its limit (over all models: the request limit;
// per model: in Models), what unfinished batches hold now and the most
// they held at once, over all models and per model.
type QueueStats struct {
	Counts   string                      `json:"counts"`
	Limit    int64                       `json:"limit"`
	Held     Load                        `json:"held"`
	Peak     Load                        `json:"peak"`
	Admitted int64                       `json:"admitted"`
	Refused  int64                       `json:"refused"`
	Models   map[string]*ModelQueueStats `json:"models"`
}

// quotaLockWait bounds the wait for another process's turn at the ledger,
// which each holds for one create.
const quotaLockWait = 30 * time.Second

// Queue returns the queue of protocol name, whose ledger lives in dir,
// counting count; ended tells whether a batch has ended at an instant. It
// returns nil, which admits everything and keeps nothing, when the server
// has no limit of that kind.
func (h *Host) Queue(name, dir string, count QueueCount, ended func(id string, now time.Time) (bool, error)) *Queue {
	q := h.quota
	if count == QueueTokens && len(q.Tokens) == 0 || count == QueueRequests && q.Requests == 0 {
		return nil
	}
	queue := &Queue{name: name, count: count, quota: q, path: filepath.Join(dir, "queue.json"), now: h.Clock, ended: ended}
	h.queuesMu.Lock()
	defer h.queuesMu.Unlock()
	h.queues[name] = queue
	return queue
}

// Admit decides on a new batch holding e: under the ledger's lock, it
// drops the batches that have ended, checks e against the quota and calls
// store with the refusal, or nil when e fits, then records e as held with
// the new peaks (if it fit and store succeeded) or as refused (whatever
// store returned: a refusal is often answered with an error). On a nil
// Queue it only calls store(nil).
//
// An admitted batch must start its timeline in store (Created = now):
// the ledger was checked at an instant before, so a batch created earlier,
// before the lock was free, could otherwise be seen in the queue, or end,
// before it was admitted.
func (q *Queue) Admit(ctx context.Context, e Enqueued, store func(refusal *QueueRefusal) error) error {
	if q == nil {
		return store(nil)
	}
	var refused error
	err := q.update(ctx, func(l *ledger) error {
		refusal := q.check(l, e)
		err := store(refusal)
		if refusal == nil && err != nil {
			return err
		}
		refused = err
		q.record(l, e, refusal)
		return nil
	})
	return cmp.Or(err, refused)
}

// update runs change on the ledger, pruned of ended batches, under the
// lock, and saves it if change succeeds.
func (q *Queue) update(ctx context.Context, change func(l *ledger) error) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	lock, err := lockfile.Wait(ctx, q.path+".lock", quotaLockWait)
	if err != nil {
		return fmt.Errorf("%s batch queue: %w", q.name, err)
	}
	defer lock.Unlock()
	l, err := q.load()
	if err != nil {
		return err
	}
	if err := change(l); err != nil {
		return err
	}
	return WriteJSONFile(q.path, l)
}

// load reads the ledger and drops the batches that have ended.
func (q *Queue) load() (*ledger, error) {
	l := &ledger{}
	if err := ReadJSONFile(q.path, l); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if l.Models == nil {
		l.Models = make(map[string]*ModelQueueStats)
	}
	now := q.now()
	held := l.Held[:0]
	for _, e := range l.Held {
		ended, err := q.ended(e.ID, now)
		if err != nil {
			return nil, err
		}
		if !ended {
			held = append(held, e)
		}
	}
	l.Held = held
	return l, nil
}

// held returns what the ledger's batches hold, over all models and per
// model.
func (l *ledger) held() (Load, map[string]Load) {
	var total Load
	perModel := make(map[string]Load)
	for _, e := range l.Held {
		for model, load := range e.Models {
			perModel[model] = perModel[model].add(load)
			total = total.add(load)
		}
	}
	return total, perModel
}

// check returns the refusal of e by the ledger's batches, or nil.
func (q *Queue) check(l *ledger, e Enqueued) *QueueRefusal {
	total, perModel := l.held()
	if q.count == QueueRequests {
		asked := e.total().Requests
		if total.Requests+asked > q.quota.Requests {
			return &QueueRefusal{Limit: q.quota.Requests, Held: total.Requests, Asked: asked, Count: QueueRequests}
		}
		return nil
	}
	for _, model := range slices.Sorted(maps.Keys(e.Models)) {
		limit, asked := q.quota.tokenLimit(model), e.Models[model].Tokens
		if limit > 0 && perModel[model].Tokens+asked > limit {
			return &QueueRefusal{Model: model, Limit: limit, Held: perModel[model].Tokens, Asked: asked, Count: QueueTokens}
		}
	}
	return nil
}

// record counts e in the ledger: held with new peaks if it was admitted,
// refused otherwise.
func (q *Queue) record(l *ledger, e Enqueued, refusal *QueueRefusal) {
	for model := range e.Models {
		if l.Models[model] == nil {
			l.Models[model] = &ModelQueueStats{}
		}
	}
	if refusal != nil {
		l.Refused++
		for model := range e.Models {
			l.Models[model].Refused++
		}
		return
	}
	l.Admitted++
	l.Held = append(l.Held, e)
	total, perModel := l.held()
	l.Peak = l.Peak.max(total)
	for model := range e.Models {
		m := l.Models[model]
		m.Admitted++
		m.Peak = m.Peak.max(perModel[model])
	}
}

// stats returns the queue's stats now.
func (q *Queue) stats(ctx context.Context) (QueueStats, error) {
	var s QueueStats
	err := q.update(ctx, func(l *ledger) error {
		total, perModel := l.held()
		s = QueueStats{Counts: q.count.String(), Held: total, Peak: l.Peak, Admitted: l.Admitted, Refused: l.Refused,
			Models: make(map[string]*ModelQueueStats)}
		if q.count == QueueRequests {
			s.Limit = q.quota.Requests
		}
		for model, m := range l.Models {
			c := *m
			c.Held = perModel[model]
			if q.count == QueueTokens {
				c.Limit = q.quota.tokenLimit(model)
			}
			s.Models[model] = &c
		}
		return nil
	})
	return s, err
}

// QueueStats returns the stats of every batch queue with a limit, by
// protocol.
func (h *Host) QueueStats(ctx context.Context) (map[string]QueueStats, error) {
	h.queuesMu.Lock()
	queues := maps.Clone(h.queues)
	h.queuesMu.Unlock()
	if len(queues) == 0 {
		return nil, nil
	}
	out := make(map[string]QueueStats, len(queues))
	for name, q := range queues {
		s, err := q.stats(ctx)
		if err != nil {
			return nil, err
		}
		out[name] = s
	}
	return out, nil
}

// EndedAt reports whether a batch of timeline t has ended at now; a
// batch that is gone (os.ErrNotExist from load) has.
func EndedAt(t Timeline, now time.Time) bool { return t.At(now).Phase.Terminal() }

// GoneOrEnded adapts a loader of timelines to Queue's ended function: a
// batch whose record is missing has ended.
func GoneOrEnded(load func(id string) (Timeline, error)) func(id string, now time.Time) (bool, error) {
	return func(id string, now time.Time) (bool, error) {
		t, err := load(id)
		if errors.Is(err, fs.ErrNotExist) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		return EndedAt(t, now), nil
	}
}

// QueueTally adds up what a new batch's requests would hold in the queue,
// by model. Tokens are batchctl's own offline count of the input
// (internal/tokens), the count the emulator's token-counting endpoints
// answer, so a client can know them; output tokens are not counted.
type QueueTally struct {
	counter *tokens.Counter
	model   string
	models  map[string]Load
}

// Tally returns a QueueTally for requests of target in a batch of model
// (the model of lines that name none), or nil on a nil Queue: a nil
// QueueTally counts nothing.
func (q *Queue) Tally(target jsonl.Target, model string) *QueueTally {
	if q == nil {
		return nil
	}
	model = strings.TrimPrefix(model, "models/")
	return &QueueTally{counter: tokens.NewCounter(target, model), model: model, models: make(map[string]Load)}
}

// Add counts one request line, in the target's batch line form.
func (t *QueueTally) Add(line []byte) error {
	if t == nil {
		return nil
	}
	l, err := t.counter.Count(line)
	if err != nil {
		return err
	}
	model := cmp.Or(l.Model, t.model)
	t.models[model] = t.models[model].add(Load{Tokens: int64(l.Input), Requests: 1})
	return nil
}

// Enqueued returns what batch id holds, by model.
func (t *QueueTally) Enqueued(id string) Enqueued {
	if t == nil {
		return Enqueued{ID: id}
	}
	return Enqueued{ID: id, Models: t.models}
}

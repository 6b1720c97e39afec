package jobs

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
	"github.com/batchctl/batchctl/internal/tokens"
)

// The submission queue (issue 15). Every provider caps what may be
// enqueued at once per model: OpenAI and Azure count the prompt tokens of
// the batches not yet ended ("batch queue limit"; Azure answers
// token_limit_exceeded, see
// https://learn.microsoft.com/en-us/answers/questions/2285577), Gemini its
// enqueued tokens (429 RESOURCE_EXHAUSTED at create), Anthropic the
// requests in its processing queue (429 at create). A part that does not
// fit in what is left of its budget is recorded as queued, and submitted
// by a later create, sync or wait once earlier parts have ended.
//
// The ledger of what is in flight is computed from the registry: the
// parts of every job of the same (endpoint, model) that have a batch not
// yet ended, and those whose create may still land. It sees only this
// registry; the provider's quota is per organization or project.

// DefaultQueueBackoff is how long a part the provider refused for its quota
// waits before it is tried again.
const DefaultQueueBackoff = time.Minute

// queueLockWait bounds the wait for another process admitting a part of
// the same (endpoint, model): it holds the lock for one create.
const queueLockWait = 10 * time.Minute

// Key names a ledger: the endpoint (the profile's base URL) and the model.
type Key struct {
	Endpoint string
	Model    string
}

// KeyOf is the ledger a job's parts count in. A job on the embedded
// emulator, which records no base URL, counts under its profile name.
func KeyOf(j *store.Job) Key {
	ep := j.Target.BaseURL
	if ep == "" {
		ep = j.Provider
	}
	return Key{Endpoint: ep, Model: strings.TrimPrefix(j.Model, "models/")}
}

// countsRequests reports whether a job's provider counts its queue in
// requests (Anthropic) rather than tokens.
func countsRequests(j *store.Job) bool {
	return config.BudgetUnit(j.Target.ProfileType) == "requests"
}

// Unit is what a job's budget counts: "tokens" or "requests".
func Unit(j *store.Job) string { return config.BudgetUnit(j.Target.ProfileType) }

// LineUnits is what one converted request line counts against its
// provider's queue: 1 for Anthropic (requests), else its input tokens
// (OpenAI counts enqueued prompt tokens; Gemini's enqueued tokens are
// taken as its input tokens too — not confirmed against a document).
func LineUnits(target jsonl.Target, l tokens.Line) int64 {
	if target == jsonl.TargetAnthropic {
		return 1
	}
	return int64(l.Input)
}

// Budget is the enqueued budget that holds for a job now.
type Budget struct {
	Limit int64 // 0: unlimited (none known)
	// Source says where it comes from: "--enqueued-tokens", "config",
	// "learned".
	Source string
	// Configured is the job's or the config's budget, 0 for none; Learned
	// the one learned from refusals, 0 for none.
	Configured, Learned int64
}

// budgetOf returns the budget of a job: the smaller of the configured one
// (the job's own, else the config's) and the learned one.
func (m *Manager) budgetOf(ctx context.Context, j *store.Job) (Budget, error) {
	var b Budget
	if j.Target.EnqueuedTokens > 0 {
		b.Configured, b.Source = j.Target.EnqueuedTokens, "--enqueued-tokens"
	} else if p, err := m.Config.Profile(j.Provider); err == nil {
		if b.Configured = p.BudgetFor(KeyOf(j).Model); b.Configured > 0 {
			b.Source = "config"
		}
	}
	b.Limit = b.Configured
	learned, err := m.learned(ctx, KeyOf(j))
	if err != nil {
		return b, err
	}
	b.Learned = learned.Tokens
	if b.Learned > 0 && (b.Limit == 0 || b.Learned < b.Limit) {
		b.Limit, b.Source = b.Learned, "learned"
	}
	return b, nil
}

// learned returns the learned budget of key, zero when there is none.
func (m *Manager) learned(ctx context.Context, key Key) (store.LearnedBudget, error) {
	all, err := m.reg.LearnedBudgets(ctx)
	if err != nil {
		return store.LearnedBudget{}, err
	}
	for _, b := range all {
		if b.Endpoint == key.Endpoint && b.Model == key.Model {
			return b, nil
		}
	}
	return store.LearnedBudget{Endpoint: key.Endpoint, Model: key.Model}, nil
}

// partUnits is what part i of j counts against its budget, counted from
// its input file the first time and recorded. A part whose input is at
// the provider (create --input-file-id) counts 0 tokens: batchctl cannot
// read it.
func (m *Manager) partUnits(ctx context.Context, j *Job, i int) (int64, error) {
	part := j.Parts[i]
	if countsRequests(j.Job) {
		return int64(part.Requests), nil
	}
	if part.Tokens > 0 || RemoteInput(part) {
		return part.Tokens, nil
	}
	n, err := countFileUnits(m.InputPath(j.ID, part.Index), TargetOf(&config.Profile{Type: j.Target.ProfileType}), j.Model)
	if err != nil {
		return 0, err
	}
	part.Tokens = n
	if err := m.savePart(ctx, j, i, part); err != nil {
		return 0, err
	}
	return n, nil
}

// countFileUnits adds up what the converted request lines of path count
// against a queue of target (see LineUnits).
func countFileUnits(path string, target jsonl.Target, model string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("counting the tokens of %s: %w", path, err)
	}
	defer f.Close()
	c := tokens.NewCounter(target, model)
	r := jsonl.NewReader(f)
	var n int64
	for {
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return 0, fmt.Errorf("counting the tokens of %s: %w", path, err)
		}
		l, err := c.Count(line)
		if err != nil {
			return 0, fmt.Errorf("counting the tokens of %s line %d: %w", path, r.Line(), err)
		}
		n += LineUnits(target, l)
	}
}

// Ledger is what one (endpoint, model) holds: in flight at the provider,
// and queued here.
type Ledger struct {
	Key
	Unit     string
	InFlight int64
	Queued   int64
	// Parts in flight and queued.
	InFlightParts, QueuedParts int
	Budget                     Budget
	// Waiting are the jobs with parts in the queue, first to go first.
	Waiting []*store.Job
}

// Ahead reports whether job a goes before job b in the queue: a higher
// priority first, then the older job.
func Ahead(a, b *store.Job) bool {
	switch {
	case a.Target.Priority != b.Target.Priority:
		return a.Target.Priority > b.Target.Priority
	case !a.CreatedAt.Equal(b.CreatedAt):
		return a.CreatedAt.Before(b.CreatedAt)
	}
	return a.ID < b.ID
}

// byQueueOrder sorts jobs in the order the queue serves them.
func byQueueOrder(a, b *store.Job) int {
	switch {
	case Ahead(a, b):
		return -1
	case Ahead(b, a):
		return 1
	}
	return 0
}

// ledgers adds up, per key, the parts of the registry's unended jobs:
// those with a batch not yet ended or a create that may still land are in
// flight, the queued and unsubmitted ones queued. only, when set, limits
// the count to that key.
func (m *Manager) ledgers(ctx context.Context, only *Key) (map[Key]*Ledger, error) {
	list, err := m.reg.List(ctx, store.Filter{NeedsSync: true})
	if err != nil {
		return nil, err
	}
	out := map[Key]*Ledger{}
	for _, sj := range list {
		key := KeyOf(sj)
		if only != nil && key != *only || sj.Target.Mode == config.ModeDirect {
			continue
		}
		l := out[key]
		if l == nil {
			l = &Ledger{Key: key, Unit: Unit(sj)}
			out[key] = l
		}
		j := &Job{Job: sj, Registered: true}
		var open []store.Attempt
		waiting := false
		if j.Unsubmitted() {
			if open, err = m.reg.OpenAttempts(ctx, j.ID); err != nil {
				return nil, err
			}
		}
		for i, part := range j.Parts {
			flying := part.BatchID != "" && !providers.Status(part.Status).Terminal() && part.GoneAt.IsZero()
			landing := ToSubmit(part) && maxAttempt(open, part.Index) > 0
			queued := ToSubmit(part) && !landing
			if !flying && !landing && !queued {
				continue
			}
			n, err := m.partUnits(ctx, j, i)
			if err != nil {
				return nil, err
			}
			if queued {
				l.Queued += n
				l.QueuedParts++
				waiting = true
			} else {
				l.InFlight += n
				l.InFlightParts++
			}
		}
		if waiting && !j.AwaitsPrimer() { // it cannot go yet: it is ahead of nobody
			l.Waiting = append(l.Waiting, sj)
		}
	}
	for _, l := range out {
		slices.SortFunc(l.Waiting, byQueueOrder)
	}
	return out, nil
}

// Ledgers returns what every (endpoint, model) of the registry's unended
// jobs holds, with its budget, sorted by endpoint and model; learned
// budgets of keys with nothing in flight are listed too.
func (m *Manager) Ledgers(ctx context.Context) ([]*Ledger, error) {
	byKey, err := m.ledgers(ctx, nil)
	if err != nil {
		return nil, err
	}
	jobOf := map[Key]*store.Job{}
	list, err := m.reg.List(ctx, store.Filter{NeedsSync: true})
	if err != nil {
		return nil, err
	}
	for _, sj := range list {
		if _, ok := jobOf[KeyOf(sj)]; !ok {
			jobOf[KeyOf(sj)] = sj
		}
	}
	learned, err := m.reg.LearnedBudgets(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range learned {
		key := Key{b.Endpoint, b.Model}
		if byKey[key] == nil {
			byKey[key] = &Ledger{Key: key, Unit: "tokens", Budget: Budget{Limit: b.Tokens, Learned: b.Tokens, Source: "learned"}}
		}
	}
	var out []*Ledger
	for key, l := range byKey {
		if sj := jobOf[key]; sj != nil {
			if l.Budget, err = m.budgetOf(ctx, sj); err != nil {
				return nil, err
			}
		}
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b *Ledger) int {
		return strings.Compare(a.Endpoint+"\x00"+a.Model, b.Endpoint+"\x00"+b.Model)
	})
	return out, nil
}

// lockQueue takes the lock of a ledger, so that of several processes
// submitting parts of the same (endpoint, model), one at a time checks the
// budget and sends: two never overrun it together.
func (m *Manager) lockQueue(ctx context.Context, key Key) (Lock, error) {
	lock, err := m.locker.Wait(ctx, queueLockName(key), queueLockWait)
	if errors.Is(err, ErrLocked) {
		return nil, fmt.Errorf("another batchctl process has been submitting to %s %s for %s: %w", key.Endpoint, key.Model, queueLockWait, err)
	}
	return lock, err
}

// queueLockName names the lock of a ledger: a hash of its endpoint and
// model, which may hold any characters.
func queueLockName(key Key) string {
	sum := sha256.Sum256([]byte(key.Endpoint + "\x00" + key.Model))
	return "queue/" + hex.EncodeToString(sum[:8])
}

// QuotaError says the provider refused a create for its enqueued quota.
type QuotaError struct{ Err error }

func (e *QuotaError) Error() string {
	return "the provider refused it for its enqueued quota: " + e.Err.Error()
}
func (e *QuotaError) Unwrap() error { return e.Err }

// quotaRefusal reports whether a create's error is the provider refusing
// it for its enqueued quota: a 429 that names the queue or the enqueued
// tokens (Anthropic's limit on requests in its processing queue), or
// Gemini's "You exceeded your current quota" (429 RESOURCE_EXHAUSTED, the
// answer to a batch create over its enqueued tokens, as reported in
// https://github.com/langchain4j/langchain4j/pull/3942 and
// googleapis/js-genai#1264). Another 429 is a rate limit, retried as ever;
// OpenAI's insufficient_quota (the account's credit) is not retried at all
// (retry.Classify).
func quotaRefusal(err error) bool {
	he, ok := errors.AsType[*providers.HTTPError](err)
	if !ok || he.StatusCode != 429 {
		return false
	}
	text := strings.ToLower(he.Code + " " + he.Type + " " + he.Message)
	switch {
	case strings.Contains(text, "insufficient_quota"):
		return false
	case strings.Contains(text, "enqueued"), strings.Contains(text, "queue"), strings.Contains(text, "token_limit_exceeded"):
		return true
	}
	return strings.Contains(text, "exceeded your current quota")
}

// RefusedBatch reports whether a provider batch ended failed because the
// provider refused it for its enqueued quota (OpenAI and Azure:
// errors.data[].code token_limit_exceeded). Such a batch is a create
// attempt, never a part's batch.
func RefusedBatch(b *providers.Batch) bool {
	if b.Status != providers.StatusFailed {
		return false
	}
	for _, e := range b.Errors {
		if e.Code == "token_limit_exceeded" {
			return true
		}
	}
	return false
}

// refusalMessage is what a batch the provider refused for its quota says.
func refusalMessage(b *providers.Batch) string {
	for _, e := range b.Errors {
		if e.Code == "token_limit_exceeded" {
			return e.Message + " (token_limit_exceeded)"
		}
	}
	return ""
}

// admission is the decision on one part: submit it, or why it waits.
type admission struct {
	why      string // "" to submit
	budget   Budget
	inFlight int64
	units    int64
}

// admit decides whether part i of j may be submitted now: it may when no
// budget is known, when it fits in what the budget leaves, or when nothing
// of its (endpoint, model) is in flight (a part larger than a budget
// learned or set after the job was split goes alone). A part the provider
// refused waits out its backoff first. A part after a cache primer waits
// for the primer to end before anything else (PrimerWhy).
func (m *Manager) admit(ctx context.Context, j *Job, i int) (admission, error) {
	part := j.Parts[i]
	var a admission
	if j.waitsForPrimer(i) {
		a.why = PrimerWhy
		return a, nil
	}
	var err error
	if a.budget, err = m.budgetOf(ctx, j.Job); err != nil {
		return a, err
	}
	if now := m.now(); now.Before(part.NotBefore) {
		a.why = fmt.Sprintf("the provider refused it for its enqueued quota; trying again after %s", part.NotBefore.Local().Format(time.TimeOnly))
		return a, nil
	}
	if a.budget.Limit == 0 {
		return a, nil
	}
	key := KeyOf(j.Job)
	if a.units, err = m.partUnits(ctx, j, i); err != nil {
		return a, err
	}
	ledgers, err := m.ledgers(ctx, &key)
	if err != nil {
		return a, err
	}
	if l := ledgers[key]; l != nil {
		a.inFlight = l.InFlight
		for _, w := range l.Waiting {
			if w.ID != j.ID && Ahead(w, j.Job) {
				a.why = fmt.Sprintf("behind job %s in the queue for %s", w.ID, key.Model)
				return a, nil
			}
		}
	}
	if a.inFlight > 0 && a.inFlight+a.units > a.budget.Limit {
		a.why = fmt.Sprintf("waiting for room: %s of %s %s (%s budget) in flight for %s; this part needs %s",
			thousands(a.inFlight), thousands(a.budget.Limit), Unit(j.Job), a.budget.Source, key.Model, thousands(a.units))
	}
	return a, nil
}

// submitQueuedPart submits part i of j if its budget admits it, under the
// lock of its ledger. It reports false when the part waits (it is then
// recorded as queued, with why). A refusal for the provider's quota
// requeues the part with a backoff and lowers the learned budget.
func (m *Manager) submitQueuedPart(ctx context.Context, p providers.Provider, j *Job, i int, window string) (bool, error) {
	lock, err := m.lockQueue(ctx, KeyOf(j.Job))
	if err != nil {
		return false, err
	}
	defer lock.Unlock()
	a, err := m.admit(ctx, j, i)
	if err != nil {
		return false, err
	}
	if a.why != "" {
		return false, m.queueFrom(ctx, j, i, a.why)
	}
	part := j.Parts[i]
	b, err := m.submitPart(ctx, p, j, part, window)
	if qe, ok := errors.AsType[*QuotaError](err); ok {
		return false, m.requeue(ctx, j, []int{i}, qe)
	}
	if err != nil {
		return false, err
	}
	if RefusedBatch(b) { // failed at once: an attempt, not the part's batch
		return false, m.requeue(ctx, j, []int{i}, &QuotaError{Err: fmt.Errorf("batch %s failed: %s", b.ID, refusalMessage(b))})
	}
	part = PartFromBatch(j.Parts[i], b, m.now())
	part.QueuedWhy, part.NotBefore = "", time.Time{}
	if err := m.savePart(ctx, j, i, part); err != nil {
		return false, err
	}
	return true, m.raiseLearned(ctx, j.Job, a.budget)
}

// queueFrom records part i of j and every later part still to submit as
// queued (parts go in order), the first with why, the others behind it.
func (m *Manager) queueFrom(ctx context.Context, j *Job, i int, why string) error {
	for k := i; k < len(j.Parts); k++ {
		part := j.Parts[k]
		if !ToSubmit(part) {
			continue
		}
		w := why
		if k > i && why != PrimerWhy { // the primer holds every later part alike
			w = fmt.Sprintf("behind part %d", j.Parts[i].Index)
		}
		if part.Status == string(providers.StatusQueued) && part.QueuedWhy == w {
			continue
		}
		part.Status, part.QueuedWhy, part.UpdatedAt = string(providers.StatusQueued), w, m.now()
		if err := m.savePart(ctx, j, k, part); err != nil {
			return err
		}
	}
	return nil
}

// requeue puts parts of j (indexes idx) back in the queue after the
// provider refused them for its quota, to be tried again after the
// backoff, and lowers the learned budget of their ledger to what was in
// flight besides them (never below the largest of them). The user is told
// once.
func (m *Manager) requeue(ctx context.Context, j *Job, idx []int, refusal error) error {
	key := KeyOf(j.Job)
	ledgers, err := m.ledgers(ctx, &key)
	if err != nil {
		return err
	}
	var inFlight, largest int64
	if l := ledgers[key]; l != nil {
		inFlight = l.InFlight
	}
	for _, i := range idx {
		units, err := m.partUnits(ctx, j, i)
		if err != nil {
			return err
		}
		largest = max(largest, units)
		if j.Parts[i].BatchID != "" { // counted in flight until now
			inFlight -= units
		}
	}
	inFlight = max(inFlight, 0)
	notBefore := m.now().Add(m.queueBackoff())
	why := fmt.Sprintf("the provider refused it for its enqueued quota; trying again after %s", notBefore.Local().Format(time.TimeOnly))
	if inFlight == 0 {
		why = fmt.Sprintf("the provider refused it for its enqueued quota with nothing else of %s in flight from here: other work of the organization fills the quota, or the part is more than the provider's limit (then lower the budget and create the job again); trying again after %s",
			key.Model, notBefore.Local().Format(time.TimeOnly))
	}
	for _, i := range idx {
		part := j.Parts[i]
		if part.BatchID != "" { // a batch that failed for the quota: an attempt, not the part's batch
			part = unbatched(part)
		}
		part.Status, part.NotBefore, part.QueuedWhy = string(providers.StatusQueued), notBefore, why
		if err := m.savePart(ctx, j, i, part); err != nil {
			return err
		}
	}
	b, err := m.budgetOf(ctx, j.Job)
	if err != nil {
		return err
	}
	lb, err := m.learned(ctx, key)
	if err != nil {
		return err
	}
	lb.Tokens = max(inFlight, largest, 1)
	if b.Limit > 0 {
		lb.Tokens = min(lb.Tokens, b.Limit)
	}
	lb.Refusals++
	lb.UpdatedAt = m.now()
	if err := m.reg.SetLearnedBudget(ctx, lb); err != nil {
		return err
	}
	m.tellOnce(m.Note, "quota "+key.Endpoint+" "+key.Model, fmt.Sprintf("%s refused %s of job %s for its enqueued quota (%v); the budget for %s is now %s %s, learned; the refused parts wait in the queue",
		j.Provider, plural(len(idx), "part"), j.ID, errors.Unwrap(refusal), key.Model, thousands(lb.Tokens), Unit(j.Job)))
	return nil
}

// raiseLearned raises a learned budget by a tenth after an accepted
// submission, and forgets it once it passes the configured one.
func (m *Manager) raiseLearned(ctx context.Context, j *store.Job, b Budget) error {
	if b.Learned == 0 {
		return nil
	}
	lb, err := m.learned(ctx, KeyOf(j))
	if err != nil || lb.Tokens == 0 {
		return err
	}
	lb.Tokens += max(lb.Tokens/10, 1)
	if b.Configured > 0 && lb.Tokens >= b.Configured {
		lb.Tokens = 0
	}
	lb.UpdatedAt = m.now()
	return m.reg.SetLearnedBudget(ctx, lb)
}

// unbatched is a part without the batch it was given: back to before it
// was submitted, its input kept.
func unbatched(p store.Part) store.Part {
	q := store.Part{Index: p.Index, Requests: p.Requests, Bytes: p.Bytes, Tokens: p.Tokens, CreatedAt: p.CreatedAt}
	if RemoteInput(store.Part{Bytes: p.Bytes, InputFileID: p.InputFileID}) {
		q.InputFileID = p.InputFileID
	}
	return q
}

func (m *Manager) queueBackoff() time.Duration {
	if m.QueueBackoff > 0 {
		return m.QueueBackoff
	}
	return DefaultQueueBackoff
}

// thousands writes n with a comma every three digits.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Submitted is what SubmitQueued did to one job: Parts submitted, or the
// error that stopped it.
type Submitted struct {
	Job   *Job
	Parts int
	Err   error
}

// SubmitQueued submits, in queue order (see Ahead) and each job's parts in order,
// what fits now of the registry's parts still to submit. It returns, per
// job it tried, what it submitted or the error it met. A job another
// process is submitting is left to it.
func (m *Manager) SubmitQueued(ctx context.Context) ([]Submitted, error) {
	list, err := m.reg.List(ctx, store.Filter{NeedsSync: true})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(list, byQueueOrder)
	var out []Submitted
	for _, sj := range list {
		j := &Job{Job: sj, Registered: true}
		if !j.Unsubmitted() || j.Direct() {
			continue
		}
		before := submittedParts(j)
		err := m.Submit(ctx, j, m.Window(j))
		if _, busy := errors.AsType[*BusyError](err); busy {
			continue
		}
		if err != nil && ctx.Err() != nil {
			return out, err
		}
		out = append(out, Submitted{Job: j, Parts: submittedParts(j) - before, Err: err})
	}
	return out, nil
}

// Advance submits what fits of the queue (see SubmitQueued) and brings j
// up to date with the registry. It returns the error met submitting j.
func (m *Manager) Advance(ctx context.Context, j *Job) error {
	done, err := m.SubmitQueued(ctx)
	if err != nil {
		return err
	}
	now, err := m.reg.Get(ctx, j.ID)
	if err != nil {
		return err
	}
	j.Job = now
	for _, s := range done {
		if s.Job.ID == j.ID {
			return s.Err
		}
	}
	return nil
}

// submittedParts counts the parts of j that have a batch.
func submittedParts(j *Job) int {
	n := 0
	for _, p := range j.Parts {
		if p.BatchID != "" {
			n++
		}
	}
	return n
}

// QueuedParts counts the parts of j waiting in the queue.
func QueuedParts(j *Job) int {
	n := 0
	for _, p := range j.Parts {
		if p.BatchID == "" && p.Status == string(providers.StatusQueued) {
			n++
		}
	}
	return n
}

// queueSplit cuts a job being prepared so that no part counts more than
// its enqueued budget, and refuses a request larger than the budget. The
// zero budget (none configured) cuts nothing and counts nothing.
type queueSplit struct {
	spec    Spec
	file    string
	target  jsonl.Target
	limit   int64 // 0: none
	counter *tokens.Counter
	started bool
}

// newQueueSplit returns the split of a job of spec read from file (as
// named in messages); nil when no budget can apply to it.
func newQueueSplit(spec Spec, file string) *queueSplit {
	if spec.Profile == nil || spec.Profile.Direct() || spec.EnqueuedTokens <= 0 && len(spec.Profile.EnqueuedBudgets) == 0 {
		return nil
	}
	return &queueSplit{spec: spec, file: file, target: TargetOf(spec.Profile)}
}

// units counts one converted line against the budget, which is settled
// by the first line (its model); a line larger than the whole budget is a
// *jsonl.ValidationError.
func (q *queueSplit) units(line []byte, lineNo int) (int64, error) {
	if q == nil {
		return 0, nil
	}
	var l tokens.Line
	if q.target != jsonl.TargetAnthropic || !q.started {
		if q.counter == nil {
			q.counter = tokens.NewCounter(q.target, q.spec.Model)
		}
		var err error
		if l, err = q.counter.Count(line); err != nil {
			return 0, err
		}
	}
	if !q.started {
		q.started = true
		model := cmp.Or(q.spec.Model, l.Model)
		q.limit = q.spec.EnqueuedTokens
		if q.limit <= 0 {
			q.limit = q.spec.Profile.BudgetFor(strings.TrimPrefix(model, "models/"))
		}
	}
	n := LineUnits(q.target, l)
	if q.limit > 0 && n > q.limit {
		from := "--enqueued-tokens"
		if q.spec.EnqueuedTokens <= 0 {
			from = "enqueued_tokens of provider " + q.spec.Profile.Name
		}
		return 0, &jsonl.ValidationError{Total: 1, Problems: []jsonl.Problem{{File: q.file, Line: lineNo, Field: "tokens",
			Reason: fmt.Sprintf("the request counts %s tokens, more than the enqueued budget of %s (%s): the provider would never take it",
				thousands(n), thousands(q.limit), from)}}}
	}
	return n, nil
}

// full reports whether a part holding have units is too full for one more
// line of n.
func (q *queueSplit) full(have, n int64) bool {
	return q != nil && q.limit > 0 && have > 0 && have+n > q.limit
}

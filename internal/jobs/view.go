package jobs

import (
	"github.com/batchctl/batchctl/internal/prices"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

// View is a job as `status --json` and `list --json` print it. Its fields
// are a documented contract: add, never rename or remove.
type View struct {
	ID       string           `json:"id"`
	Name     string           `json:"name"`
	Provider string           `json:"provider"`
	Model    string           `json:"model"`
	Endpoint string           `json:"endpoint"`
	Status   string           `json:"status"`
	Requests int              `json:"requests"`
	Counts   providers.Counts `json:"counts"`
	// Usage is null while it is unknown (see Job.KnownUsage).
	Usage *providers.Usage `json:"usage"`
	// CostUSD is what the job cost, null while it is unknown, and
	// CostBasis what it rests on: "recorded" (every part priced when its
	// usage became final) or "current_prices" (some part priced at today's
	// table); null with CostUSD. See Job.Bill.
	CostUSD     *float64          `json:"cost_usd"`
	CostBasis   *string           `json:"cost_basis"`
	Input       string            `json:"input"`
	InputSHA256 string            `json:"input_sha256"`
	Metadata    map[string]string `json:"metadata"`
	CreatedAt   *time.Time        `json:"created_at"`
	UpdatedAt   *time.Time        `json:"updated_at"`
	CompletedAt *time.Time        `json:"completed_at"`
	Registered  bool              `json:"registered"`
	// Missing counts the requests the provider returned no result for;
	// null until the results are downloaded.
	Missing *int       `json:"missing"`
	Parts   []PartView `json:"parts"`
	// Mode is "batch", or "direct" for a job whose requests batchctl sends
	// itself.
	Mode string `json:"mode"`
	// Running is how a direct job advances while a process runs it; null
	// otherwise (set by status).
	Running *RunProgress `json:"running"`
	// CacheHitRate is the share of the prompt tokens read from the prompt
	// cache and CacheReadTokens how many, for an Anthropic job with a cache
	// primer or requests sharing a cacheable prefix, once its results are
	// downloaded (see CacheReport); null otherwise (set by status).
	CacheHitRate    *float64 `json:"cache_hit_rate"`
	CacheReadTokens *int64   `json:"cache_read_tokens"`
	// User and Host are who created the job and where (store.Job.User
	// and Host), "" for a job recorded before they were kept or a batch
	// that is not in the registry.
	User string `json:"user"`
	Host string `json:"host"`
}

// PartView is one provider batch of a job in JSON output.
type PartView struct {
	Index          int                    `json:"index"`
	BatchID        string                 `json:"batch_id"`
	Status         string                 `json:"status"`
	ProviderStatus string                 `json:"provider_status"`
	Requests       int                    `json:"requests"`
	Counts         providers.Counts       `json:"counts"`
	Usage          *providers.Usage       `json:"usage"`
	InputFileID    string                 `json:"input_file_id"`
	OutputFileID   string                 `json:"output_file_id"`
	ErrorFileID    string                 `json:"error_file_id"`
	Errors         []providers.BatchError `json:"errors"`
	CreatedAt      *time.Time             `json:"created_at"`
	CompletedAt    *time.Time             `json:"completed_at"`
	// GoneAt is when the provider first answered that it no longer has
	// the batch (deleted, or past its retention); null while it has it.
	GoneAt *time.Time `json:"gone_at"`
	// Tokens is what the part counts against its provider's enqueued
	// budget (tokens; requests for Anthropic), 0 until counted.
	Tokens int64 `json:"tokens"`
	// QueuedWhy says why a queued part waits, "" for others.
	QueuedWhy string `json:"queued_why"`
	// Cost is what the part cost, recorded when its usage became final;
	// null before, and for a part recorded without one (see Job.Bill).
	Cost *CostView `json:"cost"`
}

// CostView is a part's recorded cost and the prices it was worked out at.
type CostView struct {
	USD float64 `json:"usd"`
	// Rates is "batch" (Batch API rates) or "sync" (synchronous ones).
	Rates string `json:"rates"`
	// PriceSource names the price row's source (the page it was read from,
	// or the prices.yaml that set it), PriceDate its date.
	PriceSource string `json:"price_source"`
	PriceDate   string `json:"price_date"`
}

// ViewOf is the JSON view of a job, its cost at the rates of t.
func ViewOf(j *Job, t *prices.Table) View {
	v := View{
		ID: j.ID, Name: j.Name, Provider: j.Provider, Model: j.Model, Endpoint: j.Endpoint,
		Status: j.Status, Requests: j.Requests, Counts: j.Counts, Usage: j.KnownUsage(),
		Input: j.InputPath, InputSHA256: j.InputSHA256, Metadata: j.Metadata,
		CreatedAt: timePtr(j.CreatedAt), UpdatedAt: timePtr(j.UpdatedAt), CompletedAt: timePtr(j.CompletedAt),
		Registered: j.Registered, Parts: []PartView{}, Mode: "batch",
		User: j.User, Host: j.Host,
	}
	if b := j.Bill(t); b.USD != nil {
		v.CostUSD, v.CostBasis = b.USD, &b.Basis
	}
	if j.Direct() {
		v.Mode = "direct"
	}
	if v.Metadata == nil {
		v.Metadata = map[string]string{}
	}
	for _, p := range j.Parts {
		pv := PartView{
			Index: p.Index, BatchID: p.BatchID, Status: p.Status, ProviderStatus: p.ProviderStatus,
			Requests: p.Requests, Counts: p.Counts,
			InputFileID: p.InputFileID, OutputFileID: p.OutputFileID, ErrorFileID: p.ErrorFileID,
			Errors: p.Errors, CreatedAt: timePtr(p.CreatedAt), CompletedAt: timePtr(p.CompletedAt), GoneAt: timePtr(p.GoneAt),
			Tokens: p.Tokens,
		}
		if p.BatchID == "" && p.Status == string(providers.StatusQueued) {
			pv.QueuedWhy = p.QueuedWhy
		}
		if p.UsageKnown {
			pv.Usage = &p.Usage
		}
		if c := p.Cost; c != nil {
			pv.Cost = &CostView{USD: c.USD, Rates: c.Rates, PriceSource: c.PriceSource, PriceDate: c.PriceDate}
		}
		if pv.Errors == nil {
			pv.Errors = []providers.BatchError{}
		}
		v.Parts = append(v.Parts, pv)
	}
	return v
}

// KnownUsage is the job's token usage, nil while it is unknown: until
// every part's usage is known, reported with its batch (OpenAI) or summed
// from its downloaded results (Anthropic, Gemini).
func (j *Job) KnownUsage() *providers.Usage {
	if len(j.Parts) == 0 {
		return nil
	}
	for _, p := range j.Parts {
		if !p.UsageKnown {
			return nil
		}
	}
	u := j.Usage
	return &u
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

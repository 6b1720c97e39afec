// Package store is what every backend of batchctl's job registry shares:
// jobs, their parts and their aggregated status (DESIGN.md sections 2, 5
// and 7), the filter that lists them and the errors that say why a lookup
// failed. The backends are its subpackages (sqlite, postgres); package jobs says
// what it needs of one in its Registry interface.
package store

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

// ErrNotFound is returned, wrapped with the reference that was looked up,
// when no job matches.
var ErrNotFound = errors.New("not found")

// ErrExists is returned by CreateJob when the job id is already taken.
var ErrExists = errors.New("already exists")

// Job is what one create submits: one or more parts, each a provider batch.
type Job struct {
	ID       string
	Name     string // optional, from --name
	Provider string // profile name
	Model    string
	Endpoint string
	// InputPath is the user's input path as given ("-" for stdin).
	InputPath string
	// InputSHA256 is the hex sha256 of the converted input.
	InputSHA256 string
	Requests    int

	// ParentID is the id of the job this one retries, "" for none. It
	// must name a job when the job is created; it may later name a job
	// that was deleted. See Family.
	ParentID string
	// Fingerprint is an opaque hash the caller computes from what makes
	// two runs the same (input content, provider, model and options), ""
	// for none. See FindByFingerprint.
	Fingerprint string

	// Target is where the job lives and how its batches are created,
	// recorded when it is created; zero for jobs recorded before that.
	Target Target

	// User and Host are the operating system user and the host that
	// created the job (see jobs.WhoAmI), "" where not known: for jobs
	// recorded before they were kept.
	User string
	Host string

	// Status, Counts, Usage and CompletedAt are derived from Parts by the
	// store (see Aggregate); values set by the caller are replaced.
	// Status is a providers.Status value, "" while the job has no part.
	Status string
	Counts providers.Counts
	Usage  providers.Usage

	// Metadata is kept as given; a nil map and an empty one round-trip as such.
	Metadata map[string]string

	CreatedAt time.Time
	UpdatedAt time.Time
	// CompletedAt is when the last part finished, zero until the job is terminal.
	CompletedAt time.Time
	// SyncedAt is when sync last exported the job's results, zero until
	// then. CreateJob stores it as given and SavePart keeps it; SetSynced
	// changes it.
	SyncedAt time.Time

	Parts []Part // ordered by Index
}

// Target is what reaching a job's provider again takes, apart from the key:
// later commands use it rather than today's config and environment, so a
// job is polled where it was created and an interrupted create is finished
// as it was started. It never holds a key.
type Target struct {
	ProfileType string // wire protocol: openai, anthropic, gemini, mistral or emulator
	// BaseURL has no userinfo and no query parameter that could be a key.
	BaseURL    string
	AuthHeader string // how an openai-type key is sent: bearer or api-key
	// APIKeyEnv names the variable the key is read from.
	APIKeyEnv        string
	CompletionWindow string // of the job's batches, "" for the provider's default
	// Mode is config.ModeDirect for a direct job, whose requests batchctl
	// sends itself; "" for a batch job.
	Mode string
	// EnqueuedTokens is the enqueued-token budget given to this job alone
	// (create --enqueued-tokens), in the provider's unit; 0 for none.
	EnqueuedTokens int64
	// Priority orders the submission queue (create --priority): a job of
	// higher priority goes first, then the oldest.
	Priority int
	// Primer is set for a job created with --cache-prime: part 1 is one
	// request sent alone to write the provider's prompt cache, and the
	// other parts wait in the submission queue until it has ended (see
	// jobs.Job.AwaitsPrimer).
	Primer bool
}

// Part is one provider batch of a job.
type Part struct {
	Index          int    // 1-based within the job
	BatchID        string // provider batch id, "" until created
	Status         string // a providers.Status value, "" until submitted
	ProviderStatus string // the provider's own status
	Counts         providers.Counts
	Usage          providers.Usage
	// UsageKnown is whether Usage is known: reported with the batch, or
	// summed from its downloaded results. A zero Usage is "unknown" until
	// then, never zero tokens.
	UsageKnown   bool
	Requests     int
	Bytes        int64
	InputFileID  string
	OutputFileID string
	ErrorFileID  string
	// Errors are the batch-level errors the provider reported, such as
	// validation failures of input lines.
	Errors []providers.BatchError
	// Raw is the provider's last raw response for this batch.
	Raw []byte

	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt time.Time // zero until terminal
	// GoneAt is when the provider first answered that it no longer has
	// the batch (deleted, or past its retention), zero while it has it.
	// The part keeps the state recorded before.
	GoneAt time.Time
	// Tokens is what the part counts against its provider's enqueued
	// budget (see jobs.Units), 0 until counted.
	Tokens int64
	// QueuedWhy says why a queued part waits; NotBefore is when it may be
	// submitted again after the provider refused it for its quota.
	QueuedWhy string
	NotBefore time.Time
	// Cost is what the part cost, priced once when its usage became final
	// (the part ended and its usage is known). It is nil before, for a part
	// whose model had no price then, and for parts recorded before
	// batchctl kept costs. Once recorded, SavePart keeps it whatever Cost
	// it is given: a later change of prices never rewrites it.
	Cost *Cost
}

// Cost is what a part cost and the prices it was worked out at.
type Cost struct {
	USD float64
	// Rates is RatesBatch or RatesSync.
	Rates string
	// PriceSource names where the price row came from (the page it was
	// read from, or the user's prices.yaml) and PriceDate its date.
	PriceSource string
	PriceDate   string
}

// The rates a part is priced at: the Batch API's, or the synchronous ones
// (direct jobs).
const (
	RatesBatch = "batch"
	RatesSync  = "sync"
)

// Filter selects jobs for List: those that match every non-zero field.
// Zero fields select everything.
//
// A prune selects the jobs it may delete with Terminal and Before, say
// Filter{Terminal: true, Before: now.Add(-maxAge)}; a sync selects the
// jobs it has work on with NeedsSync.
type Filter struct {
	Provider string
	Statuses []string  // any of these job statuses
	Name     string    // exact name
	User     string    // created by this user (Job.User)
	Host     string    // created on this host (Job.Host)
	Since    time.Time // created at or after this time
	Before   time.Time // created strictly before this time
	// Terminal selects the jobs whose parts have all finished, those
	// with a CompletedAt; a job without parts is not terminal.
	Terminal bool
	// NeedsSync selects the jobs sync has work on: those not terminal
	// with an unfinished part that is not gone (see Part.GoneAt) or with
	// no part, and the terminal ones with a zero SyncedAt.
	NeedsSync bool
	Limit     int // at most this many jobs, the newest; 0 means all
	// After pages: only the jobs that come after the job with this id in
	// the newest-first order (created_at, then id, both descending). An id
	// the registry does not have selects nothing.
	After string
}

// maxShownCandidates bounds the ids an AmbiguousError message lists.
const maxShownCandidates = 10

// AmbiguousError is returned by Get when a reference matches several jobs.
type AmbiguousError struct {
	Ref        string
	Candidates []string // the matching job ids, sorted
}

func (e *AmbiguousError) Error() string {
	shown := e.Candidates
	if len(shown) > maxShownCandidates {
		shown = shown[:maxShownCandidates]
	}
	msg := fmt.Sprintf("%q matches %d jobs: %s", e.Ref, len(e.Candidates), strings.Join(shown, ", "))
	if more := len(e.Candidates) - len(shown); more > 0 {
		msg += fmt.Sprintf(" and %d more", more)
	}
	return msg
}

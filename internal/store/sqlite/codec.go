package sqlite

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

// jobArgs returns the values of jobColumns for j.
func jobArgs(j *store.Job) ([]any, error) {
	meta, err := json.Marshal(j.Metadata)
	if err != nil {
		return nil, fmt.Errorf("encode metadata: %w", err)
	}
	return []any{
		j.ID, j.Name, j.Provider, j.Model, j.Endpoint, j.InputPath, j.InputSHA256, j.Requests,
		j.Status, j.Counts.Total, j.Counts.Succeeded, j.Counts.Failed,
		j.Usage.InputTokens, j.Usage.OutputTokens, string(meta), j.ParentID, j.Fingerprint,
		nanos(j.CreatedAt), nanos(j.UpdatedAt), nanos(j.CompletedAt), nanos(j.SyncedAt),
		j.Target.ProfileType, j.Target.BaseURL, j.Target.AuthHeader, j.Target.APIKeyEnv, j.Target.CompletionWindow, j.Target.Mode, j.Target.EnqueuedTokens, j.Target.Priority, j.Target.Primer,
		j.User, j.Host,
	}, nil
}

// listedColumns are the columns of a job that a listing shows (Each).
const listedColumns = `id, name, provider, model, status, requests, total, succeeded, failed,
	input_tokens, output_tokens, created_at, updated_at, completed_at`

// scanListed reads a row of listedColumns.
func scanListed(row rowScanner) (*store.Job, error) {
	var j store.Job
	err := row.Scan(&j.ID, &j.Name, &j.Provider, &j.Model, &j.Status, intCol{&j.Requests},
		intCol{&j.Counts.Total}, intCol{&j.Counts.Succeeded}, intCol{&j.Counts.Failed},
		int64Col{&j.Usage.InputTokens}, int64Col{&j.Usage.OutputTokens},
		timeCol{&j.CreatedAt}, timeCol{&j.UpdatedAt}, timeCol{&j.CompletedAt})
	if err != nil {
		return nil, err
	}
	return &j, nil
}

// scanJob reads a row of jobColumns.
func scanJob(row rowScanner) (*store.Job, error) {
	var j store.Job
	err := row.Scan(&j.ID, &j.Name, &j.Provider, &j.Model, &j.Endpoint, &j.InputPath, &j.InputSHA256, intCol{&j.Requests},
		&j.Status, intCol{&j.Counts.Total}, intCol{&j.Counts.Succeeded}, intCol{&j.Counts.Failed},
		int64Col{&j.Usage.InputTokens}, int64Col{&j.Usage.OutputTokens}, jsonCol[map[string]string]{&j.Metadata}, &j.ParentID, &j.Fingerprint,
		timeCol{&j.CreatedAt}, timeCol{&j.UpdatedAt}, timeCol{&j.CompletedAt}, timeCol{&j.SyncedAt},
		&j.Target.ProfileType, &j.Target.BaseURL, &j.Target.AuthHeader, &j.Target.APIKeyEnv, &j.Target.CompletionWindow, &j.Target.Mode, int64Col{&j.Target.EnqueuedTokens}, intCol{&j.Target.Priority}, &j.Target.Primer,
		&j.User, &j.Host)
	if err != nil {
		return nil, err
	}
	return &j, nil
}

// partArgs returns the values of partColumns for part p of job jobID.
func partArgs(jobID string, p *store.Part) ([]any, error) {
	errs, err := json.Marshal(p.Errors)
	if err != nil {
		return nil, fmt.Errorf("encode errors: %w", err)
	}
	var c store.Cost
	if p.Cost != nil {
		c = *p.Cost
	}
	return []any{
		jobID, p.Index, p.BatchID, p.Status, p.ProviderStatus,
		p.Counts.Total, p.Counts.Succeeded, p.Counts.Failed,
		p.Usage.InputTokens, p.Usage.OutputTokens, p.Requests, p.Bytes,
		p.InputFileID, p.OutputFileID, p.ErrorFileID, string(errs), p.Raw,
		nanos(p.CreatedAt), nanos(p.UpdatedAt), nanos(p.CompletedAt), p.UsageKnown, nanos(p.GoneAt),
		p.Tokens, p.QueuedWhy, nanos(p.NotBefore),
		nullable(p.Usage.CacheReadInputTokens), nullable(p.Usage.CacheCreationInputTokens), nullable(p.Usage.ReasoningTokens),
		p.Usage.CacheCreation1hInputTokens, costUSD(p.Cost), c.Rates, c.PriceSource, c.PriceDate,
	}, nil
}

// scanPart reads a row of partColumns.
func scanPart(row rowScanner) (jobID string, p store.Part, err error) {
	var cost store.Cost // the columns after cost_usd, kept when it is set
	err = row.Scan(&jobID, intCol{&p.Index}, &p.BatchID, &p.Status, &p.ProviderStatus,
		intCol{&p.Counts.Total}, intCol{&p.Counts.Succeeded}, intCol{&p.Counts.Failed},
		int64Col{&p.Usage.InputTokens}, int64Col{&p.Usage.OutputTokens}, intCol{&p.Requests}, int64Col{&p.Bytes},
		&p.InputFileID, &p.OutputFileID, &p.ErrorFileID, jsonCol[[]providers.BatchError]{&p.Errors}, &p.Raw,
		timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt}, timeCol{&p.CompletedAt}, &p.UsageKnown, timeCol{&p.GoneAt},
		int64Col{&p.Tokens}, &p.QueuedWhy, timeCol{&p.NotBefore},
		countCol{&p.Usage.CacheReadInputTokens}, countCol{&p.Usage.CacheCreationInputTokens}, countCol{&p.Usage.ReasoningTokens},
		int64Col{&p.Usage.CacheCreation1hInputTokens}, costCol{&p.Cost}, &cost.Rates, &cost.PriceSource, &cost.PriceDate)
	if p.Cost != nil {
		p.Cost.Rates, p.Cost.PriceSource, p.Cost.PriceDate = cost.Rates, cost.PriceSource, cost.PriceDate
	}
	return jobID, p, err
}

// costUSD is the cost_usd column of a part's cost: NULL while none is
// recorded.
func costUSD(c *store.Cost) any {
	if c == nil {
		return nil
	}
	return c.USD
}

// costCol scans cost_usd: NULL leaves the part without a recorded cost.
type costCol struct{ p **store.Cost }

func (c costCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.p = nil
	case float64:
		*c.p = &store.Cost{USD: v}
	case int64: // SQLite stores a REAL without a fraction as an integer
		*c.p = &store.Cost{USD: float64(v)}
	default:
		return fmt.Errorf("want a number or NULL, got %T", src)
	}
	return nil
}

// nullable returns *n, or nil (NULL) when n is nil.
func nullable(n *int64) any {
	if n == nil {
		return nil
	}
	return *n
}

// countCol scans an INTEGER column, or NULL for nil, into a *int64; it is
// the inverse of nullable.
type countCol struct{ p **int64 }

func (c countCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.p = nil
	case int64:
		*c.p = &v
	default:
		return fmt.Errorf("want an integer or NULL, got %T", src)
	}
	return nil
}

// nanos returns t as unix nanoseconds, or nil (NULL) for the zero time.
func nanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// The column scanners below read the driver's values directly. Scanning
// into *int or *int64 would go through reflection in database/sql (for
// *int even through a decimal string), which dominates the cost of List.

// intCol scans an INTEGER column into an int.
type intCol struct{ p *int }

func (c intCol) Scan(src any) error {
	v, ok := src.(int64)
	if !ok {
		return fmt.Errorf("want an integer, got %T", src)
	}
	*c.p = int(v)
	return nil
}

// int64Col scans an INTEGER column into an int64.
type int64Col struct{ p *int64 }

func (c int64Col) Scan(src any) error {
	v, ok := src.(int64)
	if !ok {
		return fmt.Errorf("want an integer, got %T", src)
	}
	*c.p = v
	return nil
}

// timeCol scans unix nanoseconds, or NULL for the zero time, into a UTC
// time; it is the inverse of nanos.
type timeCol struct{ p *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.p = time.Time{}
	case int64:
		*c.p = time.Unix(0, v).UTC()
	default:
		return fmt.Errorf("want unix nanoseconds, got %T", src)
	}
	return nil
}

// jsonCol scans JSON text into a T; JSON null leaves the zero T.
type jsonCol[T any] struct{ p *T }

func (c jsonCol[T]) Scan(src any) error {
	text, ok := src.(string)
	if !ok {
		return fmt.Errorf("want JSON text, got %T", src)
	}
	var v T
	if text != "null" { // the common case, decoded for free
		if err := json.Unmarshal([]byte(text), &v); err != nil {
			return err
		}
	}
	*c.p = v
	return nil
}

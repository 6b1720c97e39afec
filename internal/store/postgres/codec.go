package postgres

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

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
		nanos{&j.CreatedAt}, nanos{&j.UpdatedAt}, nanos{&j.CompletedAt}, nanos{&j.SyncedAt},
		j.Target.ProfileType, j.Target.BaseURL, j.Target.AuthHeader, j.Target.APIKeyEnv, j.Target.CompletionWindow,
		j.Target.Mode, j.Target.EnqueuedTokens, j.Target.Priority, j.Target.Primer,
		j.User, j.Host,
	}, nil
}

// scanJob reads a row of jobColumns.
func scanJob(row pgxRow) (*store.Job, error) {
	var j store.Job
	err := row.Scan(&j.ID, &j.Name, &j.Provider, &j.Model, &j.Endpoint, &j.InputPath, &j.InputSHA256, &j.Requests,
		&j.Status, &j.Counts.Total, &j.Counts.Succeeded, &j.Counts.Failed,
		&j.Usage.InputTokens, &j.Usage.OutputTokens, jsonText[map[string]string]{&j.Metadata}, &j.ParentID, &j.Fingerprint,
		nanos{&j.CreatedAt}, nanos{&j.UpdatedAt}, nanos{&j.CompletedAt}, nanos{&j.SyncedAt},
		&j.Target.ProfileType, &j.Target.BaseURL, &j.Target.AuthHeader, &j.Target.APIKeyEnv, &j.Target.CompletionWindow,
		&j.Target.Mode, &j.Target.EnqueuedTokens, &j.Target.Priority, &j.Target.Primer,
		&j.User, &j.Host)
	if err != nil {
		return nil, err
	}
	return &j, nil
}

// scanListed reads a row of listedColumns.
func scanListed(row pgxRow) (*store.Job, error) {
	var j store.Job
	err := row.Scan(&j.ID, &j.Name, &j.Provider, &j.Model, &j.Status, &j.Requests,
		&j.Counts.Total, &j.Counts.Succeeded, &j.Counts.Failed, &j.Usage.InputTokens, &j.Usage.OutputTokens,
		nanos{&j.CreatedAt}, nanos{&j.UpdatedAt}, nanos{&j.CompletedAt})
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
		nanos{&p.CreatedAt}, nanos{&p.UpdatedAt}, nanos{&p.CompletedAt}, p.UsageKnown, nanos{&p.GoneAt},
		p.Tokens, p.QueuedWhy, nanos{&p.NotBefore},
		p.Usage.CacheReadInputTokens, p.Usage.CacheCreationInputTokens, p.Usage.ReasoningTokens,
		p.Usage.CacheCreation1hInputTokens, costUSD(p.Cost), c.Rates, c.PriceSource, c.PriceDate,
	}, nil
}

// scanPart reads a row of partColumns.
func scanPart(row pgxRow) (jobID string, p store.Part, err error) {
	var usd *float64
	var cost store.Cost // the columns after cost_usd, kept when it is set
	err = row.Scan(&jobID, &p.Index, &p.BatchID, &p.Status, &p.ProviderStatus,
		&p.Counts.Total, &p.Counts.Succeeded, &p.Counts.Failed,
		&p.Usage.InputTokens, &p.Usage.OutputTokens, &p.Requests, &p.Bytes,
		&p.InputFileID, &p.OutputFileID, &p.ErrorFileID, jsonText[[]providers.BatchError]{&p.Errors}, &p.Raw,
		nanos{&p.CreatedAt}, nanos{&p.UpdatedAt}, nanos{&p.CompletedAt}, &p.UsageKnown, nanos{&p.GoneAt},
		&p.Tokens, &p.QueuedWhy, nanos{&p.NotBefore},
		&p.Usage.CacheReadInputTokens, &p.Usage.CacheCreationInputTokens, &p.Usage.ReasoningTokens,
		&p.Usage.CacheCreation1hInputTokens, &usd, &cost.Rates, &cost.PriceSource, &cost.PriceDate)
	if usd != nil {
		cost.USD = *usd
		p.Cost = &cost
	}
	return jobID, p, err
}

// costUSD is the cost_usd column of a part's cost: NULL while none is
// recorded.
func costUSD(c *store.Cost) *float64 {
	if c == nil {
		return nil
	}
	return &c.USD
}

// pgxRow is a pgx.Row or pgx.Rows.
type pgxRow interface {
	Scan(dest ...any) error
}

// nanos is a time kept in a BIGINT column as unix nanoseconds, the zero
// time as NULL. It is both a query argument and a scan target.
type nanos struct{ t *time.Time }

// Int64Value encodes the time (pgtype.Int64Valuer).
func (n nanos) Int64Value() (pgtype.Int8, error) {
	if n.t.IsZero() {
		return pgtype.Int8{}, nil
	}
	return pgtype.Int8{Int64: n.t.UnixNano(), Valid: true}, nil
}

// ScanInt64 decodes the time, in UTC (pgtype.Int64Scanner).
func (n nanos) ScanInt64(v pgtype.Int8) error {
	*n.t = time.Time{}
	if v.Valid {
		*n.t = time.Unix(0, v.Int64).UTC()
	}
	return nil
}

// jsonText scans JSON kept in a TEXT column into a T; JSON null leaves the
// zero T.
type jsonText[T any] struct{ p *T }

// ScanText decodes the JSON (pgtype.TextScanner).
func (c jsonText[T]) ScanText(v pgtype.Text) error {
	if !v.Valid {
		return fmt.Errorf("want JSON text, got NULL")
	}
	var out T
	if v.String != "null" { // the common case, decoded for free
		if err := json.Unmarshal([]byte(v.String), &out); err != nil {
			return err
		}
	}
	*c.p = out
	return nil
}

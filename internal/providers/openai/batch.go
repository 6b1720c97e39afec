package openai

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/batchctl/batchctl/internal/providers"
)

// Metadata limits of a batch (OpenAPI schema Metadata).
const (
	maxMetadataPairs = 16
	maxMetadataKey   = 64
	maxMetadataValue = 512
)

// validateMetadata checks m against the API's limits, naming the first
// offending key in sorted order.
func validateMetadata(m map[string]string) error {
	if len(m) > maxMetadataPairs {
		return fmt.Errorf("metadata has %d pairs, the limit is %d", len(m), maxMetadataPairs)
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if n := utf8.RuneCountInString(k); n > maxMetadataKey {
			return fmt.Errorf("metadata key %q is %d characters long, the limit is %d", k, n, maxMetadataKey)
		}
		if n := utf8.RuneCountInString(m[k]); n > maxMetadataValue {
			return fmt.Errorf("metadata value of %q is %d characters long, the limit is %d", k, n, maxMetadataValue)
		}
	}
	return nil
}

// wireBatch is the part of OpenAI's batch object batchctl reads.
type wireBatch struct {
	ID            string            `json:"id"`
	Endpoint      string            `json:"endpoint"`
	Model         string            `json:"model"`
	Status        string            `json:"status"`
	InputFileID   string            `json:"input_file_id"`
	OutputFileID  string            `json:"output_file_id"`
	ErrorFileID   string            `json:"error_file_id"`
	CreatedAt     timestamp         `json:"created_at"`
	ExpiresAt     timestamp         `json:"expires_at"`
	CompletedAt   timestamp         `json:"completed_at"`
	FailedAt      timestamp         `json:"failed_at"`
	ExpiredAt     timestamp         `json:"expired_at"`
	CancelledAt   timestamp         `json:"cancelled_at"`
	RequestCounts wireCounts        `json:"request_counts"`
	Usage         *wireBatchUsage   `json:"usage"`
	Errors        *wireBatchErrors  `json:"errors"`
	Metadata      map[string]string `json:"metadata"`
}

// wireCounts are a batch's request counts; Azure sends nulls before the
// batch has run, which leave them zero.
type wireCounts struct {
	Total     int `json:"total"`
	Completed int `json:"completed"`
	Failed    int `json:"failed"`
}

// wireBatchUsage is the batch's usage, summed over its requests: the
// Batch object's usage in openapi.yaml ("Only populated on batches created
// after September 7, 2025"; input_tokens_details.cached_tokens and
// output_tokens_details.reasoning_tokens required there) and openai-go's
// BatchUsage (InputTokensDetails.CachedTokens,
// OutputTokensDetails.ReasoningTokens). Details that are absent (an older
// or compatible server) stay unknown.
type wireBatchUsage struct {
	InputTokens        int64 `json:"input_tokens"`
	OutputTokens       int64 `json:"output_tokens"`
	InputTokensDetails *struct {
		CachedTokens *int64 `json:"cached_tokens"`
	} `json:"input_tokens_details"`
	OutputTokensDetails *struct {
		ReasoningTokens *int64 `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
}

// usage is the batch's usage in normalized form.
func (w *wireBatchUsage) usage() *providers.Usage {
	u := &providers.Usage{InputTokens: w.InputTokens, OutputTokens: w.OutputTokens}
	if d := w.InputTokensDetails; d != nil {
		u.CacheReadInputTokens = d.CachedTokens
	}
	if d := w.OutputTokensDetails; d != nil {
		u.ReasoningTokens = d.ReasoningTokens
	}
	return u
}

type wireBatchErrors struct {
	Data []struct {
		Code    string  `json:"code"`
		Message string  `json:"message"`
		Param   *string `json:"param"`
		Line    *int    `json:"line"`
	} `json:"data"`
}

// parseBatch turns a batch object into its normalized form; provider is
// the profile name it came through.
func parseBatch(provider string, raw []byte) (*providers.Batch, error) {
	var w wireBatch
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("parse batch: %w", err)
	}
	if w.ID == "" {
		return nil, errors.New("parse batch: no id")
	}
	if w.Status == "" {
		return nil, fmt.Errorf("parse batch %s: no status", w.ID)
	}
	status := normalizeStatus(w.Status)
	b := &providers.Batch{
		ID:             w.ID,
		Provider:       provider,
		Status:         status,
		ProviderStatus: w.Status,
		Endpoint:       w.Endpoint,
		Model:          w.Model,
		Counts: providers.Counts{
			Total:     w.RequestCounts.Total,
			Succeeded: w.RequestCounts.Completed,
			Failed:    w.RequestCounts.Failed,
		},
		CreatedAt:    w.CreatedAt.Time,
		CompletedAt:  w.endedAt(status),
		ExpiresAt:    w.ExpiresAt.Time,
		InputFileID:  w.InputFileID,
		OutputFileID: w.OutputFileID,
		ErrorFileID:  w.ErrorFileID,
		Metadata:     w.Metadata,
		Raw:          bytes.Clone(raw),
	}
	if w.Usage != nil {
		b.Usage = w.Usage.usage()
	}
	if w.Errors != nil {
		for _, e := range w.Errors.Data {
			be := providers.BatchError{Code: e.Code, Message: e.Message}
			if e.Param != nil {
				be.Param = *e.Param
			}
			if e.Line != nil {
				be.Line = *e.Line
			}
			b.Errors = append(b.Errors, be)
		}
	}
	return b, nil
}

// endedAt is when a batch in status became terminal: the timestamp of that
// status, or else the latest terminal timestamp given; zero while it runs.
func (w *wireBatch) endedAt(status providers.Status) time.Time {
	if !status.Terminal() {
		return time.Time{}
	}
	byStatus := map[providers.Status]time.Time{
		providers.StatusCompleted: w.CompletedAt.Time,
		providers.StatusFailed:    w.FailedAt.Time,
		providers.StatusExpired:   w.ExpiredAt.Time,
		providers.StatusCancelled: w.CancelledAt.Time,
	}
	if t := byStatus[status]; !t.IsZero() {
		return t
	}
	var latest time.Time
	for _, t := range byStatus {
		if t.After(latest) {
			latest = t
		}
	}
	return latest
}

// normalizeStatus maps a batch status to its normalized form. Case is
// ignored (Azure's samples say "Validating") and the American spellings of
// Together-style services are accepted. A status this version does not
// know is unknown (the caller keeps the raw one), never taken for a known
// one: whether such a batch has ended cannot be told.
func normalizeStatus(raw string) providers.Status {
	s := strings.ToLower(raw)
	switch s {
	case "canceling":
		return providers.StatusCancelling
	case "canceled":
		return providers.StatusCancelled
	case "validating", "in_progress", "finalizing", "completed", "failed", "expired", "cancelling", "cancelled":
		return providers.Status(s)
	}
	return providers.StatusUnknown
}

// timestamp is a batch timestamp: Unix seconds as OpenAI sends them, an
// RFC 3339 string as Azure's samples show, or null.
type timestamp struct{ time.Time }

func (t *timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if b[0] != '"' {
		secs, err := parseUnix(string(b))
		if err != nil {
			return fmt.Errorf("timestamp %s: %w", b, err)
		}
		t.Time = secs
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		return nil
	}
	if secs, err := parseUnix(s); err == nil {
		t.Time = secs
		return nil
	}
	parsed, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("timestamp %q: %w", s, err)
	}
	t.Time = parsed.UTC()
	return nil
}

// parseUnix reads Unix seconds, possibly fractional, as a UTC time; 0 is
// the zero time.
func parseUnix(s string) (time.Time, error) {
	secs, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil:
		return time.Time{}, err
	case math.IsNaN(secs) || math.IsInf(secs, 0):
		return time.Time{}, fmt.Errorf("%s is not a time", s)
	case secs == 0:
		return time.Time{}, nil
	}
	whole := int64(secs)
	return time.Unix(whole, int64((secs-float64(whole))*1e9)).UTC(), nil
}

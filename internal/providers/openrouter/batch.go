package openrouter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

// maxResponseBody bounds a JSON answer read whole (a page of batches, whose
// items omit results).
const maxResponseBody = 16 << 20

// wireBatch is the part of a batch object batchctl reads; its timestamps
// are Unix seconds or null.
type wireBatch struct {
	ID            string     `json:"id"`
	Endpoint      string     `json:"endpoint"`
	Model         string     `json:"model"`
	Status        string     `json:"status"`
	CreatedAt     *int64     `json:"created_at"`
	FinalizedAt   *int64     `json:"finalized_at"`
	ExpiresAt     *int64     `json:"expires_at"`
	RequestCounts wireCounts `json:"request_counts"`
	Usage         *wireUsage `json:"usage"`
	Error         *wireError `json:"error"`
}

type wireCounts struct {
	Total     int `json:"total"`
	Completed int `json:"completed"`
	Failed    int `json:"failed"`
}

type wireUsage struct {
	PromptTokens     int64 `json:"prompt_tokens"`
	CompletionTokens int64 `json:"completion_tokens"`
}

type wireError struct {
	Message string `json:"message"`
	Code    any    `json:"code"`
}

// parseBatch turns a batch object without its results (a list item, or
// what readBatch keeps of a batch) into its normalized form; provider is
// the profile name it came through.
func parseBatch(provider string, raw []byte) (*providers.Batch, error) {
	var w wireBatch
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("parse batch: %w", err)
	}
	switch {
	case w.ID == "":
		return nil, errors.New("parse batch: no id")
	case w.Status == "":
		return nil, fmt.Errorf("parse batch %s: no status", w.ID)
	}
	b := &providers.Batch{
		ID:             w.ID,
		Provider:       provider,
		Status:         normalizeStatus(w.Status),
		ProviderStatus: w.Status,
		Endpoint:       w.Endpoint,
		Model:          w.Model,
		Counts: providers.Counts{
			Total:     w.RequestCounts.Total,
			Succeeded: w.RequestCounts.Completed,
			Failed:    w.RequestCounts.Failed,
		},
		CreatedAt:   unix(w.CreatedAt),
		CompletedAt: unix(w.FinalizedAt),
		ExpiresAt:   unix(w.ExpiresAt),
		Raw:         bytes.Clone(raw),
	}
	if !b.Status.Terminal() {
		b.CompletedAt = time.Time{}
	}
	if w.Usage != nil {
		b.Usage = &providers.Usage{InputTokens: w.Usage.PromptTokens, OutputTokens: w.Usage.CompletionTokens}
	}
	if w.Error != nil && w.Error.Message != "" {
		b.Errors = []providers.BatchError{{Code: codeString(w.Error.Code), Message: w.Error.Message}}
	}
	return b, nil
}

// normalizeStatus maps a batch status to its normalized form: OpenRouter's
// are OpenAI's names. A status this version does not know is unknown.
func normalizeStatus(raw string) providers.Status {
	switch raw {
	case "validating", "in_progress", "finalizing", "completed", "failed", "expired", "cancelling", "cancelled":
		return providers.Status(raw)
	}
	return providers.StatusUnknown
}

// unix returns the time of *t Unix seconds in UTC, the zero time for nil
// or 0.
func unix(t *int64) time.Time {
	if t == nil || *t == 0 {
		return time.Time{}
	}
	return time.Unix(*t, 0).UTC()
}

// codeString renders an error code, a string or a number, as text.
func codeString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return fmt.Sprint(v)
	}
	return ""
}

// readBatch reads a batch object from r as it streams by. Its results, an
// array that may run to hundreds of megabytes, are never held whole: each
// one is passed to onResult, or skipped when onResult is nil. The batch is
// parsed from its other members, which are also its Raw.
func readBatch(provider string, r io.Reader, onResult func(json.RawMessage) error) (*providers.Batch, error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	rest := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("parse batch: %w", err)
		}
		key, _ := tok.(string)
		if key == "results" {
			if err := readResults(dec, onResult); err != nil {
				return nil, err
			}
			continue
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("parse batch: %s: %w", key, err)
		}
		rest[key] = v
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(rest)
	if err != nil {
		return nil, err
	}
	return parseBatch(provider, raw)
}

// readResults reads the value of results: null, or an array whose items go
// to onResult (nil: skipped, one at a time).
func readResults(dec *json.Decoder, onResult func(json.RawMessage) error) error {
	tok, err := dec.Token()
	switch {
	case err != nil:
		return fmt.Errorf("parse batch: results: %w", err)
	case tok == nil:
		return nil
	case tok != json.Delim('['):
		return fmt.Errorf("parse batch: results: want an array, not %v", tok)
	}
	for dec.More() {
		var item json.RawMessage
		if err := dec.Decode(&item); err != nil {
			return fmt.Errorf("parse batch: results: %w", err)
		}
		if onResult == nil {
			continue
		}
		if err := onResult(item); err != nil {
			return err
		}
	}
	return expectDelim(dec, ']')
}

// expectDelim reads the next token, which must be d.
func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("parse batch: %w", err)
	}
	if tok != d {
		return fmt.Errorf("parse batch: want %v, not %v", d, tok)
	}
	return nil
}

// lineWriter returns an onResult writing each result to w compacted, on a
// line of its own.
func lineWriter(w io.Writer) func(json.RawMessage) error {
	var buf bytes.Buffer
	return func(item json.RawMessage) error {
		buf.Reset()
		if err := json.Compact(&buf, item); err != nil {
			return err
		}
		buf.WriteByte('\n')
		_, err := w.Write(buf.Bytes())
		return err
	}
}

// errorResponse is OpenRouter's error answer, {"error":{"code":...,
// "message":...}} (see the package documentation).
type errorResponse struct {
	Error *struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Code    any    `json:"code"`
	} `json:"error"`
}

// parseError is an httpx.ErrorParser for OpenRouter's error answers.
func parseError(raw []byte, e *providers.HTTPError) bool {
	var body errorResponse
	if json.Unmarshal(raw, &body) != nil || body.Error == nil {
		return false
	}
	e.Type, e.Code, e.Message = body.Error.Type, codeString(body.Error.Code), body.Error.Message
	return true
}

package mistral

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/httpx"
)

// wireJob is the part of a batch job (docs/models/batchjob.md) batchctl
// reads.
type wireJob struct {
	ID                string         `json:"id"`
	Endpoint          string         `json:"endpoint"`
	Model             *string        `json:"model"`
	Status            string         `json:"status"`
	InputFiles        []string       `json:"input_files"`
	OutputFile        *string        `json:"output_file"`
	ErrorFile         *string        `json:"error_file"`
	Errors            []wireJobError `json:"errors"`
	Metadata          map[string]any `json:"metadata"`
	CreatedAt         int64          `json:"created_at"`
	CompletedAt       *int64         `json:"completed_at"`
	TotalRequests     int            `json:"total_requests"`
	SucceededRequests int            `json:"succeeded_requests"`
	FailedRequests    int            `json:"failed_requests"`
}

// wireJobError is a job-level error (docs/models/batcherror.md).
type wireJobError struct {
	Message string `json:"message"`
	Count   *int   `json:"count"`
}

// parseJob turns a batch job into its normalized form; provider is the
// profile name it came through.
func parseJob(provider string, raw []byte) (*providers.Batch, error) {
	var w wireJob
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
		Model:          deref(w.Model),
		Counts: providers.Counts{
			Total:     w.TotalRequests,
			Succeeded: w.SucceededRequests,
			Failed:    w.FailedRequests,
		},
		CreatedAt:    unix(w.CreatedAt),
		OutputFileID: deref(w.OutputFile),
		ErrorFileID:  deref(w.ErrorFile),
		Metadata:     stringMetadata(w.Metadata),
		Raw:          bytes.Clone(raw),
	}
	if len(w.InputFiles) > 0 {
		b.InputFileID = w.InputFiles[0]
	}
	if status.Terminal() && w.CompletedAt != nil {
		b.CompletedAt = unix(*w.CompletedAt)
	}
	for _, e := range w.Errors {
		msg := e.Message
		if e.Count != nil && *e.Count > 1 {
			msg = fmt.Sprintf("%s (%d times)", msg, *e.Count)
		}
		b.Errors = append(b.Errors, providers.BatchError{Message: msg})
	}
	return b, nil
}

// normalizeStatus maps a job status (docs/models/batchjobstatus.md) to its
// normalized form. A status this version does not know is unknown (the
// caller keeps the raw one): whether such a job has ended cannot be told.
func normalizeStatus(raw string) providers.Status {
	switch raw {
	case "QUEUED":
		return providers.StatusValidating
	case "RUNNING":
		return providers.StatusInProgress
	case "SUCCESS":
		return providers.StatusCompleted
	case "FAILED":
		return providers.StatusFailed
	case "TIMEOUT_EXCEEDED":
		return providers.StatusExpired
	case "CANCELLATION_REQUESTED":
		return providers.StatusCancelling
	case "CANCELLED":
		return providers.StatusCancelled
	}
	return providers.StatusUnknown
}

// stringMetadata keeps the string values of a job's metadata (the API
// takes strings and shows any JSON value); nil when there are none.
func stringMetadata(m map[string]any) map[string]string {
	var out map[string]string
	for k, v := range m {
		if s, ok := v.(string); ok {
			if out == nil {
				out = make(map[string]string, len(m))
			}
			out[k] = s
		}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// unix is Unix seconds as a UTC time; 0 is the zero time.
func unix(secs int64) time.Time {
	if secs == 0 {
		return time.Time{}
	}
	return time.Unix(secs, 0).UTC()
}

// listPageSize is the page size List asks for: the API's default.
const listPageSize = 100

// List calls fn for each job, newest first, page by page. The API numbers
// its pages, so the cursor List gives and takes is the number of jobs
// before the next one to list.
func (c *Client) List(ctx context.Context, opts providers.ListOptions, fn func(*providers.Batch) error) error {
	return httpx.List(opts, listPageSize, func(cursor string, size int) (httpx.Page, error) {
		return c.listPage(ctx, cursor, size)
	}, fn)
}

// listPage fetches at most size jobs from the offset cursor names ("": 0).
// Pages are numbered, so it asks for the page of the largest size that
// starts at the offset.
func (c *Client) listPage(ctx context.Context, cursor string, size int) (httpx.Page, error) {
	const op = "list batches"
	offset := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 {
			return httpx.Page{}, fmt.Errorf("%s: %q is not a mistral list cursor (a number of batches)", op, cursor)
		}
		offset = n
	}
	perPage := pageSizeAt(offset, size)
	q := url.Values{}
	q.Set("page", strconv.Itoa(offset/perPage))
	q.Set("page_size", strconv.Itoa(perPage))
	q.Set("order_by", "-created") // the SDKs' default, sent as they send it
	raw, err := c.api.Call(ctx, op, http.MethodGet, c.base+jobsPath+"?"+q.Encode(), nil)
	if err != nil {
		return httpx.Page{}, err
	}
	page, err := parseListPage(c.cfg.Name, raw, offset)
	if err != nil {
		return httpx.Page{}, fmt.Errorf("%s: %w", op, err)
	}
	return page, nil
}

// pageSizeAt is the largest page size of at most size whose pages include
// one starting at offset.
func pageSizeAt(offset, size int) int {
	size = max(size, 1)
	for d := size; d > 1; d-- {
		if offset%d == 0 {
			return d
		}
	}
	return 1
}

// parseListPage reads a page of jobs ({data, object, total}) that starts
// at offset; its Next is the offset after it, "" at the end.
func parseListPage(provider string, raw []byte, offset int) (httpx.Page, error) {
	var page struct {
		Data  []json.RawMessage `json:"data"`
		Total int               `json:"total"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		return httpx.Page{}, fmt.Errorf("parse response: %w", err)
	}
	out := httpx.Page{Batches: make([]*providers.Batch, 0, len(page.Data))}
	for _, item := range page.Data {
		b, err := parseJob(provider, item)
		if err != nil {
			return httpx.Page{}, err
		}
		out.Batches = append(out.Batches, b)
	}
	if end := offset + len(page.Data); len(page.Data) > 0 && end < page.Total {
		out.Next = strconv.Itoa(end)
	}
	return out, nil
}

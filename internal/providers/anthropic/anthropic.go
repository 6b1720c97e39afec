// Package anthropic is batchctl's client for the Anthropic Message Batches
// API: requests are sent inline in the body that creates a batch (streamed
// from the converted input, never held in memory), batches are polled,
// listed and cancelled under /v1/messages/batches, and results are the
// JSONL stream behind the batch's results_url. It uses net/http only.
package anthropic

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/httpx"
)

const (
	// DefaultBaseURL is the API root when a Config names none.
	DefaultBaseURL = "https://api.anthropic.com"
	// DefaultVersion is the anthropic-version sent when a Config names none.
	DefaultVersion = "2023-06-01"
)

const (
	// batchesPath is where every batch operation hangs off the base URL.
	batchesPath = "/v1/messages/batches"
	// endpoint is the only API a batch request can target.
	endpoint = "/v1/messages"
	// listPageSize is the largest page GET /v1/messages/batches serves.
	listPageSize = 1000
)

// Config is one anthropic-type profile.
type Config struct {
	// Name is the profile name ("anthropic", ...).
	Name string
	// BaseURL is the API root that /v1/messages/batches hangs off;
	// DefaultBaseURL when empty. A trailing slash is tolerated.
	BaseURL string
	// APIKey is sent as x-api-key. When it is empty, every network method
	// returns a *providers.MissingKeyError.
	APIKey string
	// APIKeyEnv names the variable the key comes from, for error messages only.
	APIKeyEnv string
	// Version is sent as anthropic-version; DefaultVersion when empty.
	Version string
	// Beta is sent as anthropic-beta when not empty (comma-separated
	// feature names, e.g. "output-300k-2026-03-24").
	Beta string
	// UserAgent is sent as User-Agent when not empty.
	UserAgent string
	// HTTPClient sends the requests; nil means http.DefaultClient. The
	// client keeps its own redirect policy, but x-api-key is dropped from a
	// redirect to another origin.
	HTTPClient *http.Client
}

// Client is a providers.Provider for one anthropic-type profile. It is
// safe for concurrent use.
type Client struct {
	cfg  Config
	base string
	api  *httpx.Client
	now  func() time.Time // for Retry-After dates
}

var _ providers.Provider = (*Client)(nil)

// New returns a client for the profile cfg describes.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Version == "" {
		cfg.Version = DefaultVersion
	}
	c := &Client{
		cfg:  cfg,
		base: strings.TrimRight(cfg.BaseURL, "/"),
		now:  time.Now,
	}
	c.api = httpx.New(cfg.HTTPClient, httpx.Client{
		Profile:    cfg.Name,
		Creds:      httpx.Key("X-Api-Key", cfg.APIKey),
		KeyEnv:     cfg.APIKeyEnv,
		UserAgent:  cfg.UserAgent,
		Authorize:  c.authorize,
		ParseError: parseError,
		MaxBody:    maxResponseBody,
		Now:        func() time.Time { return c.now() }, // a clock set after New
	})
	return c
}

// Name returns the profile name.
func (c *Client) Name() string { return c.cfg.Name }

// Submit creates a batch from req's input, one native request
// ({"custom_id":...,"params":{...}}) per line, by streaming it as the
// requests array of POST /v1/messages/batches. Message batches carry no
// metadata, so req.Metadata is not sent; req.Filename, req.Endpoint and
// req.CompletionWindow do not apply either (every request targets
// /v1/messages and a batch expires 24 hours after its creation).
func (c *Client) Submit(ctx context.Context, req providers.SubmitRequest) (*providers.Batch, error) {
	const op = "create batch"
	if req.InputFileID != "" {
		return nil, fmt.Errorf("%s: Anthropic batches take their requests inline, not from an uploaded file", op)
	}
	if err := c.api.CheckKey(); err != nil {
		return nil, err
	}
	body, err := httpx.NewInlineBody(`{"requests":[`, `]}`, req.Size, req.Requests)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	r, err := body.Open(req.Open)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	hreq, err := c.api.NewRequest(ctx, http.MethodPost, c.base+batchesPath, r)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	hreq.ContentLength = body.Length()
	hreq.GetBody = func() (io.ReadCloser, error) { return body.Open(req.Open) }
	hreq.Header.Set("Content-Type", "application/json")
	if err := req.BeginCreate(); err != nil {
		r.Close()
		return nil, err
	}
	b, err := c.batchFrom(op, hreq)
	if err != nil {
		return nil, err
	}
	b.Model = req.Model
	return b, nil
}

// Get fetches a batch.
func (c *Client) Get(ctx context.Context, batchID string) (*providers.Batch, error) {
	const op = "get batch"
	if batchID == "" {
		return nil, errors.New(op + ": empty batch id")
	}
	return c.batchCall(ctx, op, http.MethodGet, batchesPath+"/"+url.PathEscape(batchID))
}

// Cancel asks for a batch to be cancelled and returns its new state
// (usually "cancelling"; a batch that had already ended stays as it was).
func (c *Client) Cancel(ctx context.Context, batchID string) (*providers.Batch, error) {
	const op = "cancel batch"
	if batchID == "" {
		return nil, errors.New(op + ": empty batch id")
	}
	return c.batchCall(ctx, op, http.MethodPost, batchesPath+"/"+url.PathEscape(batchID)+"/cancel")
}

// batchCall makes one bodiless request whose answer is a batch object.
func (c *Client) batchCall(ctx context.Context, op, method, path string) (*providers.Batch, error) {
	req, err := c.api.NewRequest(ctx, method, c.base+path, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return c.batchFrom(op, req)
}

// batchFrom sends req and parses its answer as a batch object.
func (c *Client) batchFrom(op string, req *http.Request) (*providers.Batch, error) {
	raw, err := c.api.Send(op, req)
	if err != nil {
		return nil, err
	}
	b, err := parseBatch(c.cfg.Name, raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return b, nil
}

// List calls fn for each batch, newest first, following the after_id
// cursor while the API says it has more. It stops without error when fn
// returns providers.ErrStop or opts.Limit batches were passed to fn.
func (c *Client) List(ctx context.Context, opts providers.ListOptions, fn func(*providers.Batch) error) error {
	return c.api.ListData(ctx, opts, httpx.DataList{
		URL:      c.base + batchesPath,
		PageSize: listPageSize,
		Cursor:   "after_id",
		Parse: func(item []byte) (*providers.Batch, error) {
			return parseBatch(c.cfg.Name, item)
		},
	}, fn)
}

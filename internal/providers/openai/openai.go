// Package openai is batchctl's client for the OpenAI Batch API and the
// services that speak the same wire protocol (Azure OpenAI, Groq, the
// emulator): input is uploaded through the Files API, batches are created,
// polled, listed and cancelled through /batches, and results are the output
// and error files' JSONL. It uses net/http only and streams every file.
package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/httpx"
)

// Auth header styles.
const (
	AuthBearer = "bearer"  // Authorization: Bearer KEY
	AuthAPIKey = "api-key" // api-key: KEY (Azure)
)

// defaultCompletionWindow is used when a SubmitRequest names none; it is the
// only window OpenAI and Azure accept.
const defaultCompletionWindow = "24h"

// listPageSize is the largest page GET /batches serves.
const listPageSize = 100

// Config is one openai-type profile.
type Config struct {
	// Name is the profile name ("openai", "groq", "emulator", ...).
	Name string
	// BaseURL is the API root that /files and /batches hang off, e.g.
	// "https://api.openai.com/v1"; a trailing slash is tolerated.
	BaseURL string
	// APIKey authenticates every request. When it is empty, every network
	// method returns a *providers.MissingKeyError.
	APIKey string
	// APIKeyEnv names the variable the key comes from, for error messages only.
	APIKeyEnv string
	// AuthHeader is AuthBearer (the default when empty) or AuthAPIKey.
	AuthHeader string
	// Headers are sent with every request (OpenAI-Organization, ...); the
	// key's header is set after them.
	Headers map[string]string
	// UserAgent is sent as User-Agent when not empty.
	UserAgent string
	// HTTPClient sends the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
}

// Client is a providers.Provider for one openai-type profile. It is safe
// for concurrent use.
type Client struct {
	cfg  Config
	base string
	api  *httpx.Client
	now  func() time.Time // for Retry-After dates
}

var _ providers.Provider = (*Client)(nil)

// New returns a client for the profile cfg describes.
func New(cfg Config) *Client {
	cfg.Headers = maps.Clone(cfg.Headers)
	c := &Client{
		cfg:  cfg,
		base: strings.TrimRight(cfg.BaseURL, "/"),
		now:  time.Now,
	}
	// The profile's own headers may carry a gateway's credentials, so they
	// stay home like the key.
	c.api = httpx.New(cfg.HTTPClient, httpx.Client{
		Profile:    cfg.Name,
		Creds:      credentials(cfg),
		KeyEnv:     cfg.APIKeyEnv,
		UserAgent:  cfg.UserAgent,
		Authorize:  c.authorize,
		ParseError: parseError,
		MaxBody:    maxResponseBody,
		Now:        func() time.Time { return c.now() }, // a clock set after New
	}, slices.Collect(maps.Keys(cfg.Headers))...)
	return c
}

// Name returns the profile name.
func (c *Client) Name() string { return c.cfg.Name }

// Submit uploads req's input with purpose "batch" and creates a batch from
// it. Metadata beyond the API's limits is refused before anything is sent.
func (c *Client) Submit(ctx context.Context, req providers.SubmitRequest) (*providers.Batch, error) {
	if err := validateMetadata(req.Metadata); err != nil {
		return nil, fmt.Errorf("create batch: %w", err)
	}
	if err := c.api.CheckKey(); err != nil {
		return nil, err
	}
	fileID := req.InputFileID
	if fileID == "" {
		var err error
		if fileID, err = c.upload(ctx, req); err != nil {
			return nil, err
		}
	}
	window := req.CompletionWindow
	if window == "" {
		window = defaultCompletionWindow
	}
	body, err := json.Marshal(createBatchRequest{
		InputFileID:      fileID,
		Endpoint:         req.Endpoint,
		CompletionWindow: window,
		Metadata:         req.Metadata,
	})
	if err != nil {
		return nil, fmt.Errorf("create batch: %w", err)
	}
	if err := req.BeginCreate(); err != nil {
		return nil, err
	}
	b, err := c.batchCall(ctx, "create batch", http.MethodPost, "/batches", body)
	if err != nil {
		return nil, err
	}
	if b.Model == "" {
		b.Model = req.Model
	}
	return b, nil
}

// createBatchRequest is the body of POST /batches.
type createBatchRequest struct {
	InputFileID      string            `json:"input_file_id"`
	Endpoint         string            `json:"endpoint"`
	CompletionWindow string            `json:"completion_window"`
	Metadata         map[string]string `json:"metadata,omitempty"`
}

// Get fetches a batch.
func (c *Client) Get(ctx context.Context, batchID string) (*providers.Batch, error) {
	if batchID == "" {
		return nil, errors.New("get batch: empty batch id")
	}
	return c.batchCall(ctx, "get batch", http.MethodGet, "/batches/"+url.PathEscape(batchID), nil)
}

// Cancel asks for a batch to be cancelled and returns its new state
// (usually "cancelling").
func (c *Client) Cancel(ctx context.Context, batchID string) (*providers.Batch, error) {
	if batchID == "" {
		return nil, errors.New("cancel batch: empty batch id")
	}
	return c.batchCall(ctx, "cancel batch", http.MethodPost, "/batches/"+url.PathEscape(batchID)+"/cancel", nil)
}

// batchCall makes one request whose answer is a batch object.
func (c *Client) batchCall(ctx context.Context, op, method, path string, body []byte) (*providers.Batch, error) {
	raw, err := c.api.Call(ctx, op, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	b, err := parseBatch(c.cfg.Name, raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return b, nil
}

// List calls fn for each batch, newest first, following the "after" cursor
// while the provider says it has more. It stops without error when fn
// returns providers.ErrStop or opts.Limit batches were passed to fn.
func (c *Client) List(ctx context.Context, opts providers.ListOptions, fn func(*providers.Batch) error) error {
	return c.api.ListData(ctx, opts, httpx.DataList{
		URL:      c.base + "/batches",
		PageSize: listPageSize,
		Cursor:   "after",
		Parse: func(item []byte) (*providers.Batch, error) {
			return parseBatch(c.cfg.Name, item)
		},
	}, fn)
}

// Package openrouter is batchctl's client for OpenRouter's Batch API: the
// requests of a batch are sent inline in the body that creates it
// (streamed from the converted input, never held in memory), batches are
// polled and listed under /batches, and the results of a completed batch
// come inline in the batch object itself. It uses net/http only.
//
// # Wire facts and their sources
//
// [quickstart] is https://openrouter.ai/docs/batch-quickstart (source
// batch-quickstart.mdx in github.com/OpenRouterTeam/docs, 2026-08-22);
// [gosdk] is the Speakeasy-generated Go SDK github.com/OpenRouterTeam/go-sdk
// at commit 24dd943 (batch.go, models/components/batch*.go,
// models/operations/listbatches.go), generated from OpenRouter's OpenAPI
// spec. The TypeScript SDK @openrouter/sdk (npm, latest 1.3.19) has no
// batch methods, and the Go SDK's module is not served by the Go module
// proxy, so neither drives the emulator's batch calls: the emulator is
// checked against the shapes below (internal/emulator/openrouter_test.go
// compares its objects' keys with the Go SDK's types), and
// internal/emulator/jscheck parses the results it serves with
// @openrouter/sdk's own schemas (chatResultFromJSON,
// createEmbeddingsResponseBodyFromJSON), which found that OpenRouter's chat
// completions always carry system_fingerprint.
//
//   - Create: POST https://openrouter.ai/api/beta/batches [quickstart], with
//     "Authorization: Bearer <key>", body {"endpoint":..., "model":...,
//     "requests":[{"custom_id":..., "body":{...}}, ...]}; endpoint and model
//     must come before requests (the API stream-parses the body and answers
//     400 otherwise) [quickstart]. The endpoint is one of
//     /v1/chat/completions, /v1/responses, /v1/messages, /v1/embeddings;
//     the batch-level model applies to every request, and a body naming
//     another model is refused [quickstart]. completion_window is optional,
//     "24h" its only value [gosdk BatchSubmitBody; quickstart]; provider
//     ({"only":[...]}) is optional too and not sent. A create is answered
//     202 with the batch object, status "validating" [quickstart].
//   - Batch object [quickstart; gosdk BatchObject]: id, object "batch",
//     endpoint, model, completion_window, status, created_at and
//     finalized_at (Unix seconds, finalized_at null until it ends),
//     expires_at (Unix seconds or null), provider, request_counts {total,
//     completed, failed}, usage {prompt_tokens, completion_tokens,
//     total_tokens, cost, is_byok} or null, results (null until the batch
//     completes; always null in a list) and error ({message} or null).
//   - Statuses: validating, in_progress, finalizing, completed, failed,
//     expired, cancelling, cancelled; completed, failed, expired and
//     cancelled are terminal [quickstart; gosdk BatchObjectStatus]. They
//     are OpenAI's names and map to batchctl's statuses one to one (DESIGN
//     section 7); any other is unknown, never taken for a known one.
//   - Get: GET /batches/{id} [quickstart; gosdk GetBatches]. Results come
//     only here: "When a batch completes, results is returned inline as an
//     array in the same response. There is no separate results-download
//     endpoint" [quickstart]. Each result is {"id", "custom_id",
//     "response":{"status_code", "request_id", "body"}, "error"}, one of
//     response and error set [quickstart] — the line of an OpenAI batch
//     output file, so Normalize is the OpenAI provider's, but for error,
//     {"message","param","type","error_type"} [gosdk ResultError].
//   - List: GET /batches?limit=N&after=ID, limit 1..100, newest first, a
//     page {"object":"list","data":[...],"first_id","last_id","has_more"}
//     whose items have results null [gosdk List, BatchListResponse,
//     BatchListItem].
//   - Errors: {"error":{"code":<the HTTP status>,"message":...,
//     "metadata":{...}}}, with Retry-After on some 429 and 503 answers
//     (https://openrouter.ai/docs/api/reference/errors-and-debugging);
//     create may answer 400, 401, 402, 403, 404, 413, 422, 429, 500, 502
//     [gosdk CreateBatches]. A batch's own error is {"message":...}
//     [gosdk BatchObjectError].
//   - Delete: DELETE /batches/{id}, of a terminal batch only (409 otherwise)
//     [gosdk Delete]; batchctl does not delete batches.
//   - Batches are text only: images, audio and files in a request are
//     refused at validation [quickstart "Limitations"] (internal/jsonl
//     refuses them before upload).
//   - Batches carry no metadata: neither the docs nor the SDK's create body
//     have a metadata field, so a batch cannot be tagged with its job. As
//     for Anthropic, a lost create is found again by its request count
//     (internal/jobs).
//
// UNCONFIRMED (no primary source found; the most plausible shape is used
// and the emulator serves the same):
//
//   - Cancel: POST /batches/{id}/cancel, answered with the batch object. The
//     SDK has no cancel operation, though the statuses include cancelling
//     and cancelled; a real API without it answers 404 and batchctl reports
//     that error.
//   - Limits: 5,000 requests and 200 MB a batch (the figures of batchctl
//     issue 18; OpenRouter's documentation states none). They are the
//     built-in profile's max_requests and max_bytes, so larger jobs split.
//   - The API root: the quickstart names https://openrouter.ai/api/beta;
//     the SDK's spec declares https://openrouter.ai/api/v1 as its server
//     and /batches below it. The built-in profile uses the quickstart's.
//   - The result of a request that did not run: a cancelled, expired or
//     failed batch has results null [quickstart], so its requests come
//     back missing.
//   - The completion callback the issue mentions: no field for it appears
//     in the docs or the SDK's create body, so none is sent.
//   - A request's error_type (OpenRouter's canonical error type) is taken
//     as the result's error code, its type as the error's type: batchctl's
//     choice, the SDK documents the fields but not how they relate.
package openrouter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/jsonscan"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/httpx"
	"github.com/batchctl/batchctl/internal/providers/openai"
)

// DefaultBaseURL is the API root when a Config names none [quickstart].
const DefaultBaseURL = "https://openrouter.ai/api/beta"

const (
	// batchesPath is where every batch operation hangs off the base URL.
	batchesPath = "/batches"
	// listPageSize is the largest page GET /batches serves [gosdk].
	listPageSize = 100
)

// Config is one openrouter-type profile.
type Config struct {
	// Name is the profile name ("openrouter", ...).
	Name string
	// BaseURL is the API root that /batches hangs off; DefaultBaseURL when
	// empty. A trailing slash is tolerated.
	BaseURL string
	// APIKey is sent as a bearer token. When it is empty, every network
	// method returns a *providers.MissingKeyError.
	APIKey string
	// APIKeyEnv names the variable the key comes from, for error messages only.
	APIKeyEnv string
	// UserAgent is sent as User-Agent when not empty.
	UserAgent string
	// HTTPClient sends the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
}

// Client is a providers.Provider for one openrouter-type profile. It is
// safe for concurrent use.
type Client struct {
	cfg     Config
	base    string
	api     *httpx.Client
	results *openai.Client // normalizes result lines, which are OpenAI's
}

var _ providers.Provider = (*Client)(nil)

// New returns a client for the profile cfg describes.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	c := &Client{
		cfg:     cfg,
		base:    strings.TrimRight(cfg.BaseURL, "/"),
		results: openai.New(openai.Config{Name: cfg.Name}),
	}
	var creds httpx.Credentials
	if cfg.APIKey != "" {
		creds = httpx.Bearer(cfg.APIKey)
	}
	c.api = httpx.New(cfg.HTTPClient, httpx.Client{
		Profile:    cfg.Name,
		Creds:      creds,
		KeyEnv:     cfg.APIKeyEnv,
		UserAgent:  cfg.UserAgent,
		ParseError: parseError,
		MaxBody:    maxResponseBody,
		Now:        time.Now,
	})
	return c
}

// Name returns the profile name.
func (c *Client) Name() string { return c.cfg.Name }

// Submit creates a batch from req's input, one request item
// ({"custom_id":...,"body":{...}}) per line, by streaming it as the
// requests array of POST /batches after the batch's endpoint, model and
// completion window. Batches carry no metadata, so req.Metadata is not
// sent; req.Filename does not apply either.
func (c *Client) Submit(ctx context.Context, req providers.SubmitRequest) (*providers.Batch, error) {
	const op = "create batch"
	switch {
	case req.InputFileID != "":
		return nil, fmt.Errorf("%s: OpenRouter batches take their requests inline, not from an uploaded file", op)
	case req.Endpoint == "" || req.Model == "":
		return nil, fmt.Errorf("%s: a batch needs an endpoint and a model", op)
	}
	if err := c.api.CheckKey(); err != nil {
		return nil, err
	}
	body, err := httpx.NewInlineBody(createHead(req), `]}`, req.Size, req.Requests)
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
	return c.batchFrom(op, hreq)
}

// createHead is the create body up to the requests array's "[": endpoint
// and model first, as the API requires.
func createHead(req providers.SubmitRequest) string {
	h := jsonscan.AppendQuote([]byte(`{"endpoint":`), []byte(req.Endpoint))
	h = jsonscan.AppendQuote(append(h, `,"model":`...), []byte(req.Model))
	if req.CompletionWindow != "" {
		h = jsonscan.AppendQuote(append(h, `,"completion_window":`...), []byte(req.CompletionWindow))
	}
	return string(append(h, `,"requests":[`...))
}

// Get fetches a batch. The results of a completed batch, which come with
// it, are skipped as they stream by: Download is what reads them.
func (c *Client) Get(ctx context.Context, batchID string) (*providers.Batch, error) {
	const op = "get batch"
	if batchID == "" {
		return nil, errors.New(op + ": empty batch id")
	}
	return c.batchCall(ctx, op, http.MethodGet, batchesPath+"/"+url.PathEscape(batchID))
}

// Cancel asks for a batch to be cancelled and returns its new state.
// UNCONFIRMED: the path (see the package documentation).
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

// batchFrom sends req and reads its answer as a batch object, skipping its
// results.
func (c *Client) batchFrom(op string, req *http.Request) (*providers.Batch, error) {
	resp, err := c.api.Do(op, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := readBatch(c.cfg.Name, resp.Body, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return b, nil
}

// List calls fn for each batch, newest first, following the after cursor
// while the API says it has more. It stops without error when fn returns
// providers.ErrStop or opts.Limit batches were passed to fn.
func (c *Client) List(ctx context.Context, opts providers.ListOptions, fn func(*providers.Batch) error) error {
	return c.api.ListData(ctx, opts, httpx.DataList{
		URL:      c.base + batchesPath,
		PageSize: listPageSize,
		Cursor:   "after",
		Parse: func(item []byte) (*providers.Batch, error) {
			return parseBatch(c.cfg.Name, item)
		},
	}, fn)
}

// Download streams the results of a completed batch to w, one result per
// line, as GET /batches/{id} serves them inline; a batch that ended
// otherwise has none (results null), and nothing is written.
func (c *Client) Download(ctx context.Context, b *providers.Batch, w io.Writer) error {
	const op = "download results"
	if b.ID == "" {
		return errors.New(op + ": empty batch id")
	}
	req, err := c.api.NewRequest(ctx, http.MethodGet, c.base+batchesPath+"/"+url.PathEscape(b.ID), nil)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	resp, err := c.api.Do(op, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := readBatch(c.cfg.Name, resp.Body, lineWriter(w)); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// Normalize turns one result, as Download writes it, into a normalized
// result: the results are the lines of an OpenAI batch output file, but
// for the error of a request that got no HTTP answer, which is
// {"message","param","type"[,"error_type"]} [gosdk ResultError] rather
// than OpenAI's {"code","message"}: its type is the error's type, its
// error_type (OpenRouter's canonical error type) the code.
func (c *Client) Normalize(line []byte) (providers.Result, error) {
	return normalize(line, c.results.Normalize)
}

// NormalizeAliasing is Normalize with a result that aliases line (see
// providers.AliasingNormalizer).
func (c *Client) NormalizeAliasing(line []byte) (providers.Result, error) {
	return normalize(line, c.results.NormalizeAliasing)
}

// normalize reads line with the OpenAI normalizer norm, then OpenRouter's
// error object.
func normalize(line []byte, norm func([]byte) (providers.Result, error)) (providers.Result, error) {
	r, err := norm(line)
	if err != nil || r.Status != providers.ResultErrored || r.Error == nil || r.Error.Code != nil || r.Response != nil {
		return r, err
	}
	var l struct {
		Error *struct {
			Type      string  `json:"type"`
			ErrorType *string `json:"error_type"`
		} `json:"error"`
	}
	if json.Unmarshal(line, &l) == nil && l.Error != nil && l.Error.Type != "" {
		r.Error.Type, r.Error.Code = l.Error.Type, l.Error.ErrorType
	}
	return r, nil
}

// Package gemini is batchctl's client for the Gemini API's Batch Mode
// (generativelanguage.googleapis.com): a batch's input goes inline in the
// create request when it is small, or is uploaded with the Files API's
// resumable protocol and named by the create request otherwise; batches are
// long-running operations (batches/<id>) that are polled, listed and
// cancelled, and their results are either inlined in the finished
// operation or a JSONL responses file. It uses net/http only and streams
// every file.
//
// # Display names
//
// Gemini batches carry no metadata map, only a display name. Submit sets it
// to
//
//	batchctl <job>            a job of one part
//	batchctl <job> <i>/<n>    part i of a job of n parts
//
// from SubmitRequest.Metadata's batchctl_job and batchctl_part, and Get,
// List and Cancel recover those two keys from a display name of that form,
// so a batch whose creation answer was lost (a crash, a timeout) can be
// recognised when listing. Other metadata is not sent.
package gemini

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/httpx"
)

// Defaults of a Config.
const (
	// DefaultBaseURL is the Gemini API's root.
	DefaultBaseURL = "https://generativelanguage.googleapis.com"
	// DefaultInlineLimit is the largest create request that carries its
	// requests inline: the API's 20 MB.
	DefaultInlineLimit = 20_000_000
	// DefaultChunkSize is the size of an upload chunk, as in Google's SDKs.
	DefaultChunkSize = 8 << 20
)

// The batch endpoints, as SubmitRequest.Endpoint names them.
const (
	EndpointGenerate = "batchGenerateContent"
	EndpointEmbed    = "asyncBatchEmbedContent"
)

// apiVersion is the path prefix of the Batch Mode endpoints.
const apiVersion = "/v1beta"

// listPageSize is the page size List asks for.
const listPageSize = 100

// Config is one gemini-type profile.
type Config struct {
	// Name is the profile name ("gemini", ...).
	Name string
	// BaseURL is the API's root, DefaultBaseURL when empty; a trailing
	// slash or "/v1beta" is tolerated.
	BaseURL string
	// APIKey authenticates every request (as x-goog-api-key). When it is
	// empty, every network method returns a *providers.MissingKeyError.
	APIKey string
	// APIKeyEnv names the variable the key comes from, for error messages only.
	APIKeyEnv string
	// UserAgent is sent as User-Agent when not empty.
	UserAgent string
	// HTTPClient sends the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// InlineLimit is the largest create request, in bytes, that carries
	// the requests inline; larger inputs are uploaded as a file.
	// DefaultInlineLimit when zero or negative.
	InlineLimit int64
	// ChunkSize is the size of an upload chunk; DefaultChunkSize when zero
	// or negative.
	ChunkSize int64
}

// Client is a providers.Provider for one gemini-type profile. It is safe
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
	if cfg.InlineLimit <= 0 {
		cfg.InlineLimit = DefaultInlineLimit
	}
	if cfg.ChunkSize <= 0 {
		cfg.ChunkSize = DefaultChunkSize
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	base = strings.TrimSuffix(base, apiVersion)
	if base == "" {
		base = DefaultBaseURL
	}
	c := &Client{cfg: cfg, base: base, now: time.Now}
	// An upload URL on another origin is a capability of its own and does
	// not get the key.
	c.api = httpx.New(cfg.HTTPClient, httpx.Client{
		Profile:    cfg.Name,
		Creds:      httpx.HomeOnly(base, httpx.Key(apiKeyHeader, cfg.APIKey)),
		KeyEnv:     cfg.APIKeyEnv,
		UserAgent:  cfg.UserAgent,
		ParseError: ParseError,
		MaxBody:    maxResponseBody,
		Now:        func() time.Time { return c.now() }, // a clock set after New
	})
	return c
}

// Name returns the profile name.
func (c *Client) Name() string { return c.cfg.Name }

// Submit creates a batch from req's input, a Gemini batch file (one
// {"key":...,"request":{...}} line per request). When the create request
// with the requests inline is at most InlineLimit bytes they go inline;
// otherwise the input is uploaded first and the batch names the file.
func (c *Client) Submit(ctx context.Context, req providers.SubmitRequest) (*providers.Batch, error) {
	const op = "create batch"
	endpoint, err := checkEndpoint(req.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if req.Model == "" {
		return nil, fmt.Errorf("%s: no model", op)
	}
	if err := c.api.CheckKey(); err != nil {
		return nil, err
	}
	path := apiVersion + "/models/" + url.PathEscape(strings.TrimPrefix(req.Model, "models/")) + ":" + endpoint
	name := displayName(req.Metadata)
	if req.InputFileID != "" {
		if err := req.BeginCreate(); err != nil {
			return nil, err
		}
		b, err := c.createWithFile(ctx, op, path, name, req.InputFileID)
		if err != nil {
			return nil, err
		}
		return fillSubmitted(b, req, endpoint), nil
	}
	inline, err := newInlineBody(name, req.Open, c.cfg.InlineLimit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var b *providers.Batch
	if inline != nil {
		if err := req.BeginCreate(); err != nil {
			return nil, err
		}
		b, err = c.createInline(ctx, op, path, inline)
	} else {
		b, err = c.createFromFile(ctx, op, path, name, req)
	}
	if err != nil {
		return nil, err
	}
	return fillSubmitted(b, req, endpoint), nil
}

// fillSubmitted completes a new batch with what the request said when the
// provider's answer left it out.
func fillSubmitted(b *providers.Batch, req providers.SubmitRequest, endpoint string) *providers.Batch {
	if b.Model == "" {
		b.Model = strings.TrimPrefix(req.Model, "models/")
	}
	if b.Endpoint == "" {
		b.Endpoint = endpoint
	}
	return b
}

// checkEndpoint returns the endpoint a SubmitRequest names, which must be
// one of the two batch endpoints; empty means EndpointGenerate.
func checkEndpoint(endpoint string) (string, error) {
	switch endpoint {
	case "":
		return EndpointGenerate, nil
	case EndpointGenerate, EndpointEmbed:
		return endpoint, nil
	}
	return "", fmt.Errorf("unsupported endpoint %q (want %s or %s)", endpoint, EndpointGenerate, EndpointEmbed)
}

// createInline sends a create request whose body carries the requests.
func (c *Client) createInline(ctx context.Context, op, path string, body *inlineBody) (*providers.Batch, error) {
	r, err := body.open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	hreq, err := c.api.NewRequest(ctx, http.MethodPost, c.base+path, r)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	hreq.ContentLength = body.size
	hreq.GetBody = body.open
	hreq.Header.Set("Content-Type", "application/json")
	return c.operation(op, hreq)
}

// createFromFile uploads the input and creates a batch from the file.
func (c *Client) createFromFile(ctx context.Context, op, path, name string, req providers.SubmitRequest) (*providers.Batch, error) {
	file, err := c.upload(ctx, name, req)
	if err != nil {
		return nil, err
	}
	if err := req.BeginCreate(); err != nil {
		return nil, err
	}
	return c.createWithFile(ctx, op, path, name, file)
}

// createWithFile creates a batch from an input file the provider has.
func (c *Client) createWithFile(ctx context.Context, op, path, name, file string) (*providers.Batch, error) {
	body, err := marshalCreate(name, file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	b, err := c.operationCall(ctx, op, http.MethodPost, path, body)
	if err != nil {
		return nil, err
	}
	if b.InputFileID == "" {
		b.InputFileID = file
	}
	return b, nil
}

// Get fetches a batch by its name, "batches/<id>" or just "<id>".
func (c *Client) Get(ctx context.Context, batchID string) (*providers.Batch, error) {
	name, err := batchName(batchID)
	if err != nil {
		return nil, fmt.Errorf("get batch: %w", err)
	}
	return c.operationCall(ctx, "get batch", http.MethodGet, apiVersion+"/"+name, nil)
}

// Cancel asks for a batch to be cancelled and returns its state after the
// request, fetched anew (the cancel call answers with an empty object).
func (c *Client) Cancel(ctx context.Context, batchID string) (*providers.Batch, error) {
	const op = "cancel batch"
	name, err := batchName(batchID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if _, err := c.api.Call(ctx, op, http.MethodPost, c.base+apiVersion+"/"+name+":cancel", []byte("{}")); err != nil {
		return nil, err
	}
	return c.operationCall(ctx, op, http.MethodGet, apiVersion+"/"+name, nil)
}

// batchName returns the resource name of a batch given as "batches/<id>"
// or "<id>", path-escaped.
func batchName(id string) (string, error) {
	id = strings.TrimPrefix(id, "batches/")
	if id == "" || strings.Contains(id, "/") {
		return "", fmt.Errorf("invalid batch id %q (want batches/<id>)", id)
	}
	return "batches/" + url.PathEscape(id), nil
}

// List calls fn for each batch, in the order the API lists them, following
// nextPageToken. It stops without error when fn returns providers.ErrStop
// or opts.Limit batches were passed to fn.
func (c *Client) List(ctx context.Context, opts providers.ListOptions, fn func(*providers.Batch) error) error {
	return httpx.List(opts, listPageSize, func(token string, size int) (httpx.Page, error) {
		return c.listPage(ctx, token, size)
	}, fn)
}

// listPage fetches the page of at most size batches that token names ("":
// the first page).
func (c *Client) listPage(ctx context.Context, token string, size int) (httpx.Page, error) {
	const op = "list batches"
	q := url.Values{}
	q.Set("pageSize", strconv.Itoa(size))
	if token != "" {
		q.Set("pageToken", token)
	}
	raw, err := c.api.Call(ctx, op, http.MethodGet, c.base+apiVersion+"/batches?"+q.Encode(), nil)
	if err != nil {
		return httpx.Page{}, err
	}
	page, err := parseListPage(c.cfg.Name, raw)
	if err != nil {
		return httpx.Page{}, fmt.Errorf("%s: %w", op, err)
	}
	return httpx.Page{Batches: page.batches, Next: page.next}, nil
}

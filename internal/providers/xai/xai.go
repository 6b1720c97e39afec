// Package xai is batchctl's client for the xAI (Grok) Batch API, reached
// over its REST gateway with net/http only.
//
// A batch is opened empty, named with the job's tag (POST /v1/batches
// {"name":...}), and filled by adding requests to it in chunks (POST
// /v1/batches/{id}/requests {"batch_requests":[...]}). Each input line, an
// OpenAI batch line for /v1/chat/completions, becomes one batch request
// {"batch_request_id": custom_id, "batch_request": {"chat_get_completion":
// body}}. A batch is polled (GET /v1/batches/{id}), listed (GET
// /v1/batches?limit=&pagination_token=), cancelled (POST
// /v1/batches/{id}:cancel), and its results are read page by page (GET
// /v1/batches/{id}/results?limit=&pagination_token=).
//
// # Wire facts and their sources
//
// No official JS or Go SDK exists: the official SDK is Python over gRPC
// (github.com/xai-org/xai-sdk-python). The messages are those of the
// canonical proto, github.com/xai-org/xai-proto
// proto/xai/api/v1/batch.proto (service BatchMgmt; the SDK ships the same
// as src/xai_sdk/proto/v6/batch_pb2.pyi), which the REST gateway writes in
// snake_case JSON; the emulator (internal/emulator/xai) is checked
// against the same names (internal/emulator/xai_spec_test.go).
//
//   - Batch: batch_id, name, create_time, expire_time, cancel_time,
//     cancel_by_xai_message ("if the batch was cancelled by xAI, an error
//     message explaining why"), state (BatchState, "not always
//     populated"), cost_breakdown, input_file_id [batch.proto]. The
//     timestamps are google.protobuf.Timestamp, RFC 3339 strings in JSON;
//     the int64 counters may come as JSON strings (proto3 JSON mapping),
//     and are read either way.
//   - BatchState: num_requests, num_pending, num_success, num_error,
//     num_cancelled. There is no status enum: a batch is done when
//     num_pending is 0 [batch.proto; the SDK's examples poll for it].
//   - BatchCostBreakdown.total_cost_usd_ticks is in ticks of 1e-10 USD
//     [batch.proto; xai_sdk cost.py]. batchctl keeps it in Raw only.
//   - BatchRequest.batch_request_id is optional and "must be unique within
//     the batch"; results come in no guaranteed order and carry it
//     [batch.proto]. AddBatchRequests answers google.protobuf.Empty.
//   - ListBatches and ListBatchResults take limit (default 100) and
//     pagination_token, and answer a pagination_token that is empty on
//     the last page [batch.proto].
//   - BatchResult is batch_request_id and a oneof of response
//     (BatchResultData: completion_response | image_response |
//     video_response) or error (google.rpc.Status {code, message}); the
//     code is given its name and HTTP status here as google/rpc/code.proto
//     maps them [batch.proto].
//   - CreateBatchRequest {name, input_file_id}: with a file the batch "will
//     be populated from the file's contents" [batch.proto] and sealed
//     [xai_sdk sync/batch.py]; JSONL upload exists since March 2026
//     [docs.x.ai/developers/release-notes]. The line format of that file
//     is in neither the proto nor the docs searched (third-party clients
//     use OpenAI's batch lines): UNCONFIRMED, so batchctl adds requests
//     instead and refuses --input-file-id.
//   - The REST paths (POST /v1/batches, POST /v1/batches/{id}/requests,
//     GET /v1/batches[/{id}[/results]], POST /v1/batches/{id}:cancel) and
//     the gateway's JSON names of the oneofs ("chat_get_completion" for
//     the completion request and response, the result's oneof under
//     "batch_result") come from third-party REST clients
//     (https://tryagi.github.io/Xai/guides/batches,
//     https://batchwork.dev/providers/xai, ruby_llm's xai batches,
//     https://docs.litellm.ai/docs/providers/xai_batches) and
//     ../shared/reference/providers.md D.5; the proto carries no HTTP
//     annotations, and only excerpts of docs.x.ai's batch guide
//     (https://docs.x.ai/developers/advanced-api-usage/batch-api) could be
//     read here: UNCONFIRMED. The proto names them completion_request,
//     completion_response and result.
//   - UNCONFIRMED too: what the API does when a batch_request_id is added
//     twice (batchctl never does it: see Submit), whether one add call is
//     all-or-nothing, the largest add call, the per-batch limits, whether
//     list is newest first, what becomes of requests still pending at
//     expire_time (taken here to be cancelled by xAI at that time), and
//     the JSON of an API error (read here as OpenAI's {"error":{...}} or
//     xAI's {"code":...,"error":"..."}).
//
// # Statuses
//
// batchctl derives a status from the counters (see status): no requests
// yet, or fewer than the batch's name says, is validating; requests
// pending is in_progress, or cancelling after a cancel; none pending is
// completed, or cancelled after a cancel, or, when xAI cancelled the
// batch itself, expired (at or after expire_time) or failed. A batch
// reports no time it ended, so a completed batch's CompletedAt is zero.
package xai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/httpx"
	"github.com/batchctl/batchctl/internal/providers/openai"
)

// DefaultBaseURL is the API root when a Config names none.
const DefaultBaseURL = "https://api.x.ai/v1"

const (
	// batchesPath is where every batch operation hangs off the base URL.
	batchesPath = "/batches"
	// endpoint is the only API a batch request can target here.
	endpoint = "/v1/chat/completions"
	// listPageSize is the page size asked of GET /v1/batches (the largest
	// is not documented: UNCONFIRMED).
	listPageSize = 100
	// maxResponseBody bounds a JSON answer (a batch, a page).
	maxResponseBody = 64 << 20
)

// Config is one xai-type profile.
type Config struct {
	// Name is the profile name ("xai", ...).
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
	// ChunkRequests is how many requests one add call carries at most;
	// DefaultChunkRequests when 0.
	ChunkRequests int
}

// DefaultChunkRequests is how many requests one add call carries at most
// (xAI documents no limit: UNCONFIRMED).
const DefaultChunkRequests = 1000

// maxChunkBytes bounds the body of one add call.
const maxChunkBytes = 16 << 20

// Client is a providers.Provider for one xai-type profile. It is safe for
// concurrent use.
type Client struct {
	cfg  Config
	base string
	api  *httpx.Client
	// chat normalizes the chat completions results carry (OpenAI's shape).
	chat *openai.Client
	now  func() time.Time
}

var _ providers.Provider = (*Client)(nil)

// New returns a client for the profile cfg describes.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.ChunkRequests <= 0 {
		cfg.ChunkRequests = DefaultChunkRequests
	}
	c := &Client{
		cfg:  cfg,
		base: strings.TrimRight(cfg.BaseURL, "/"),
		chat: openai.New(openai.Config{Name: cfg.Name}),
		now:  time.Now,
	}
	c.api = httpx.New(cfg.HTTPClient, httpx.Client{
		Profile:    cfg.Name,
		Creds:      httpx.Bearer(cfg.APIKey),
		KeyEnv:     cfg.APIKeyEnv,
		UserAgent:  cfg.UserAgent,
		ParseError: parseError,
		MaxBody:    maxResponseBody,
		Now:        func() time.Time { return c.now() },
	})
	return c
}

// Name returns the profile name.
func (c *Client) Name() string { return c.cfg.Name }

// batchURL is the URL of a batch, with suffix (":cancel", "/results", ...).
func (c *Client) batchURL(batchID, suffix string) string {
	return c.base + batchesPath + "/" + url.PathEscape(batchID) + suffix
}

// Get fetches a batch.
func (c *Client) Get(ctx context.Context, batchID string) (*providers.Batch, error) {
	const op = "get batch"
	if batchID == "" {
		return nil, errors.New(op + ": empty batch id")
	}
	return c.batchCall(ctx, op, http.MethodGet, c.batchURL(batchID, ""), nil)
}

// Cancel asks for a batch to be cancelled and returns its new state: its
// pending requests are cancelled, those that ran keep their results.
func (c *Client) Cancel(ctx context.Context, batchID string) (*providers.Batch, error) {
	const op = "cancel batch"
	if batchID == "" {
		return nil, errors.New(op + ": empty batch id")
	}
	return c.batchCall(ctx, op, http.MethodPost, c.batchURL(batchID, ":cancel"), []byte("{}"))
}

// batchCall makes one request whose answer is a batch object.
func (c *Client) batchCall(ctx context.Context, op, method, rawURL string, body []byte) (*providers.Batch, error) {
	raw, err := c.api.Call(ctx, op, method, rawURL, body)
	if err != nil {
		return nil, err
	}
	b, err := parseBatch(c.cfg.Name, raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return b, nil
}

// List calls fn for each batch in the order the API lists them, following
// pagination_token. It stops without error when fn returns
// providers.ErrStop or opts.Limit batches were passed to fn.
func (c *Client) List(ctx context.Context, opts providers.ListOptions, fn func(*providers.Batch) error) error {
	return httpx.List(opts, listPageSize, func(token string, size int) (httpx.Page, error) {
		return c.listPage(ctx, token, size)
	}, fn)
}

// batchPage is a page of GET /v1/batches [proto: ListBatchesResponse].
type batchPage struct {
	Batches         []jsonRaw `json:"batches"`
	PaginationToken *string   `json:"pagination_token"`
}

// listPage fetches the page of at most size batches token names ("": the
// first page).
func (c *Client) listPage(ctx context.Context, token string, size int) (httpx.Page, error) {
	const op = "list batches"
	q := url.Values{}
	q.Set("limit", strconv.Itoa(size))
	if token != "" {
		q.Set("pagination_token", token)
	}
	raw, err := c.api.Call(ctx, op, http.MethodGet, c.base+batchesPath+"?"+q.Encode(), nil)
	if err != nil {
		return httpx.Page{}, err
	}
	var page batchPage
	if err := unmarshal(raw, &page); err != nil {
		return httpx.Page{}, fmt.Errorf("%s: %w", op, err)
	}
	out := httpx.Page{Batches: make([]*providers.Batch, 0, len(page.Batches))}
	for _, item := range page.Batches {
		b, err := parseBatch(c.cfg.Name, item)
		if err != nil {
			return httpx.Page{}, fmt.Errorf("%s: %w", op, err)
		}
		out.Batches = append(out.Batches, b)
	}
	if page.PaginationToken != nil && len(page.Batches) > 0 {
		out.Next = *page.PaginationToken
	}
	return out, nil
}

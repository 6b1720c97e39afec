// Package mistral is batchctl's client for the Mistral Batch API. The input
// is uploaded through the Files API, a batch job is created from it under
// /v1/batch/jobs, polled, listed page by page and cancelled there, and its
// results are the output and error files' JSONL. It uses net/http only and
// streams every file.
//
// Wire facts, with their sources (client-python is
// github.com/mistralai/client-python at 05629d2, generated from Mistral's
// OpenAPI document; client-ts is github.com/mistralai/client-ts at b14b3b9,
// published as @mistralai/mistralai 2.6.1):
//
//   - Base URL https://api.mistral.ai; the key is sent as
//     "Authorization: Bearer KEY" (client-python README, docs.mistral.ai/api).
//   - POST /v1/files, multipart form with "file" and "purpose" ("batch"),
//     answers a file object whose id names the input (client-python
//     docs/sdks/files/README.md, docs/models/filepurpose.md; client-ts
//     src/funcs/filesUpload.ts). A file can be at most 512 MB
//     (docs/sdks/files/README.md, "upload").
//   - GET /v1/files/{file_id}/content streams a file (client-ts
//     src/funcs/filesDownload.ts).
//   - POST /v1/batch/jobs takes {input_files, endpoint, model, metadata,
//     timeout_hours} (docs/models/createbatchjobrequest.md); metadata is a
//     map of strings there, a map of any values in the job.
//   - GET /v1/batch/jobs?page=&page_size= lists jobs newest first
//     (order_by defaults to "-created"), pages numbered from 0 with 100
//     jobs by default, as {data, object:"list", total}
//     (client-python src/mistralai/client/batch_jobs.py "list",
//     docs/models/listbatchjobsresponse.md). It can filter by metadata,
//     serialised as a form-style exploded query object
//     (models/jobs_api_routes_batch_get_batch_jobsop.py): what the server
//     makes of that is UNCONFIRMED, so batchctl finds a lost create by
//     listing, as for the other providers.
//   - GET /v1/batch/jobs/{job_id} and POST /v1/batch/jobs/{job_id}/cancel
//     answer the job (client-ts src/funcs/batchJobsGet.ts, batchJobsCancel.ts).
//   - A job is {id, object:"batch", input_files, metadata, endpoint, model,
//     output_file, error_file, errors:[{message, count}], status,
//     created_at, total_requests, completed_requests, succeeded_requests,
//     failed_requests, started_at, completed_at}, times in Unix seconds
//     (docs/models/batchjob.md; client-ts src/models/components/batchjob.ts).
//   - Statuses QUEUED, RUNNING, SUCCESS, FAILED, TIMEOUT_EXCEEDED,
//     CANCELLATION_REQUESTED, CANCELLED, an open enum
//     (docs/models/batchjobstatus.md).
//   - Endpoints /v1/chat/completions, /v1/embeddings, /v1/fim/completions,
//     /v1/moderations, /v1/chat/moderations, /v1/ocr, /v1/classifications,
//     /v1/chat/classifications, /v1/conversations, /v1/audio/transcriptions
//     (docs/models/apiendpoint.md). batchctl normalizes the results of the
//     first, second and fourth and refuses the others before anything is
//     sent.
//   - An input line is {"custom_id", "body"}; a batch holds up to 1M
//     requests (docs.mistral.ai/capabilities/batch).
//   - A result line carries custom_id and either response {status_code,
//     body} or error. The field names come from the SDK example
//     examples/mistral/jobs/async_batch_job_chat_completion_inline.py
//     (res["response"]["body"]); response.status_code is read by two
//     secondary clients (langchain4j's MistralAiBatchResultEntry,
//     bespokelabs/curator's mistral_batch_request_processor.py). Both are
//     UNCONFIRMED by a primary source, as is the shape of error, taken to be
//     that of OpenAI's batch output.
//   - Bodies: chat completions as OpenAI's (choices, usage prompt_tokens and
//     completion_tokens); embeddings {data:[{embedding, index}], usage}
//     (docs/models/embeddingresponse.md); moderations {id, model,
//     results:[{categories: {name: bool}, category_scores}]}, with no
//     flagged member (docs/models/moderationobject.md): a result is
//     flagged when any category is.
//   - Error answers {"object":"error","message","type","param","code"}, or
//     {"detail":[{"loc","msg","type"}]} for a body that fails validation:
//     UNCONFIRMED (seen in Mistral's answers, not in the SDKs, which keep
//     the body as text).
package mistral

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

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/httpx"
	"github.com/batchctl/batchctl/internal/providers/openai"
)

// DefaultBaseURL is the API root when a Config names none.
const DefaultBaseURL = "https://api.mistral.ai"

const (
	// jobsPath is where every batch job operation hangs off the base URL.
	jobsPath = "/v1/batch/jobs"
	// defaultTimeoutHours is the timeout_hours of a job whose
	// SubmitRequest names no completion window (the API's default).
	defaultTimeoutHours = 24
)

// Endpoints lists the batch endpoints whose results batchctl normalizes.
var Endpoints = []string{"/v1/chat/completions", "/v1/embeddings", "/v1/moderations"}

// Config is one mistral-type profile.
type Config struct {
	// Name is the profile name ("mistral", ...).
	Name string
	// BaseURL is the API root that /v1/files and /v1/batch/jobs hang off;
	// DefaultBaseURL when empty. A trailing slash is tolerated.
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

// Client is a providers.Provider for one mistral-type profile. It is safe
// for concurrent use.
type Client struct {
	cfg  Config
	base string
	api  *httpx.Client
	// files uploads the input and downloads the results: Mistral's Files
	// API has OpenAI's paths and form. It also reads the result lines,
	// which have OpenAI's shape.
	files *openai.Client
	now   func() time.Time // for Retry-After dates
}

var _ providers.Provider = (*Client)(nil)

// New returns a client for the profile cfg describes.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	c := &Client{cfg: cfg, base: strings.TrimRight(cfg.BaseURL, "/"), now: time.Now}
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
		Now:        func() time.Time { return c.now() }, // a clock set after New
	})
	c.files = openai.New(openai.Config{
		Name:       cfg.Name,
		BaseURL:    c.base + "/v1",
		APIKey:     cfg.APIKey,
		APIKeyEnv:  cfg.APIKeyEnv,
		UserAgent:  cfg.UserAgent,
		HTTPClient: cfg.HTTPClient,
	})
	return c
}

// Name returns the profile name.
func (c *Client) Name() string { return c.cfg.Name }

// Submit uploads req's input with purpose "batch" and creates a batch job
// from it, carrying req.Metadata. An endpoint whose results batchctl does
// not normalize is refused before anything is sent.
func (c *Client) Submit(ctx context.Context, req providers.SubmitRequest) (*providers.Batch, error) {
	const op = "create batch"
	if err := CheckEndpoint(req.Endpoint); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	hours, err := timeoutHours(req.CompletionWindow)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if err := c.api.CheckKey(); err != nil {
		return nil, err
	}
	fileID := req.InputFileID
	if fileID == "" {
		if fileID, err = c.files.UploadInput(ctx, req); err != nil {
			return nil, err
		}
	}
	body, err := json.Marshal(createJobRequest{
		InputFiles:   []string{fileID},
		Endpoint:     req.Endpoint,
		Model:        req.Model,
		Metadata:     req.Metadata,
		TimeoutHours: hours,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if err := req.BeginCreate(); err != nil {
		return nil, err
	}
	b, err := c.jobCall(ctx, op, http.MethodPost, jobsPath, body)
	if err != nil {
		return nil, err
	}
	if b.Model == "" {
		b.Model = req.Model
	}
	return b, nil
}

// createJobRequest is the body of POST /v1/batch/jobs.
type createJobRequest struct {
	InputFiles   []string          `json:"input_files"`
	Endpoint     string            `json:"endpoint"`
	Model        string            `json:"model,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
	TimeoutHours int               `json:"timeout_hours"`
}

// CheckEndpoint refuses a batch endpoint whose results batchctl does not
// normalize (OCR, FIM, classifications, conversations, transcriptions).
func CheckEndpoint(endpoint string) error {
	for _, e := range Endpoints {
		if e == endpoint {
			return nil
		}
	}
	return fmt.Errorf("endpoint %q is not one batchctl can read the results of (want %s)", endpoint, strings.Join(Endpoints, ", "))
}

// timeoutHours is the timeout_hours of a completion window such as "24h":
// whole hours, at least one.
func timeoutHours(window string) (int, error) {
	if window == "" {
		return defaultTimeoutHours, nil
	}
	d, err := time.ParseDuration(window)
	if err != nil || d < time.Hour || d%time.Hour != 0 {
		return 0, fmt.Errorf("completion window %q is not a whole number of hours", window)
	}
	return int(d / time.Hour), nil
}

// Get fetches a batch job.
func (c *Client) Get(ctx context.Context, batchID string) (*providers.Batch, error) {
	const op = "get batch"
	if batchID == "" {
		return nil, errors.New(op + ": empty batch id")
	}
	return c.jobCall(ctx, op, http.MethodGet, jobsPath+"/"+url.PathEscape(batchID), nil)
}

// Cancel asks for a batch job to be cancelled and returns its new state
// (usually CANCELLATION_REQUESTED).
func (c *Client) Cancel(ctx context.Context, batchID string) (*providers.Batch, error) {
	const op = "cancel batch"
	if batchID == "" {
		return nil, errors.New(op + ": empty batch id")
	}
	return c.jobCall(ctx, op, http.MethodPost, jobsPath+"/"+url.PathEscape(batchID)+"/cancel", nil)
}

// jobCall makes one request whose answer is a batch job.
func (c *Client) jobCall(ctx context.Context, op, method, path string, body []byte) (*providers.Batch, error) {
	raw, err := c.api.Call(ctx, op, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	b, err := parseJob(c.cfg.Name, raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return b, nil
}

// Download streams b's output file, then its error file, to w.
func (c *Client) Download(ctx context.Context, b *providers.Batch, w io.Writer) error {
	return c.files.Download(ctx, b, w)
}

// Normalize turns one line of an output or error file into a result. The
// lines have the shape of OpenAI's batch output; a moderation result is
// flagged when any of its categories is, Mistral's results having no
// flagged member, and the error of a request answered with an HTTP error
// is read from Mistral's error body.
func (c *Client) Normalize(line []byte) (providers.Result, error) {
	return normalize(c.files.Normalize(line))
}

// NormalizeAliasing is Normalize with a result that aliases line (see
// providers.AliasingNormalizer).
func (c *Client) NormalizeAliasing(line []byte) (providers.Result, error) {
	return normalize(c.files.NormalizeAliasing(line))
}

// normalize makes Mistral's result of what the OpenAI normalizer read.
func normalize(r providers.Result, err error) (providers.Result, error) {
	if err != nil {
		return r, err
	}
	if m := r.Moderation; m != nil && len(m.Categories) > 0 {
		m.Flagged = true
	}
	if e := r.Error; e != nil && e.HTTPStatus != nil && len(r.Response) > 0 {
		readErrorBody(r.Response, e)
	}
	return r, nil
}

// readErrorBody fills in e from body when it is Mistral's error body.
func readErrorBody(body []byte, e *providers.ResultError) {
	var he providers.HTTPError
	if !parseError(body, &he) {
		return
	}
	e.Message = he.Message
	if he.Type != "" {
		e.Type = he.Type
	}
	if he.Code != "" {
		e.Code = &he.Code
	}
}

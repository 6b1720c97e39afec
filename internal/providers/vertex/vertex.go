// Package vertex is batchctl's client for Vertex AI batch prediction with
// Gemini and Claude models: the converted input (the Gemini batch file's
// lines, {"key":...,"request":GenerateContentRequest}, or for Claude
// {"custom_id":...,"request":<Anthropic Messages body>}, jsonl's
// vertex-claude rules) is uploaded to the
// profile's Cloud Storage location (internal/objstore), a
// BatchPredictionJob is created reading it and writing under an output
// prefix, polled, listed and cancelled, and its results are read from the
// predictions.jsonl files it writes there. Calls carry OAuth2 access
// tokens of the Application Default Credentials (internal/gcpcfg).
// API reference:
// https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.batchPredictionJobs;
// input and output formats:
// https://cloud.google.com/vertex-ai/generative-ai/docs/multimodal/batch-prediction-from-cloud-storage.
package vertex

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"golang.org/x/oauth2"

	"github.com/batchctl/batchctl/internal/gcpcfg"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/objstore"
	"github.com/batchctl/batchctl/internal/providers"
	anth "github.com/batchctl/batchctl/internal/providers/anthropic"
	"github.com/batchctl/batchctl/internal/providers/gemini"
	"github.com/batchctl/batchctl/internal/providers/httpx"
)

// Config is one vertex-type profile, its credentials found.
type Config struct {
	Name     string
	Project  string
	Location string
	// BaseURL is Vertex AI's endpoint: the location's
	// (https://{location}-aiplatform.googleapis.com) unless overridden.
	BaseURL string
	Bucket  objstore.URL // where job input and output go
	// StorageEndpoint is Cloud Storage's (objstore.GCSEndpoint unless
	// overridden).
	StorageEndpoint string
	// Tokens authorize every call; nil when no credentials were found
	// (every call then fails with a *providers.MissingKeyError).
	Tokens oauth2.TokenSource
	HTTP   *http.Client
}

// EndpointFor is the regional endpoint of location
// (https://cloud.google.com/vertex-ai/docs/reference/rest#service-endpoint);
// the global location has no region in its host.
func EndpointFor(location string) string {
	if location == "global" {
		return "https://aiplatform.googleapis.com"
	}
	return "https://" + location + "-aiplatform.googleapis.com"
}

// Client is a providers.Provider for one vertex profile.
type Client struct {
	providers.BucketData // forget --remote, prune --remote
	cfg                  Config
	api                  *httpx.Client
	store                objstore.Store
	norm                 *gemini.Client // normalizes GenerateContentResponses
	claude               *anth.Client   // normalizes Claude's messages
}

var (
	_ providers.Provider   = (*Client)(nil)
	_ providers.RemoteData = (*Client)(nil)
)

// maxResponseBody bounds a JSON answer (a job, a page of jobs).
const maxResponseBody = 16 << 20

// New returns the client of cfg.
func New(cfg Config) *Client {
	var creds httpx.Credentials
	storeHTTP := cfg.HTTP
	if cfg.Tokens != nil {
		creds = &bearer{ts: cfg.Tokens}
		storeHTTP = gcpcfg.Authorized(cfg.HTTP, cfg.Tokens)
	}
	api := httpx.New(cfg.HTTP, httpx.Client{
		Profile: cfg.Name, Creds: creds, KeyEnv: credentialsHint,
		ParseError: gemini.ParseError, MaxBody: maxResponseBody,
	})
	store := objstore.NewGCS(storeHTTP, cmp.Or(cfg.StorageEndpoint, objstore.GCSEndpoint))
	return &Client{
		BucketData: providers.BucketData{Store: store, Bucket: cfg.Bucket, Wrap: wrapStoreOpError},
		cfg:        cfg, api: api, store: store, norm: gemini.New(gemini.Config{Name: cfg.Name}),
		claude: anth.New(anth.Config{Name: cfg.Name}),
	}
}

// credentialsHint says where Google credentials come from, for the error
// of a call made without any ("... GOOGLE_APPLICATION_CREDENTIALS (or
// gcloud's application default credentials) is not set").
const credentialsHint = "GOOGLE_APPLICATION_CREDENTIALS (or gcloud's application default credentials)"

// Name returns the profile name.
func (c *Client) Name() string { return c.cfg.Name }

// collection is the URL of the location's batchPredictionJobs.
func (c *Client) collection() string {
	return strings.TrimSuffix(c.cfg.BaseURL, "/") + "/v1/projects/" + url.PathEscape(c.cfg.Project) +
		"/locations/" + url.PathEscape(c.cfg.Location) + "/batchPredictionJobs"
}

// jobURL is the URL of a job by id.
func (c *Client) jobURL(id string) string { return c.collection() + "/" + url.PathEscape(id) }

// createBody is a BatchPredictionJob to create: JSONL read from Cloud
// Storage, JSONL written under a prefix (REST reference, BatchPredictionJob
// inputConfig/outputConfig; the same members genai's Vertex backend sends,
// batches.go createBatchJobParametersToVertex).
type createBody struct {
	DisplayName  string       `json:"displayName"`
	Model        string       `json:"model"`
	InputConfig  inputConfig  `json:"inputConfig"`
	OutputConfig outputConfig `json:"outputConfig"`
}

type inputConfig struct {
	InstancesFormat string    `json:"instancesFormat"`
	GCSSource       gcsSource `json:"gcsSource"`
}

type gcsSource struct {
	URIs []string `json:"uris"`
}

type outputConfig struct {
	PredictionsFormat string         `json:"predictionsFormat"`
	GCSDestination    gcsDestination `json:"gcsDestination"`
}

type gcsDestination struct {
	OutputURIPrefix string `json:"outputUriPrefix"`
}

// Submit uploads the requests to <bucket>/batchctl/<job>/<filename> and
// creates a job reading them, writing under <bucket>/batchctl/<job>/out/.
func (c *Client) Submit(ctx context.Context, req providers.SubmitRequest) (*providers.Batch, error) {
	const op = "create batch"
	if err := c.checkSubmit(req); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if err := c.api.CheckKey(); err != nil {
		return nil, err
	}
	dir := providers.JobDir(c.cfg.Bucket, cmp.Or(req.Metadata[providers.MetaJob], "nojob"))
	in := dir.Join(req.Filename)
	if err := c.upload(ctx, req, in); err != nil {
		return nil, err
	}
	body, err := json.Marshal(createBody{
		DisplayName:  providers.JobName(req.Metadata, providers.RandomSuffix()),
		Model:        modelName(req.Model),
		InputConfig:  inputConfig{InstancesFormat: "jsonl", GCSSource: gcsSource{URIs: []string{in.String()}}},
		OutputConfig: outputConfig{PredictionsFormat: "jsonl", GCSDestination: gcsDestination{OutputURIPrefix: dir.Join("out").String()}},
	})
	if err != nil {
		return nil, err
	}
	if err := req.BeginCreate(); err != nil {
		return nil, err
	}
	return c.jobCall(ctx, op, http.MethodPost, c.collection(), body)
}

// checkSubmit refuses what batchctl cannot send to Vertex AI.
func (c *Client) checkSubmit(req providers.SubmitRequest) error {
	switch {
	case req.InputFileID != "":
		return errors.New("Vertex AI jobs read their input from the profile's bucket; --input-file-id is not supported")
	case req.Endpoint != gemini.EndpointGenerate:
		return fmt.Errorf("Vertex AI batch jobs of %s are not supported (generateContent only)", req.Endpoint)
	}
	return CheckModel(req.Model)
}

// CheckModel refuses a Claude model named without its version, whose
// lines would be written as Gemini's (jsonl.IsClaude).
func CheckModel(model string) error {
	if strings.HasPrefix(model, "claude") && !jsonl.IsClaude(model) {
		return fmt.Errorf("model %q: Vertex AI names Claude models with their version, as claude-sonnet-4@20250514", model)
	}
	return nil
}

// modelName is the resource name of a model: Google's publisher models by
// id (gemini-2.5-flash is publishers/google/models/gemini-2.5-flash),
// Anthropic's Claude models likewise (claude-sonnet-4@20250514 is
// publishers/anthropic/models/claude-sonnet-4@20250514: the publisher
// model path of Vertex AI's Model Garden, console
// .../publishers/anthropic/model-garden/claude-...; the batch page's REST
// example is not in the docs' excerpts, so this name in a
// batchPredictionJob is UNCONFIRMED), a full name (publishers/...,
// projects/.../models/...) as it is.
func modelName(model string) string {
	switch {
	case strings.Contains(model, "/"):
		return model
	case jsonl.IsClaude(model):
		return "publishers/anthropic/models/" + model
	}
	return "publishers/google/models/" + model
}

// modelID is the model of a job as the user named it: modelName undone
// for the publisher models it names by id.
func modelID(name string) string {
	for _, p := range []string{"publishers/google/models/", "publishers/anthropic/models/"} {
		if id, ok := strings.CutPrefix(name, p); ok {
			return id
		}
	}
	return name
}

// upload streams the request file to u.
func (c *Client) upload(ctx context.Context, req providers.SubmitRequest, u objstore.URL) error {
	r, err := req.Open()
	if err != nil {
		return fmt.Errorf("upload input: %w", err)
	}
	defer r.Close()
	return wrapStoreError(c.store.Put(ctx, u, r, req.Size))
}

// jobCall makes a call whose answer is a BatchPredictionJob.
func (c *Client) jobCall(ctx context.Context, op, method, rawURL string, body []byte) (*providers.Batch, error) {
	raw, err := c.api.Call(ctx, op, method, rawURL, body)
	if err != nil {
		return nil, err
	}
	b, err := c.parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return b, nil
}

// Get fetches a job by id.
func (c *Client) Get(ctx context.Context, batchID string) (*providers.Batch, error) {
	const op = "get batch"
	if batchID == "" {
		return nil, errors.New(op + ": empty batch id")
	}
	return c.jobCall(ctx, op, http.MethodGet, c.jobURL(batchID), nil)
}

// Cancel asks for a job to be cancelled (the answer is empty) and returns
// its new state.
func (c *Client) Cancel(ctx context.Context, batchID string) (*providers.Batch, error) {
	const op = "cancel batch"
	if batchID == "" {
		return nil, errors.New(op + ": empty batch id")
	}
	if _, err := c.api.Call(ctx, op, http.MethodPost, c.jobURL(batchID)+":cancel", []byte("{}")); err != nil {
		return nil, err
	}
	return c.Get(ctx, batchID)
}

// listPageSize is the page size asked for; the service caps it (REST
// reference, batchPredictionJobs.list pageSize; its maximum is
// UNCONFIRMED).
const listPageSize = 100

// List lists the location's jobs, in the order the service lists them
// (newest first, UNCONFIRMED: the reference names no order). Cursors are
// page tokens.
func (c *Client) List(ctx context.Context, opts providers.ListOptions, fn func(*providers.Batch) error) error {
	const op = "list batches"
	return httpx.List(opts, listPageSize, func(cursor string, size int) (httpx.Page, error) {
		q := url.Values{"pageSize": {strconv.Itoa(size)}}
		if cursor != "" {
			q.Set("pageToken", cursor)
		}
		raw, err := c.api.Call(ctx, op, http.MethodGet, c.collection()+"?"+q.Encode(), nil)
		if err != nil {
			return httpx.Page{}, err
		}
		page, err := c.parsePage(raw)
		if err != nil {
			return httpx.Page{}, fmt.Errorf("%s: %w", op, err)
		}
		return page, nil
	}, fn)
}

// Download streams the lines of every predictions*.jsonl file in the job's
// output folder (outputInfo.gcsOutputDirectory), each ending in '\n'.
func (c *Client) Download(ctx context.Context, b *providers.Batch, w io.Writer) error {
	const op = "download results"
	if b.OutputFileID == "" {
		return fmt.Errorf("%s: batch %s names no output folder", op, b.ID)
	}
	dir, err := objstore.ParseURLOf(b.OutputFileID, objstore.SchemeGCS)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	var files []objstore.URL
	err = c.store.List(ctx, dir.Dir(), func(o objstore.Object) error {
		if name := path.Base(o.URL.Key); strings.HasPrefix(name, "predictions") && strings.HasSuffix(name, ".jsonl") {
			files = append(files, o.URL)
		}
		return nil
	})
	if err != nil {
		return wrapStoreError(err)
	}
	for _, f := range files {
		if err := c.copyLines(ctx, f, w); err != nil {
			return wrapStoreError(err)
		}
	}
	return nil
}

// copyLines copies one output file to w, adding a last newline it lacks.
func (c *Client) copyLines(ctx context.Context, u objstore.URL, w io.Writer) error {
	r, err := c.store.Get(ctx, u)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := httpx.CopyLines(w, r); err != nil {
		return fmt.Errorf("reading %s: %w", u, err)
	}
	return nil
}

// wrapStoreOpError is wrapStoreError of the error of operation op.
func wrapStoreOpError(op string, err error) error {
	return wrapStoreError(fmt.Errorf("%s: %w", op, err))
}

// wrapStoreError makes a Cloud Storage error answer, or the token
// service's refusal of its token, a *providers.HTTPError, so the retry
// policy and the messages treat it as every provider's.
func wrapStoreError(err error) error {
	var se *objstore.HTTPError
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re):
		return tokenError(err)
	case !errors.As(err, &se):
		return err
	}
	return &providers.HTTPError{
		Op: se.Op, StatusCode: se.StatusCode, Code: se.Reason, Type: se.Reason,
		Message: se.Message, RetryAfter: se.RetryAfter,
	}
}

// Package bedrock is batchctl's client for Amazon Bedrock batch inference
// (model invocation jobs): the converted input is uploaded to the
// profile's S3 location (internal/objstore), a job is created with
// CreateModelInvocationJob naming it and an output prefix, polled with
// GetModelInvocationJob, listed with ListModelInvocationJobs, stopped with
// StopModelInvocationJob, and its results are read from the .jsonl.out
// files Bedrock writes under the output prefix. The four control plane
// calls are REST-JSON requests sent by the providers' HTTP layer
// (internal/providers/httpx), signed with SigV4 by the AWS SDK's signer
// (internal/awscfg.Signer) with the AWS default credential chain: the
// generated service/bedrock client would add some 3 MB to the binary for
// them, so it is only a test-time client of the emulator
// (internal/emulator/bedrock), which checks these calls' shapes. Wire
// shapes: the API reference,
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateModelInvocationJob.html
// and its siblings, and the SDK's serializers and deserializers
// (aws-sdk-go-v2/service/bedrock v1.63.0); record formats:
// https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-data.html
// and batch-inference-results.html.
package bedrock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/encoding/httpbinding"

	"github.com/batchctl/batchctl/internal/awscfg"
	"github.com/batchctl/batchctl/internal/objstore"
	"github.com/batchctl/batchctl/internal/providers"
	anth "github.com/batchctl/batchctl/internal/providers/anthropic"
	"github.com/batchctl/batchctl/internal/providers/httpx"
)

// Endpoint is the endpoint every record targets: Bedrock runs each
// record's modelInput as the body of an InvokeModel call.
const Endpoint = "InvokeModel"

// maxResponseBody bounds a control plane answer (a list page of up to
// 1000 jobs is some 1 MB).
const maxResponseBody = 16 << 20

// Config is one bedrock-type profile, its AWS configuration loaded.
type Config struct {
	Name    string
	AWS     aws.Config
	HTTP    *http.Client // nil: http.DefaultClient
	Store   objstore.Store
	Bucket  objstore.URL // where job input and output go
	RoleARN string
	// Endpoint, when set, is where Bedrock calls go instead of the
	// endpoint the AWS configuration names (awscfg.Endpoint).
	Endpoint string
}

// Client is a providers.Provider for one bedrock profile.
type Client struct {
	providers.BucketData // forget --remote, prune --remote
	cfg                  Config
	base                 string
	api                  *httpx.Client
	norm                 *anth.Client // normalizes Anthropic messages
}

var (
	_ providers.Provider   = (*Client)(nil)
	_ providers.RemoteData = (*Client)(nil)
)

// New returns the client of cfg.
func New(cfg Config) *Client {
	base := cfg.Endpoint
	if base == "" {
		base = awscfg.Endpoint(context.Background(), cfg.AWS, "Bedrock", "bedrock")
	}
	api := httpx.New(cfg.HTTP, httpx.Client{
		Profile:    cfg.Name,
		Creds:      awscfg.NewSigner(cfg.AWS, "bedrock"),
		KeyEnv:     credentialsHint,
		ParseError: parseError,
		MaxBody:    maxResponseBody,
	})
	c := &Client{cfg: cfg, base: strings.TrimSuffix(base, "/"), api: api, norm: anth.New(anth.Config{Name: cfg.Name})}
	c.BucketData = providers.BucketData{Store: cfg.Store, Bucket: cfg.Bucket, Wrap: c.wrapStoreError}
	return c
}

// Name returns the profile name.
func (c *Client) Name() string { return c.cfg.Name }

// createRequest is a CreateModelInvocationJob body (API reference,
// Request Syntax; clientRequestToken makes a repeated call idempotent).
// Its modelInvocationType is always InvokeModel: records carry their
// model family's own body (jsonl.BedrockFamily). The Converse type, one
// body shape for every model (and the Converse API's answers in the
// output), is the API's too (ModelInvocationType in the SDK's
// types/enums.go) but batchctl does not write it.
type createRequest struct {
	JobName            string     `json:"jobName"`
	ModelID            string     `json:"modelId"`
	InvocationType     string     `json:"modelInvocationType"`
	RoleArn            string     `json:"roleArn"`
	ClientRequestToken string     `json:"clientRequestToken"`
	InputDataConfig    dataConfig `json:"inputDataConfig"`
	OutputDataConfig   dataConfig `json:"outputDataConfig"`
}

// dataConfig is an input or output data configuration, a union of which
// batchctl uses the S3 member.
type dataConfig struct {
	S3Input  *s3Config `json:"s3InputDataConfig,omitempty"`
	S3Output *s3Config `json:"s3OutputDataConfig,omitempty"`
}

type s3Config struct {
	URI    string `json:"s3Uri"`
	Format string `json:"s3InputFormat,omitempty"`
}

// Submit uploads the records to <bucket>/batchctl/<job>/<filename> and
// creates a job reading them, writing to <bucket>/batchctl/<job>/out/.
func (c *Client) Submit(ctx context.Context, req providers.SubmitRequest) (*providers.Batch, error) {
	const op = "create batch"
	if req.InputFileID != "" {
		return nil, fmt.Errorf("%s: Bedrock jobs read their input from the profile's bucket; --input-file-id is not supported", op)
	}
	if err := CheckModel(req.Model); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if c.cfg.RoleARN == "" {
		return nil, fmt.Errorf("%s: provider %q has no role_arn", op, c.cfg.Name)
	}
	dir := providers.JobDir(c.cfg.Bucket, or(req.Metadata[providers.MetaJob], "nojob"))
	in := dir.Join(req.Filename)
	if err := c.upload(ctx, in, req); err != nil {
		return nil, err
	}
	out := dir.Join("out").Dir()
	// Job names are 1 to 63 characters of letters, digits, '+', '-' and
	// '.', starting with a letter or digit (API reference,
	// CreateModelInvocationJob jobName pattern
	// [a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}): providers.JobName's
	// are, batchctl job ids being letters and digits. Its random suffix
	// keeps names unique: Bedrock refuses a second job of a name
	// (UNCONFIRMED), and a job may be retried.
	name := providers.JobName(req.Metadata, providers.RandomSuffix())
	if err := req.BeginCreate(); err != nil {
		return nil, err
	}
	body, _ := json.Marshal(createRequest{
		JobName: name, ModelID: req.Model, InvocationType: "InvokeModel", RoleArn: c.cfg.RoleARN, ClientRequestToken: name,
		InputDataConfig:  dataConfig{S3Input: &s3Config{URI: in.String(), Format: "JSONL"}},
		OutputDataConfig: dataConfig{S3Output: &s3Config{URI: out.String()}},
	})
	raw, h, err := c.call(ctx, op, http.MethodPost, "/model-invocation-job", body)
	if err != nil {
		return nil, err
	}
	var created struct {
		JobArn string `json:"jobArn"`
	}
	if err := json.Unmarshal(raw, &created); err != nil || created.JobArn == "" {
		return nil, fmt.Errorf("%s: the answer names no jobArn: %s", op, raw)
	}
	// CreateModelInvocationJob answers only the job's ARN (its raw
	// answer): the batch is what was asked for, Submitted when the
	// answer is dated.
	submitted, _ := http.ParseTime(h.Get("Date"))
	return c.batch(job{
		JobArn: created.JobArn, JobName: name, ModelID: req.Model, Status: "Submitted",
		SubmitTime: &submitted, Output: dataConfig{S3Output: &s3Config{URI: out.String()}},
		Total: aws.Int64(int64(req.Requests)),
	}, raw), nil
}

// upload puts the request's input at u.
func (c *Client) upload(ctx context.Context, u objstore.URL, req providers.SubmitRequest) error {
	r, err := req.Open()
	if err != nil {
		return fmt.Errorf("create batch: %w", err)
	}
	defer r.Close()
	if err := c.cfg.Store.Put(ctx, u, r, req.Size); err != nil {
		return c.wrapStoreError("upload input", err)
	}
	return nil
}

// Get fetches a job.
func (c *Client) Get(ctx context.Context, batchID string) (*providers.Batch, error) {
	const op = "get batch"
	if batchID == "" {
		return nil, errors.New(op + ": empty batch id")
	}
	raw, _, err := c.call(ctx, op, http.MethodGet, jobPath(batchID), nil)
	if err != nil {
		return nil, err
	}
	var j job
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, fmt.Errorf("%s: decoding the answer: %w", op, err)
	}
	b := c.batch(j, raw)
	if b.Status.Terminal() && b.OutputFileID != "" {
		// The manifest adds the job's token usage; the job's state does
		// not wait on it: a manifest that cannot be read now leaves the
		// usage unknown, and the results' lines give it.
		_ = c.readManifest(ctx, b)
	}
	return b, nil
}

// manifest is manifest.json.out, the totals Bedrock writes beside a
// job's output files once it ends. Source: batch-inference-results.html
// ("A manifest.json.out file containing a summary of the batch inference
// job": totalRecordCount, processedRecordCount, successRecordCount,
// errorRecordCount, inputTokenCount, outputTokenCount).
type manifest struct {
	Total        int   `json:"totalRecordCount"`
	Processed    int   `json:"processedRecordCount"`
	Success      int   `json:"successRecordCount"`
	Error        int   `json:"errorRecordCount"`
	InputTokens  int64 `json:"inputTokenCount"`
	OutputTokens int64 `json:"outputTokenCount"`
}

// maxManifest bounds the manifest read: six numbers.
const maxManifest = 64 << 10

// readManifest reads the manifest of an ended job into b: its token
// counts are b's usage, its record counts b's counts where the job did
// not give them. A job that ended without one (it failed before any
// record ran) keeps b as it is.
func (c *Client) readManifest(ctx context.Context, b *providers.Batch) error {
	dir, err := objstore.ParseURLOf(b.OutputFileID, objstore.SchemeS3)
	if err != nil {
		return err
	}
	r, err := c.cfg.Store.Get(ctx, dir.Join("manifest.json.out"))
	if errors.Is(err, objstore.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	defer r.Close()
	var m manifest
	if err := json.NewDecoder(io.LimitReader(r, maxManifest)).Decode(&m); err != nil {
		return fmt.Errorf("reading %s: %w", dir.Join("manifest.json.out"), err)
	}
	b.Usage = &providers.Usage{InputTokens: m.InputTokens, OutputTokens: m.OutputTokens}
	if b.Counts == (providers.Counts{}) {
		b.Counts = providers.Counts{Total: m.Total, Succeeded: m.Success, Failed: m.Error}
	}
	return nil
}

// Cancel stops a job (StopModelInvocationJob answers nothing) and returns
// its new state.
func (c *Client) Cancel(ctx context.Context, batchID string) (*providers.Batch, error) {
	const op = "cancel batch"
	if batchID == "" {
		return nil, errors.New(op + ": empty batch id")
	}
	if _, _, err := c.call(ctx, op, http.MethodPost, jobPath(batchID)+"/stop", nil); err != nil {
		return nil, err
	}
	return c.Get(ctx, batchID)
}

// jobPath is the path of the job whose ARN is arn, escaped as the SDK
// escapes a path label (every byte but the unreserved ones, '/' too).
func jobPath(arn string) string {
	return "/model-invocation-job/" + httpbinding.EscapePath(arn, true)
}

// listPageSize is the largest page ListModelInvocationJobs serves
// (maxResults 1 to 1000, API reference).
const listPageSize = 1000

// List lists the jobs newest first (sortBy CreationTime, Descending),
// asking each page for no more jobs than opts.Limit still wants, so that
// a page's nextToken is the cursor of the rest.
func (c *Client) List(ctx context.Context, opts providers.ListOptions, fn func(*providers.Batch) error) error {
	return httpx.List(opts, listPageSize, func(token string, size int) (httpx.Page, error) {
		return c.listPage(ctx, token, size)
	}, fn)
}

// listPage fetches the page of token ("" for the first), of at most size
// jobs.
func (c *Client) listPage(ctx context.Context, token string, size int) (httpx.Page, error) {
	const op = "list batches"
	q := url.Values{"maxResults": {strconv.Itoa(size)}, "sortBy": {"CreationTime"}, "sortOrder": {"Descending"}}
	if token != "" {
		q.Set("nextToken", token)
	}
	raw, _, err := c.call(ctx, op, http.MethodGet, "/model-invocation-jobs?"+q.Encode(), nil)
	if err != nil {
		return httpx.Page{}, err
	}
	var page struct {
		Jobs      []json.RawMessage `json:"invocationJobSummaries"`
		NextToken string            `json:"nextToken"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		return httpx.Page{}, fmt.Errorf("%s: decoding the answer: %w", op, err)
	}
	out := httpx.Page{Next: page.NextToken}
	for _, j := range page.Jobs {
		b, err := c.summary(j)
		if err != nil {
			return httpx.Page{}, err
		}
		out.Batches = append(out.Batches, b)
	}
	return out, nil
}

// summary is the batch of one job summary of a list page.
func (c *Client) summary(raw json.RawMessage) (*providers.Batch, error) {
	var j job
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, fmt.Errorf("list batches: decoding a job summary: %w", err)
	}
	return c.batch(j, raw), nil
}

// call sends a control plane request, signed, with an optional JSON body,
// and returns the body and headers of its 2xx answer. An error answer is
// a *providers.HTTPError whose Code and Type are the AWS error type the
// X-Amzn-ErrorType header names; no credentials is a
// *providers.MissingKeyError.
func (c *Client) call(ctx context.Context, op, method, path string, body []byte) ([]byte, http.Header, error) {
	req, err := c.api.NewRequest(ctx, method, c.base+path, bytes.NewReader(body))
	if errors.Is(err, awscfg.ErrNoCredentials) {
		return nil, nil, &providers.MissingKeyError{Profile: c.cfg.Name, Env: credentialsHint}
	} else if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", op, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.api.HTTP.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, nil, c.httpError(op, resp)
	}
	raw, err := c.api.ReadBody(op, resp.Body)
	return raw, resp.Header, err
}

// Download streams the records of every .jsonl.out file under the job's
// output folder (<output prefix>/<job id>/), each line ending in '\n'.
// manifest.json.out, the job's totals, is not a result and is skipped.
func (c *Client) Download(ctx context.Context, b *providers.Batch, w io.Writer) error {
	const op = "download results"
	if b.OutputFileID == "" {
		return fmt.Errorf("%s: batch %s names no output location", op, b.ID)
	}
	prefix, err := objstore.ParseURLOf(b.OutputFileID, objstore.SchemeS3)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	var files []objstore.URL
	err = c.cfg.Store.List(ctx, prefix.Dir(), func(o objstore.Object) error {
		if strings.HasSuffix(o.URL.Key, ".jsonl.out") {
			files = append(files, o.URL)
		}
		return nil
	})
	if err != nil {
		return c.wrapStoreError(op, err)
	}
	for _, f := range files {
		if err := c.copyLines(ctx, f, w); err != nil {
			return c.wrapStoreError(op, err)
		}
	}
	return nil
}

// copyLines copies one output file to w, adding a last newline it lacks.
func (c *Client) copyLines(ctx context.Context, u objstore.URL, w io.Writer) error {
	r, err := c.cfg.Store.Get(ctx, u)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := httpx.CopyLines(w, r); err != nil {
		return fmt.Errorf("reading %s: %w", u, err)
	}
	return nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// utc returns *t in UTC, the zero time for nil.
func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// Package bedrock is batchctl's client for Amazon Bedrock batch inference
// (model invocation jobs): the converted input is uploaded to the
// profile's S3 location (internal/objstore), a job is created with
// CreateModelInvocationJob naming it and an output prefix, polled with
// GetModelInvocationJob, listed with ListModelInvocationJobs, stopped with
// StopModelInvocationJob, and its results are read from the .jsonl.out
// files Bedrock writes under the output prefix. Calls are signed by the
// AWS SDK (aws-sdk-go-v2/service/bedrock), with the AWS default credential
// chain. API reference:
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateModelInvocationJob.html
// and its siblings; record formats:
// https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-data.html
// and batch-inference-results.html.
package bedrock

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/batchctl/batchctl/internal/objstore"
	"github.com/batchctl/batchctl/internal/providers"
	anth "github.com/batchctl/batchctl/internal/providers/anthropic"
	"github.com/batchctl/batchctl/internal/providers/httpx"
)

// Endpoint is the endpoint every record targets: Bedrock runs each
// record's modelInput as the body of an InvokeModel call.
const Endpoint = "InvokeModel"

// Config is one bedrock-type profile, its AWS configuration loaded.
type Config struct {
	Name    string
	AWS     aws.Config
	Store   objstore.Store
	Bucket  objstore.URL // where job input and output go
	RoleARN string
	// Endpoint, when set, is where Bedrock calls go instead of the
	// endpoint the SDK resolves (AWS_ENDPOINT_URL_BEDROCK does the same
	// from the environment).
	Endpoint string
}

// Client is a providers.Provider for one bedrock profile.
type Client struct {
	cfg  Config
	api  *bedrock.Client
	norm *anth.Client // normalizes Anthropic messages
}

var _ providers.Provider = (*Client)(nil)

// New returns the client of cfg. The SDK's own retries are off: batchctl's
// retry policy (internal/providers/retry) decides, as for every provider.
func New(cfg Config) *Client {
	api := bedrock.NewFromConfig(cfg.AWS, func(o *bedrock.Options) {
		o.Retryer = aws.NopRetryer{}
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	return &Client{cfg: cfg, api: api, norm: anth.New(anth.Config{Name: cfg.Name})}
}

// Name returns the profile name.
func (c *Client) Name() string { return c.cfg.Name }

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
	dir := c.cfg.Bucket.Join("batchctl", or(req.Metadata[metaJob], "nojob"))
	in := dir.Join(req.Filename)
	r, err := req.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	err = c.cfg.Store.Put(ctx, in, r, req.Size)
	r.Close()
	if err != nil {
		return nil, wrapError("upload input", err)
	}
	out := dir.Join("out").Dir()
	name := jobName(req.Metadata, randomSuffix())
	if err := req.BeginCreate(); err != nil {
		return nil, err
	}
	created, err := c.api.CreateModelInvocationJob(ctx, &bedrock.CreateModelInvocationJobInput{
		JobName: aws.String(name),
		ModelId: aws.String(req.Model),
		RoleArn: aws.String(c.cfg.RoleARN),
		InputDataConfig: &types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{Value: types.ModelInvocationJobS3InputDataConfig{
			S3Uri: aws.String(in.String()), S3InputFormat: types.S3InputFormatJsonl,
		}},
		OutputDataConfig: &types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{Value: types.ModelInvocationJobS3OutputDataConfig{
			S3Uri: aws.String(out.String()),
		}},
	})
	if err != nil {
		return nil, wrapError(op, err)
	}
	// CreateModelInvocationJob answers only the job's ARN: the batch is
	// what was asked for, Submitted when the answer is dated.
	return c.batch(job{
		arn: created.JobArn, name: aws.String(name), model: aws.String(req.Model), status: types.ModelInvocationJobStatusSubmitted,
		submitted: answerDate(created.ResultMetadata), output: &types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{Value: types.ModelInvocationJobS3OutputDataConfig{S3Uri: aws.String(out.String())}},
		total: aws.Int64(int64(req.Requests)),
	}), nil
}

// Get fetches a job.
func (c *Client) Get(ctx context.Context, batchID string) (*providers.Batch, error) {
	const op = "get batch"
	if batchID == "" {
		return nil, errors.New(op + ": empty batch id")
	}
	out, err := c.api.GetModelInvocationJob(ctx, &bedrock.GetModelInvocationJobInput{JobIdentifier: aws.String(batchID)})
	if err != nil {
		return nil, wrapError(op, err)
	}
	return c.batch(job{
		arn: out.JobArn, name: out.JobName, model: out.ModelId, status: out.Status, message: out.Message,
		submitted: out.SubmitTime, ended: out.EndTime, expires: out.JobExpirationTime, output: out.OutputDataConfig,
		total: out.TotalRecordCount, succeeded: out.SuccessRecordCount, failed: out.ErrorRecordCount,
	}), nil
}

// Cancel stops a job (StopModelInvocationJob answers nothing) and returns
// its new state.
func (c *Client) Cancel(ctx context.Context, batchID string) (*providers.Batch, error) {
	const op = "cancel batch"
	if batchID == "" {
		return nil, errors.New(op + ": empty batch id")
	}
	if _, err := c.api.StopModelInvocationJob(ctx, &bedrock.StopModelInvocationJobInput{JobIdentifier: aws.String(batchID)}); err != nil {
		return nil, wrapError(op, err)
	}
	return c.Get(ctx, batchID)
}

// listPageSize is the largest page ListModelInvocationJobs serves
// (maxResults 1 to 1000, API reference).
const listPageSize = 1000

// List lists the jobs newest first (sortBy CreationTime, Descending).
// Its cursor is the page token of a page and how many of that page's
// jobs were listed already: "<token>#<n>".
func (c *Client) List(ctx context.Context, opts providers.ListOptions, fn func(*providers.Batch) error) error {
	const op = "list batches"
	token, skip := parseCursor(opts.After)
	n := 0
	for {
		in := &bedrock.ListModelInvocationJobsInput{
			MaxResults: aws.Int32(listPageSize), SortBy: types.SortJobsByCreationTime, SortOrder: types.SortOrderDescending,
		}
		if token != "" {
			in.NextToken = aws.String(token)
		}
		page, err := c.api.ListModelInvocationJobs(ctx, in)
		if err != nil {
			return wrapError(op, err)
		}
		jobs := page.InvocationJobSummaries
		for i := min(skip, len(jobs)); i < len(jobs); i++ {
			if opts.Limit > 0 && n == opts.Limit {
				if opts.Next != nil {
					opts.Next(token + "#" + strconv.Itoa(i))
				}
				return nil
			}
			s := jobs[i]
			b := c.batch(job{
				arn: s.JobArn, name: s.JobName, model: s.ModelId, status: s.Status, message: s.Message,
				submitted: s.SubmitTime, ended: s.EndTime, expires: s.JobExpirationTime, output: s.OutputDataConfig,
				total: s.TotalRecordCount, succeeded: s.SuccessRecordCount, failed: s.ErrorRecordCount,
			})
			n++
			if err := fn(b); errors.Is(err, providers.ErrStop) {
				return nil
			} else if err != nil {
				return err
			}
		}
		token, skip = aws.ToString(page.NextToken), 0
		if token == "" {
			if opts.Next != nil && opts.Limit > 0 && n == opts.Limit {
				opts.Next("")
			}
			return nil
		}
	}
}

// answerDate is the Date header of the answer md is the metadata of; nil
// when there is none.
func answerDate(md middleware.Metadata) *time.Time {
	raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	if !ok {
		return nil
	}
	t, err := http.ParseTime(raw.Header.Get("Date"))
	if err != nil {
		return nil
	}
	return &t
}

// parseCursor reads a List cursor: a page token and an offset in it.
func parseCursor(after string) (token string, skip int) {
	i := strings.LastIndexByte(after, '#')
	if i < 0 {
		return after, 0
	}
	n, err := strconv.Atoi(after[i+1:])
	if err != nil || n < 0 {
		return after, 0
	}
	return after[:i], n
}

// Download streams the records of every .jsonl.out file under the job's
// output folder (<output prefix>/<job id>/), each line ending in '\n'.
// manifest.json.out, the job's totals, is not a result and is skipped.
func (c *Client) Download(ctx context.Context, b *providers.Batch, w io.Writer) error {
	const op = "download results"
	if b.OutputFileID == "" {
		return fmt.Errorf("%s: batch %s names no output location", op, b.ID)
	}
	prefix, err := objstore.ParseURL(b.OutputFileID)
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
		return wrapError(op, err)
	}
	for _, f := range files {
		if err := c.copyLines(ctx, f, w); err != nil {
			return wrapError(op, err)
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

// randomSuffix makes job names unique: Bedrock refuses a second job of a
// name (UNCONFIRMED), and a job may be retried.
func randomSuffix() string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 6)
	rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b)
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

package bedrock

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/httpx"
)

// jobID is the id at the end of a job ARN
// (arn:aws:bedrock:<region>:<account>:model-invocation-job/<id>), the
// name of the job's output folder. A batch's id is the ARN itself: the
// job operations document jobIdentifier as "The Amazon Resource Name
// (ARN) of the batch inference job" (API reference,
// API_GetModelInvocationJob.html; the user guide's batch-inference-get.html:
// "provide the ARN of the job in the jobIdentifier field"). Their
// pattern admits the bare id too, but a bare id is reported refused by
// the service ("400 ValidationException: The provided ARN is invalid",
// a third-party client's live note), so batchctl never sends one.
func jobID(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// job is what GetModelInvocationJob and a ListModelInvocationJobs summary
// both say of a job (API reference, Response Syntax; timestamps are RFC
// 3339 date-times, the SDK's deserializers).
type job struct {
	JobArn            string     `json:"jobArn"`
	JobName           string     `json:"jobName"`
	ModelID           string     `json:"modelId"`
	Status            string     `json:"status"`
	Message           string     `json:"message"`
	SubmitTime        *time.Time `json:"submitTime"`
	EndTime           *time.Time `json:"endTime"`
	JobExpirationTime *time.Time `json:"jobExpirationTime"`
	Output            dataConfig `json:"outputDataConfig"`
	Total             *int64     `json:"totalRecordCount"`
	Succeeded         *int64     `json:"successRecordCount"`
	Failed            *int64     `json:"errorRecordCount"`
}

// batch is a job in normalized form, raw the answer it was read from. Its
// ID is the job's ARN (jobID); its OutputFileID is the folder its results
// are written to: <output S3 URI>/<job id>/ (UNCONFIRMED from the docs,
// which say Bedrock writes an output file for each input file, not
// where; Download lists the folder rather than naming a file).
func (c *Client) batch(j job, raw json.RawMessage) *providers.Batch {
	b := &providers.Batch{
		ID:             j.JobArn,
		Provider:       c.cfg.Name,
		Status:         status(j.Status),
		ProviderStatus: j.Status,
		Endpoint:       Endpoint,
		Model:          j.ModelID,
		CreatedAt:      utc(j.SubmitTime),
		ExpiresAt:      utc(j.JobExpirationTime),
		Metadata:       providers.JobNameMetadata(j.JobName),
		Counts: providers.Counts{
			Total: int(aws.ToInt64(j.Total)), Succeeded: int(aws.ToInt64(j.Succeeded)), Failed: int(aws.ToInt64(j.Failed)),
		},
		Raw: raw,
	}
	if b.Status.Terminal() {
		b.CompletedAt = utc(j.EndTime)
	}
	if s3 := j.Output.S3Output; s3 != nil {
		b.OutputFileID = strings.TrimSuffix(s3.URI, "/") + "/" + jobID(j.JobArn) + "/"
	}
	if j.Message != "" && (b.Status == providers.StatusFailed || b.Status == providers.StatusExpired) {
		b.Errors = []providers.BatchError{{Message: j.Message}}
	}
	return b
}

// status maps a job status to a normalized one. PartiallyCompleted is
// completed: some records failed, and their result lines say why.
// Source: ModelInvocationJobStatus, API reference (types/enums.go of the
// SDK; TestStatus holds this table to the SDK's enum).
func status(s string) providers.Status {
	switch s {
	case "Submitted", "Validating":
		return providers.StatusValidating
	case "Scheduled", "InProgress":
		return providers.StatusInProgress
	case "Completed", "PartiallyCompleted":
		return providers.StatusCompleted
	case "Failed":
		return providers.StatusFailed
	case "Stopping":
		return providers.StatusCancelling
	case "Stopped":
		return providers.StatusCancelled
	case "Expired":
		return providers.StatusExpired
	}
	return providers.StatusUnknown
}

// credentialsHint names where AWS credentials come from, for the error
// of a call that found none.
const credentialsHint = "AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE with SSO or keys, or a role)"

// parseError is an httpx.ErrorParser for the control plane's error body,
// {"message":"..."} (the SDK's restjson error deserializer); its type is
// in a header (httpError).
func parseError(body []byte, e *providers.HTTPError) bool {
	var v struct {
		Message *string `json:"message"`
	}
	if json.Unmarshal(body, &v) != nil || v.Message == nil {
		return false
	}
	e.Message = *v.Message
	return true
}

// httpError is the *providers.HTTPError of an error answer: its Code and
// Type are the AWS error type X-Amzn-ErrorType names, without the
// ":<url>" some services add (as the SDK reads it,
// aws/protocol/restjson.GetErrorInfo).
func (c *Client) httpError(op string, resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, httpx.MaxErrorBody))
	e := c.api.ErrorOf(op, resp.StatusCode, resp.Header, raw)
	if t, _, _ := strings.Cut(resp.Header.Get("X-Amzn-ErrorType"), ":"); t != "" {
		e.Code, e.Type = t, t
	}
	return e
}

// wrapStoreError turns an S3 error of the SDK into batchctl's: an HTTP
// answer becomes a *providers.HTTPError (its status, the S3 error code
// and message, the wait Retry-After asks for), so the retry policy and
// the messages treat it as every provider's.
func (c *Client) wrapStoreError(op string, err error) error {
	if strings.Contains(err.Error(), "get identity: ") {
		return &providers.MissingKeyError{Profile: c.cfg.Name, Env: credentialsHint}
	}
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() < 300 {
		// no answer, or an answer cut short: a network failure
		return fmt.Errorf("%s: %w", op, err)
	}
	he := &providers.HTTPError{Op: op, StatusCode: re.HTTPStatusCode(), Message: re.Err.Error()}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		he.Code, he.Type, he.Message = ae.ErrorCode(), ae.ErrorCode(), ae.ErrorMessage()
	}
	he.RetryAfter = httpx.RetryAfter(re.Response.Header, time.Now())
	return he
}

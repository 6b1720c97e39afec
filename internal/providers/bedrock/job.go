package bedrock

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/batchctl/batchctl/internal/providers"
)

// The metadata keys batchctl tags its batches with, carried in job names.
const (
	metaJob  = "batchctl_job"
	metaPart = "batchctl_part"
)

// namePrefix starts the name of every job batchctl creates.
const namePrefix = "batchctl"

// jobName names a job after its batchctl job and part:
// batchctl-<job>[-<i>of<n>]-<suffix>. Job names are 1 to 63 characters of
// letters, digits, '+', '-' and '.', starting with a letter or digit
// (API reference, CreateModelInvocationJob jobName pattern
// [a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}); batchctl job ids are
// letters and digits.
func jobName(md map[string]string, suffix string) string {
	fields := []string{namePrefix}
	if j := md[metaJob]; j != "" {
		fields = append(fields, j)
		if p := md[metaPart]; p != "" {
			fields = append(fields, strings.Replace(p, "/", "of", 1))
		}
	}
	return strings.Join(append(fields, suffix), "-")
}

var nameRE = regexp.MustCompile(`^batchctl-([0-9A-Za-z]+)(?:-([1-9][0-9]*)of([1-9][0-9]*))?-[0-9a-z]+$`)

// nameMetadata is the metadata a name jobName made carries; nil for any
// other name.
func nameMetadata(name string) map[string]string {
	m := nameRE.FindStringSubmatch(name)
	if m == nil {
		return nil
	}
	md := map[string]string{metaJob: m[1]}
	if m[2] != "" {
		md[metaPart] = m[2] + "/" + m[3]
	}
	return md
}

// jobID is the id at the end of a job ARN
// (arn:aws:bedrock:<region>:<account>:model-invocation-job/<id>), which
// the job operations take as jobIdentifier as well as the ARN (API
// reference, jobIdentifier pattern; UNCONFIRMED that every region takes
// the bare id).
func jobID(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// job is what GetModelInvocationJob and a ListModelInvocationJobs summary
// both say of a job.
type job struct {
	arn, name, model, message *string
	status                    types.ModelInvocationJobStatus
	submitted, ended, expires *time.Time
	output                    types.ModelInvocationJobOutputDataConfig
	total, succeeded, failed  *int64
}

// batch is a job in normalized form. Its OutputFileID is the folder its
// results are written to: <output S3 URI>/<job id>/ (batch-inference-results.html:
// "the output files are written to a folder named after the job ID").
func (c *Client) batch(j job) *providers.Batch {
	id := jobID(aws.ToString(j.arn))
	b := &providers.Batch{
		ID:             id,
		Provider:       c.cfg.Name,
		Status:         status(j.status),
		ProviderStatus: string(j.status),
		Endpoint:       Endpoint,
		Model:          aws.ToString(j.model),
		CreatedAt:      utc(j.submitted),
		ExpiresAt:      utc(j.expires),
		Metadata:       nameMetadata(aws.ToString(j.name)),
		Counts: providers.Counts{
			Total: int(aws.ToInt64(j.total)), Succeeded: int(aws.ToInt64(j.succeeded)), Failed: int(aws.ToInt64(j.failed)),
		},
	}
	if b.Status.Terminal() {
		b.CompletedAt = utc(j.ended)
	}
	if s3, ok := j.output.(*types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig); ok {
		uri := aws.ToString(s3.Value.S3Uri)
		if !strings.HasSuffix(uri, "/") {
			uri += "/"
		}
		b.OutputFileID = uri + id + "/"
	}
	b.Raw = rawJob(j, b)
	if msg := aws.ToString(j.message); msg != "" && (b.Status == providers.StatusFailed || b.Status == providers.StatusExpired) {
		b.Errors = []providers.BatchError{{Message: msg}}
	}
	return b
}

// rawJob is the job as JSON in the API's member names. The SDK decodes
// the answer into structs, so this is a re-encoding of what batchctl
// read, not the bytes Bedrock sent.
func rawJob(j job, b *providers.Batch) json.RawMessage {
	v := map[string]any{
		"jobArn": aws.ToString(j.arn), "jobName": aws.ToString(j.name), "modelId": aws.ToString(j.model),
		"status": string(j.status), "submitTime": j.submitted,
	}
	if j.message != nil {
		v["message"] = *j.message
	}
	if j.ended != nil {
		v["endTime"] = j.ended
	}
	if b.OutputFileID != "" {
		v["outputDataConfig"] = map[string]any{"s3OutputDataConfig": map[string]string{"s3Uri": strings.TrimSuffix(b.OutputFileID, b.ID+"/")}}
	}
	for k, n := range map[string]*int64{"totalRecordCount": j.total, "successRecordCount": j.succeeded, "errorRecordCount": j.failed} {
		if n != nil {
			v[k] = *n
		}
	}
	raw, _ := json.Marshal(v)
	return raw
}

// status maps a job status to a normalized one. PartiallyCompleted is
// completed: some records failed, and their result lines say why.
// Source: ModelInvocationJobStatus, API reference (types/enums.go of the
// SDK).
func status(s types.ModelInvocationJobStatus) providers.Status {
	switch s {
	case types.ModelInvocationJobStatusSubmitted, types.ModelInvocationJobStatusValidating:
		return providers.StatusValidating
	case types.ModelInvocationJobStatusScheduled, types.ModelInvocationJobStatusInProgress:
		return providers.StatusInProgress
	case types.ModelInvocationJobStatusCompleted, types.ModelInvocationJobStatusPartiallyCompleted:
		return providers.StatusCompleted
	case types.ModelInvocationJobStatusFailed:
		return providers.StatusFailed
	case types.ModelInvocationJobStatusStopping:
		return providers.StatusCancelling
	case types.ModelInvocationJobStatusStopped:
		return providers.StatusCancelled
	case types.ModelInvocationJobStatusExpired:
		return providers.StatusExpired
	}
	return providers.StatusUnknown
}

// credentialsHint names where AWS credentials come from, for the error
// of a call the SDK found none for.
const credentialsHint = "AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE with SSO or keys, or a role)"

// wrapError turns an SDK error into batchctl's: an HTTP answer becomes a
// *providers.HTTPError (its status, the AWS error code and message), so
// the retry policy and the messages treat it as every provider's.
func wrapError(op string, err error) error {
	if strings.Contains(err.Error(), "get identity: ") {
		return &providers.MissingKeyError{Profile: op, Env: credentialsHint}
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
	if ra := re.Response.Header.Get("Retry-After"); ra != "" {
		if secs, err := strconv.Atoi(ra); err == nil {
			he.RetryAfter = time.Duration(secs) * time.Second
		}
	}
	return he
}

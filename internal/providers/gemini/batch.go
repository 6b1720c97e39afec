package gemini

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

// The metadata keys carried in a batch's display name (see the package
// documentation).
const (
	metaJob  = "batchctl_job"
	metaPart = "batchctl_part"
)

// displayNamePrefix starts the display name of every batch batchctl makes.
const displayNamePrefix = "batchctl"

// displayName is the display name of a batch with metadata md:
// "batchctl <job>" or "batchctl <job> <i>/<n>".
func displayName(md map[string]string) string {
	fields := []string{displayNamePrefix}
	if job := md[metaJob]; job != "" {
		fields = append(fields, job)
		if part := md[metaPart]; part != "" {
			fields = append(fields, part)
		}
	}
	return strings.Join(fields, " ")
}

var (
	jobToken  = regexp.MustCompile(`^[0-9A-Za-z_-]+$`)
	partToken = regexp.MustCompile(`^[1-9][0-9]*/[1-9][0-9]*$`)
)

// parseDisplayName recovers the metadata displayName put in a display
// name; nil when the name is not of that form.
func parseDisplayName(name string) map[string]string {
	fields := strings.Split(name, " ")
	if len(fields) < 2 || len(fields) > 3 || fields[0] != displayNamePrefix || !jobToken.MatchString(fields[1]) {
		return nil
	}
	md := map[string]string{metaJob: fields[1]}
	if len(fields) == 3 {
		if !partToken.MatchString(fields[2]) {
			return nil
		}
		md[metaPart] = fields[2]
	}
	return md
}

// The @type of a batch operation's metadata, which tells the endpoint.
const (
	typeGenerateBatch = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch"
	typeEmbedBatch    = "type.googleapis.com/google.ai.generativelanguage.v1main.EmbedContentBatch"
)

// wireOperation is the part of a batch operation batchctl reads.
type wireOperation struct {
	Name     string      `json:"name"`
	Metadata wireBatch   `json:"metadata"`
	Done     bool        `json:"done"`
	Response *wireOutput `json:"response"`
	Error    *wireStatus `json:"error"`
}

// wireBatch is a GenerateContentBatch or EmbedContentBatch.
type wireBatch struct {
	Type        string    `json:"@type"`
	Name        string    `json:"name"`
	Model       string    `json:"model"`
	DisplayName string    `json:"displayName"`
	State       string    `json:"state"`
	CreateTime  timestamp `json:"createTime"`
	UpdateTime  timestamp `json:"updateTime"`
	EndTime     timestamp `json:"endTime"`
	BatchStats  wireStats `json:"batchStats"`
	InputConfig struct {
		FileName string `json:"fileName"`
	} `json:"inputConfig"`
	Output *wireOutput `json:"output"`
}

// wireStats are a batch's request counts: int64s, sent as strings.
type wireStats struct {
	RequestCount           count `json:"requestCount"`
	SuccessfulRequestCount count `json:"successfulRequestCount"`
	FailedRequestCount     count `json:"failedRequestCount"`
}

// wireOutput is where a finished batch's results are.
type wireOutput struct {
	ResponsesFile string `json:"responsesFile"`
}

// wireStatus is a google.rpc.Status.
type wireStatus struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
}

// parseOperation turns a batch operation into its normalized form;
// provider is the profile name it came through.
func parseOperation(provider string, raw []byte) (*providers.Batch, error) {
	var op wireOperation
	if err := json.Unmarshal(raw, &op); err != nil {
		return nil, fmt.Errorf("parse batch: %w", err)
	}
	name := op.Name
	if name == "" {
		name = op.Metadata.Name
	}
	if name == "" {
		return nil, errors.New("parse batch: no name")
	}
	md := op.Metadata
	state := md.State
	if state == "" && op.Done {
		state = doneState(op.Error)
	}
	if state == "" {
		return nil, fmt.Errorf("parse batch %s: no state", name)
	}
	status := State(state)
	b := &providers.Batch{
		ID:             name,
		Provider:       provider,
		Status:         status,
		ProviderStatus: state,
		Endpoint:       endpointOf(md.Type),
		Model:          strings.TrimPrefix(md.Model, "models/"),
		Counts: providers.Counts{
			Total:     int(md.BatchStats.RequestCount),
			Succeeded: int(md.BatchStats.SuccessfulRequestCount),
			Failed:    int(md.BatchStats.FailedRequestCount),
		},
		CreatedAt:    md.CreateTime.Time,
		InputFileID:  md.InputConfig.FileName,
		OutputFileID: outputFile(op.Response, md.Output),
		Metadata:     parseDisplayName(md.DisplayName),
		Raw:          bytes.Clone(raw),
	}
	if status == providers.StatusExpired && op.Response == nil && md.Output == nil {
		// An expired batch returns no results (its requests come out
		// expired), so none of them succeeded, whatever batchStats counted
		// while it ran.
		b.Counts.Succeeded, b.Counts.Failed = 0, b.Counts.Total
	}
	if status.Terminal() {
		b.CompletedAt = md.EndTime.Time
		if b.CompletedAt.IsZero() {
			b.CompletedAt = md.UpdateTime.Time
		}
	}
	if e := op.Error; e != nil {
		code := cmp.Or(e.Status, rpcCodeName(int64(e.Code)), strconv.Itoa(e.Code))
		b.Errors = []providers.BatchError{{Code: code, Message: e.Message}}
	}
	return b, nil
}

// doneState is the state of a finished operation that names none.
func doneState(err *wireStatus) string {
	if err != nil {
		return "BATCH_STATE_FAILED"
	}
	return "BATCH_STATE_SUCCEEDED"
}

// endpointOf names the endpoint a batch of metadata type typ was created by.
func endpointOf(typ string) string {
	switch typ {
	case typeGenerateBatch:
		return EndpointGenerate
	case typeEmbedBatch:
		return EndpointEmbed
	}
	return ""
}

// outputFile is the responses file of a finished batch: the operation's
// response names it, and the batch's own output repeats it.
func outputFile(outputs ...*wireOutput) string {
	for _, o := range outputs {
		if o != nil && o.ResponsesFile != "" {
			return o.ResponsesFile
		}
	}
	return ""
}

// State maps a batch state, in the API's BATCH_STATE_* spelling
// or the SDKs' JOB_STATE_* one (which adds Vertex AI's QUEUED and
// PARTIALLY_SUCCEEDED), to its normalized form. A state this version does
// not know is unknown (ProviderStatus keeps it), never taken for a known
// one.
func State(raw string) providers.Status {
	s, ok := strings.CutPrefix(raw, "BATCH_STATE_")
	if !ok {
		s = strings.TrimPrefix(raw, "JOB_STATE_")
	}
	switch s {
	case "PENDING", "QUEUED":
		return providers.StatusValidating
	case "RUNNING":
		return providers.StatusInProgress
	case "SUCCEEDED", "PARTIALLY_SUCCEEDED":
		return providers.StatusCompleted
	case "FAILED":
		return providers.StatusFailed
	case "CANCELLED":
		return providers.StatusCancelled
	case "EXPIRED":
		return providers.StatusExpired
	case "CANCELLING":
		return providers.StatusCancelling
	case "PAUSED":
		return providers.StatusPaused
	case "UPDATING":
		return providers.StatusUpdating
	}
	return providers.StatusUnknown
}

// listPage is one page of GET /v1beta/batches.
type listPage struct {
	batches []*providers.Batch
	next    string
}

// parseListPage reads {"operations":[...],"nextPageToken":"..."}.
func parseListPage(provider string, raw []byte) (*listPage, error) {
	var page struct {
		Operations    []json.RawMessage `json:"operations"`
		NextPageToken string            `json:"nextPageToken"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		return nil, fmt.Errorf("parse response: %w", err)
	}
	p := &listPage{next: page.NextPageToken, batches: make([]*providers.Batch, 0, len(page.Operations))}
	for _, item := range page.Operations {
		b, err := parseOperation(provider, item)
		if err != nil {
			return nil, err
		}
		p.batches = append(p.batches, b)
	}
	return p, nil
}

// count is an int64 the API sends as a string (or, leniently, a number).
type count int64

func (c *count) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("count %s: %w", b, err)
	}
	*c = count(n)
	return nil
}

// timestamp is an RFC 3339 time, or absent.
type timestamp struct{ time.Time }

func (t *timestamp) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp %s: %w", b, err)
	}
	if s == "" {
		return nil
	}
	parsed, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("timestamp %q: %w", s, err)
	}
	t.Time = parsed.UTC()
	return nil
}

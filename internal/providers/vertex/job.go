package vertex

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/gemini"
	"github.com/batchctl/batchctl/internal/providers/httpx"
)

// job is what batchctl reads of a BatchPredictionJob (REST reference,
// "Resource: BatchPredictionJob"; members as genai's batchJobFromVertex
// reads them). Counts are int64, sent as strings (proto3 JSON).
type job struct {
	Name        string    `json:"name"`
	DisplayName string    `json:"displayName"`
	Model       string    `json:"model"`
	State       string    `json:"state"`
	CreateTime  time.Time `json:"createTime"`
	EndTime     time.Time `json:"endTime"`
	Error       *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	CompletionStats *struct {
		Successful json.Number `json:"successfulCount"`
		Failed     json.Number `json:"failedCount"`
		Incomplete json.Number `json:"incompleteCount"`
	} `json:"completionStats"`
	OutputInfo *struct {
		GCSOutputDirectory string `json:"gcsOutputDirectory"`
	} `json:"outputInfo"`
}

// parse reads one job.
func (c *Client) parse(raw []byte) (*providers.Batch, error) {
	var j job
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, fmt.Errorf("parse batch: %w", err)
	}
	if j.Name == "" {
		return nil, fmt.Errorf("parse batch: no name")
	}
	b := c.batch(&j)
	b.Raw = raw
	return b, nil
}

// parsePage reads a page of batchPredictionJobs.list:
// {"batchPredictionJobs":[...],"nextPageToken":...}.
func (c *Client) parsePage(raw []byte) (httpx.Page, error) {
	var page struct {
		Jobs []json.RawMessage `json:"batchPredictionJobs"`
		Next string            `json:"nextPageToken"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		return httpx.Page{}, fmt.Errorf("parse page: %w", err)
	}
	out := httpx.Page{Next: page.Next}
	for _, item := range page.Jobs {
		b, err := c.parse(item)
		if err != nil {
			return httpx.Page{}, err
		}
		out.Batches = append(out.Batches, b)
	}
	return out, nil
}

// batch is a job in normalized form: its id is the last segment of its
// name (projects/p/locations/l/batchPredictionJobs/<id>), its states
// JOB_STATE_* mapped as the Gemini API's (gemini.State: PENDING and QUEUED
// validating, RUNNING in progress, SUCCEEDED and PARTIALLY_SUCCEEDED
// completed, CANCELLING, CANCELLED, FAILED, EXPIRED, PAUSED, UPDATING),
// its OutputFileID the folder its predictions are written to.
func (c *Client) batch(j *job) *providers.Batch {
	b := &providers.Batch{
		ID:             j.Name[strings.LastIndexByte(j.Name, '/')+1:],
		Provider:       c.cfg.Name,
		Status:         gemini.State(j.State),
		ProviderStatus: j.State,
		Endpoint:       gemini.EndpointGenerate,
		Model:          modelID(j.Model),
		CreatedAt:      j.CreateTime.UTC(),
		Metadata:       providers.JobNameMetadata(j.DisplayName),
	}
	if b.Status.Terminal() {
		b.CompletedAt = j.EndTime.UTC()
	}
	if s := j.CompletionStats; s != nil {
		ok, failed, incomplete := count(s.Successful), count(s.Failed), count(s.Incomplete)
		b.Counts = providers.Counts{Total: ok + failed + incomplete, Succeeded: ok, Failed: failed}
	}
	if j.OutputInfo != nil {
		b.OutputFileID = j.OutputInfo.GCSOutputDirectory
	}
	if j.Error != nil && j.Error.Message != "" {
		b.Errors = []providers.BatchError{{Code: strconv.Itoa(j.Error.Code), Message: j.Error.Message}}
	}
	return b
}

// count reads an int64 count; 0 when absent.
func count(n json.Number) int {
	v, _ := strconv.Atoi(string(n))
	return v
}

package anthropic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

// The processing_status values of a message batch.
const (
	statusInProgress = "in_progress"
	statusCanceling  = "canceling"
	statusEnded      = "ended"
)

// wireBatch is the part of a MessageBatch object batchctl reads. Its
// timestamps are RFC 3339 strings or null.
type wireBatch struct {
	ID                string     `json:"id"`
	ProcessingStatus  string     `json:"processing_status"`
	RequestCounts     wireCounts `json:"request_counts"`
	CreatedAt         *time.Time `json:"created_at"`
	ExpiresAt         *time.Time `json:"expires_at"`
	EndedAt           *time.Time `json:"ended_at"`
	CancelInitiatedAt *time.Time `json:"cancel_initiated_at"`
	ResultsURL        string     `json:"results_url"`
}

// wireCounts are a batch's request counts. All but processing stay zero
// until the batch has ended; their sum is the number of requests.
type wireCounts struct {
	Processing int `json:"processing"`
	Succeeded  int `json:"succeeded"`
	Errored    int `json:"errored"`
	Canceled   int `json:"canceled"`
	Expired    int `json:"expired"`
}

// parseBatch turns a MessageBatch object into its normalized form;
// provider is the profile name it came through. The batch's results_url
// becomes its OutputFileID, which is where Download fetches results from.
func parseBatch(provider string, raw []byte) (*providers.Batch, error) {
	var w wireBatch
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("parse batch: %w", err)
	}
	if w.ID == "" {
		return nil, errors.New("parse batch: no id")
	}
	if w.ProcessingStatus == "" {
		return nil, fmt.Errorf("parse batch %s: no processing_status", w.ID)
	}
	rc := w.RequestCounts
	return &providers.Batch{
		ID:             w.ID,
		Provider:       provider,
		Status:         w.status(),
		ProviderStatus: w.ProcessingStatus,
		Endpoint:       endpoint,
		Counts: providers.Counts{
			Total:     rc.Processing + rc.Succeeded + rc.Errored + rc.Canceled + rc.Expired,
			Succeeded: rc.Succeeded,
			Failed:    rc.Errored + rc.Canceled + rc.Expired,
		},
		CreatedAt:    utc(w.CreatedAt),
		CompletedAt:  utc(w.EndedAt),
		ExpiresAt:    utc(w.ExpiresAt),
		OutputFileID: w.ResultsURL,
		Raw:          bytes.Clone(raw),
	}, nil
}

// status maps processing_status to a normalized status. An ended batch is
// "cancelled" when a cancel was asked for, else "expired" when some of its
// requests expired (as an OpenAI batch that ran out of time is expired,
// whatever it finished before), else "completed", even when every request
// errored: a message batch is never "failed", since the API validates a
// batch when it is created. A status this version does not know is
// unknown (ProviderStatus keeps it), never taken for a known one.
func (w *wireBatch) status() providers.Status {
	switch w.ProcessingStatus {
	case statusInProgress:
		return providers.StatusInProgress
	case statusCanceling:
		return providers.StatusCancelling
	case statusEnded:
		switch {
		case w.CancelInitiatedAt != nil:
			return providers.StatusCancelled
		case w.RequestCounts.Expired > 0:
			return providers.StatusExpired
		}
		return providers.StatusCompleted
	}
	return providers.StatusUnknown
}

// utc returns *t in UTC, the zero time for nil.
func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

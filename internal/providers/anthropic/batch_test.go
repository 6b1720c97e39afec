package anthropic

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/providertest"
)

func TestParseBatch(t *testing.T) {
	created := time.Date(2024, 9, 24, 18, 37, 24, 100435000, time.UTC)
	ended := time.Date(2024, 9, 24, 19, 2, 0, 0, time.UTC)
	const resultsURL = "https://api.anthropic.com/v1/messages/batches/msgbatch_1/results"
	batch := func(status, counts, endedAt, cancelAt, url string) string {
		return fmt.Sprintf(`{"id":"msgbatch_1","type":"message_batch","processing_status":%q,"request_counts":%s,"ended_at":%s,"created_at":"2024-09-24T18:37:24.100435Z","expires_at":"2024-09-25T18:37:24.100435Z","archived_at":null,"cancel_initiated_at":%s,"results_url":%s}`,
			status, counts, endedAt, cancelAt, url)
	}
	const endedAt, cancelAt, url = `"2024-09-24T19:02:00Z"`, `"2024-09-24T18:40:00+00:00"`, `"` + resultsURL + `"`
	tests := []struct {
		name                   string
		wire, counts           string // processing_status, request_counts
		endedAt, cancelAt, url string // JSON values
		status                 providers.Status
		want                   providers.Counts
		completedAt            time.Time
		resultsURL             string
	}{
		{
			name: "in_progress",
			wire: "in_progress", counts: `{"processing":100,"succeeded":0,"errored":0,"canceled":0,"expired":0}`, endedAt: "null", cancelAt: "null", url: "null",
			status: providers.StatusInProgress,
			want:   providers.Counts{Total: 100},
		},
		{
			name: "canceling",
			wire: "canceling", counts: `{"processing":100,"succeeded":0,"errored":0,"canceled":0,"expired":0}`, endedAt: "null", cancelAt: cancelAt, url: "null",
			status: providers.StatusCancelling,
			want:   providers.Counts{Total: 100},
		},
		{
			name: "ended, succeeded and errored",
			wire: "ended", counts: `{"processing":0,"succeeded":95,"errored":5,"canceled":0,"expired":0}`, endedAt: endedAt, cancelAt: "null", url: url,
			status:      providers.StatusCompleted,
			want:        providers.Counts{Total: 100, Succeeded: 95, Failed: 5},
			completedAt: ended, resultsURL: resultsURL,
		},
		{
			name: "ended, every request errored",
			wire: "ended", counts: `{"processing":0,"succeeded":0,"errored":100,"canceled":0,"expired":0}`, endedAt: endedAt, cancelAt: "null", url: url,
			status:      providers.StatusCompleted,
			want:        providers.Counts{Total: 100, Failed: 100},
			completedAt: ended, resultsURL: resultsURL,
		},
		{
			name: "ended after a cancel",
			wire: "ended", counts: `{"processing":0,"succeeded":40,"errored":1,"canceled":59,"expired":0}`, endedAt: endedAt, cancelAt: cancelAt, url: url,
			status:      providers.StatusCancelled,
			want:        providers.Counts{Total: 100, Succeeded: 40, Failed: 60},
			completedAt: ended, resultsURL: resultsURL,
		},
		{
			name: "ended after a cancel that canceled nothing",
			wire: "ended", counts: `{"processing":0,"succeeded":100,"errored":0,"canceled":0,"expired":0}`, endedAt: endedAt, cancelAt: cancelAt, url: url,
			status:      providers.StatusCancelled,
			want:        providers.Counts{Total: 100, Succeeded: 100},
			completedAt: ended, resultsURL: resultsURL,
		},
		{
			name: "ended with expired requests",
			wire: "ended", counts: `{"processing":0,"succeeded":70,"errored":2,"canceled":0,"expired":28}`, endedAt: endedAt, cancelAt: "null", url: url,
			status:      providers.StatusExpired,
			want:        providers.Counts{Total: 100, Succeeded: 70, Failed: 30},
			completedAt: ended, resultsURL: resultsURL,
		},
		{
			name: "ended with every request expired",
			wire: "ended", counts: `{"processing":0,"succeeded":0,"errored":0,"canceled":0,"expired":100}`, endedAt: endedAt, cancelAt: "null", url: url,
			status:      providers.StatusExpired,
			want:        providers.Counts{Total: 100, Failed: 100},
			completedAt: ended, resultsURL: resultsURL,
		},
		{
			name: "unknown status",
			wire: "paused", counts: `{"processing":3}`, endedAt: "null", cancelAt: "null", url: "null",
			status: providers.StatusUnknown,
			want:   providers.Counts{Total: 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := batch(tt.wire, tt.counts, tt.endedAt, tt.cancelAt, tt.url)
			got, err := parseBatch("anthropic", []byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			want := &providers.Batch{
				ID: "msgbatch_1", Provider: "anthropic", Status: tt.status, ProviderStatus: tt.wire,
				Endpoint: "/v1/messages", Counts: tt.want, CreatedAt: created, CompletedAt: tt.completedAt,
				ExpiresAt: created.Add(24 * time.Hour), OutputFileID: tt.resultsURL, Raw: []byte(raw),
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("batch\n got %+v\nwant %+v", *got, *want)
			}
			if terminal := tt.completedAt != (time.Time{}); got.Status.Terminal() != terminal {
				t.Errorf("terminal = %v, want %v", got.Status.Terminal(), terminal)
			}
		})
	}
}

func TestParseBatchErrors(t *testing.T) {
	tests := []struct {
		raw, want string
	}{
		{`{"id":"msgbatch_1","processing_status":"ended","created_at":"yesterday"}`, `parse batch: parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"`},
		{`{"processing_status":"ended"}`, "parse batch: no id"},
		{`{"id":"msgbatch_1"}`, "parse batch msgbatch_1: no processing_status"},
		{`[]`, "parse batch: json: cannot unmarshal array into Go value of type anthropic.wireBatch"},
	}
	for _, tt := range tests {
		if _, err := parseBatch("anthropic", []byte(tt.raw)); err == nil || err.Error() != tt.want {
			t.Errorf("parseBatch(%s) error = %v, want %s", tt.raw, err, tt.want)
		}
	}
}

func FuzzParseBatch(f *testing.F) {
	providertest.FuzzParseBatch(f, "anthropic", parseBatch,
		`{"id":"msgbatch_1","type":"message_batch","processing_status":"ended",`+
			`"request_counts":{"processing":0,"succeeded":2,"errored":1,"canceled":0,"expired":0},`+
			`"ended_at":"2024-09-24T19:02:00Z","created_at":"2024-09-24T18:37:24.100435Z","expires_at":"2024-09-25T18:37:24.100435Z",`+
			`"archived_at":null,"cancel_initiated_at":null,"results_url":"https://api.anthropic.com/v1/messages/batches/msgbatch_1/results"}`,
		`{"id":"msgbatch_1","processing_status":"in_progress","created_at":"yesterday"}`)
}

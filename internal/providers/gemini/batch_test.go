package gemini

import (
	"reflect"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/providertest"
)

func TestParseOperation(t *testing.T) {
	created := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)
	ended := time.Date(2025, 7, 1, 13, 30, 0, 500000000, time.UTC)
	tests := []struct {
		name string
		raw  string
		want providers.Batch // Provider and Raw are filled in
	}{
		{
			name: "running, counts as strings",
			raw: `{"name":"batches/r1","metadata":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",` +
				`"model":"models/gemini-2.5-flash","displayName":"nightly","createTime":"2025-07-01T12:00:00Z","updateTime":"2025-07-01T12:10:00Z",` +
				`"batchStats":{"requestCount":"10","successfulRequestCount":"6","failedRequestCount":"1","pendingRequestCount":"3"},"state":"BATCH_STATE_RUNNING","name":"batches/r1"}}`,
			want: providers.Batch{ID: "batches/r1", Status: providers.StatusInProgress, ProviderStatus: "BATCH_STATE_RUNNING",
				Endpoint: EndpointGenerate, Model: "gemini-2.5-flash", Counts: providers.Counts{Total: 10, Succeeded: 6, Failed: 1}, CreatedAt: created},
		},
		{
			name: "succeeded with a responses file, SDK spelling",
			raw: `{"name":"batches/s1","metadata":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.EmbedContentBatch",` +
				`"model":"models/text-embedding-004","displayName":"batchctl j7k2m9","inputConfig":{"fileName":"files/in1"},"createTime":"2025-07-01T12:00:00Z",` +
				`"endTime":"2025-07-01T13:30:00.5Z","batchStats":{"requestCount":"2","successfulRequestCount":"2"},"state":"JOB_STATE_SUCCEEDED"},` +
				`"done":true,"response":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.EmbedContentBatchOutput","responsesFile":"files/batch-s1"}}`,
			want: providers.Batch{ID: "batches/s1", Status: providers.StatusCompleted, ProviderStatus: "JOB_STATE_SUCCEEDED",
				Endpoint: EndpointEmbed, Model: "text-embedding-004", Counts: providers.Counts{Total: 2, Succeeded: 2}, CreatedAt: created, CompletedAt: ended,
				InputFileID: "files/in1", OutputFileID: "files/batch-s1", Metadata: map[string]string{"batchctl_job": "j7k2m9"}},
		},
		{
			name: "responses file only in the batch's output, end time from the update time",
			raw: `{"name":"batches/s2","metadata":{"output":{"responsesFile":"files/out2"},"updateTime":"2025-07-01T13:30:00.5Z",` +
				`"state":"BATCH_STATE_SUCCEEDED"},"done":true}`,
			want: providers.Batch{ID: "batches/s2", Status: providers.StatusCompleted, ProviderStatus: "BATCH_STATE_SUCCEEDED",
				CompletedAt: ended, OutputFileID: "files/out2"},
		},
		{
			name: "failed",
			raw: `{"name":"batches/f1","metadata":{"state":"BATCH_STATE_FAILED","endTime":"2025-07-01T13:30:00.5Z"},"done":true,` +
				`"error":{"code":3,"message":"Invalid batch input: line 2."}}`,
			want: providers.Batch{ID: "batches/f1", Status: providers.StatusFailed, ProviderStatus: "BATCH_STATE_FAILED", CompletedAt: ended,
				Errors: []providers.BatchError{{Code: "INVALID_ARGUMENT", Message: "Invalid batch input: line 2."}}},
		},
		{
			name: "done without a state",
			raw:  `{"name":"batches/d1","done":true,"error":{"code":13,"message":"Internal error.","status":"INTERNAL"}}`,
			want: providers.Batch{ID: "batches/d1", Status: providers.StatusFailed, ProviderStatus: "BATCH_STATE_FAILED",
				Errors: []providers.BatchError{{Code: "INTERNAL", Message: "Internal error."}}},
		},
		{
			name: "name only in the metadata, unknown state",
			raw:  `{"metadata":{"name":"batches/u1","state":"BATCH_STATE_ARCHIVED"}}`,
			want: providers.Batch{ID: "batches/u1", Status: providers.StatusUnknown, ProviderStatus: "BATCH_STATE_ARCHIVED"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseOperation("gemini", []byte(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.Provider, want.Raw = "gemini", []byte(tt.raw)
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("batch\n got %+v\nwant %+v", *got, want)
			}
		})
	}
}

func TestParseOperationRejects(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`[]`, "parse batch: json: cannot unmarshal array into Go value of type gemini.wireOperation"},
		{`{"metadata":{"state":"BATCH_STATE_RUNNING"}}`, "parse batch: no name"},
		{`{"name":"batches/x"}`, "parse batch batches/x: no state"},
		{`{"name":"batches/x","metadata":{"state":"BATCH_STATE_RUNNING","batchStats":{"requestCount":"many"}}}`,
			`parse batch: count "many": strconv.ParseInt: parsing "many": invalid syntax`},
		{`{"name":"batches/x","metadata":{"state":"BATCH_STATE_RUNNING","createTime":"yesterday"}}`,
			`parse batch: timestamp "yesterday": parsing time "yesterday" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "yesterday" as "2006"`},
	}
	for _, tt := range tests {
		if _, err := parseOperation("gemini", []byte(tt.raw)); err == nil || err.Error() != tt.want {
			t.Errorf("%s: error = %v\nwant %s", tt.raw, err, tt.want)
		}
	}
}

func TestNormalizeState(t *testing.T) {
	tests := []struct {
		states []string
		want   providers.Status
	}{
		{[]string{"BATCH_STATE_PENDING", "JOB_STATE_PENDING", "JOB_STATE_QUEUED"}, providers.StatusValidating},
		{[]string{"BATCH_STATE_RUNNING", "JOB_STATE_RUNNING"}, providers.StatusInProgress},
		{[]string{"BATCH_STATE_SUCCEEDED", "JOB_STATE_SUCCEEDED", "JOB_STATE_PARTIALLY_SUCCEEDED"}, providers.StatusCompleted},
		{[]string{"BATCH_STATE_FAILED", "JOB_STATE_FAILED"}, providers.StatusFailed},
		{[]string{"BATCH_STATE_CANCELLED", "JOB_STATE_CANCELLED"}, providers.StatusCancelled},
		{[]string{"BATCH_STATE_EXPIRED", "JOB_STATE_EXPIRED"}, providers.StatusExpired},
		{[]string{"JOB_STATE_CANCELLING", "BATCH_STATE_CANCELLING"}, providers.StatusCancelling},
		{[]string{"JOB_STATE_PAUSED"}, providers.StatusPaused},
		{[]string{"JOB_STATE_UPDATING"}, providers.StatusUpdating},
		{[]string{"BATCH_STATE_UNSPECIFIED", "JOB_STATE_UNSPECIFIED", "SOMETHING_NEW", "BATCH_STATE_", "running"}, providers.StatusUnknown},
	}
	for _, tt := range tests {
		for _, s := range tt.states {
			if got := State(s); got != tt.want {
				t.Errorf("State(%q) = %q, want %q", s, got, tt.want)
			}
		}
	}
	if State("SOMETHING_NEW").Terminal() || State("BATCH_STATE_UNSPECIFIED").Terminal() {
		t.Error("an unknown state is terminal")
	}
}

func TestDisplayName(t *testing.T) {
	tests := []struct {
		md   map[string]string
		name string
	}{
		{map[string]string{"batchctl_job": "j7k2m9"}, "batchctl j7k2m9"},
		{map[string]string{"batchctl_job": "j7k2m9", "batchctl_part": "2/3"}, "batchctl j7k2m9 2/3"},
	}
	for _, tt := range tests {
		got := displayName(tt.md)
		if got != tt.name {
			t.Errorf("displayName(%v) = %q, want %q", tt.md, got, tt.name)
		}
		if back := parseDisplayName(got); !reflect.DeepEqual(back, tt.md) {
			t.Errorf("parseDisplayName(%q) = %v, want %v", got, back, tt.md)
		}
	}
	if got := displayName(map[string]string{"batchctl_name": "nightly"}); got != "batchctl" {
		t.Errorf("displayName without a job = %q", got)
	}
	for _, name := range []string{"", "batchctl", "nightly run", "batchctl j7 x/y", "batchctl j7 1/2 extra", "batchctl  j7", "Batchctl j7", "batchctl j/7"} {
		if md := parseDisplayName(name); md != nil {
			t.Errorf("parseDisplayName(%q) = %v, want nil", name, md)
		}
	}
}

func FuzzParseBatch(f *testing.F) {
	providertest.FuzzParseBatch(f, "gemini", parseOperation,
		`{"name":"batches/r1","metadata":{"model":"models/gemini-2.5-flash","displayName":"batchctl j7k2m9 1/2",`+
			`"createTime":"2025-07-01T12:00:00Z","batchStats":{"requestCount":"10","successfulRequestCount":"6"},"state":"BATCH_STATE_RUNNING"}}`,
		`{"name":"batches/s1","metadata":{"state":"JOB_STATE_SUCCEEDED","endTime":"2025-07-01T13:30:00.5Z"},"done":true,`+
			`"response":{"responsesFile":"files/batch-s1"}}`,
		`{"name":"batches/d1","done":true,"error":{"code":13,"message":"Internal error.","status":"INTERNAL"}}`,
		`{"name":"batches/x","metadata":{"state":"BATCH_STATE_"}}`)
}

// TestParseExpiredCounts: an expired batch without output returns no
// results, so its counts say none succeeded, as its result lines will.
func TestParseExpiredCounts(t *testing.T) {
	stats := `"batchStats":{"requestCount":"3","successfulRequestCount":"2","pendingRequestCount":"1"}`
	tests := []struct {
		name, raw string
		want      providers.Counts
	}{
		{"no output", `{"name":"batches/x","metadata":{"state":"BATCH_STATE_EXPIRED",` + stats + `},"done":true}`,
			providers.Counts{Total: 3, Failed: 3}},
		{"with a responses file", `{"name":"batches/x","metadata":{"state":"BATCH_STATE_EXPIRED",` + stats +
			`},"done":true,"response":{"responsesFile":"files/r"}}`, providers.Counts{Total: 3, Succeeded: 2}},
		{"running", `{"name":"batches/x","metadata":{"state":"BATCH_STATE_RUNNING",` + stats + `}}`,
			providers.Counts{Total: 3, Succeeded: 2}},
	}
	for _, tt := range tests {
		b, err := parseOperation("gemini", []byte(tt.raw))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if b.Counts != tt.want {
			t.Errorf("%s: counts %+v, want %+v", tt.name, b.Counts, tt.want)
		}
	}
}

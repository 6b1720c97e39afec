package jobs_test

import (
	"encoding/json"
	"github.com/batchctl/batchctl/internal/prices"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

func TestViewOf(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		job  *jobs.Job
		want string
	}{
		{
			name: "a registered job, times in UTC",
			job: &jobs.Job{Registered: true, Job: &store.Job{
				ID: "job1", Name: "nightly", Provider: "fake", Model: "m1", Endpoint: "/v1/chat/completions",
				InputPath: "in.jsonl", InputSHA256: "abc", Requests: 2, Status: "failed",
				Counts: providers.Counts{Total: 2, Succeeded: 1, Failed: 1}, Usage: providers.Usage{InputTokens: 7, OutputTokens: 3},
				Metadata: map[string]string{"team": "search"}, User: "alice", Host: "ci-1",
				CreatedAt: time.Date(2025, 3, 4, 6, 0, 0, 0, paris), UpdatedAt: time.Date(2025, 3, 4, 7, 0, 0, 0, paris),
				CompletedAt: time.Date(2025, 3, 4, 8, 0, 0, 0, paris),
				Parts: []store.Part{{
					Index: 1, BatchID: "batch_1", Status: "failed", ProviderStatus: "failed", Requests: 2, Bytes: 99,
					Counts: providers.Counts{Total: 2, Succeeded: 1, Failed: 1}, Usage: providers.Usage{InputTokens: 7, OutputTokens: 3}, UsageKnown: true,
					InputFileID: "file_in", OutputFileID: "file_out", ErrorFileID: "file_err",
					Errors:    []providers.BatchError{{Code: "invalid_json", Message: "bad json", Line: 2}},
					Raw:       []byte(`{"id":"batch_1"}`),
					CreatedAt: time.Date(2025, 3, 4, 6, 0, 0, 0, paris), CompletedAt: time.Date(2025, 3, 4, 8, 0, 0, 0, paris),
					Cost: &store.Cost{USD: 0.0000042, Rates: store.RatesBatch, PriceSource: "/home/u/prices.yaml", PriceDate: "2025-03-01"},
				}},
			}},
			want: `{"id":"job1","name":"nightly","provider":"fake","model":"m1","endpoint":"/v1/chat/completions",` +
				`"status":"failed","requests":2,"counts":{"total":2,"succeeded":1,"failed":1},` +
				`"usage":{"input_tokens":7,"output_tokens":3,"cache_read_input_tokens":null,"cache_creation_input_tokens":null,"reasoning_tokens":null},"cost_usd":0.0000042,"cost_basis":"recorded","input":"in.jsonl","input_sha256":"abc",` +
				`"metadata":{"team":"search"},"created_at":"2025-03-04T05:00:00Z","updated_at":"2025-03-04T06:00:00Z",` +
				`"completed_at":"2025-03-04T07:00:00Z","registered":true,"missing":null,"parts":[{"index":1,"batch_id":"batch_1",` +
				`"status":"failed","provider_status":"failed","requests":2,"counts":{"total":2,"succeeded":1,"failed":1},` +
				`"usage":{"input_tokens":7,"output_tokens":3,"cache_read_input_tokens":null,"cache_creation_input_tokens":null,"reasoning_tokens":null},"input_file_id":"file_in","output_file_id":"file_out",` +
				`"error_file_id":"file_err","errors":[{"code":"invalid_json","message":"bad json","line":2}],` +
				`"created_at":"2025-03-04T05:00:00Z","completed_at":"2025-03-04T07:00:00Z","gone_at":null,"tokens":0,"queued_why":"",` +
				`"cost":{"usd":0.0000042,"rates":"batch","price_source":"/home/u/prices.yaml","price_date":"2025-03-01"}}],"mode":"batch","running":null,"cache_hit_rate":null,"cache_read_tokens":null,"user":"alice","host":"ci-1"}`,
		},
		{
			name: "empty fields are {}, [] and null, never missing; usage not known is null, not 0",
			job: &jobs.Job{Job: &store.Job{
				ID: "batch_x", Provider: "fake", Status: "validating",
				Parts: []store.Part{{Index: 1, BatchID: "batch_x", Status: "validating"}},
			}},
			want: `{"id":"batch_x","name":"","provider":"fake","model":"","endpoint":"","status":"validating","requests":0,` +
				`"counts":{"total":0,"succeeded":0,"failed":0},"usage":null,"cost_usd":null,"cost_basis":null,"input":"",` +
				`"input_sha256":"","metadata":{},"created_at":null,"updated_at":null,"completed_at":null,"registered":false,"missing":null,` +
				`"parts":[{"index":1,"batch_id":"batch_x","status":"validating","provider_status":"","requests":0,` +
				`"counts":{"total":0,"succeeded":0,"failed":0},"usage":null,` +
				`"input_file_id":"","output_file_id":"","error_file_id":"","errors":[],"created_at":null,"completed_at":null,"gone_at":null,"tokens":0,"queued_why":"","cost":null}],"mode":"batch","running":null,"cache_hit_rate":null,"cache_read_tokens":null,"user":"","host":""}`,
		},
		{
			name: "a job without parts",
			job:  &jobs.Job{Registered: true, Job: &store.Job{ID: "job2", Metadata: map[string]string{}}},
			want: `{"id":"job2","name":"","provider":"","model":"","endpoint":"","status":"","requests":0,` +
				`"counts":{"total":0,"succeeded":0,"failed":0},"usage":null,"cost_usd":null,"cost_basis":null,"input":"",` +
				`"input_sha256":"","metadata":{},"created_at":null,"updated_at":null,"completed_at":null,"registered":true,"missing":null,"parts":[],"mode":"batch","running":null,"cache_hit_rate":null,"cache_read_tokens":null,"user":"","host":""}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(jobs.ViewOf(tt.job, prices.Builtin()))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("ViewOf =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

package openai

import (
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/providertest"
)

// specBatch is the OpenAPI spec's example batch object (its trailing
// commas removed).
const specBatch = `{
  "id": "batch_abc123",
  "object": "batch",
  "endpoint": "/v1/completions",
  "model": "gpt-5-2025-08-07",
  "errors": null,
  "input_file_id": "file-abc123",
  "completion_window": "24h",
  "status": "completed",
  "output_file_id": "file-cvaTdG",
  "error_file_id": "file-HOWS94",
  "created_at": 1711471533,
  "in_progress_at": 1711471538,
  "expires_at": 1711557933,
  "finalizing_at": 1711493133,
  "completed_at": 1711493163,
  "failed_at": null,
  "expired_at": null,
  "cancelling_at": null,
  "cancelled_at": null,
  "request_counts": {"total": 100, "completed": 95, "failed": 5},
  "usage": {
    "input_tokens": 1500,
    "input_tokens_details": {"cached_tokens": 1024},
    "output_tokens": 500,
    "output_tokens_details": {"reasoning_tokens": 300},
    "total_tokens": 2000
  },
  "metadata": {"customer_id": "user_123456789", "batch_description": "Nightly eval job"}
}`

// azureBatch is the Azure OpenAI docs' sample answer to creating a batch:
// a capitalized status, ISO timestamps and null request counts.
const azureBatch = `{
  "cancelled_at": null,
  "cancelling_at": null,
  "completed_at": null,
  "completion_window": "24h",
  "created_at": "2024-07-19T17:13:57.2491382+00:00",
  "error_file_id": null,
  "expired_at": null,
  "expires_at": "2024-07-20T17:13:57.1918498+00:00",
  "failed_at": null,
  "finalizing_at": null,
  "id": "batch_fe3f047a-de39-4068-9008-346795bfc1db",
  "in_progress_at": null,
  "input_file_id": "file-21006e70789246658b86a1fc205899a4",
  "errors": null,
  "metadata": null,
  "object": "batch",
  "output_file_id": null,
  "request_counts": {"total": null, "completed": null, "failed": null},
  "status": "Validating"
}`

// failedBatch is a batch whose input failed validation.
const failedBatch = `{"id":"batch_f","object":"batch","endpoint":"/v1/chat/completions","status":"failed",
"errors":{"object":"list","data":[{"code":"invalid_json_line","message":"This line is not parseable as valid JSON.","param":null,"line":3},
{"code":"missing_required_parameter","message":"Missing model.","param":"body.model","line":null}]},
"input_file_id":"file-in","completion_window":"24h","created_at":1711471533,"failed_at":1711471540,"request_counts":{"total":0,"completed":0,"failed":0}}`

func TestParseBatch(t *testing.T) {
	unix := func(s int64) time.Time { return time.Unix(s, 0).UTC() }
	tests := []struct {
		name string
		raw  string
		want providers.Batch // Raw is the input
	}{
		{
			name: "spec example",
			raw:  specBatch,
			want: providers.Batch{
				ID: "batch_abc123", Provider: "openai", Status: providers.StatusCompleted, ProviderStatus: "completed",
				Endpoint: "/v1/completions", Model: "gpt-5-2025-08-07",
				Counts:    providers.Counts{Total: 100, Succeeded: 95, Failed: 5},
				Usage:     &providers.Usage{InputTokens: 1500, OutputTokens: 500, CacheReadInputTokens: n64(1024), ReasoningTokens: n64(300)},
				CreatedAt: unix(1711471533), CompletedAt: unix(1711493163), ExpiresAt: unix(1711557933),
				InputFileID: "file-abc123", OutputFileID: "file-cvaTdG", ErrorFileID: "file-HOWS94",
				Metadata: map[string]string{"customer_id": "user_123456789", "batch_description": "Nightly eval job"},
			},
		},
		{
			name: "azure sample",
			raw:  azureBatch,
			want: providers.Batch{
				ID: "batch_fe3f047a-de39-4068-9008-346795bfc1db", Provider: "openai",
				Status: providers.StatusValidating, ProviderStatus: "Validating",
				CreatedAt:   time.Date(2024, 7, 19, 17, 13, 57, 249138200, time.UTC),
				ExpiresAt:   time.Date(2024, 7, 20, 17, 13, 57, 191849800, time.UTC),
				InputFileID: "file-21006e70789246658b86a1fc205899a4",
			},
		},
		{
			name: "failed with errors",
			raw:  failedBatch,
			want: providers.Batch{
				ID: "batch_f", Provider: "openai", Status: providers.StatusFailed, ProviderStatus: "failed",
				Endpoint: "/v1/chat/completions", CreatedAt: unix(1711471533), CompletedAt: unix(1711471540), InputFileID: "file-in",
				Errors: []providers.BatchError{
					{Code: "invalid_json_line", Message: "This line is not parseable as valid JSON.", Line: 3},
					{Code: "missing_required_parameter", Message: "Missing model.", Param: "body.model"},
				},
			},
		},
		{
			name: "cancelled, spelled canceled, with only a cancelling time",
			raw:  `{"id":"b1","status":"CANCELED","created_at":"1711471533","cancelling_at":1711471600,"cancelled_at":null,"expired_at":1711471700}`,
			want: providers.Batch{
				ID: "b1", Provider: "openai", Status: providers.StatusCancelled, ProviderStatus: "CANCELED",
				CreatedAt: unix(1711471533), CompletedAt: unix(1711471700),
			},
		},
		{
			name: "cancelling spelled canceling",
			raw:  `{"id":"b2","status":"canceling","created_at":0,"expires_at":1711471533.5}`,
			want: providers.Batch{ID: "b2", Provider: "openai", Status: providers.StatusCancelling, ProviderStatus: "canceling",
				ExpiresAt: time.Unix(1711471533, 5e8).UTC()},
		},
		{
			name: "unknown status is unknown, never a known one",
			raw:  `{"id":"b3","status":"Queued","created_at":1711471533,"completed_at":1711471600}`,
			want: providers.Batch{ID: "b3", Provider: "openai", Status: providers.StatusUnknown, ProviderStatus: "Queued", CreatedAt: unix(1711471533)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseBatch("openai", []byte(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Raw) != tt.raw {
				t.Errorf("Raw = %s, want the input", got.Raw)
			}
			tt.want.Raw = got.Raw
			assertBatch(t, got, &tt.want)
		})
	}
}

func TestParseBatchRejects(t *testing.T) {
	tests := []struct {
		raw  string
		want string
	}{
		{`{"status":"completed"}`, "parse batch: no id"},
		{`{"id":"b","status":""}`, "parse batch b: no status"},
		{`{"id":"b","status":"completed","created_at":"yesterday"}`, `parse batch: timestamp "yesterday": parsing time "yesterday" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "yesterday" as "2006"`},
		{`{"id":"b","status":"completed","created_at":true}`, `parse batch: timestamp true: strconv.ParseFloat: parsing "true": invalid syntax`},
		{`{"id":"b","status":"completed","created_at":"NaN"}`, `parse batch: timestamp "NaN": parsing time "NaN" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "NaN" as "2006"`},
		{`[]`, "parse batch: json: cannot unmarshal array into Go value of type openai.wireBatch"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			_, err := parseBatch("openai", []byte(tt.raw))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestNormalizeStatus(t *testing.T) {
	for _, raw := range []string{"validating", "in_progress", "finalizing", "completed", "failed", "expired", "cancelling", "cancelled"} {
		for _, spelling := range []string{raw, strings.ToUpper(raw), strings.ToUpper(raw[:1]) + raw[1:]} {
			if got := normalizeStatus(spelling); got != providers.Status(raw) {
				t.Errorf("normalizeStatus(%q) = %q, want %q", spelling, got, raw)
			}
		}
	}
}

func TestValidateMetadata(t *testing.T) {
	pairs := func(n int) map[string]string {
		m := map[string]string{}
		for i := range n {
			m[strings.Repeat("k", i+1)] = "v"
		}
		return m
	}
	tests := []struct {
		name string
		m    map[string]string
		want string
	}{
		{"none", nil, ""},
		{"16 pairs", pairs(16), ""},
		{"17 pairs", pairs(17), "metadata has 17 pairs, the limit is 16"},
		{"64-character key", map[string]string{strings.Repeat("é", 64): "v"}, ""},
		{"65-character key", map[string]string{"a": "v", strings.Repeat("k", 65): "v"}, `metadata key "` + strings.Repeat("k", 65) + `" is 65 characters long, the limit is 64`},
		{"512-character value", map[string]string{"name": strings.Repeat("é", 512)}, ""},
		{"513-character value", map[string]string{"name": strings.Repeat("v", 513)}, `metadata value of "name" is 513 characters long, the limit is 512`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validateMetadata(tt.m)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzParseBatch(f *testing.F) {
	providertest.FuzzParseBatch(f, "openai", parseBatch, specBatch, azureBatch, failedBatch,
		`{"id":"b","status":"completed","created_at":1.5}`, `{"id":"b","status":""}`)
}

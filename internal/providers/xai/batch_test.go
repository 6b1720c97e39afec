package xai_test

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/xai"
)

// getRaw returns the batch a client makes of raw, the answer to GET
// /v1/batches/b1.
func getRaw(t *testing.T, raw string) *providers.Batch {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/batches/b1" || r.Header.Get("Authorization") != "Bearer k" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, raw)
	}))
	defer srv.Close()
	b, err := xai.New(xai.Config{Name: "xai", BaseURL: srv.URL + "/v1", APIKey: "k"}).Get(context.Background(), "b1")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBatchStatus checks the status derived from each state of the
// counters, the metadata a batch's name gives back, and the times.
func TestBatchStatus(t *testing.T) {
	const (
		created = `"create_time":"2026-01-02T03:04:05Z","expire_time":"2026-01-03T03:04:05Z"`
		tagged  = `"name":"batchctl j1 1/2 n=3",` + created
	)
	expire := time.Date(2026, 1, 3, 3, 4, 5, 0, time.UTC)
	cancel := time.Date(2026, 1, 2, 4, 0, 0, 0, time.UTC)
	md := map[string]string{"batchctl_job": "j1", "batchctl_part": "1/2"}
	tests := []struct {
		name, raw      string
		status         providers.Status
		providerStatus string
		metadata       map[string]string
		counts         providers.Counts
		completed      time.Time
	}{
		{"empty", `{"batch_id":"b1",` + tagged + `,"state":{}}`, providers.StatusValidating, "empty", nil, providers.Counts{}, time.Time{}},
		{"being filled", `{"batch_id":"b1",` + tagged + `,"state":{"num_requests":2,"num_pending":2}}`,
			providers.StatusValidating, "adding requests", nil, providers.Counts{Total: 2}, time.Time{}},
		{"pending", `{"batch_id":"b1",` + tagged + `,"state":{"num_requests":3,"num_pending":1,"num_success":2}}`,
			providers.StatusInProgress, "pending", md, providers.Counts{Total: 3, Succeeded: 2}, time.Time{}},
		{"done", `{"batch_id":"b1",` + tagged + `,"state":{"num_requests":"3","num_success":"2","num_error":"1"},"cost_breakdown":{"total_cost_usd_ticks":"1234"}}`,
			providers.StatusCompleted, "done", md, providers.Counts{Total: 3, Succeeded: 2, Failed: 1}, time.Time{}},
		{"cancelling", `{"batch_id":"b1",` + tagged + `,"cancel_time":"2026-01-02T04:00:00Z","state":{"num_requests":3,"num_pending":1,"num_success":2}}`,
			providers.StatusCancelling, "cancelling", md, providers.Counts{Total: 3, Succeeded: 2}, time.Time{}},
		{"cancelled", `{"batch_id":"b1",` + tagged + `,"cancel_time":"2026-01-02T04:00:00Z","state":{"num_requests":3,"num_cancelled":1,"num_success":2}}`,
			providers.StatusCancelled, "cancelled", md, providers.Counts{Total: 3, Succeeded: 2, Failed: 1}, cancel},
		{"expired", `{"batch_id":"b1",` + tagged + `,"cancel_time":"2026-01-03T03:04:05Z","cancel_by_xai_message":"expired","state":{"num_requests":3,"num_cancelled":1,"num_success":2}}`,
			providers.StatusExpired, "cancelled by xai: expired", md, providers.Counts{Total: 3, Succeeded: 2, Failed: 1}, expire},
		{"stopped by xai", `{"batch_id":"b1",` + tagged + `,"cancel_time":"2026-01-02T04:00:00Z","cancel_by_xai_message":"policy","state":{"num_requests":3,"num_cancelled":3}}`,
			providers.StatusFailed, "cancelled by xai: policy", md, providers.Counts{Total: 3, Failed: 3}, cancel},
		{"no state", `{"batch_id":"b1",` + tagged + `}`, providers.StatusUnknown, "state not reported", nil, providers.Counts{}, time.Time{}},
		{"not batchctl's", `{"batch_id":"b1","name":"nightly",` + created + `,"state":{"num_requests":1,"num_success":1}}`,
			providers.StatusCompleted, "done", nil, providers.Counts{Total: 1, Succeeded: 1}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := getRaw(t, tt.raw)
			if b.Status != tt.status || b.ProviderStatus != tt.providerStatus || !maps.Equal(b.Metadata, tt.metadata) ||
				b.Counts != tt.counts || !b.CompletedAt.Equal(tt.completed) || string(b.Raw) != tt.raw {
				t.Errorf("got %s %q %v %+v completed %v raw %s\nwant %s %q %v %+v completed %v",
					b.Status, b.ProviderStatus, b.Metadata, b.Counts, b.CompletedAt, b.Raw,
					tt.status, tt.providerStatus, tt.metadata, tt.counts, tt.completed)
			}
		})
	}
}

// TestErrorBodies checks that both error shapes an xAI answer may take
// give the error's message, type and code.
func TestErrorBodies(t *testing.T) {
	for _, tt := range []struct{ body, typ, code, message string }{
		{`{"code":"Client specified an invalid argument","error":"Batch b1 not found"}`, "Client specified an invalid argument", "Client specified an invalid argument", "Batch b1 not found"},
		{`{"error":{"message":"bad key","type":"invalid_request_error","code":"invalid_api_key"}}`, "invalid_request_error", "invalid_api_key", "bad key"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, tt.body)
		}))
		_, err := xai.New(xai.Config{Name: "xai", BaseURL: srv.URL + "/v1", APIKey: "xai-secret"}).Get(context.Background(), "b1")
		srv.Close()
		var he *providers.HTTPError
		if !errors.As(err, &he) || he.StatusCode != 400 || he.Type != tt.typ || he.Code != tt.code || he.Message != tt.message {
			t.Errorf("%s: got %#v (%v)", tt.body, he, err)
		}
	}
}

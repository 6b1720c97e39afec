package xai

import (
	"encoding/json"
	"testing"

	"github.com/batchctl/batchctl/internal/providers/providertest"
)

func FuzzParseBatch(f *testing.F) {
	providertest.FuzzParseBatch(f, "xai", parseBatch,
		`{"batch_id":"batch_1","name":"batchctl j1 1/2 n=3","create_time":"2026-01-02T03:04:05Z","expire_time":"2026-01-03T03:04:05Z",`+
			`"state":{"num_requests":"3","num_pending":"0","num_success":"2","num_error":"1","num_cancelled":"0"},"cost_breakdown":{"total_cost_usd_ticks":"99"}}`,
		`{"batch_id":"batch_1","name":"x","cancel_time":"2026-01-02T04:00:00Z","cancel_by_xai_message":"why","state":{"num_requests":1}}`,
		`{"batch_id":"batch_1","create_time":"yesterday"}`)
}

func FuzzNormalize(f *testing.F) {
	for _, l := range []string{
		`{"batch_request_id":"q1","batch_result":{"response":{"chat_get_completion":{"model":"m","choices":[{"message":{"content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1}}}}}`,
		`{"batch_request_id":"q2","batch_result":{"error":{"code":3,"message":"bad"}}}`,
		`{"batch_request_id":"q3","error":"flat"}`,
		`{"batch_request_id":"q4","batch_result":{"response":{"image_response":{}}}}`,
	} {
		f.Add([]byte(l))
	}
	c := New(Config{})
	f.Fuzz(func(t *testing.T, line []byte) {
		r, err := c.Normalize(line)
		if err != nil {
			return
		}
		if !json.Valid(line) {
			t.Fatalf("Normalize accepted invalid JSON %q", line)
		}
		if r.CustomID == "" || r.Status == "" || (r.Status != "succeeded") != (r.Error != nil) {
			t.Fatalf("Normalize(%q) = id %q, status %q, error %+v", line, r.CustomID, r.Status, r.Error)
		}
	})
}

package openrouter

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/batchctl/batchctl/internal/providers/providertest"
)

func FuzzParseBatch(f *testing.F) {
	providertest.FuzzParseBatch(f, "openrouter", parseBatch,
		`{"id":"batch_1","object":"batch","endpoint":"/v1/chat/completions","model":"openai/gpt-4o","completion_window":"24h",`+
			`"status":"completed","created_at":1782097200,"finalized_at":1782100800,"request_counts":{"total":1,"completed":1,"failed":0},`+
			`"usage":{"prompt_tokens":20,"completion_tokens":40,"total_tokens":60,"cost":0.000225,"is_byok":false},"error":null}`,
		`{"id":"batch_1","status":"failed","error":{"message":"no","code":"x"},"created_at":"yesterday"}`)
}

// FuzzReadBatch: reading a batch as it streams never panics; a batch read
// has an id and a status, and every result it passed on is one JSON value.
func FuzzReadBatch(f *testing.F) {
	f.Add([]byte(completed))
	f.Add([]byte(validating))
	f.Add([]byte(`{"id":"b","status":"completed","results":[1,{"a":[]},null]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var out bytes.Buffer
		b, err := readBatch("openrouter", bytes.NewReader(raw), lineWriter(&out))
		if err != nil {
			return
		}
		if b.ID == "" || b.Status == "" {
			t.Fatalf("read %q: ID %q, Status %q", raw, b.ID, b.Status)
		}
		for _, line := range bytes.SplitAfter(out.Bytes(), []byte("\n")) {
			if len(line) > 0 && (!json.Valid(line) || line[len(line)-1] != '\n' || bytes.Count(line, []byte("\n")) != 1) {
				t.Fatalf("read %q: result line %q", raw, line)
			}
		}
	})
}

package emulator

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// mistralUpload uploads content as a batch input file of the Mistral API
// and returns its id.
func (e *testEnv) mistralUpload(purpose, content string) (int, string) {
	e.t.Helper()
	fields := map[string]string{}
	if purpose != "" {
		fields["purpose"] = purpose
	}
	body, header := multipartBody(e.t, fields, "in.jsonl", content)
	r := e.do(http.MethodPost, "/mistral/v1/files", body, header)
	var f struct {
		ID string `json:"id"`
	}
	if r.status == http.StatusOK {
		r.decode(e.t, &f)
	}
	return r.status, f.ID
}

// TestMistralCreateChecks checks what creating a Mistral batch job refuses,
// with the status and message of each answer.
func TestMistralCreateChecks(t *testing.T) {
	e := newTestEnv(t, Options{})
	_, batchFile := e.mistralUpload("batch", `{"custom_id":"a","body":{"messages":[{"role":"user","content":"hi"}]}}`+"\n")
	_, tuneFile := e.mistralUpload("fine-tune", `{"messages":[]}`+"\n")
	tests := []struct {
		name   string
		body   map[string]any
		status int
		msg    string
	}{
		{"no endpoint", map[string]any{"input_files": []string{batchFile}, "model": "m"}, 422, "endpoint: Field required"},
		{"unknown endpoint", map[string]any{"input_files": []string{batchFile}, "model": "m", "endpoint": "/v1/images"}, 422, "endpoint: Input should be '/v1/chat/completions', "},
		{"ocr", map[string]any{"input_files": []string{batchFile}, "model": "m", "endpoint": "/v1/ocr"}, 400, "The emulator does not answer /v1/ocr (it answers /v1/chat/completions, /v1/embeddings, /v1/moderations)"},
		{"no model", map[string]any{"input_files": []string{batchFile}, "endpoint": "/v1/chat/completions"}, 400, "model: a model is required"},
		{"no input", map[string]any{"model": "m", "endpoint": "/v1/chat/completions"}, 400, "Give input_files or requests"},
		{"unknown file", map[string]any{"input_files": []string{"nope"}, "model": "m", "endpoint": "/v1/chat/completions"}, 404, "File nope not found"},
		{"fine-tune file", map[string]any{"input_files": []string{tuneFile}, "model": "m", "endpoint": "/v1/chat/completions"}, 400, "has purpose 'fine-tune'"},
		{"metadata not strings", map[string]any{"input_files": []string{batchFile}, "model": "m", "endpoint": "/v1/chat/completions", "metadata": map[string]any{"n": 1}}, 422, "metadata: Input should be a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.postJSON("/mistral/v1/batch/jobs", tt.body)
			var body struct {
				Object, Message string
			}
			r.decode(t, &body)
			if r.status != tt.status || body.Object != "error" || !strings.Contains(body.Message, tt.msg) {
				t.Errorf("status %d, body %s; want %d with a message containing %q", r.status, r.body, tt.status, tt.msg)
			}
		})
	}
	if status, _ := e.mistralUpload("assistants", "x\n"); status != 422 {
		t.Errorf("upload with purpose assistants: status %d, want 422", status)
	}
}

// TestMistralJobFailsValidation checks a job whose input has a bad line:
// it fails, with the errors of its lines and no files.
func TestMistralJobFailsValidation(t *testing.T) {
	e := newTestEnv(t, Options{})
	_, id := e.mistralUpload("batch", `{"custom_id":"a","body":{"messages":[]}}`+"\n"+`{"custom_id":"a","body":{}}`+"\n"+`{"body":{}}`+"\n")
	r := e.postJSON("/mistral/v1/batch/jobs", map[string]any{"input_files": []string{id}, "model": "m", "endpoint": "/v1/chat/completions"})
	var job struct {
		Status        string  `json:"status"`
		TotalRequests int     `json:"total_requests"`
		OutputFile    *string `json:"output_file"`
		Errors        []struct {
			Message string `json:"message"`
			Count   int    `json:"count"`
		} `json:"errors"`
	}
	r.decode(t, &job)
	if r.status != http.StatusOK || job.Status != "FAILED" || job.TotalRequests != 3 || job.OutputFile != nil || len(job.Errors) != 2 ||
		job.Errors[0].Message != "Line 2: custom_id 'a' is used by another request" || job.Errors[1].Message != "Line 3 has no custom_id" {
		t.Errorf("status %d, job %s", r.status, r.body)
	}
}

// TestMistralListPages checks page-number paging: total counts every job,
// pages hold page_size jobs newest first (oldest first with
// order_by=created), and a page past the end is empty.
func TestMistralListPages(t *testing.T) {
	e := newTestEnv(t, Options{})
	var ids []string // oldest first
	for i := range 3 {
		e.clock.set(time.Duration(i) * time.Second)
		_, file := e.mistralUpload("batch", `{"custom_id":"a","body":{"messages":[{"role":"user","content":"hi"}]}}`+"\n")
		r := e.postJSON("/mistral/v1/batch/jobs", map[string]any{"input_files": []string{file}, "model": "m", "endpoint": "/v1/chat/completions"})
		var job struct{ ID string }
		r.decode(t, &job)
		ids = append(ids, job.ID)
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"page=0&page_size=2", []string{ids[2], ids[1]}},
		{"page=1&page_size=2", []string{ids[0]}},
		{"page=2&page_size=2", nil},
		{"page_size=2&order_by=created", []string{ids[0], ids[1]}},
		{"", []string{ids[2], ids[1], ids[0]}},
	}
	for _, tt := range tests {
		var page struct {
			Data   []struct{ ID string }
			Object string
			Total  int
		}
		e.ok(http.MethodGet, "/mistral/v1/batch/jobs?"+tt.query, nil, nil).decode(t, &page)
		var got []string
		for _, j := range page.Data {
			got = append(got, j.ID)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") || page.Total != 3 || page.Object != "list" || page.Data == nil {
			t.Errorf("?%s: %v of %d (%q), want %v of 3", tt.query, got, page.Total, page.Object, tt.want)
		}
	}
	if r := e.do(http.MethodGet, "/mistral/v1/batch/jobs?page_size=0", nil, nil); r.status != 422 {
		t.Errorf("page_size=0: status %d", r.status)
	}
}

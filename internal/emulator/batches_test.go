package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
	"github.com/batchctl/batchctl/internal/emulator/openai"
)

func TestValidationFailure(t *testing.T) {
	const ep = openai.EndpointChat
	tests := []struct {
		name  string
		input string
		// want is the errors object of the failed batch.
		want string
	}{
		{
			name:  "not JSON",
			input: "{oops\n",
			want:  `{"object":"list","data":[{"code":"invalid_json_line","message":"This line is not parseable as valid JSON.","param":null,"line":1}]}`,
		},
		{
			name:  "not an object",
			input: "[1,2]\n",
			want:  `{"object":"list","data":[{"code":"invalid_json_line","message":"This line is not parseable as valid JSON.","param":null,"line":1}]}`,
		},
		{
			name: "blank lines are skipped but counted",
			input: chatLine("a", "m", "x") + "\n\n   \n" + `{"method":"POST","url":"/v1/chat/completions","body":{"model":"m"}}` + "\n" +
				`{"custom_id":"","method":"POST","url":"/v1/chat/completions","body":{"model":"m"}}` + "\n" +
				`{"custom_id":7,"method":"POST","url":"/v1/chat/completions","body":{"model":"m"}}` + "\r\n" +
				`  {"custom_id":null,"method":"POST","url":"/v1/chat/completions","body":{"model":"m"}}`,
			want: `{"object":"list","data":[` +
				`{"code":"missing_required_parameter","message":"Missing required parameter: 'custom_id'.","param":"custom_id","line":4},` +
				`{"code":"invalid_value","message":"Invalid value for 'custom_id': expected a non-empty string.","param":"custom_id","line":5},` +
				`{"code":"invalid_type","message":"Invalid type for 'custom_id': expected a string.","param":"custom_id","line":6},` +
				`{"code":"invalid_type","message":"Invalid type for 'custom_id': expected a string.","param":"custom_id","line":7}]}`,
		},
		{
			name:  "method, url and body",
			input: requestLine("a", ep, `{"model":"m"}`) + "\n" + strings.Replace(requestLine("b", ep, `{"model":"m"}`), "POST", "GET", 1) + "\n" + requestLine("c", openai.EndpointEmbeddings, `{"model":"m"}`) + "\n" + requestLine("d", ep, `"text"`) + "\n" + `{"custom_id":"e","method":"POST","url":"/v1/chat/completions"}`,
			want: `{"object":"list","data":[` +
				`{"code":"invalid_value","message":"Invalid value for 'method': 'GET'. Only 'POST' is supported.","param":"method","line":2},` +
				`{"code":"url_mismatch","message":"The url '/v1/embeddings' of this request does not match the batch endpoint '/v1/chat/completions'.","param":"url","line":3},` +
				`{"code":"invalid_type","message":"Invalid type for 'body': expected an object.","param":"body","line":4},` +
				`{"code":"missing_required_parameter","message":"Missing required parameter: 'body'.","param":"body","line":5}]}`,
		},
		{
			name:  "model",
			input: requestLine("a", ep, `{"messages":[]}`) + "\n" + requestLine("b", ep, `{"model":""}`) + "\n" + requestLine("c", ep, `{"model":"m1"}`) + "\n" + requestLine("d", ep, `{"model":"m2"}`),
			want: `{"object":"list","data":[` +
				`{"code":"missing_required_parameter","message":"Missing required parameter: 'body.model'.","param":"body.model","line":1},` +
				`{"code":"invalid_value","message":"Invalid value for 'body.model': expected a non-empty string.","param":"body.model","line":2},` +
				`{"code":"model_mismatch","message":"The model 'm2' of this request differs from the model 'm1' of the batch's first request. A batch can only use one model.","param":"body.model","line":4}]}`,
		},
		{
			name:  "duplicate custom_id",
			input: chatLine("same", "m", "a") + "\n" + chatLine("other", "m", "b") + "\n" + chatLine("same", "m", "c") + "\n",
			want:  `{"object":"list","data":[{"code":"duplicate_custom_id","message":"The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for each request in a batch.","param":"custom_id","line":3}]}`,
		},
		{
			name:  "empty file",
			input: "\n \n",
			want:  `{"object":"list","data":[{"code":"empty_file","message":"The batch input file is empty.","param":null,"line":null}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t, Options{Duration: 10 * time.Second})
			id := env.upload(tt.input)
			var b openai.BatchObject
			env.ok(http.MethodPost, "/v1/batches", strings.NewReader(fmt.Sprintf(`{"input_file_id":%q,"endpoint":%q,"completion_window":"24h"}`, id, ep)), nil).decode(t, &b)
			if b.Status != "validating" || b.Errors != nil {
				t.Fatalf("created batch %+v, want validating without errors", b)
			}
			env.clock.set(time.Second) // the end of validation
			r := env.ok(http.MethodGet, "/v1/batches/"+b.ID, nil, nil)
			var raw struct {
				Errors json.RawMessage `json:"errors"`
			}
			r.decode(t, &raw)
			r.decode(t, &b)
			if string(raw.Errors) != tt.want {
				t.Errorf("errors:\n%s\nwant:\n%s", raw.Errors, tt.want)
			}
			if b.Status != "failed" || b.FailedAt == nil || *b.FailedAt != testEpoch.Unix()+1 || b.InProgressAt != nil ||
				b.OutputFileID != nil || b.ErrorFileID != nil || b.RequestCounts != (openai.RequestCounts{}) {
				t.Errorf("failed batch: %s", r.body)
			}
		})
	}
}

func TestTooManyRequests(t *testing.T) {
	env := newTestEnv(t, Options{})
	var input bytes.Buffer
	for i := range openai.MaxBatchRequests + 1 {
		fmt.Fprintf(&input, `{"custom_id":"r%d","method":"POST","url":"/v1/embeddings","body":{"model":"m","input":"x"}}`+"\n", i)
	}
	b := env.createBatch(openai.EndpointEmbeddings, strings.TrimSuffix(input.String(), "\n"))
	if b.Status != "failed" || b.Errors == nil || len(b.Errors.Data) != 1 || b.Errors.Data[0].Code != "too_many_tasks" ||
		b.Errors.Data[0].Message != "The batch input file has 50001 requests; a batch can have at most 50000." {
		t.Errorf("batch %+v", b)
	}
}

func TestCreateBatchErrors(t *testing.T) {
	longKey := strings.Repeat("k", 65)
	tests := []struct {
		name   string
		body   func(inputID, outputID string) string
		status int
		want   string
	}{
		{
			name:   "not JSON",
			body:   func(string, string) string { return `{` },
			status: 400,
			want:   `{"error":{"message":"We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON.","type":"invalid_request_error","param":null,"code":null}}`,
		},
		{
			name:   "missing input file",
			body:   func(string, string) string { return `{"endpoint":"/v1/chat/completions","completion_window":"24h"}` },
			status: 400,
			want:   `{"error":{"message":"Missing required parameter: 'input_file_id'.","type":"invalid_request_error","param":"input_file_id","code":"missing_required_parameter"}}`,
		},
		{
			name: "unsupported endpoint",
			body: func(in, _ string) string {
				return fmt.Sprintf(`{"input_file_id":%q,"endpoint":"/v1/videos","completion_window":"24h"}`, in)
			},
			status: 400,
			want:   `{"error":{"message":"Invalid value: '/v1/videos'. Supported values are: '/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/moderations', '/v1/responses'.","type":"invalid_request_error","param":"endpoint","code":"invalid_value"}}`,
		},
		{
			name: "completion window",
			body: func(in, _ string) string {
				return fmt.Sprintf(`{"input_file_id":%q,"endpoint":"/v1/chat/completions","completion_window":"48h"}`, in)
			},
			status: 400,
			want:   `{"error":{"message":"Invalid value: '48h'. Supported values are: '24h'.","type":"invalid_request_error","param":"completion_window","code":"invalid_value"}}`,
		},
		{
			name: "metadata not strings",
			body: func(in, _ string) string {
				return fmt.Sprintf(`{"input_file_id":%q,"endpoint":"/v1/chat/completions","completion_window":"24h","metadata":{"a":1}}`, in)
			},
			status: 400,
			want:   `{"error":{"message":"Invalid type for 'metadata.a': expected a string.","type":"invalid_request_error","param":"metadata.a","code":"invalid_type"}}`,
		},
		{
			name: "too much metadata",
			body: func(in, _ string) string {
				md := map[string]string{}
				for i := range 17 {
					md[fmt.Sprint("k", i)] = "v"
				}
				return fmt.Sprintf(`{"input_file_id":%q,"endpoint":"/v1/chat/completions","completion_window":"24h","metadata":%s}`, in, mustJSON(md))
			},
			status: 400,
			want:   `{"error":{"message":"Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with 17 properties instead.","type":"invalid_request_error","param":"metadata","code":"object_above_max_properties"}}`,
		},
		{
			name: "metadata key too long",
			body: func(in, _ string) string {
				return fmt.Sprintf(`{"input_file_id":%q,"endpoint":"/v1/chat/completions","completion_window":"24h","metadata":{%q:"v"}}`, in, longKey)
			},
			status: 400,
			want:   `{"error":{"message":"Invalid 'metadata': key '` + longKey + `' is too long. Expected a key with maximum length 64, but got a key with length 65 instead.","type":"invalid_request_error","param":"metadata","code":"string_above_max_length"}}`,
		},
		{
			name: "metadata value too long",
			body: func(in, _ string) string {
				return fmt.Sprintf(`{"input_file_id":%q,"endpoint":"/v1/chat/completions","completion_window":"24h","metadata":{"k":%q}}`, in, strings.Repeat("é", 513))
			},
			status: 400,
			want:   `{"error":{"message":"Invalid 'metadata.k': string too long. Expected a string with maximum length 512, but got a string with length 513 instead.","type":"invalid_request_error","param":"metadata.k","code":"string_above_max_length"}}`,
		},
		{
			name: "unknown input file",
			body: func(string, string) string {
				return `{"input_file_id":"file-nope","endpoint":"/v1/chat/completions","completion_window":"24h"}`
			},
			status: 404,
			want:   `{"error":{"message":"No such File object: file-nope","type":"invalid_request_error","param":"input_file_id","code":null}}`,
		},
		{
			name: "input file of the wrong purpose",
			body: func(_, out string) string {
				return fmt.Sprintf(`{"input_file_id":%q,"endpoint":"/v1/chat/completions","completion_window":"24h"}`, out)
			},
			status: 400,
			want:   `{"error":{"message":"Invalid 'input_file_id': the file has purpose 'batch_output'; a batch input file must have purpose 'batch'.","type":"invalid_request_error","param":"input_file_id","code":"invalid_value"}}`,
		},
		{
			name: "output expiry",
			body: func(in, _ string) string {
				return fmt.Sprintf(`{"input_file_id":%q,"endpoint":"/v1/chat/completions","completion_window":"24h","output_expires_after":{"anchor":"created_at","seconds":60}}`, in)
			},
			status: 400,
			want:   `{"error":{"message":"Invalid 'output_expires_after.seconds': expected an integer from 3600 to 2592000, but got 60 instead.","type":"invalid_request_error","param":"output_expires_after.seconds","code":"invalid_value"}}`,
		},
	}
	env := newTestEnv(t, Options{})
	done := env.createBatch(openai.EndpointChat, chatLine("a", "m", "x"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := env.do(http.MethodPost, "/v1/batches", strings.NewReader(tt.body(done.InputFileID, *done.OutputFileID)), nil)
			if r.status != tt.status || string(r.body) != tt.want+"\n" {
				t.Errorf("got %d %s\nwant %d %s", r.status, r.body, tt.status, tt.want)
			}
		})
	}
}

func TestUploadErrors(t *testing.T) {
	tests := []struct {
		name     string
		fields   map[string]string
		filename string
		want     string
	}{
		{
			name:     "no purpose",
			filename: "a.jsonl",
			want:     `{"error":{"message":"Missing required parameter: 'purpose'.","type":"invalid_request_error","param":"purpose","code":"missing_required_parameter"}}`,
		},
		{
			name:   "no file",
			fields: map[string]string{"purpose": "batch"},
			want:   `{"error":{"message":"Missing required parameter: 'file'.","type":"invalid_request_error","param":"file","code":"missing_required_parameter"}}`,
		},
		{
			name:     "unknown purpose",
			fields:   map[string]string{"purpose": "batch_output"},
			filename: "a.jsonl",
			want:     `{"error":{"message":"Invalid value for 'purpose': 'batch_output'. Supported values are: 'assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'.","type":"invalid_request_error","param":"purpose","code":"invalid_value"}}`,
		},
		{
			name:     "expiry too short",
			fields:   map[string]string{"purpose": "batch", "expires_after[anchor]": "created_at", "expires_after[seconds]": "10"},
			filename: "a.jsonl",
			want:     `{"error":{"message":"Invalid value for 'expires_after[seconds]': '10'. Expected an integer from 3600 to 2592000.","type":"invalid_request_error","param":"expires_after[seconds]","code":"invalid_value"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t, Options{})
			body, header := multipartBody(t, tt.fields, tt.filename, "{}\n")
			r := env.do(http.MethodPost, "/v1/files", body, header)
			if r.status != http.StatusBadRequest || string(r.body) != tt.want+"\n" {
				t.Errorf("got %d %s\nwant 400 %s", r.status, r.body, tt.want)
			}
			// Nothing is left behind.
			entries, err := os.ReadDir(filepath.Join(env.dir, "openai", "files"))
			if err != nil || len(entries) != 0 {
				t.Errorf("files dir after a failed upload: %v %v", entries, err)
			}
		})
	}

	t.Run("expiry", func(t *testing.T) {
		env := newTestEnv(t, Options{})
		body, header := multipartBody(t, map[string]string{"purpose": "user_data", "expires_after[anchor]": "created_at", "expires_after[seconds]": "3600"}, "a.txt", "hi")
		var f openai.FileObject
		env.ok(http.MethodPost, "/v1/files", body, header).decode(t, &f)
		if f.ExpiresAt == nil || *f.ExpiresAt != testEpoch.Unix()+3600 || f.Purpose != "user_data" || f.Bytes != 2 {
			t.Errorf("file %+v", f)
		}
	})
}

func TestAuth(t *testing.T) {
	const missing = `{"error":{"message":"You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`
	const wrong = `{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`
	tests := []struct {
		name   string
		apiKey string
		header http.Header
		status int
		want   string
	}{
		{"no header", "", http.Header{"Authorization": {""}}, 401, missing},
		{"empty bearer", "", http.Header{"Authorization": {"Bearer "}}, 401, missing},
		{"basic auth", "", http.Header{"Authorization": {"Basic dXNlcjpwdw=="}}, 401, missing},
		{"any key", "", http.Header{"Authorization": {"Bearer whatever"}}, 200, ""},
		{"right key", "sk-right", http.Header{"Authorization": {"bearer sk-right"}}, 200, ""},
		{"wrong key", "sk-right", http.Header{"Authorization": {"Bearer sk-wrong"}}, 401, wrong},
		{"azure api-key", "sk-right", http.Header{"Authorization": {""}, "Api-Key": {"sk-right"}}, 200, ""},
		{"wrong azure api-key", "sk-right", http.Header{"Authorization": {""}, "Api-Key": {"nope"}}, 401, wrong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t, Options{APIKey: tt.apiKey})
			r := env.do(http.MethodGet, "/v1/batches", nil, tt.header)
			if r.status != tt.status || tt.want != "" && string(r.body) != tt.want+"\n" {
				t.Errorf("got %d %s\nwant %d %s", r.status, r.body, tt.status, tt.want)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	tests := []struct {
		method, path string
		want         string
	}{
		{"GET", "/v1/batches/batch_nope", `{"error":{"message":"No batch found with id 'batch_nope'.","type":"invalid_request_error","param":null,"code":null}}`},
		{"POST", "/v1/batches/batch_nope/cancel", `{"error":{"message":"No batch found with id 'batch_nope'.","type":"invalid_request_error","param":null,"code":null}}`},
		{"GET", "/v1/batches/..%2F..%2Fx", `{"error":{"message":"No batch found with id ''.","type":"invalid_request_error","param":null,"code":null}}`},
		{"GET", "/v1/files/file-nope", `{"error":{"message":"No such File object: file-nope","type":"invalid_request_error","param":"id","code":null}}`},
		{"GET", "/v1/files/file-nope/content", `{"error":{"message":"No such File object: file-nope","type":"invalid_request_error","param":"id","code":null}}`},
		{"DELETE", "/v1/files/file-nope", `{"error":{"message":"No such File object: file-nope","type":"invalid_request_error","param":"id","code":null}}`},
		{"GET", "/v1/models", `{"error":{"message":"Invalid URL (GET /v1/models)","type":"invalid_request_error","param":null,"code":null}}`},
		{"DELETE", "/v1/batches", `{"error":{"message":"Invalid URL (DELETE /v1/batches)","type":"invalid_request_error","param":null,"code":null}}`},
	}
	env := newTestEnv(t, Options{})
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := env.do(tt.method, tt.path, nil, nil)
			if r.status != http.StatusNotFound || string(r.body) != tt.want+"\n" || r.header.Get("Content-Type") != "application/json" {
				t.Errorf("got %d %s %s\nwant 404 %s", r.status, r.header.Get("Content-Type"), r.body, tt.want)
			}
		})
	}
}

func TestListParameters(t *testing.T) {
	env := newTestEnv(t, Options{})
	tests := []struct {
		path, want string
	}{
		{"/v1/batches?limit=0", `{"error":{"message":"Invalid 'limit': integer below minimum value. Expected a value >= 1, but got 0 instead.","type":"invalid_request_error","param":"limit","code":"integer_below_min_value"}}`},
		{"/v1/batches?limit=101", `{"error":{"message":"Invalid 'limit': integer above maximum value. Expected a value <= 100, but got 101 instead.","type":"invalid_request_error","param":"limit","code":"integer_above_max_value"}}`},
		{"/v1/batches?limit=x", `{"error":{"message":"Invalid type for 'limit': expected an integer.","type":"invalid_request_error","param":"limit","code":"invalid_type"}}`},
		{"/v1/files?order=up", `{"error":{"message":"Invalid value for 'order': 'up'. Supported values are: 'asc', 'desc'.","type":"invalid_request_error","param":"order","code":"invalid_value"}}`},
	}
	for _, tt := range tests {
		if r := env.do(http.MethodGet, tt.path, nil, nil); r.status != http.StatusBadRequest || string(r.body) != tt.want+"\n" {
			t.Errorf("GET %s: %d %s\nwant 400 %s", tt.path, r.status, r.body, tt.want)
		}
	}
	if r := env.ok(http.MethodGet, "/v1/batches", nil, nil); string(r.body) != `{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}`+"\n" {
		t.Errorf("empty list: %s", r.body)
	}

	// Files ordered both ways, with a cursor.
	var ids []string
	for i := range 3 {
		env.clock.set(time.Duration(i) * time.Second)
		ids = append(ids, env.upload(fmt.Sprint(i)))
	}
	var page openai.ListPage[openai.FileObject]
	env.ok(http.MethodGet, "/v1/files?order=asc&limit=2", nil, nil).decode(t, &page)
	if len(page.Data) != 2 || page.Data[0].ID != ids[0] || page.Data[1].ID != ids[1] || !page.HasMore || *page.LastID != ids[1] {
		t.Errorf("first asc page: %+v", page)
	}
	env.ok(http.MethodGet, "/v1/files?order=asc&limit=2&after="+ids[1], nil, nil).decode(t, &page)
	if len(page.Data) != 1 || page.Data[0].ID != ids[2] || page.HasMore {
		t.Errorf("second asc page: %+v", page)
	}
	env.ok(http.MethodGet, "/v1/files", nil, nil).decode(t, &page)
	if len(page.Data) != 3 || page.Data[0].ID != ids[2] || page.Data[2].ID != ids[0] {
		t.Errorf("desc list: %+v", page)
	}
}

func TestServerFaults(t *testing.T) {
	env := newTestEnv(t, Options{Faults: "create=429x2,get=503,content=drop"})
	b := func() response {
		return env.do(http.MethodPost, "/v1/batches", strings.NewReader(`{}`), nil)
	}
	for i := range 2 {
		r := b()
		want := `{"error":{"message":"Rate limit reached for requests. (Emulated server fault.)","type":"requests","param":null,"code":"rate_limit_exceeded"}}` + "\n"
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" || string(r.body) != want {
			t.Errorf("create call %d: %d %q %s", i+1, r.status, r.header.Get("Retry-After"), r.body)
		}
	}
	if r := b(); r.status != http.StatusBadRequest {
		t.Errorf("create call 3: %d %s, want the real 400", r.status, r.body)
	}

	done := env.createBatch(openai.EndpointChat, chatLine("a", "m", "x"))
	r := env.do(http.MethodGet, "/v1/batches/"+done.ID, nil, nil)
	want := `{"error":{"message":"The server had an error while processing your request. (Emulated server fault.)","type":"server_error","param":null,"code":null}}` + "\n"
	if r.status != http.StatusServiceUnavailable || string(r.body) != want {
		t.Errorf("get call 1: %d %s", r.status, r.body)
	}
	env.getBatch(done.ID)

	path := env.http.URL + "/v1/files/" + *done.OutputFileID + "/content"
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer k")
	resp, err := env.http.Client().Do(req)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Errorf("content call 1: error %v, want an unexpected EOF", err)
	}
	if got := env.content(done.OutputFileID); !strings.Contains(got, `"custom_id":"a"`) {
		t.Errorf("content call 2: %s", got)
	}

	// An unauthenticated call does not use up a fault.
	env2 := newTestEnv(t, Options{Faults: "list=500"})
	if r := env2.do(http.MethodGet, "/v1/batches", nil, http.Header{"Authorization": {""}}); r.status != http.StatusUnauthorized {
		t.Errorf("unauthenticated list: %d", r.status)
	}
	if r := env2.do(http.MethodGet, "/v1/batches", nil, nil); r.status != http.StatusInternalServerError {
		t.Errorf("first list: %d", r.status)
	}
}

func TestParseFaults(t *testing.T) {
	tests := []struct {
		spec    string
		want    []core.Fault
		wantErr string
	}{
		{spec: "", want: nil},
		{spec: "create=429x2, get=500 ,content=drop", want: []core.Fault{{Op: "create", Status: 429, Times: 2}, {Op: "get", Status: 500, Times: 1}, {Op: "content", Times: 1}}},
		{spec: "upload=dropx3,cancel=599", want: []core.Fault{{Op: "upload", Times: 3}, {Op: "cancel", Status: 599, Times: 1}}},
		{spec: "create=lost,get=hangx2", want: []core.Fault{{Op: "create", After: "lost", Times: 1}, {Op: "get", After: "hang", Times: 2}}},
		{spec: "get=429barex3,list=slow", want: []core.Fault{{Op: "get", Status: 429, Bare: true, Times: 3}, {Op: "list", After: "slow", Times: 1}}},
		{spec: "create=late", want: []core.Fault{{Op: "create", After: "late", Times: 1}}},
		{spec: "create", wantErr: `fault "create": want OP=KIND or OP=KINDxN`},
		{spec: "make=500", wantErr: `fault "make=500": unknown operation "make" (want one of upload, files, file, content, delete, create, get, list, cancel, send, count, token)`},
		{spec: "get=404", wantErr: `fault "get=404": kind "404" is not 429, 429bare, a status from 500 to 599, drop, lost, hang, slow or late`},
		{spec: "get=500x0", wantErr: `fault "get=500x0": count "0" is not a positive integer`},
		{spec: "get=boom", wantErr: `fault "get=boom": kind "boom" is not 429, 429bare, a status from 500 to 599, drop, lost, hang, slow or late`},
	}
	for _, tt := range tests {
		got, err := ParseFaults(tt.spec)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseFaults(%q) error %v, want %s", tt.spec, err, tt.wantErr)
			}
			continue
		}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("ParseFaults(%q) = %v, %v; want %v", tt.spec, got, err, tt.want)
		}
	}
	if _, err := New(Options{Dir: t.TempDir(), Faults: "x=1"}); err == nil || !strings.HasPrefix(err.Error(), `emulator: fault "x=1": unknown operation`) {
		t.Errorf("New with a bad fault spec: %v", err)
	}
}

func TestRestartKeepsState(t *testing.T) {
	dir := t.TempDir()
	first := newTestEnv(t, Options{Dir: dir, Duration: time.Minute})
	b := first.createBatch(openai.EndpointChat, chatLine("a", "echo", "one"), chatLine("b", "echo", "two"))
	first.http.Close()

	// Another process, with another duration, later.
	second := newTestEnv(t, Options{Dir: dir, Duration: time.Hour})
	second.clock.set(30 * time.Second)
	got := second.getBatch(b.ID)
	if got.Status != "in_progress" || got.RequestCounts != (openai.RequestCounts{Total: 2, Completed: 1}) {
		t.Fatalf("after restart at 30s: %+v", got)
	}
	second.clock.set(time.Minute)
	got = second.getBatch(b.ID)
	if got.Status != "completed" || *got.CompletedAt != testEpoch.Unix()+60 {
		t.Fatalf("after restart at 60s: %+v", got)
	}
	if out := second.content(got.OutputFileID); strings.Count(out, "\n") != 2 {
		t.Errorf("output: %s", out)
	}
}

func TestConcurrentResults(t *testing.T) {
	dir := t.TempDir()
	a := newTestEnv(t, Options{Dir: dir, Duration: time.Minute})
	b := newTestEnv(t, Options{Dir: dir, Duration: time.Minute})
	var lines []string
	for i := range 200 {
		lines = append(lines, chatLine(fmt.Sprint("r", i), "echo", fmt.Sprintf("prompt %d [%s]", i, []string{"ok", "fail", "error", "drop"}[i%4])))
	}
	created := a.createBatch(openai.EndpointChat, lines...)
	a.clock.set(time.Minute)
	b.clock.set(time.Minute)

	var wg sync.WaitGroup
	views := make([]openai.BatchObject, 8)
	for i := range views {
		env := []*testEnv{a, b}[i%2]
		wg.Go(func() { views[i] = env.getBatch(created.ID) })
	}
	wg.Wait()
	for i, v := range views {
		if v.Status != "completed" || *v.OutputFileID != *views[0].OutputFileID || *v.ErrorFileID != *views[0].ErrorFileID ||
			v.RequestCounts != (openai.RequestCounts{Total: 200, Completed: 50, Failed: 100}) {
			t.Fatalf("view %d: %+v", i, v)
		}
	}
	out, errs := a.content(views[0].OutputFileID), b.content(views[0].ErrorFileID)
	if out != b.content(views[0].OutputFileID) || errs != a.content(views[0].ErrorFileID) {
		t.Error("the two servers serve different results")
	}
	if strings.Count(out, "\n") != 50 || strings.Count(errs, "\n") != 100 {
		t.Errorf("%d output and %d error lines, want 50 and 100", strings.Count(out, "\n"), strings.Count(errs, "\n"))
	}
	// No temporary file is left over.
	for _, sub := range []string{"files", "batches"} {
		entries, err := os.ReadDir(filepath.Join(dir, "openai", sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".tmp") {
				t.Errorf("left over: %s/%s", sub, e.Name())
			}
		}
	}
}

func TestDeletedOutputStaysDeleted(t *testing.T) {
	env := newTestEnv(t, Options{})
	b := env.createBatch(openai.EndpointChat, chatLine("a", "echo", "x"))
	env.ok(http.MethodDelete, "/v1/files/"+*b.OutputFileID, nil, nil)
	env.getBatch(b.ID)
	if r := env.do(http.MethodGet, "/v1/files/"+*b.OutputFileID, nil, nil); r.status != http.StatusNotFound {
		t.Errorf("deleted output file came back: %d %s", r.status, r.body)
	}
}

func TestStateFilePermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	env := newTestEnv(t, Options{Dir: dir})
	env.createBatch(openai.EndpointChat, chatLine("a", "echo", "x"))
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := os.FileMode(0o600)
		if d.IsDir() {
			want = 0o700 | os.ModeDir
		}
		if info.Mode() != want {
			t.Errorf("%s: mode %s, want %s", path, info.Mode(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

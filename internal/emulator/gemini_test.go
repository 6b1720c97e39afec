package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
	"github.com/batchctl/batchctl/internal/emulator/gemini"
)

const geminiTestKey = "gm-test-key"

// geminiCall sends a Gemini request with the test key (header may replace
// it), body being JSON text or "" for none.
func (e *testEnv) geminiCall(method, path, body string, header http.Header) response {
	e.t.Helper()
	h := http.Header{"Authorization": nil, "X-Goog-Api-Key": {geminiTestKey}}
	for k, v := range header {
		h[k] = v
	}
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	return e.do(method, path, r, h)
}

// geminiOK sends a Gemini request and requires a 200 answer.
func (e *testEnv) geminiOK(method, path, body string) response {
	e.t.Helper()
	r := e.geminiCall(method, path, body, nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("%s %s: status %d, body %s", method, path, r.status, r.body)
	}
	return r
}

// geminiPrompt is an inline request of a one-line prompt, with its key in
// its metadata.
func geminiPrompt(key, prompt string) string {
	return fmt.Sprintf(`{"request":{"contents":[{"parts":[{"text":%s}],"role":"user"}]},"metadata":{"key":%q}}`, geminiJSON(prompt), key)
}

// geminiCreate creates a batch of endpoint for model from inline requests
// and returns its name.
func (e *testEnv) geminiCreate(model, endpoint string, items ...string) string {
	e.t.Helper()
	body := `{"batch":{"display_name":"batchctl j1","input_config":{"requests":{"requests":[` + strings.Join(items, ",") + `]}}}}`
	var op struct{ Name string }
	e.geminiOK(http.MethodPost, "/v1beta/models/"+model+":"+endpoint, body).decode(e.t, &op)
	return op.Name
}

// geminiJSON encodes v as the emulator does, without escaping HTML.
func geminiJSON(v any) string {
	var b strings.Builder
	core.EncodeJSON(&b, v)
	return strings.TrimSuffix(b.String(), "\n")
}

var geminiResponseID = regexp.MustCompile(`"responseId":"[0-9a-f]{32}"`)

// geminiNormalize replaces a batch's id by ID and response ids by RID, so
// answers compare exactly.
func geminiNormalize(body []byte, name string) string {
	s := strings.ReplaceAll(string(body), strings.TrimPrefix(name, "batches/"), "ID")
	return geminiResponseID.ReplaceAllString(s, `"responseId":"RID"`)
}

// geminiAnswer is the GenerateContentResponse of the echo model to prompt,
// with its token counts.
func geminiAnswer(text string, in, out int) string {
	return fmt.Sprintf(`{"candidates":[{"content":{"parts":[{"text":%s}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":%d,"candidatesTokenCount":%d,"totalTokenCount":%d},"modelVersion":"echo","responseId":"RID"}`,
		geminiJSON(text), in, out, in+out)
}

const (
	geminiFail429 = `{"code":429,"message":"Resource has been exhausted (e.g. check quota). (Emulated by [fail:429].)","status":"RESOURCE_EXHAUSTED"}`
	geminiFailErr = `{"code":13,"message":"The request failed without a response (emulated by [error]).","status":"INTERNAL"}`
)

func TestGeminiInlineBatch(t *testing.T) {
	env := newTestEnv(t, Options{Duration: 100 * time.Second})
	name := env.geminiCreate("echo", gemini.GenerateMethod,
		geminiPrompt("q1", "Hello <world> & all"),
		geminiPrompt("q2", "[fail:429] slow down"),
		geminiPrompt("q3", "[error] boom"),
		geminiPrompt("q4", "[drop] gone"),
		geminiPrompt("q5", "Bye"),
	)
	if !regexp.MustCompile(`^batches/[0-9a-z]{24}$`).MatchString(name) {
		t.Fatalf("batch name %q", name)
	}
	meta := func(extra, times, stats, state string) string {
		return `{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch","model":"models/echo","displayName":"batchctl j1",` +
			extra + times + `,"batchStats":` + stats + `,"state":"` + state + `","name":"batches/ID"}`
	}
	items := `{"inlinedResponses":{"inlinedResponses":[` +
		`{"response":` + geminiAnswer("Hello <world> & all", 4, 4) + `,"metadata":{"key":"q1"}},` +
		`{"error":` + geminiFail429 + `,"metadata":{"key":"q2"}},` +
		`{"error":` + geminiFailErr + `,"metadata":{"key":"q3"}},` +
		`{"response":` + geminiAnswer("Bye", 1, 1) + `,"metadata":{"key":"q5"}}]}}`
	// Request i runs at 10s + 70s*(i+1)/5: 24s, 38s, 52s, 66s, 80s.
	steps := []struct {
		at   time.Duration
		want string
	}{
		{9 * time.Second, `{"name":"batches/ID","metadata":` + meta("", `"createTime":"2026-01-02T03:04:05Z","updateTime":"2026-01-02T03:04:05Z"`,
			`{"requestCount":"5","pendingRequestCount":"5"}`, "BATCH_STATE_PENDING") + `}`},
		{38 * time.Second, `{"name":"batches/ID","metadata":` + meta("", `"createTime":"2026-01-02T03:04:05Z","updateTime":"2026-01-02T03:04:43Z"`,
			`{"requestCount":"5","successfulRequestCount":"1","failedRequestCount":"1","pendingRequestCount":"3"}`, "BATCH_STATE_RUNNING") + `}`},
		{100 * time.Second, `{"name":"batches/ID","metadata":` + meta(`"output":`+items+`,`, `"createTime":"2026-01-02T03:04:05Z","endTime":"2026-01-02T03:05:45Z","updateTime":"2026-01-02T03:05:45Z"`,
			`{"requestCount":"5","successfulRequestCount":"2","failedRequestCount":"2"}`, "BATCH_STATE_SUCCEEDED") +
			`,"done":true,"response":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput",` + strings.TrimPrefix(items, "{") + "}"},
	}
	for _, step := range steps {
		env.clock.set(step.at)
		got := geminiNormalize(env.geminiOK(http.MethodGet, "/v1beta/"+name, "").body, name)
		if got != step.want+"\n" {
			t.Errorf("at %s:\n got %s\nwant %s", step.at, got, step.want)
		}
	}
}

// geminiUpload uploads content through the resumable protocol in one
// request and returns the file's name.
func (e *testEnv) geminiUpload(content string) string {
	e.t.Helper()
	session := e.geminiStart(len(content))
	var f gemini.FileAnswer
	e.geminiCall(http.MethodPost, session, content, http.Header{
		gemini.UploadCommand: {"upload, finalize"}, gemini.UploadOffset: {"0"},
	}).decode(e.t, &f)
	return f.File.Name
}

// geminiStart opens an upload session for size bytes and returns the path
// and query of its URL.
func (e *testEnv) geminiStart(size int) string {
	e.t.Helper()
	r := e.geminiCall(http.MethodPost, "/upload/v1beta/files", `{"file":{"display_name":"j1-1.jsonl"}}`, http.Header{
		"X-Goog-Upload-Protocol":              {"resumable"},
		gemini.UploadCommand:                  {"start"},
		"X-Goog-Upload-Header-Content-Length": {fmt.Sprint(size)},
		"X-Goog-Upload-Header-Content-Type":   {"application/jsonl"},
		"Content-Type":                        {"application/json"},
	})
	session := r.header.Get("X-Goog-Upload-Url")
	prefix := e.http.URL + "/upload/v1beta/files?upload_id="
	if r.status != http.StatusOK || !strings.HasPrefix(session, prefix) || !strings.HasSuffix(session, "&upload_protocol=resumable") {
		e.t.Fatalf("start upload: status %d, upload URL %q", r.status, session)
	}
	return strings.TrimPrefix(session, e.http.URL)
}

func TestGeminiResumableUpload(t *testing.T) {
	env := newTestEnv(t, Options{})
	content := `{"key":"a","request":{"contents":[{"parts":[{"text":"one"}]}]}}` + "\n"
	session := env.geminiStart(len(content))
	chunk := func(command, offset, body string) response {
		return env.geminiCall(http.MethodPost, session, body, http.Header{gemini.UploadCommand: {command}, gemini.UploadOffset: {offset}, "X-Goog-Api-Key": nil})
	}
	steps := []struct {
		name           string
		send           func() response
		status         int
		upload, offset string
	}{
		{"first chunk", func() response { return chunk("upload", "0", content[:10]) }, 200, "active", "10"},
		{"wrong offset", func() response { return chunk("upload", "5", content[10:20]) }, 400, "active", "10"},
		{"query", func() response { return chunk("query", "", "") }, 200, "active", "10"},
		{"last chunk", func() response { return chunk("upload, finalize", "10", content[10:]) }, 200, "final", fmt.Sprint(len(content))},
		{"query after the end", func() response { return chunk("query", "", "") }, 200, "final", fmt.Sprint(len(content))},
		{"upload after the end", func() response { return chunk("upload", "0", "x") }, 400, "active", fmt.Sprint(len(content))},
	}
	var final response
	for _, step := range steps {
		r := step.send()
		if r.status != step.status || r.header.Get(gemini.UploadStatus) != step.upload || r.header.Get(gemini.UploadReceived) != step.offset {
			t.Errorf("%s: status %d, upload status %q, received %q; want %d, %q, %q (body %s)", step.name, r.status,
				r.header.Get(gemini.UploadStatus), r.header.Get(gemini.UploadReceived), step.status, step.upload, step.offset, r.body)
		}
		if step.name == "last chunk" {
			final = r
		}
	}
	var f gemini.FileAnswer
	final.decode(t, &f)
	sum := sha256.Sum256([]byte(content))
	id := strings.TrimPrefix(f.File.Name, "files/")
	want := fmt.Sprintf(`{"file":{"name":"files/%s","displayName":"j1-1.jsonl","mimeType":"application/jsonl","sizeBytes":"%d","createTime":"2026-01-02T03:04:05Z","updateTime":"2026-01-02T03:04:05Z","expirationTime":"2026-01-04T03:04:05Z","sha256Hash":"%s","uri":"%s/v1beta/files/%s","downloadUri":"%s/download/v1beta/files/%s:download?alt=media","state":"ACTIVE","source":"UPLOADED"}}`,
		id, len(content), base64.StdEncoding.EncodeToString(sum[:]), env.http.URL, id, env.http.URL, id)
	if string(final.body) != want+"\n" {
		t.Errorf("finalized upload:\n got %s\nwant %s", final.body, want)
	}
	if got := env.geminiOK(http.MethodGet, "/v1beta/"+f.File.Name, "").body; string(got) != strings.TrimSuffix(strings.TrimPrefix(want, `{"file":`), "}")+"\n" {
		t.Errorf("get file: %s", got)
	}
	for _, path := range []string{"/download/v1beta/" + f.File.Name + ":download?alt=media", "/v1beta/" + f.File.Name + ":download?alt=media"} {
		if got := env.geminiOK(http.MethodGet, path, "").body; string(got) != content {
			t.Errorf("GET %s = %q, want %q", path, got, content)
		}
	}
}

func TestGeminiFileBatch(t *testing.T) {
	env := newTestEnv(t, Options{Duration: 10 * time.Second})
	input := strings.Join([]string{
		`{"key":"k1","request":{"contents":[{"parts":[{"text":"Hello"}]}],"systemInstruction":{"parts":[{"text":"Be brief."}]}}}`,
		`{"key":"k2","request":{"contents":[{"parts":[{"text":"[fail] no"}]}]}}`,
		`{"key":"k3","request":{"contents":[{"parts":[{"text":"[drop]"}]}]}}`,
		`{"key":"k4","request":{"generation_config":{"temperature":0}}}`,
	}, "\n") + "\n"
	file := env.geminiUpload(input)
	var op struct{ Name string }
	env.geminiOK(http.MethodPost, "/v1beta/models/fixed:batchGenerateContent",
		`{"batch":{"displayName":"batchctl j2 1/2","inputConfig":{"fileName":"`+file+`"}}}`).decode(t, &op)
	id := strings.TrimPrefix(op.Name, "batches/")

	env.clock.set(10 * time.Second)
	got := geminiNormalize(env.geminiOK(http.MethodGet, "/v1beta/"+op.Name, "").body, op.Name)
	wantOp := `{"name":"batches/ID","metadata":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch","model":"models/fixed","displayName":"batchctl j2 1/2",` +
		`"inputConfig":{"fileName":"` + file + `"},"output":{"responsesFile":"files/batchID"},` +
		`"createTime":"2026-01-02T03:04:05Z","endTime":"2026-01-02T03:04:15Z","updateTime":"2026-01-02T03:04:15Z",` +
		`"batchStats":{"requestCount":"4","successfulRequestCount":"1","failedRequestCount":"2"},"state":"BATCH_STATE_SUCCEEDED","name":"batches/ID"},` +
		`"done":true,"response":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput","responsesFile":"files/batchID"}}` + "\n"
	if got != wantOp {
		t.Errorf("finished batch:\n got %s\nwant %s", got, wantOp)
	}

	wantLines := `{"key":"k1","response":{"candidates":[{"content":{"parts":[{"text":"This is a fixed answer from the batchctl emulator."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":9,"totalTokenCount":12},"modelVersion":"fixed","responseId":"RID"}}
{"key":"k2","error":{"code":400,"message":"The request was rejected. (Emulated by [fail].)","status":"INVALID_ARGUMENT"}}
{"key":"k4","error":{"code":400,"message":"* GenerateContentRequest.contents: contents is not specified","status":"INVALID_ARGUMENT"}}
`
	download := "/download/v1beta/files/batch" + id + ":download?alt=media"
	lines := env.geminiOK(http.MethodGet, download, "").body
	if got := geminiNormalize(lines, op.Name); got != wantLines {
		t.Errorf("responses file:\n%s\nwant:\n%s", got, wantLines)
	}
	// Reading it again, or the batch, writes nothing new.
	env.geminiOK(http.MethodGet, "/v1beta/"+op.Name, "")
	if again := env.geminiOK(http.MethodGet, download, "").body; string(again) != string(lines) {
		t.Errorf("responses file changed:\n%s\nthen\n%s", lines, again)
	}
	// Another process sharing the state directory sees the same batch and
	// the same results.
	other := newTestEnv(t, Options{Dir: env.dir})
	other.clock.set(time.Hour)
	if got := geminiNormalize(other.geminiOK(http.MethodGet, "/v1beta/"+op.Name, "").body, op.Name); got != wantOp {
		t.Errorf("batch in another process:\n%s", got)
	}
	if again := other.geminiOK(http.MethodGet, download, "").body; string(again) != string(lines) {
		t.Errorf("responses file in another process:\n%s", again)
	}
	var f gemini.FileObject
	env.geminiOK(http.MethodGet, "/v1beta/files/batch"+id, "").decode(t, &f)
	if f.Source != "GENERATED" || f.MIMEType != "application/jsonl" || int(f.SizeBytes) != len(lines) || f.CreateTime != "2026-01-02T03:04:15Z" {
		t.Errorf("responses file object = %+v", f)
	}
}

func TestGeminiEmbedBatch(t *testing.T) {
	env := newTestEnv(t, Options{})
	name := env.geminiCreate("text-embedding-004", gemini.EmbedMethod,
		`{"request":{"content":{"parts":[{"text":"hello world"}]},"outputDimensionality":3},"metadata":{"key":"e1","tag":7}}`,
		`{"request":{"content":{"parts":[{"text":"x"}]},"embed_content_config":{"output_dimensionality":2}},"metadata":{"key":"e2"}}`,
		`{"request":{"content":{"parts":[{"text":"y"}]},"outputDimensionality":0},"metadata":{"key":"e3"}}`,
	)
	var op struct {
		Metadata struct {
			Type string `json:"@type"`
		} `json:"metadata"`
		Response struct {
			Type             string          `json:"@type"`
			InlinedResponses json.RawMessage `json:"inlinedResponses"`
		} `json:"response"`
	}
	env.geminiOK(http.MethodGet, "/v1beta/"+name, "").decode(t, &op)
	want := `{"inlinedResponses":[` +
		`{"response":{"embedding":{"values":` + geminiJSON(core.Embedding("hello world", 3)) + `},"usageMetadata":{"promptTokenCount":2}},"metadata":{"key":"e1","tag":7}},` +
		`{"response":{"embedding":{"values":` + geminiJSON(core.Embedding("x", 2)) + `},"usageMetadata":{"promptTokenCount":1}},"metadata":{"key":"e2"}},` +
		`{"error":{"code":400,"message":"Invalid value at 'output_dimensionality': 0; expected an integer from 1 to 3072.","status":"INVALID_ARGUMENT"},"metadata":{"key":"e3"}}]}`
	if op.Metadata.Type != gemini.EmbedBatchType || op.Response.Type != gemini.EmbedOutputType || string(op.Response.InlinedResponses) != want {
		t.Errorf("embed batch: %s %s\n%s\nwant\n%s", op.Metadata.Type, op.Response.Type, op.Response.InlinedResponses, want)
	}
}

// geminiOp is what the lifecycle tests read of an operation.
type geminiOp struct {
	Name     string          `json:"name"`
	Done     bool            `json:"done"`
	Response json.RawMessage `json:"response"`
	Error    json.RawMessage `json:"error"`
	Metadata struct {
		State      string          `json:"state"`
		EndTime    string          `json:"endTime"`
		BatchStats json.RawMessage `json:"batchStats"`
	} `json:"metadata"`
}

func TestGeminiEndings(t *testing.T) {
	env := newTestEnv(t, Options{Duration: 100 * time.Second})
	var body []byte // of the last get, for messages
	get := func(name string) geminiOp {
		var op geminiOp
		r := env.geminiOK(http.MethodGet, "/v1beta/"+name, "")
		r.decode(t, &op)
		body = r.body
		return op
	}

	cancelled := env.geminiCreate("echo", gemini.GenerateMethod, geminiPrompt("a", "one"), geminiPrompt("b", "two"))
	env.clock.set(50 * time.Second) // a ran at 45s, b would at 80s
	for range 2 {
		if r := env.geminiOK(http.MethodPost, "/v1beta/"+cancelled+":cancel", ""); string(r.body) != "{}\n" {
			t.Errorf("cancel answered %s", r.body)
		}
	}
	env.clock.set(200 * time.Second)
	op := get(cancelled)
	if !op.Done || op.Metadata.State != "BATCH_STATE_CANCELLED" || op.Metadata.EndTime != "2026-01-02T03:04:55Z" ||
		string(op.Metadata.BatchStats) != `{"requestCount":"2","successfulRequestCount":"1"}` || op.Response != nil || op.Error != nil {
		t.Errorf("cancelled batch = %s", body)
	}

	expired := env.geminiCreate("echo", gemini.GenerateMethod, geminiPrompt("a", "one"), geminiPrompt("b", "[expire] two"))
	env.clock.set(300 * time.Second)
	op = get(expired)
	if !op.Done || op.Metadata.State != "BATCH_STATE_EXPIRED" || op.Metadata.EndTime != "2026-01-02T03:09:05Z" ||
		string(op.Metadata.BatchStats) != `{"requestCount":"2","successfulRequestCount":"1","failedRequestCount":"1"}` || op.Response != nil {
		t.Errorf("expired batch = %s", body)
	}
	r := env.geminiCall(http.MethodPost, "/v1beta/"+expired+":cancel", "", nil)
	wantErr := `{"error":{"code":400,"message":"Batch ` + expired + ` is in state BATCH_STATE_EXPIRED and cannot be cancelled.","status":"FAILED_PRECONDITION"}}` + "\n"
	if r.status != http.StatusBadRequest || string(r.body) != wantErr {
		t.Errorf("cancel an expired batch: %d %s", r.status, r.body)
	}

	file := env.geminiUpload(`{"key":"a","request":{"contents":[]}}` + "\n" + `{"key":"b","request":"text"}` + "\n")
	var created geminiOp
	env.geminiOK(http.MethodPost, "/v1beta/models/echo:batchGenerateContent", `{"batch":{"input_config":{"file_name":"`+file+`"}}}`).decode(t, &created)
	env.clock.set(310 * time.Second)
	op = get(created.Name)
	if !op.Done || op.Metadata.State != "BATCH_STATE_FAILED" || op.Metadata.EndTime != "2026-01-02T03:09:15Z" ||
		string(op.Error) != `{"code":3,"message":"Invalid batch input: line 2: \"request\" is missing or not an object."}` {
		t.Errorf("failed batch = %s", body)
	}

	if r := env.geminiOK(http.MethodDelete, "/v1beta/"+created.Name, ""); string(r.body) != "{}\n" {
		t.Errorf("delete answered %s", r.body)
	}
	if r := env.geminiCall(http.MethodGet, "/v1beta/"+created.Name, "", nil); r.status != http.StatusNotFound {
		t.Errorf("get a deleted batch: %d %s", r.status, r.body)
	}
}

func TestGeminiList(t *testing.T) {
	env := newTestEnv(t, Options{})
	var names []string
	for i := range 3 {
		env.clock.set(time.Duration(i) * time.Second)
		names = append([]string{env.geminiCreate("echo", gemini.GenerateMethod, geminiPrompt("a", "x"))}, names...)
	}
	var page struct {
		Operations []struct {
			Name string `json:"name"`
		} `json:"operations"`
		NextPageToken string `json:"nextPageToken"`
	}
	var listed []string
	for query := "pageSize=2"; ; {
		page.NextPageToken = ""
		env.geminiOK(http.MethodGet, "/v1beta/batches?"+query, "").decode(t, &page)
		for _, op := range page.Operations {
			listed = append(listed, op.Name)
		}
		if page.NextPageToken == "" {
			break
		}
		query = "pageSize=2&pageToken=" + page.NextPageToken
	}
	if strings.Join(listed, " ") != strings.Join(names, " ") {
		t.Errorf("listed %v, want %v", listed, names)
	}
}

func TestGeminiErrors(t *testing.T) {
	env := newTestEnv(t, Options{APIKey: geminiTestKey, Faults: "create=429,get=503"})
	create := `{"batch":{"input_config":{"requests":{"requests":[` + geminiPrompt("a", "x") + `]}}}}`
	r := env.geminiCall(http.MethodPost, "/v1beta/models/echo:batchGenerateContent", create, nil)
	want := `{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota). (Emulated server fault.)","status":"RESOURCE_EXHAUSTED",` +
		`"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1s"}]}}` + "\n"
	if r.status != http.StatusTooManyRequests || string(r.body) != want {
		t.Errorf("create with a 429 fault: %d %s", r.status, r.body)
	}
	name := env.geminiCreate("echo", gemini.GenerateMethod, geminiPrompt("a", "x"))
	want = `{"error":{"code":503,"message":"An internal error has occurred. (Emulated server fault.)","status":"UNAVAILABLE"}}` + "\n"
	if r := env.geminiCall(http.MethodGet, "/v1beta/"+name, "", nil); r.status != http.StatusServiceUnavailable || string(r.body) != want {
		t.Errorf("get with a 503 fault: %d %s", r.status, r.body)
	}
	tests := []struct {
		name         string
		method, path string
		body         string
		header       http.Header
		status       int
		want         string // the error's message and status, "message|STATUS"
	}{
		{"no key", "GET", "/v1beta/batches", "", http.Header{"X-Goog-Api-Key": nil}, 403,
			"Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.|PERMISSION_DENIED"},
		{"wrong key", "GET", "/v1beta/batches", "", http.Header{"X-Goog-Api-Key": {"nope"}}, 401, "API key not valid. Please pass a valid API key.|UNAUTHENTICATED"},
		{"unknown route", "GET", "/v1beta/tunedModels", "", nil, 404, "The requested URL /v1beta/tunedModels was not found on this server.|NOT_FOUND"},
		{"unknown model method", "POST", "/v1beta/models/echo:streamGenerateContent", "{}", nil, 404, "The requested URL /v1beta/models/echo:streamGenerateContent was not found on this server.|NOT_FOUND"},
		{"generateContent without contents", "POST", "/v1beta/models/echo:generateContent", "{}", nil, 400, "* GenerateContentRequest.contents: contents is not specified|INVALID_ARGUMENT"},
		{"generateContent of a model path", "POST", "/v1beta/models/a/b:generateContent", "{}", nil, 404, "Model models/a/b was not found.|NOT_FOUND"},
		{"wrong method", "PUT", "/v1beta/batches/abc", "", nil, 405, "Method PUT is not allowed for /v1beta/batches/abc.|UNIMPLEMENTED"},
		{"unknown batch", "GET", "/v1beta/batches/abc", "", nil, 404, "Batch batches/abc was not found.|NOT_FOUND"},
		{"unknown file", "GET", "/v1beta/files/abc", "", nil, 404, "File files/abc was not found.|NOT_FOUND"},
		{"no batch", "POST", "/v1beta/models/echo:batchGenerateContent", `{}`, nil, 400, "* batch: batch is required|INVALID_ARGUMENT"},
		{"not JSON", "POST", "/v1beta/models/echo:batchGenerateContent", `{"batch":`, nil, 400, "Invalid JSON payload received. unexpected EOF|INVALID_ARGUMENT"},
		{"no input", "POST", "/v1beta/models/echo:batchGenerateContent", `{"batch":{"display_name":"x"}}`, nil, 400, "* batch.input_config: input_config is required|INVALID_ARGUMENT"},
		{"two inputs", "POST", "/v1beta/models/echo:batchGenerateContent", `{"batch":{"input_config":{"file_name":"files/a","requests":{"requests":[]}}}}`, nil, 400,
			"* batch.input_config: exactly one of file_name and requests must be set|INVALID_ARGUMENT"},
		{"no requests", "POST", "/v1beta/models/echo:batchGenerateContent", `{"batch":{"input_config":{"requests":{"requests":[]}}}}`, nil, 400,
			"* batch.input_config.requests.requests: at least one request is required|INVALID_ARGUMENT"},
		{"missing file", "POST", "/v1beta/models/echo:batchGenerateContent", `{"batch":{"input_config":{"file_name":"files/zzz"}}}`, nil, 404, "File files/zzz was not found.|NOT_FOUND"},
		{"bad page size", "GET", "/v1beta/batches?pageSize=-1", "", nil, 400, `Invalid value at 'page_size' (TYPE_INT32), "-1".|INVALID_ARGUMENT`},
		{"download without alt", "GET", "/v1beta/files/abc:download", "", nil, 400, `Invalid value at 'alt' (""): downloads need alt=media.|INVALID_ARGUMENT`},
		{"unknown upload", "POST", "/upload/v1beta/files?upload_id=abc", "", http.Header{gemini.UploadCommand: {"query"}}, 404, `No upload session "abc".|NOT_FOUND`},
		{"multipart upload", "POST", "/upload/v1beta/files", "", http.Header{"X-Goog-Upload-Protocol": {"multipart"}}, 400,
			`Unsupported upload protocol "multipart": the emulator supports X-Goog-Upload-Protocol: resumable.|INVALID_ARGUMENT`},
	}
	if r := env.geminiCall(http.MethodGet, "/v1beta/batches?key="+geminiTestKey, "", http.Header{"X-Goog-Api-Key": nil}); r.status != http.StatusOK {
		t.Errorf("key as a query parameter: %d %s", r.status, r.body)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := env.geminiCall(tt.method, tt.path, tt.body, tt.header)
			var body gemini.ErrorBody
			r.decode(t, &body)
			if got := body.Error.Message + "|" + body.Error.Status; r.status != tt.status || body.Error.Code != tt.status || got != tt.want {
				t.Errorf("%d %s\nwant %d %s", r.status, r.body, tt.status, tt.want)
			}
		})
	}
}

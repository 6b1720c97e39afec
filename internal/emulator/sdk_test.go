package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

// exchange is one recorded HTTP call.
type exchange struct {
	method, path, query string
	status              int
	contentType         string
	body                []byte
}

// recorder is a RoundTripper that keeps every response.
type recorder struct {
	base      http.RoundTripper
	mu        sync.Mutex
	exchanges []exchange
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.exchanges = append(r.exchanges, exchange{
		method: req.Method, path: req.URL.Path, query: req.URL.RawQuery,
		status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: body,
	})
	return resp, nil
}

func (r *recorder) all() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange(nil), r.exchanges...)
}

// derivedIDPattern matches the ids derived from a batch id in result files.
var derivedIDPattern = regexp.MustCompile(`"(batch_req_|req_|chatcmpl-|resp_|msg_|cmpl-|modr-)[0-9a-f]{32}"`)

// normalizeIDs replaces derived ids by PREFIX+"ID", after checking their
// shape, so result lines can be compared exactly.
func normalizeIDs(s string) string { return derivedIDPattern.ReplaceAllString(s, `"${1}ID"`) }

func newSDKClient(env *testEnv, rec *recorder) openai.Client {
	return openai.NewClient(
		option.WithBaseURL(env.http.URL+"/v1/"),
		option.WithAPIKey("sk-test"),
		option.WithHTTPClient(&http.Client{Transport: rec}),
		option.WithMaxRetries(0),
	)
}

func TestOpenAISDK(t *testing.T) {
	env := newTestEnv(t, Options{Duration: 100 * time.Second, APIKey: "sk-test"})
	rec := &recorder{base: env.http.Client().Transport}
	client := newSDKClient(env, rec)
	ctx := t.Context()
	epoch := testEpoch.Unix()

	input := strings.Join([]string{
		chatLine("q1", "echo", "Hello <world> & all"),
		chatLine("q2", "echo", "[fail:429] slow down"),
		chatLine("q3", "echo", "[error] boom"),
		chatLine("q4", "echo", "[drop] gone"),
		chatLine("q5", "echo", "Bye"),
	}, "\n") + "\n"
	f, err := client.Files.New(ctx, openai.FileNewParams{
		File:    openai.File(strings.NewReader(input), "reqs.jsonl", "application/jsonl"),
		Purpose: openai.FilePurposeBatch,
	})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if f.Filename != "reqs.jsonl" || f.Bytes != int64(len(input)) || f.Purpose != "batch" || f.Status != "processed" ||
		f.CreatedAt != epoch || f.ExpiresAt != epoch+30*24*3600 {
		t.Errorf("uploaded file = %s", f.RawJSON())
	}

	b, err := client.Batches.New(ctx, openai.BatchNewParams{
		InputFileID:      f.ID,
		Endpoint:         openai.BatchNewParamsEndpointV1ChatCompletions,
		CompletionWindow: openai.BatchNewParamsCompletionWindow24h,
		Metadata:         shared.Metadata{"job": "j7k2m9"},
	})
	if err != nil {
		t.Fatalf("create batch: %v", err)
	}
	if !regexp.MustCompile(`^batch_[0-9A-Za-z]{24}$`).MatchString(b.ID) || b.Status != openai.BatchStatusValidating ||
		b.CreatedAt != epoch || b.ExpiresAt != epoch+24*3600 || b.Metadata["job"] != "j7k2m9" || b.InputFileID != f.ID ||
		b.Model != "echo" {
		t.Errorf("created batch = %s", b.RawJSON())
	}

	// The lifecycle, polled with the clock moved forward.
	steps := []struct {
		at                   time.Duration
		status               openai.BatchStatus
		total, done, failed  int64
		inProgressAt, finAt  int64
		completedAt, inToken int64
	}{
		{at: 9 * time.Second, status: openai.BatchStatusValidating},
		{at: 10 * time.Second, status: openai.BatchStatusInProgress, total: 5, inProgressAt: epoch + 10},
		// (38s-10s)/70s of 5 requests have run: q1 (ok) and q2 (429).
		{at: 38 * time.Second, status: openai.BatchStatusInProgress, total: 5, done: 1, failed: 1, inProgressAt: epoch + 10, inToken: 4},
		{at: 80 * time.Second, status: openai.BatchStatusFinalizing, total: 5, done: 2, failed: 2, inProgressAt: epoch + 10, finAt: epoch + 80, inToken: 5},
		{at: 100 * time.Second, status: openai.BatchStatusCompleted, total: 5, done: 2, failed: 2, inProgressAt: epoch + 10, finAt: epoch + 80, completedAt: epoch + 100, inToken: 5},
	}
	for _, step := range steps {
		env.clock.set(step.at)
		b, err = client.Batches.Get(ctx, b.ID)
		if err != nil {
			t.Fatalf("at %s: get: %v", step.at, err)
		}
		rc := b.RequestCounts
		if b.Status != step.status || rc.Total != step.total || rc.Completed != step.done || rc.Failed != step.failed ||
			b.InProgressAt != step.inProgressAt || b.FinalizingAt != step.finAt || b.CompletedAt != step.completedAt ||
			b.Usage.InputTokens != step.inToken || b.Usage.OutputTokens != step.inToken || b.Usage.TotalTokens != 2*step.inToken {
			t.Errorf("at %s: batch = %s", step.at, b.RawJSON())
		}
	}
	if b.Model != "echo" || b.OutputFileID == "" || b.ErrorFileID == "" || b.JSON.Errors.Raw() != "null" {
		t.Fatalf("completed batch = %s", b.RawJSON())
	}

	output := downloadSDK(t, client, b.OutputFileID)
	wantOutput := fmt.Sprintf(`{"id":"batch_req_ID","custom_id":"q1","response":{"status_code":200,"request_id":"req_ID","body":{"id":"chatcmpl-ID","object":"chat.completion","created":%d,"model":"echo","choices":[{"index":0,"message":{"role":"assistant","content":"Hello <world> & all","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":4,"total_tokens":8,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default"}},"error":null}
{"id":"batch_req_ID","custom_id":"q5","response":{"status_code":200,"request_id":"req_ID","body":{"id":"chatcmpl-ID","object":"chat.completion","created":%d,"model":"echo","choices":[{"index":0,"message":{"role":"assistant","content":"Bye","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default"}},"error":null}
`, epoch+24, epoch+80)
	if got := normalizeIDs(output); got != wantOutput {
		t.Errorf("output file:\n%s\nwant:\n%s", got, wantOutput)
	}
	checkChatBodiesParse(t, output)

	wantErrors := `{"id":"batch_req_ID","custom_id":"q2","response":{"status_code":429,"request_id":"req_ID","body":{"error":{"message":"Rate limit reached for requests. (Emulated by [fail:429].)","type":"requests","param":null,"code":"rate_limit_exceeded"}}},"error":null}
{"id":"batch_req_ID","custom_id":"q3","response":null,"error":{"code":"server_error","message":"The request failed without a response (emulated by [error])."}}
`
	if got := normalizeIDs(downloadSDK(t, client, b.ErrorFileID)); got != wantErrors {
		t.Errorf("error file:\n%s\nwant:\n%s", got, wantErrors)
	}

	out, err := client.Files.Get(ctx, b.OutputFileID)
	if err != nil {
		t.Fatalf("get output file: %v", err)
	}
	if out.Purpose != "batch_output" || out.Bytes != int64(len(output)) || out.Filename != b.ID+"_output.jsonl" ||
		out.CreatedAt != epoch+100 || out.ExpiresAt != epoch+100+30*24*3600 {
		t.Errorf("output file = %s", out.RawJSON())
	}

	// More batches, one second apart, listed newest first across pages.
	ids := []string{b.ID}
	for i := range 4 {
		env.clock.set(101*time.Second + time.Duration(i)*time.Second)
		nb, err := client.Batches.New(ctx, openai.BatchNewParams{
			InputFileID:      f.ID,
			Endpoint:         openai.BatchNewParamsEndpointV1ChatCompletions,
			CompletionWindow: openai.BatchNewParamsCompletionWindow24h,
		})
		if err != nil {
			t.Fatalf("create batch %d: %v", i, err)
		}
		ids = append([]string{nb.ID}, ids...)
	}
	var listed []string
	iter := client.Batches.ListAutoPaging(ctx, openai.BatchListParams{Limit: openai.Int(2)})
	for iter.Next() {
		listed = append(listed, iter.Current().ID)
	}
	if err := iter.Err(); err != nil {
		t.Fatalf("list batches: %v", err)
	}
	if strings.Join(listed, " ") != strings.Join(ids, " ") {
		t.Errorf("listed batches %v, want %v", listed, ids)
	}
	var queries []string
	for _, ex := range rec.all() {
		if ex.method == http.MethodGet && ex.path == "/v1/batches" {
			queries = append(queries, ex.query)
		}
	}
	wantQueries := []string{"limit=2", "after=" + ids[1] + "&limit=2", "after=" + ids[3] + "&limit=2"}
	if strings.Join(queries, " ") != strings.Join(wantQueries, " ") {
		t.Errorf("list queries %q, want %q", queries, wantQueries)
	}

	testSDKCancel(t, env, client, f.ID)

	files, err := client.Files.List(ctx, openai.FileListParams{Purpose: openai.String("batch_output")})
	if err != nil {
		t.Fatalf("list files: %v", err)
	}
	// Five batches completed with an output and an error file each, and
	// the cancelled one had run one good and one failed request.
	if n := len(files.Data); n != 12 || files.HasMore {
		t.Errorf("listed %d batch_output files (has_more %v), want 12: %s", n, files.HasMore, files.RawJSON())
	}
	del, err := client.Files.Delete(ctx, f.ID)
	if err != nil || !del.Deleted || del.ID != f.ID {
		t.Fatalf("delete file: %v %s", err, del.RawJSON())
	}
	_, err = client.Files.Get(ctx, f.ID)
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound || apiErr.Type != "invalid_request_error" {
		t.Errorf("get deleted file: %v", err)
	}

	t.Run("spec", func(t *testing.T) {
		spec := specOrSkip(t)
		for _, ex := range rec.all() {
			if ex.status != http.StatusOK || strings.HasSuffix(ex.path, "/content") {
				continue // error bodies are checked below; content is JSONL
			}
			spec.checkExchange(t, ex)
		}
		for _, ex := range rec.all() {
			if ex.status >= 400 {
				spec.checkSchema(t, "ErrorResponse", ex.body)
			}
		}
	})
}

// testSDKCancel cancels a batch halfway and checks what it reports.
func testSDKCancel(t *testing.T, env *testEnv, client openai.Client, inputID string) {
	t.Helper()
	ctx := t.Context()
	epoch := testEpoch.Unix()
	env.clock.set(200 * time.Second)
	b, err := client.Batches.New(ctx, openai.BatchNewParams{
		InputFileID:      inputID,
		Endpoint:         openai.BatchNewParamsEndpointV1ChatCompletions,
		CompletionWindow: openai.BatchNewParamsCompletionWindow24h,
	})
	if err != nil {
		t.Fatalf("create batch: %v", err)
	}
	// At 245s, (245-210)/70 of the 5 requests have run: q1 and q2.
	env.clock.set(245 * time.Second)
	for range 2 { // cancelling twice is the same as once
		b, err = client.Batches.Cancel(ctx, b.ID)
		if err != nil {
			t.Fatalf("cancel: %v", err)
		}
		if b.Status != openai.BatchStatusCancelling || b.CancellingAt != epoch+245 || b.RequestCounts.Completed != 1 || b.RequestCounts.Failed != 1 {
			t.Errorf("cancelling batch = %s", b.RawJSON())
		}
	}
	env.clock.set(255 * time.Second)
	if b, err = client.Batches.Get(ctx, b.ID); err != nil {
		t.Fatalf("get: %v", err)
	}
	if b.Status != openai.BatchStatusCancelled || b.CancelledAt != epoch+255 || b.FinalizingAt != 0 ||
		b.RequestCounts.Total != 5 || b.RequestCounts.Completed != 1 || b.RequestCounts.Failed != 1 {
		t.Errorf("cancelled batch = %s", b.RawJSON())
	}
	var customIDs []string
	for _, f := range []string{b.OutputFileID, b.ErrorFileID} {
		for line := range strings.Lines(downloadSDK(t, client, f)) {
			var l struct {
				CustomID string `json:"custom_id"`
			}
			json.Unmarshal([]byte(line), &l)
			customIDs = append(customIDs, l.CustomID)
		}
	}
	if got := strings.Join(customIDs, " "); got != "q1 q2" {
		t.Errorf("cancelled batch reported %q, want q1 q2", got)
	}
	_, err = client.Batches.Cancel(ctx, b.ID)
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusConflict ||
		apiErr.Message != "Cannot cancel a batch with status 'cancelled'." {
		t.Errorf("cancel a cancelled batch: %v", err)
	}
}

// downloadSDK returns a file's content through the SDK.
func downloadSDK(t *testing.T, client openai.Client, id string) string {
	t.Helper()
	resp, err := client.Files.Content(t.Context(), id)
	if err != nil {
		t.Fatalf("content %s: %v", id, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("content %s: %v", id, err)
	}
	return string(b)
}

// checkChatBodiesParse decodes each output line's body as the SDK's
// ChatCompletion and checks it kept the answer.
func checkChatBodiesParse(t *testing.T, output string) {
	t.Helper()
	for line := range strings.Lines(output) {
		var l struct {
			Response struct {
				Body json.RawMessage `json:"body"`
			} `json:"response"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("output line %s: %v", line, err)
		}
		var cc openai.ChatCompletion
		if err := json.Unmarshal(l.Response.Body, &cc); err != nil {
			t.Errorf("SDK cannot decode %s: %v", l.Response.Body, err)
			continue
		}
		if len(cc.Choices) != 1 || cc.Choices[0].Message.Content == "" || cc.Usage.TotalTokens == 0 {
			t.Errorf("SDK decoded %s as %+v", l.Response.Body, cc)
		}
	}
}

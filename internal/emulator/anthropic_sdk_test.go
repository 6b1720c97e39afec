package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"
)

const anthropicTestKey = "sk-ant-test"

func newAnthropicSDKClient(env *testEnv, rec *recorder) anthropic.Client {
	return anthropic.NewClient(
		option.WithBaseURL(env.http.URL),
		option.WithAPIKey(anthropicTestKey),
		option.WithHTTPClient(&http.Client{Transport: rec}),
		option.WithMaxRetries(0),
	)
}

// sdkRequest is a batch request of one user message.
func sdkRequest(customID, model, prompt string) anthropic.MessageBatchNewParamsRequest {
	return anthropic.MessageBatchNewParamsRequest{
		CustomID: customID,
		Params: anthropic.MessageBatchNewParamsRequestParams{
			Model:     anthropic.Model(model),
			MaxTokens: 1024,
			Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(prompt))},
		},
	}
}

// sdkTime formats a test time as the emulator writes timestamps.
func sdkTime(d time.Duration) string { return testEpoch.Add(d).Format("2006-01-02T15:04:05.000000Z") }

func TestAnthropicSDK(t *testing.T) {
	env := newTestEnv(t, Options{Duration: 100 * time.Second, APIKey: anthropicTestKey})
	rec := &recorder{base: env.http.Client().Transport}
	client := newAnthropicSDKClient(env, rec)
	ctx := t.Context()

	system := sdkRequest("q6", "fixed", "Bye")
	system.Params.System = []anthropic.TextBlockParam{{Text: "Be brief."}}
	noTokens := sdkRequest("q8", "claude-sonnet-4-5", "Hi")
	noTokens.Params.MaxTokens = 0
	requests := []anthropic.MessageBatchNewParamsRequest{
		sdkRequest("q1", "claude-sonnet-4-5", "Hello <world> & all"),
		sdkRequest("q2", "claude-sonnet-4-5", "[fail:429] slow down"),
		sdkRequest("q3", "claude-sonnet-4-5", "[error] boom"),
		sdkRequest("q4", "claude-sonnet-4-5", "[drop] gone"),
		sdkRequest("q5", "claude-sonnet-4-5", "[expire] later"),
		system,
		sdkRequest("q7", "claude-sonnet-4-5", "[fail] no"),
		noTokens,
	}
	b, err := client.Messages.Batches.New(ctx, anthropic.MessageBatchNewParams{Requests: requests})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if !regexp.MustCompile(`^msgbatch_[0-9A-Za-z]{24}$`).MatchString(b.ID) || b.ProcessingStatus != anthropic.MessageBatchProcessingStatusInProgress ||
		b.RequestCounts.Processing != 8 || b.CreatedAt != testEpoch || b.ExpiresAt != testEpoch.Add(24*time.Hour) ||
		b.JSON.EndedAt.Raw() != "null" || b.JSON.ResultsURL.Raw() != "null" || b.JSON.CancelInitiatedAt.Raw() != "null" {
		t.Errorf("created batch = %s", b.RawJSON())
	}
	if want := `"created_at":"` + sdkTime(0) + `"`; !strings.Contains(b.RawJSON(), want) {
		t.Errorf("created batch = %s, want %s", b.RawJSON(), want)
	}

	env.clock.set(99 * time.Second)
	if b, err = client.Messages.Batches.Get(ctx, b.ID, anthropic.MessageBatchGetParams{}); err != nil {
		t.Fatalf("get: %v", err)
	}
	if b.ProcessingStatus != anthropic.MessageBatchProcessingStatusInProgress || b.RequestCounts.Processing != 8 || b.RequestCounts.Succeeded != 0 {
		t.Errorf("batch at 99s = %s", b.RawJSON())
	}
	env.clock.set(100 * time.Second)
	if b, err = client.Messages.Batches.Get(ctx, b.ID, anthropic.MessageBatchGetParams{}); err != nil {
		t.Fatalf("get: %v", err)
	}
	wantCounts := anthropic.MessageBatchRequestCounts{Processing: 1, Succeeded: 2, Errored: 4, Expired: 1}
	if b.ProcessingStatus != anthropic.MessageBatchProcessingStatusEnded || b.EndedAt != testEpoch.Add(100*time.Second) ||
		b.ResultsURL != env.http.URL+"/v1/messages/batches/"+b.ID+"/results" || !sameCounts(b.RequestCounts, wantCounts) {
		t.Errorf("ended batch = %s", b.RawJSON())
	}

	results := sdkResults(t, client, b.ID)
	wantTypes := "q1:succeeded q2:errored q3:errored q5:expired q6:succeeded q7:errored q8:errored"
	if got := resultTypes(results); got != wantTypes {
		t.Errorf("results %s, want %s", got, wantTypes)
	}
	msg := results[0].Result.AsSucceeded().Message
	if msg.Content[0].Text != "Hello <world> & all" || msg.Model != "claude-sonnet-4-5" || msg.StopReason != anthropic.StopReasonEndTurn ||
		msg.Usage.InputTokens != 4 || msg.Usage.OutputTokens != 4 || msg.Role != "assistant" {
		t.Errorf("q1 message = %s", msg.RawJSON())
	}
	if msg := results[4].Result.AsSucceeded().Message; msg.Content[0].Text != "This is a fixed answer from the batchctl emulator." ||
		msg.Usage.InputTokens != 3 || msg.Usage.OutputTokens != 9 {
		t.Errorf("q6 message = %s", msg.RawJSON())
	}
	errored := results[1].Result.AsErrored().Error
	if errored.Error.Type != "rate_limit_error" || errored.Error.Message != "Rate limited (emulated by [fail:429])" || errored.RequestID == "" {
		t.Errorf("q2 error = %s", errored.RawJSON())
	}
	wantBody := `{"custom_id":"q1","result":{"type":"succeeded","message":{"id":"msg_ID","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hello <world> & all","citations":null}],"stop_reason":"end_turn","stop_sequence":null,"stop_details":null,"usage":{"input_tokens":4,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":4,"output_tokens_details":null,"server_tool_use":null,"service_tier":"batch","inference_geo":null,"speed":null},"container":null,"diagnostics":null}}}
{"custom_id":"q2","result":{"type":"errored","error":{"type":"error","error":{"type":"rate_limit_error","message":"Rate limited (emulated by [fail:429])"},"request_id":"req_ID"}}}
{"custom_id":"q3","result":{"type":"errored","error":{"type":"error","error":{"type":"api_error","message":"Internal server error (emulated by [error])"},"request_id":"req_ID"}}}
{"custom_id":"q5","result":{"type":"expired"}}
{"custom_id":"q6","result":{"type":"succeeded","message":{"id":"msg_ID","type":"message","role":"assistant","model":"fixed","content":[{"type":"text","text":"This is a fixed answer from the batchctl emulator.","citations":null}],"stop_reason":"end_turn","stop_sequence":null,"stop_details":null,"usage":{"input_tokens":3,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":9,"output_tokens_details":null,"server_tool_use":null,"service_tier":"batch","inference_geo":null,"speed":null},"container":null,"diagnostics":null}}}
{"custom_id":"q7","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error","message":"Invalid request (emulated by [fail])"},"request_id":"req_ID"}}}
{"custom_id":"q8","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Input should be greater than or equal to 1"},"request_id":"req_ID"}}}
`
	if got := normalizeIDs(lastResultsBody(t, rec)); got != wantBody {
		t.Errorf("results body:\n%s\nwant:\n%s", got, wantBody)
	}

	ids := testAnthropicSDKList(t, env, client, b.ID)
	testAnthropicSDKCancel(t, env, client)
	testAnthropicSDKDelete(t, env, client, ids[0])

	t.Run("spec", func(t *testing.T) { checkAnthropicExchanges(t, rec.all()) })
}

// sameCounts compares request counts by value.
func sameCounts(got, want anthropic.MessageBatchRequestCounts) bool {
	return got.Processing == want.Processing && got.Succeeded == want.Succeeded && got.Errored == want.Errored &&
		got.Canceled == want.Canceled && got.Expired == want.Expired
}

// sdkResults streams a batch's results through the SDK.
func sdkResults(t *testing.T, client anthropic.Client, id string) []anthropic.MessageBatchIndividualResponse {
	t.Helper()
	stream := client.Messages.Batches.ResultsStreaming(t.Context(), id, anthropic.MessageBatchResultsParams{})
	defer stream.Close()
	var out []anthropic.MessageBatchIndividualResponse
	for stream.Next() {
		out = append(out, stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("results of %s: %v", id, err)
	}
	return out
}

// resultTypes lists results as custom_id:type.
func resultTypes(results []anthropic.MessageBatchIndividualResponse) string {
	var parts []string
	for _, r := range results {
		parts = append(parts, r.CustomID+":"+r.Result.Type)
	}
	return strings.Join(parts, " ")
}

// lastResultsBody is the body of the last results download recorded.
func lastResultsBody(t *testing.T, rec *recorder) string {
	t.Helper()
	exchanges := rec.all()
	for i := len(exchanges) - 1; i >= 0; i-- {
		if strings.HasSuffix(exchanges[i].path, "/results") {
			return string(exchanges[i].body)
		}
	}
	t.Fatal("no results download recorded")
	return ""
}

// testAnthropicSDKList creates four more batches, one second apart, and
// lists all five newest first, forwards and backwards; it returns their
// ids, newest first.
func testAnthropicSDKList(t *testing.T, env *testEnv, client anthropic.Client, firstID string) []string {
	t.Helper()
	ctx := t.Context()
	ids := []string{firstID}
	for i := range 4 {
		env.clock.set(101*time.Second + time.Duration(i)*time.Second)
		nb, err := client.Messages.Batches.New(ctx, anthropic.MessageBatchNewParams{
			Requests: []anthropic.MessageBatchNewParamsRequest{sdkRequest("only", "echo", fmt.Sprint("batch ", i))},
		})
		if err != nil {
			t.Fatalf("create batch %d: %v", i, err)
		}
		ids = append([]string{nb.ID}, ids...)
	}
	var listed []string
	iter := client.Messages.Batches.ListAutoPaging(ctx, anthropic.MessageBatchListParams{Limit: anthropic.Int(2)})
	for iter.Next() {
		listed = append(listed, iter.Current().ID)
	}
	if err := iter.Err(); err != nil {
		t.Fatalf("list batches: %v", err)
	}
	if !slices.Equal(listed, ids) {
		t.Errorf("listed batches %v, want %v", listed, ids)
	}
	page, err := client.Messages.Batches.List(ctx, anthropic.MessageBatchListParams{BeforeID: anthropic.String(ids[3]), Limit: anthropic.Int(2)})
	if err != nil {
		t.Fatalf("list before %s: %v", ids[3], err)
	}
	if len(page.Data) != 2 || page.Data[0].ID != ids[1] || page.Data[1].ID != ids[2] || !page.HasMore || page.FirstID != ids[1] || page.LastID != ids[2] {
		t.Errorf("page before %s = %s", ids[3], page.RawJSON())
	}
	if page, err = page.GetNextPage(); err != nil || page == nil || len(page.Data) != 1 || page.Data[0].ID != ids[0] || page.HasMore {
		t.Errorf("next page backwards = %v, %v", page, err)
	}
	return ids
}

// testAnthropicSDKCancel cancels a batch halfway and checks what it
// reports.
func testAnthropicSDKCancel(t *testing.T, env *testEnv, client anthropic.Client) {
	t.Helper()
	ctx := t.Context()
	env.clock.set(200 * time.Second)
	var requests []anthropic.MessageBatchNewParamsRequest
	for i := range 5 {
		requests = append(requests, sdkRequest(fmt.Sprint("c", i), "echo", fmt.Sprint("request ", i)))
	}
	requests[1] = sdkRequest("c1", "echo", "[expire] never")
	b, err := client.Messages.Batches.New(ctx, anthropic.MessageBatchNewParams{Requests: requests})
	if err != nil {
		t.Fatalf("create batch: %v", err)
	}
	// At 245s, (245-210)/70 of the 5 requests have run: c0 and c1.
	env.clock.set(245 * time.Second)
	for range 2 { // cancelling twice is the same as once
		if b, err = client.Messages.Batches.Cancel(ctx, b.ID, anthropic.MessageBatchCancelParams{}); err != nil {
			t.Fatalf("cancel: %v", err)
		}
		if b.ProcessingStatus != anthropic.MessageBatchProcessingStatusCanceling || b.CancelInitiatedAt != testEpoch.Add(245*time.Second) ||
			b.RequestCounts.Processing != 5 || b.JSON.ResultsURL.Raw() != "null" {
			t.Errorf("canceling batch = %s", b.RawJSON())
		}
	}
	env.clock.set(255 * time.Second)
	if b, err = client.Messages.Batches.Get(ctx, b.ID, anthropic.MessageBatchGetParams{}); err != nil {
		t.Fatalf("get: %v", err)
	}
	if b.ProcessingStatus != anthropic.MessageBatchProcessingStatusEnded || b.EndedAt != testEpoch.Add(255*time.Second) ||
		!sameCounts(b.RequestCounts, anthropic.MessageBatchRequestCounts{Succeeded: 1, Canceled: 4}) {
		t.Errorf("cancelled batch = %s", b.RawJSON())
	}
	if got, want := resultTypes(sdkResults(t, client, b.ID)), "c0:succeeded c1:canceled c2:canceled c3:canceled c4:canceled"; got != want {
		t.Errorf("cancelled batch results %s, want %s", got, want)
	}
	_, err = client.Messages.Batches.Cancel(ctx, b.ID, anthropic.MessageBatchCancelParams{})
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest ||
		!strings.Contains(apiErr.RawJSON(), `"type":"invalid_request_error","message":"Message Batch `+b.ID+` has already ended and cannot be canceled"`) {
		t.Errorf("cancel an ended batch: %v", err)
	}
}

// testAnthropicSDKDelete deletes the ended batch id, after failing to
// delete one in progress.
func testAnthropicSDKDelete(t *testing.T, env *testEnv, client anthropic.Client, id string) {
	t.Helper()
	ctx := t.Context()
	running, err := client.Messages.Batches.New(ctx, anthropic.MessageBatchNewParams{
		Requests: []anthropic.MessageBatchNewParamsRequest{sdkRequest("r", "echo", "still running")},
	})
	if err != nil {
		t.Fatalf("create batch: %v", err)
	}
	_, err = client.Messages.Batches.Delete(ctx, running.ID, anthropic.MessageBatchDeleteParams{})
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		t.Errorf("delete a batch in progress: %v", err)
	}
	del, err := client.Messages.Batches.Delete(ctx, id, anthropic.MessageBatchDeleteParams{})
	if err != nil || del.ID != id || del.Type != "message_batch_deleted" {
		t.Fatalf("delete: %v %v", err, del)
	}
	_, err = client.Messages.Batches.Get(ctx, id, anthropic.MessageBatchGetParams{})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound ||
		!strings.Contains(apiErr.RawJSON(), `"type":"not_found_error"`) {
		t.Errorf("get a deleted batch: %v", err)
	}
	if entries, _ := filepath.Glob(filepath.Join(env.dir, "anthropic", "batches", id+"*")); len(entries) != 0 {
		t.Errorf("files left of the deleted batch: %v", entries)
	}
}

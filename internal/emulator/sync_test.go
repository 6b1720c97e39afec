package emulator

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	anthropicoption "github.com/anthropics/anthropic-sdk-go/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"google.golang.org/genai"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// These tests drive the synchronous endpoints with the official SDKs as
// clients, so the wire (paths, headers, bodies, error shapes) is the one
// they expect.

func TestOpenAISyncSDK(t *testing.T) {
	env := newTestEnv(t, Options{APIKey: "sk-test", Faults: "send=503"})
	rec := &recorder{base: env.http.Client().Transport}
	client := newSDKClient(env, rec)
	ctx := t.Context()
	chat := openai.ChatCompletionNewParams{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("Be brief."), openai.UserMessage("Hello there")},
	}

	// send=503: the first synchronous call meets the server fault.
	_, err := client.Chat.Completions.New(ctx, chat)
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("first chat completion: %v, want the 503 of the fault", err)
	}

	got, err := client.Chat.Completions.New(ctx, chat)
	if err != nil {
		t.Fatalf("chat completion: %v", err)
	}
	if got.Choices[0].Message.Content != "Hello there" || got.Model != "gpt-4o-mini" || !strings.HasPrefix(got.ID, "chatcmpl-") ||
		got.Usage.PromptTokens != 4 || got.Usage.CompletionTokens != 2 || got.Created != testEpoch.Unix() {
		t.Errorf("chat completion = %+v", got)
	}

	emb, err := client.Embeddings.New(ctx, openai.EmbeddingNewParams{
		Model:      "text-embedding-3-small",
		Input:      openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"a", "b"}},
		Dimensions: openai.Int(4),
	})
	if err != nil {
		t.Fatalf("embeddings: %v", err)
	}
	if len(emb.Data) != 2 || !slices.Equal(float32s(emb.Data[1].Embedding), core.Embedding("b", 4)) || emb.Usage.PromptTokens != 2 {
		t.Errorf("embeddings = %+v", emb)
	}

	resp, err := client.Responses.New(ctx, responses.ResponseNewParams{
		Model: "gpt-4.1",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Tell me")},
	})
	if err != nil {
		t.Fatalf("responses: %v", err)
	}
	if resp.OutputText() != "Tell me" || resp.Status != responses.ResponseStatusCompleted {
		t.Errorf("response = %+v", resp)
	}

	tests := []struct {
		prompt  string
		status  int
		message string
	}{
		{"[fail:429] slow down", 429, "Rate limit reached for requests. (Emulated by [fail:429].)"},
		{"[fail] bad", 400, "(Emulated by [fail].)"},
		{"[error]", 500, "The request failed without a response (emulated by [error])."},
		{"[expire]", 504, "The request timed out (emulated by [expire])."},
	}
	for _, tt := range tests {
		_, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
			Model:    "gpt-4o-mini",
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(tt.prompt)},
		})
		if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.status || !strings.Contains(apiErr.Message, tt.message) {
			t.Errorf("%s: error %v, want status %d with %q", tt.prompt, err, tt.status, tt.message)
		}
	}

	// [drop] cuts the connection in the middle of the answer.
	_, err = client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("[drop]")},
	})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("[drop]: error %v, want an unexpected EOF", err)
	}

	// TestAnswers checks that each endpoint answers as a batch does, and
	// the batch answers against the OpenAPI spec.
}

// float32s converts an SDK embedding.
func float32s(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func TestAnthropicSyncSDK(t *testing.T) {
	env := newTestEnv(t, Options{APIKey: anthropicTestKey})
	rec := &recorder{base: env.http.Client().Transport}
	client := newAnthropicSDKClient(env, rec)
	ctx := t.Context()

	params := anthropic.MessageNewParams{
		Model:     "claude-sonnet-4-5",
		MaxTokens: 1024,
		System:    []anthropic.TextBlockParam{{Text: "Be brief."}},
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Hello there"))},
	}
	msg, err := client.Messages.New(ctx, params)
	if err != nil {
		t.Fatalf("messages: %v", err)
	}
	if len(msg.Content) != 1 || msg.Content[0].Text != "Hello there" || msg.StopReason != anthropic.StopReasonEndTurn ||
		!strings.HasPrefix(msg.ID, "msg_") || msg.Usage.InputTokens != 4 || msg.Usage.OutputTokens != 2 || msg.Usage.ServiceTier != "standard" {
		t.Errorf("message = %+v", msg)
	}

	// The same params in a batch give the same message, but for its id and
	// service tier.
	batch, err := client.Messages.Batches.New(ctx, anthropic.MessageBatchNewParams{Requests: []anthropic.MessageBatchNewParamsRequest{
		{CustomID: "r1", Params: anthropic.MessageBatchNewParamsRequestParams{Model: params.Model, MaxTokens: params.MaxTokens, System: params.System, Messages: params.Messages}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	results := sdkResults(t, client, batch.ID)
	syncBody := string(rec.all()[0].body)
	batchMsg := results[0].Result.Message.RawJSON()
	normalize := func(s string) string {
		s = strings.TrimSpace(normalizeIDs(s))
		return strings.Replace(strings.Replace(s, `"service_tier":"batch"`, `"service_tier":"TIER"`, 1), `"service_tier":"standard"`, `"service_tier":"TIER"`, 1)
	}
	if normalize(syncBody) != normalize(batchMsg) {
		t.Errorf("POST /v1/messages answered\n%s\nthe batch result's message is\n%s", syncBody, batchMsg)
	}

	tests := []struct {
		prompt  string
		status  int
		errType string
	}{
		{"[fail:529]", 529, "overloaded_error"},
		{"[fail:429]", 429, "rate_limit_error"},
		{"[fail]", 400, "invalid_request_error"},
		{"[error]", 500, "api_error"},
		{"[expire]", 504, "timeout_error"},
	}
	var apiErr *anthropic.Error
	for _, tt := range tests {
		p := params
		p.Messages = []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(tt.prompt))}
		_, err := client.Messages.New(ctx, p)
		if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.status || !strings.Contains(apiErr.RawJSON(), `"type":"`+tt.errType+`"`) {
			t.Errorf("%s: error %v, want status %d of type %s", tt.prompt, err, tt.status, tt.errType)
		}
	}
	p := params
	p.MaxTokens = 0
	if _, err := client.Messages.New(ctx, p); !errors.As(err, &apiErr) || apiErr.StatusCode != 400 ||
		!strings.Contains(apiErr.RawJSON(), "max_tokens: Input should be greater than or equal to 1") {
		t.Errorf("max_tokens 0: %v, want the 400 of a batch request", err)
	}
	checkAnthropicExchanges(t, rec.all())
	bad := anthropic.NewClient(anthropicoption.WithBaseURL(env.http.URL), anthropicoption.WithAPIKey("wrong"), anthropicoption.WithMaxRetries(0))
	if _, err := bad.Messages.New(ctx, params); !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong key: %v, want 401", err)
	}
}

func TestGeminiSyncSDK(t *testing.T) {
	env := newTestEnv(t, Options{APIKey: geminiTestKey})
	rec := &recorder{base: env.http.Client().Transport}
	client := newGenAIClient(t, env, rec)
	ctx := t.Context()

	got, err := client.Models.GenerateContent(ctx, "echo", genai.Text("Hello there"),
		&genai.GenerateContentConfig{SystemInstruction: genai.NewContentFromText("Be brief.", genai.RoleUser)})
	if err != nil {
		t.Fatalf("generateContent: %v", err)
	}
	if got.Text() != "Hello there" || got.UsageMetadata.PromptTokenCount != 4 || got.UsageMetadata.CandidatesTokenCount != 2 ||
		got.Candidates[0].FinishReason != genai.FinishReasonStop || got.ModelVersion != "echo" || got.ResponseID == "" {
		t.Errorf("generateContent = %+v", got)
	}

	tests := []struct {
		prompt string
		code   int
		status string
	}{
		{"[fail:429]", 429, "RESOURCE_EXHAUSTED"},
		{"[fail:503]", 503, "UNAVAILABLE"},
		{"[error]", 500, "INTERNAL"},
		{"[expire]", 504, "DEADLINE_EXCEEDED"},
	}
	for _, tt := range tests {
		_, err := client.Models.GenerateContent(ctx, "echo", genai.Text(tt.prompt), nil)
		var apiErr genai.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != tt.code || apiErr.Status != tt.status {
			t.Errorf("%s: error %v, want %d %s", tt.prompt, err, tt.code, tt.status)
		}
	}

	// The SDK embeds through batchEmbedContents.
	emb, err := client.Models.EmbedContent(ctx, "e", []*genai.Content{genai.NewContentFromText("a b", genai.RoleUser), genai.NewContentFromText("c", genai.RoleUser)},
		&genai.EmbedContentConfig{OutputDimensionality: genai.Ptr[int32](4)})
	if err != nil {
		t.Fatalf("embedContent: %v", err)
	}
	if len(emb.Embeddings) != 2 || !slices.Equal(emb.Embeddings[0].Values, core.Embedding("a b", 4)) || !slices.Equal(emb.Embeddings[1].Values, core.Embedding("c", 4)) {
		t.Errorf("embeddings = %+v", emb.Embeddings)
	}
	_, err = client.Models.EmbedContent(ctx, "e", []*genai.Content{genai.NewContentFromText("a", genai.RoleUser), genai.NewContentFromText("[fail:429]", genai.RoleUser)}, nil)
	if apiErr := (genai.APIError{}); !errors.As(err, &apiErr) || apiErr.Code != 429 {
		t.Errorf("embedContent of a [fail:429]: %v", err)
	}
	t.Run("spec", func(t *testing.T) { geminiSpecOrSkip(t).checkExchanges(t, rec.all()) })

	// :embedContent is the method a request of an embedding batch takes.
	r := env.geminiCall("POST", "/v1beta/models/e:embedContent", `{"content":{"parts":[{"text":"a b"}]},"outputDimensionality":4}`, nil)
	want := geminiJSON(map[string]any{"embedding": map[string]any{"values": core.Embedding("a b", 4)}, "usageMetadata": map[string]any{"promptTokenCount": 2}})
	if r.status != 200 || strings.TrimSpace(string(r.body)) != want {
		t.Errorf("embedContent: %d %s\nwant %s", r.status, r.body, want)
	}
	if r := env.geminiCall("POST", "/v1beta/models/e:embedContent", `{"content":{"parts":[{"text":"[fail:400]"}]}}`, nil); r.status != 400 {
		t.Errorf("embedContent [fail:400]: %d %s", r.status, r.body)
	}
	if r := env.geminiCall("POST", "/v1beta/models/echo:generateContent", `{}`, http.Header{"X-Goog-Api-Key": {"wrong"}}); r.status != http.StatusUnauthorized {
		t.Errorf("wrong key: %d %s", r.status, r.body)
	}
}

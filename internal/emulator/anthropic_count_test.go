package emulator

import (
	"errors"
	"net/http"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
)

// TestAnthropicCountTokensSDK drives POST /v1/messages/count_tokens with
// the official Go SDK (Messages.CountTokens): the SDK's request is
// accepted and its answer read, with batchctl's deterministic count: 3 a
// message and for the reply, the role, and the o200k_base tokens of the
// text ("Hello" 1, "Be brief." 3).
func TestAnthropicCountTokensSDK(t *testing.T) {
	env := newTestEnv(t, Options{APIKey: anthropicTestKey})
	rec := &recorder{base: env.http.Client().Transport}
	client := newAnthropicSDKClient(env, rec)
	hello := []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Hello"))}

	got, err := client.Messages.CountTokens(t.Context(), anthropic.MessageCountTokensParams{
		Model: "claude-sonnet-4-5", Messages: hello,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.InputTokens != 3+1+1+3 {
		t.Errorf("input_tokens %d, want 8", got.InputTokens)
	}
	got, err = client.Messages.CountTokens(t.Context(), anthropic.MessageCountTokensParams{
		Model: "claude-sonnet-4-5", Messages: hello,
		System: anthropic.MessageCountTokensParamsSystemUnion{OfTextBlockArray: []anthropic.TextBlockParam{{Text: "Be brief."}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.InputTokens != 8+3+3 {
		t.Errorf("with a system prompt: input_tokens %d, want 14", got.InputTokens)
	}

	// no messages: the API's 400
	_, err = client.Messages.CountTokens(t.Context(), anthropic.MessageCountTokensParams{Model: "claude-sonnet-4-5"})
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		t.Errorf("without messages: %v, want a 400", err)
	}
}

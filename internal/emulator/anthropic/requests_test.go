package anthropic

import (
	"encoding/json"
	"testing"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// TestAnthropicRequestChecks checks the params the API checks only when a
// request runs: they come back as errored results.
func TestAnthropicRequestChecks(t *testing.T) {
	tests := []struct {
		params  string
		message string
	}{
		{`{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}`, "max_tokens: Input should be greater than or equal to 1"},
		{`{"model":"m","max_tokens":5,"messages":[]}`, "messages: List should have at least 1 item after validation, not 0"},
		{`{"model":"m","max_tokens":5,"messages":[{"role":"system","content":"hi"}]}`, "messages.0.role: Input should be 'user' or 'assistant'"},
		{`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":7}]}`, "messages.1.content: Input should be a valid string or a list of content blocks"},
		{`{"model":"m","max_tokens":5,"messages":[{"role":"user"}]}`, "messages.0.content: Input should be a valid string or a list of content blocks"},
		{`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"system":{}}`, "system: Input should be a valid string or a list of text blocks"},
		{`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"stream":true}`, "stream: streaming is not supported in message batches"},
		{`{"model":"m","max_tokens":5,"messages":[{"role":7}]}`, "messages.role: Input should be a string"},
	}
	for _, tt := range tests {
		t.Run(tt.message, func(t *testing.T) {
			run := execute(json.RawMessage(tt.params))
			if run.outcome != core.OutcomeFailed || run.errType != "invalid_request_error" || run.errMessage != tt.message {
				t.Errorf("run = %+v, want invalid_request_error %q", run, tt.message)
			}
		})
	}
}

func TestAnthropicMarkers(t *testing.T) {
	tests := []struct {
		prompt           string
		outcome          core.Outcome
		errType, message string
	}{
		{"[fail] x", core.OutcomeFailed, "invalid_request_error", "Invalid request (emulated by [fail])"},
		{"[fail:401]", core.OutcomeFailed, "authentication_error", "Authentication error (emulated by [fail:401])"},
		{"[fail:404]", core.OutcomeFailed, "not_found_error", "Not found (emulated by [fail:404])"},
		{"[fail:413]", core.OutcomeFailed, "request_too_large", "Request too large (emulated by [fail:413])"},
		{"[fail:418]", core.OutcomeFailed, "invalid_request_error", "Invalid request (emulated by [fail:418])"},
		{"[fail:429]", core.OutcomeFailed, "rate_limit_error", "Rate limited (emulated by [fail:429])"},
		{"[fail:500]", core.OutcomeFailed, "api_error", "Internal server error (emulated by [fail:500])"},
		{"[fail:504]", core.OutcomeFailed, "timeout_error", "Request timeout (emulated by [fail:504])"},
		{"[fail:529]", core.OutcomeFailed, "overloaded_error", "Overloaded (emulated by [fail:529])"},
		{"[error]", core.OutcomeFailed, "api_error", "Internal server error (emulated by [error])"},
		{"[expire]", core.OutcomeExpired, "", ""},
		{"[drop]", core.OutcomeDropped, "", ""},
		{"plain", core.OutcomeSucceeded, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.prompt, func(t *testing.T) {
			params, _ := json.Marshal(map[string]any{"model": "m", "max_tokens": 5, "messages": []map[string]string{{"role": "user", "content": tt.prompt}}})
			run := execute(params)
			if run.outcome != tt.outcome || run.errType != tt.errType || run.errMessage != tt.message {
				t.Errorf("run = %+v, want outcome %d, %s %q", run, tt.outcome, tt.errType, tt.message)
			}
		})
	}
}

// TestAnthropicAnswer checks the echo, the prompt of content blocks, the
// system prompt and the token counts.
func TestAnthropicAnswer(t *testing.T) {
	params := `{"model":"claude-haiku-4-5","max_tokens":5,"system":[{"type":"text","text":"You are terse."}],"messages":[` +
		`{"role":"user","content":"first question"},{"role":"assistant","content":"an answer"},` +
		`{"role":"user","content":[{"type":"image","source":{}},{"type":"text","text":"What is "},{"type":"text","text":"this?"}]}]}`
	run := execute(json.RawMessage(params))
	want := execution{outcome: core.OutcomeSucceeded, model: "claude-haiku-4-5", text: "What is this?", inputTokens: 3 + 2 + 2 + 3, outputTokens: 3}
	if run != want {
		t.Errorf("run = %+v, want %+v", run, want)
	}
}

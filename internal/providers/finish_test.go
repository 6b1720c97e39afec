package providers

import "testing"

func TestNormalizeFinishReason(t *testing.T) {
	tests := map[string]string{
		"stop": "stop", "length": "length", "tool_calls": "tool_calls", "content_filter": "content_filter",
		"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls", "refusal": "content_filter",
		"STOP": "stop", "MAX_TOKENS": "length", "SAFETY": "content_filter", "RECITATION": "content_filter",
		"completed": "stop", "max_output_tokens": "length",
		"pause_turn": "pause_turn", "FINISH_REASON_UNSPECIFIED": "finish_reason_unspecified", "": "",
	}
	for in, want := range tests {
		if got := NormalizeFinishReason(in); got != want {
			t.Errorf("NormalizeFinishReason(%q) = %q, want %q", in, got, want)
		}
	}
}

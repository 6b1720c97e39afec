package providers

import "strings"

// The normalized finish reasons of a result's finish_reason.
const (
	FinishStop          = "stop"           // the model ended, or hit a stop sequence
	FinishLength        = "length"         // the output token limit was reached
	FinishContentFilter = "content_filter" // withheld or cut by a safety filter
	FinishToolCalls     = "tool_calls"     // the model asked for a tool
)

// finishReasons maps each provider's spelling to the normalized one.
var finishReasons = map[string]string{
	// OpenAI chat completions (already normalized) and legacy completions
	"stop": FinishStop, "length": FinishLength, "content_filter": FinishContentFilter,
	"tool_calls": FinishToolCalls, "function_call": FinishToolCalls,
	// OpenAI Responses API (status / incomplete_details.reason)
	"completed": FinishStop, "max_output_tokens": FinishLength,
	// Anthropic stop_reason
	"end_turn": FinishStop, "stop_sequence": FinishStop, "max_tokens": FinishLength,
	"tool_use": FinishToolCalls, "refusal": FinishContentFilter,
	// Amazon Nova stopReason (others are Anthropic's spellings)
	"content_filtered": FinishContentFilter,
	// Gemini finishReason and prompt blockReason
	"STOP": FinishStop, "MAX_TOKENS": FinishLength, "SAFETY": FinishContentFilter,
	"RECITATION": FinishContentFilter, "BLOCKLIST": FinishContentFilter,
	"PROHIBITED_CONTENT": FinishContentFilter, "SPII": FinishContentFilter,
	"IMAGE_SAFETY": FinishContentFilter, "MALFORMED_FUNCTION_CALL": FinishToolCalls,
	"UNEXPECTED_TOOL_CALL": FinishToolCalls,
}

// NormalizeFinishReason maps a provider's finish reason to the common
// vocabulary (stop, length, content_filter, tool_calls); a reason with no
// common meaning is passed on in lower case. The provider's own value stays
// in the result's response.
func NormalizeFinishReason(reason string) string {
	if r, ok := finishReasons[reason]; ok {
		return r
	}
	return strings.ToLower(reason)
}

// NormalizeFinish maps the result's finish_reason to the common vocabulary
// (see NormalizeFinishReason), allocating only when it changes.
func (r *Result) NormalizeFinish() {
	if r.FinishReason == nil {
		return
	}
	if fr := NormalizeFinishReason(*r.FinishReason); fr != *r.FinishReason {
		r.FinishReason = &fr
	}
}

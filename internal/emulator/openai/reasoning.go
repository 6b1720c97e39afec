package openai

import "strings"

// The emulator's reasoning models think as many tokens as they answer,
// deterministically: a request to one is billed its answer's tokens twice,
// completion_tokens (output_tokens on /v1/responses) counting the reasoning
// as OpenAI's do, and completion_tokens_details.reasoning_tokens
// (output_tokens_details.reasoning_tokens) being half of them. A batch of
// such a model reports half its output tokens as reasoning in its usage.
// Other models reason 0 tokens.

// reasoningModel reports whether model is one of OpenAI's reasoning
// models: the o-series (o1, o3, o4-mini, ...) and gpt-5 but for its chat
// variant (platform.openai.com/docs/guides/reasoning).
func reasoningModel(model string) bool {
	for _, family := range [...]string{"o1", "o3", "o4"} {
		if strings.HasPrefix(model, family) && (len(model) == len(family) || model[len(family)] == '-') {
			return true
		}
	}
	return (model == "gpt-5" || strings.HasPrefix(model, "gpt-5-") || strings.HasPrefix(model, "gpt-5.")) &&
		!strings.HasPrefix(model, "gpt-5-chat")
}

// withReasoning returns the output tokens of an answer of answer tokens by
// model, and the reasoning tokens among them.
func withReasoning(model string, answer int64) (output, reasoning int64) {
	if reasoningModel(model) {
		return 2 * answer, answer
	}
	return answer, 0
}

// batchReasoning is the reasoning tokens among the output tokens of a
// batch of model's requests.
func batchReasoning(model string, output int64) int64 {
	if reasoningModel(model) {
		return output / 2
	}
	return 0
}

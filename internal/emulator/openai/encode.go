package openai

import (
	"strconv"

	"github.com/batchctl/batchctl/internal/providers"
)

// A batch's output file has a line for each of its requests, most of them
// chat completions; encoding/json took a third of the emulator's work
// writing them. appendOutputLine writes those lines by hand, with the
// bytes the encoding/json form has (core.ContentFile.Add: no HTML
// escaping), which encode_test.go checks; any other line is left to
// encoding/json.

// appendOutputLine appends ol as one line of JSON, newline included, and
// true; or dst and false when its body is not a chat completion.
func appendOutputLine(dst []byte, ol *outputLine) ([]byte, bool) {
	var body *chatCompletion
	if ol.Response != nil {
		var ok bool
		if body, ok = ol.Response.Body.(*chatCompletion); !ok {
			return dst, false
		}
	}
	dst = append(dst, `{"id":`...)
	dst = providers.AppendString(dst, ol.ID)
	dst = append(dst, `,"custom_id":`...)
	dst = providers.AppendString(dst, ol.CustomID)
	dst = append(dst, `,"response":`...)
	if r := ol.Response; r == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, `{"status_code":`...)
		dst = strconv.AppendInt(dst, int64(r.StatusCode), 10)
		dst = append(dst, `,"request_id":`...)
		dst = providers.AppendString(dst, r.RequestID)
		dst = append(dst, `,"body":`...)
		dst = appendChatCompletion(dst, body)
		dst = append(dst, '}')
	}
	dst = append(dst, `,"error":`...)
	if e := ol.Error; e == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, `{"code":`...)
		dst = providers.AppendString(dst, e.Code)
		dst = append(dst, `,"message":`...)
		dst = providers.AppendString(dst, e.Message)
		dst = append(dst, '}')
	}
	return append(dst, "}\n"...), true
}

func appendChatCompletion(dst []byte, c *chatCompletion) []byte {
	dst = append(dst, `{"id":`...)
	dst = providers.AppendString(dst, c.ID)
	dst = append(dst, `,"object":`...)
	dst = providers.AppendString(dst, c.Object)
	dst = append(dst, `,"created":`...)
	dst = strconv.AppendInt(dst, c.Created, 10)
	dst = append(dst, `,"model":`...)
	dst = providers.AppendString(dst, c.Model)
	dst = append(dst, `,"choices":`...)
	if c.Choices == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i := range c.Choices {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendChatChoice(dst, &c.Choices[i])
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"usage":`...)
	dst = appendCompletionUsage(dst, &c.Usage)
	dst = append(dst, `,"service_tier":`...)
	dst = providers.AppendString(dst, c.ServiceTier)
	return append(dst, '}')
}

func appendChatChoice(dst []byte, c *chatChoice) []byte {
	dst = append(dst, `{"index":`...)
	dst = strconv.AppendInt(dst, int64(c.Index), 10)
	m := &c.Message
	dst = append(dst, `,"message":{"role":`...)
	dst = providers.AppendString(dst, m.Role)
	dst = append(dst, `,"content":`...)
	dst = appendStringPtr(dst, m.Content)
	dst = append(dst, `,"refusal":`...)
	dst = appendStringPtr(dst, m.Refusal)
	dst = append(dst, `,"annotations":`...)
	if m.Annotations == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, a := range m.Annotations {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = providers.AppendString(dst, a)
		}
		dst = append(dst, ']')
	}
	if len(m.ToolCalls) > 0 {
		dst = append(dst, `,"tool_calls":[`...)
		for i, tc := range m.ToolCalls {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"id":`...)
			dst = providers.AppendString(dst, tc.ID)
			dst = append(dst, `,"type":`...)
			dst = providers.AppendString(dst, tc.Type)
			dst = append(dst, `,"function":{"name":`...)
			dst = providers.AppendString(dst, tc.Function.Name)
			dst = append(dst, `,"arguments":`...)
			dst = providers.AppendString(dst, tc.Function.Arguments)
			dst = append(dst, "}}"...)
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `},"logprobs":`...)
	if c.Logprobs == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, "{}"...)
	}
	dst = append(dst, `,"finish_reason":`...)
	dst = providers.AppendString(dst, c.FinishReason)
	return append(dst, '}')
}

func appendCompletionUsage(dst []byte, u *completionUsage) []byte {
	dst = append(dst, `{"prompt_tokens":`...)
	dst = strconv.AppendInt(dst, u.PromptTokens, 10)
	dst = append(dst, `,"completion_tokens":`...)
	dst = strconv.AppendInt(dst, u.CompletionTokens, 10)
	dst = append(dst, `,"total_tokens":`...)
	dst = strconv.AppendInt(dst, u.TotalTokens, 10)
	if d := u.PromptTokensDetails; d != nil {
		dst = append(dst, `,"prompt_tokens_details":{"cached_tokens":`...)
		dst = strconv.AppendInt(dst, d.CachedTokens, 10)
		dst = append(dst, `,"audio_tokens":`...)
		dst = strconv.AppendInt(dst, d.AudioTokens, 10)
		dst = append(dst, '}')
	}
	if d := u.CompletionTokensDetails; d != nil {
		dst = append(dst, `,"completion_tokens_details":{"reasoning_tokens":`...)
		dst = strconv.AppendInt(dst, d.ReasoningTokens, 10)
		dst = append(dst, `,"audio_tokens":`...)
		dst = strconv.AppendInt(dst, d.AudioTokens, 10)
		dst = append(dst, `,"accepted_prediction_tokens":`...)
		dst = strconv.AppendInt(dst, d.AcceptedPredictionTokens, 10)
		dst = append(dst, `,"rejected_prediction_tokens":`...)
		dst = strconv.AppendInt(dst, d.RejectedPredictionTokens, 10)
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

func appendStringPtr(dst []byte, s *string) []byte {
	if s == nil {
		return append(dst, "null"...)
	}
	return providers.AppendString(dst, *s)
}

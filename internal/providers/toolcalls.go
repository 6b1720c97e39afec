package providers

import (
	"bytes"
	"encoding/json"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// OutputTool is the name of the tool batchctl forces a model without
// structured outputs to call, its input schema the requested schema
// (internal/jsonl). A call of it is the answer, not a tool call: the
// providers' Normalize put its input in the result's text.
const OutputTool = "batchctl_output"

// ToolCalls collects the tool calls of an answer into a result line's
// tool_calls, the same for every provider:
//
//	[{"id":"call_1","name":"get_weather","arguments":{"city":"Paris"}}]
//
// id is the provider's id of the call (OpenAI tool_calls[].id and
// Responses call_id, Anthropic tool_use id, Gemini functionCall id), null
// when it gives none (Gemini's, most of the time); arguments is the
// parsed JSON of the arguments, or, when OpenAI's arguments string is not
// JSON, that string as it came (the schema check reports it).
type ToolCalls struct {
	buf []byte
}

// Add appends a call: id is its raw JSON id, or nil for null; args is
// its raw JSON arguments, an object (Anthropic input, Gemini args), or
// with inString set, a JSON string holding them (OpenAI arguments).
func (t *ToolCalls) Add(id []byte, name string, args []byte, inString bool) {
	if t.buf == nil {
		t.buf = append(t.buf, '[')
	} else {
		t.buf = append(t.buf, ',')
	}
	t.buf = append(t.buf, `{"id":`...)
	if id == nil {
		t.buf = append(t.buf, "null"...)
	} else {
		t.buf = append(t.buf, id...)
	}
	t.buf = jsonscan.AppendQuote(append(t.buf, `,"name":`...), []byte(name))
	t.buf = append(t.buf, `,"arguments":`...)
	t.buf = AppendArguments(t.buf, args, inString)
	t.buf = append(t.buf, '}')
}

// AppendArguments appends arguments as tool_calls carries them: an object
// as it is (compacted, so that it fits on one line), a JSON string that
// holds valid JSON as that JSON, and any other string as it is. A missing
// value is {}.
func AppendArguments(dst, args []byte, inString bool) []byte {
	if len(args) == 0 || string(args) == "null" {
		return append(dst, "{}"...)
	}
	if inString && args[0] == '"' {
		inner := jsonscan.Unquote(args)
		s := jsonscan.New(inner)
		if len(bytes.TrimSpace(inner)) == 0 || s.Skip() != nil || s.End() != nil {
			return append(dst, args...)
		}
		args = inner
	}
	var b bytes.Buffer
	if json.Compact(&b, args) != nil {
		return append(dst, args...)
	}
	return append(dst, b.Bytes()...)
}

// Raw returns the collected calls as a JSON array, or nil when there are
// none (tool_calls is null then).
func (t *ToolCalls) Raw() json.RawMessage {
	if t.buf == nil {
		return nil
	}
	return append(json.RawMessage(nil), append(t.buf, ']')...)
}

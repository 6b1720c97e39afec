package core

import (
	"encoding/json"
	"fmt"
)

// Tool is a function a request offers the model, in any provider's terms:
// its name and its parameters' JSON Schema (nil for none).
type Tool struct {
	Name   string
	Params json.RawMessage
}

// ToolUse is how a request lets the model use its tools.
type ToolUse struct {
	Tools  []Tool
	None   bool   // the model must not call a tool (OpenAI "none", Anthropic none, Gemini NONE)
	Must   bool   // the model must call a tool (OpenAI "required", Anthropic any, Gemini ANY)
	Forced string // the tool the model must call, or ""
	// Answered is set when the conversation ends with tool results: the
	// model then answers in text, unless it must call a tool.
	Answered bool
}

// ToolCall is the call the emulator answers a tool request with.
type ToolCall struct {
	Name      string
	Arguments json.RawMessage // a JSON object
}

// ChooseToolCall returns the emulator's deterministic answer to a request
// with tools: a call of the forced tool, or else of the first tool, whose
// arguments are the minimal instance of its parameters (MinimalInstance,
// strings filled with fill), when the request lets the model call one and
// the conversation does not end with tool results; ok is false when the
// answer is text. The error is that of a tool the emulator cannot call:
// one forced but not offered, or parameters MinimalInstance refuses.
func ChooseToolCall(u ToolUse, fill string) (call ToolCall, ok bool, err error) {
	if len(u.Tools) == 0 || u.None || (u.Answered && !u.Must && u.Forced == "") {
		return ToolCall{}, false, nil
	}
	t := u.Tools[0]
	if u.Forced != "" {
		found := false
		for _, c := range u.Tools {
			if c.Name == u.Forced {
				t, found = c, true
				break
			}
		}
		if !found {
			return ToolCall{}, false, fmt.Errorf("the tool %q to call is not among the tools", u.Forced)
		}
	}
	args := json.RawMessage(`{}`)
	if len(t.Params) > 0 && string(t.Params) != "null" {
		if args, err = MinimalInstance(t.Params, fill); err != nil {
			return ToolCall{}, false, fmt.Errorf("tool %q: %w", t.Name, err)
		}
	}
	return ToolCall{Name: t.Name, Arguments: args}, true, nil
}

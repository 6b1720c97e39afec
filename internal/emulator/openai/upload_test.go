package openai

import (
	"testing"

	"github.com/batchctl/batchctl/internal/jsonl"
)

// TestConvertedLinesTakePlainPath checks that the chat lines batchctl
// uploads, made by its own converter (internal/jsonl, as `batchctl create`
// runs it), are read by plainChatLine, and read as encoding/json reads
// them. plainChatLine expects one exact shape and leaves any other line to
// the slower scans without an error, so a change to the shape on either
// side would otherwise show only as CPU time in the bench.
//
// The inputs are chat requests of messages and text alone: lines with
// other body members (max_completion_tokens, tools, ...) or with method
// and url inserted before custom_id are not of the plain shape and take
// the scans.
func TestConvertedLinesTakePlainPath(t *testing.T) {
	model := jsonl.Defaults{Model: "gpt-4o-mini"}
	for _, tc := range []struct {
		name string
		def  jsonl.Defaults
		text bool // ConvertOptions.TextInput
		line string
	}{
		// the line of the bench's round trip, passed through as it is
		{"openai line", jsonl.Defaults{}, false, `{"custom_id":"q000001","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"the river ran past the old mill"}]}}`},
		{"openai line given its model by --model", model, false, `{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]}}`},
		{"simple prompt", model, false, `{"prompt":"what is a mill race?"}`},
		{"simple prompt with id, model and system", jsonl.Defaults{}, false, `{"custom_id":"p-7","model":"gpt-4o","system":"be brief","prompt":"café ☕ <&>"}`},
		{"simple messages", jsonl.Defaults{}, false, `{"model":"gpt-4o-mini","messages":[{"role":"system","content":"s"},{"role":"user","content":"x"},{"role":"assistant","content":"y"},{"role":"user","content":"z"}]}`},
		{"--system", jsonl.Defaults{Model: "gpt-4o-mini", System: "answer in French"}, false, `{"prompt":"hello"}`},
		{"text line", model, true, `one prompt in plain text, ünïcode too`},
		{"anthropic request", model, false, `{"custom_id":"a1","params":{"system":"s","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]},{"role":"assistant","content":"yo"},{"role":"user","content":"more"}]}}`},
		{"gemini request", model, false, `{"key":"g1","request":{"systemInstruction":{"parts":[{"text":"s"}]},"contents":[{"role":"user","parts":[{"text":"hi"}]}]}}`},
		{"reasoning model", jsonl.Defaults{Model: "o3-mini"}, false, `{"prompt":"think"}`},
	} {
		c := jsonl.NewConverter("input.jsonl", jsonl.ConvertOptions{Target: jsonl.TargetOpenAI, Defaults: tc.def, TextInput: tc.text})
		out, id, ok := c.Convert(1, []byte(tc.line))
		if _, err := c.Finish(); !ok || err != nil {
			t.Fatalf("%s: %s does not convert: %v", tc.name, tc.line, err)
		}
		got, ok := plainChatLine(out, nil)
		if !ok {
			t.Fatalf("%s: batchctl uploads %s, which plainChatLine leaves to the slower scans", tc.name, out)
		}
		want, lerr := decodeInputLine(out, EndpointChat)
		if lerr != nil {
			t.Fatalf("%s: %s: encoding/json finds %s", tc.name, out, lerr.Message)
		}
		if got.customID != id || got.customID != want.customID || got.model != want.model || string(got.body) != string(want.body) {
			t.Fatalf("%s: %s: plainChatLine reads %+v, encoding/json %+v (id %q)", tc.name, out, got, want, id)
		}
		checkChat(t, string(out), got.chat, nil, want.body)
	}
}

package jsonl

import "testing"

// The targets added beside the first three: OpenRouter and xAI take
// OpenAI's chat bodies, tools and structured outputs included; Mistral's
// writer carries neither yet, so a converted line asking for them is
// refused, naming the member, rather than sent without them.
func TestToolsOnOtherTargets(t *testing.T) {
	line := []byte(`{"custom_id":"a","params":{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}],` +
		`"tools":[{"name":"f","input_schema":{"type":"object","properties":{"x":{"type":"string"}}}}],"tool_choice":{"type":"auto"},` +
		`"output_config":{"format":{"type":"json_schema","schema":{"type":"object"}}}}}`)
	const body = `"messages":[{"role":"user","content":"hi"}],"max_completion_tokens":10,` +
		`"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"x":{"type":"string"}}}}}],` +
		`"tool_choice":"auto","response_format":{"type":"json_schema","json_schema":{"name":"batchctl_output","schema":{"type":"object"}}}}}`
	for _, tc := range []struct {
		target Target
		want   string
	}{
		{TargetOpenRouter, `{"custom_id":"a","body":{"model":"m",` + body},
		{TargetXAI, `{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m",` + body},
	} {
		c := NewConverter("reqs.jsonl", ConvertOptions{Target: tc.target})
		out, _, ok := c.Convert(1, line)
		if !ok || string(out) != tc.want {
			t.Errorf("%s: got %s (ok %v)\nwant %s", tc.target, out, ok, tc.want)
		}
		if string(c.OutputSchema()) != `{"type":"object"}` || !c.OutputNative() {
			t.Errorf("%s: output schema %s native %v", tc.target, c.OutputSchema(), c.OutputNative())
		}
	}

	c := NewConverter("reqs.jsonl", ConvertOptions{Target: TargetMistral})
	if _, _, ok := c.Convert(1, line); ok {
		t.Fatal("mistral: converted a line with tools")
	}
	_, err := c.Finish()
	got := ""
	if err != nil {
		got = err.Error()
	}
	want := "reqs.jsonl:1: params.tools[0]: tools cannot be converted to mistral yet\n" +
		"reqs.jsonl:1: params.output_config.format.schema: a structured output cannot be converted to mistral yet"
	if got != want {
		t.Errorf("mistral problems:\n%s\nwant\n%s", got, want)
	}
}

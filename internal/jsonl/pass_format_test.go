package jsonl

import "testing"

// TestSchemaIntoOwnShape checks that --schema is inserted into lines in
// the target's own shape that ask for no structured output, and that
// OutputSchema reports a line's own schema without touching the line.
func TestSchemaIntoOwnShape(t *testing.T) {
	const obj = `{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}`
	tests := []struct {
		name   string
		target Target
		model  string
		schema string
		line   string
		want   string // the converted line, or the problem
		own    string // OutputSchema
		native bool
	}{
		{"openai chat", TargetOpenAI, "m", obj,
			`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"x"}]}}`,
			`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"response_format":{"type":"json_schema","json_schema":{"name":"batchctl_output","schema":` + obj + `,"strict":true}},"model":"m","messages":[{"role":"user","content":"x"}]}}`,
			obj, true},
		{"openai chat with its own schema", TargetOpenAI, "m", obj,
			`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[],"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"array"}}}}}`,
			`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[],"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"array"}}}}}`,
			`{"type":"array"}`, true},
		{"openai responses with text but no format", TargetOpenAI, "m", obj,
			`{"custom_id":"a","method":"POST","url":"/v1/responses","body":{"model":"m","input":"x","text":{"verbosity":"low"}}}`,
			`in.jsonl:1: body.text: --schema cannot be added next to it`, "", false},
		{"gemini with a generationConfig", TargetGemini, "m", obj,
			`{"key":"a","request":{"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"temperature":1}}}`,
			`{"key":"a","request":{"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"responseMimeType":"application/json","responseJsonSchema":` + obj + `,"temperature":1}}}`,
			obj, true},
		{"gemini with its own responseSchema", TargetGemini, "m", "",
			`{"key":"a","request":{"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"OBJECT","properties":{"n":{"type":"INTEGER","nullable":true}}}}}}`,
			`{"key":"a","request":{"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"OBJECT","properties":{"n":{"type":"INTEGER","nullable":true}}}}}}`,
			`{"properties":{"n":{"type":["integer","null"]}},"type":"object"}`, true},
		{"anthropic, a model with structured outputs", TargetAnthropic, "claude-sonnet-4-5", obj,
			`{"custom_id":"a","params":{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[]}}`,
			`{"custom_id":"a","params":{"output_config":{"format":{"type":"json_schema","schema":` + obj + `}},"model":"claude-sonnet-4-5","max_tokens":5,"messages":[]}}`,
			obj, true},
		{"anthropic, a model without", TargetAnthropic, "claude-3-haiku-20240307", obj,
			`{"custom_id":"a","params":{"model":"claude-3-haiku-20240307","max_tokens":5,"messages":[]}}`,
			`{"custom_id":"a","params":{"tools":[{"name":"batchctl_output","description":"Give the answer as this tool's input.","input_schema":` + obj +
				`}],"tool_choice":{"type":"tool","name":"batchctl_output"},"model":"claude-3-haiku-20240307","max_tokens":5,"messages":[]}}`,
			obj, false},
		{"anthropic, a model without, and tools", TargetAnthropic, "claude-3-haiku-20240307", obj,
			`{"custom_id":"a","params":{"model":"claude-3-haiku-20240307","max_tokens":5,"messages":[],"tools":[]}}`,
			`in.jsonl:1: --schema: "claude-3-haiku-20240307" has no structured outputs, and a schema cannot be carried as a forced tool next to other tools`, "", false},
		{"anthropic limits", TargetAnthropic, "claude-sonnet-4-5", `{"type":"string","maxLength":3}`,
			`{"custom_id":"a","params":{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[]}}`,
			`in.jsonl:1: --schema: "maxLength" is not a keyword anthropic takes`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := ConvertOptions{Target: tt.target, Defaults: Defaults{Model: tt.model}}
			if tt.schema != "" {
				opts.Schema = []byte(tt.schema)
			}
			c := NewConverter("in.jsonl", opts)
			out, _, ok := c.Convert(1, []byte(tt.line))
			got := string(out)
			if !ok {
				_, err := c.Finish()
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if string(c.OutputSchema()) != tt.own || c.OutputNative() != tt.native {
				t.Errorf("OutputSchema %s, native %v; want %s, %v", c.OutputSchema(), c.OutputNative(), tt.own, tt.native)
			}
		})
	}
}

// TestSchemaOption checks --schema itself: it must be a JSON Schema
// object, and for Gemini, one that Gemini takes, reported without a line.
func TestSchemaOption(t *testing.T) {
	for _, tc := range []struct {
		target Target
		schema string
		want   string
	}{
		{TargetOpenAI, `[1]`, "in.jsonl: --schema: must be a JSON Schema object"},
		{TargetGemini, `{"type":"string","pattern":"^a"}`, `in.jsonl: --schema: "pattern" is not a keyword gemini takes`},
	} {
		c := NewConverter("in.jsonl", ConvertOptions{Target: tc.target, Defaults: Defaults{Model: "m"}, Schema: []byte(tc.schema)})
		if _, _, ok := c.Convert(1, []byte(`{"prompt":"x"}`)); ok {
			t.Errorf("%s: the line converted", tc.schema)
		}
		_, err := c.Finish()
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: error %v, want %s", tc.schema, err, tc.want)
		}
	}
}

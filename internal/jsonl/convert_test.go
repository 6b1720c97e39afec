package jsonl

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

// converted is the result of converting some lines.
type converted struct {
	out []string // the converted lines; "" for a line that did not convert
	ids []string
	sum Summary
	err string // the error text of Finish; "" for none
}

// convertLines converts lines, numbered from 1, with opts.
func convertLines(t *testing.T, opts ConvertOptions, lines ...string) converted {
	t.Helper()
	c := NewConverter("reqs.jsonl", opts)
	var res converted
	for i, line := range lines {
		out, id, ok := c.Convert(i+1, []byte(line))
		if ok != (out != nil) {
			t.Fatalf("line %d: Convert returned ok %v with output %q", i+1, ok, out)
		}
		if ok && !json.Valid(out) {
			t.Fatalf("line %d: output is not valid JSON: %s", i+1, out)
		}
		res.out = append(res.out, string(out))
		res.ids = append(res.ids, id)
	}
	sum, err := c.Finish()
	res.sum = sum
	if err != nil {
		var verr *ValidationError
		if !errors.As(err, &verr) {
			t.Fatalf("Finish error is %T, want *ValidationError", err)
		}
		res.err = err.Error()
	}
	return res
}

func intp(n int) *int { return &n }

func floatp(f float64) *float64 { return &f }

// Lines of each shape with the common subset, used by several tests.
const (
	openAIChatLine = `{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini",` +
		`"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello."},` +
		`{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0K"}}]}],` +
		`"max_tokens":100,"temperature":0.5,"top_p":0.9,"stop":"END","n":1,"stream":false}}`
	openAIEmbeddingsLine = `{"custom_id":"e1","method":"POST","url":"/v1/embeddings","body":{"model":"text-embedding-004",` +
		`"input":["The food was delicious."],"dimensions":256,"encoding_format":"float"}}`
	openAIResponsesLine = `{"custom_id":"r1","method":"POST","url":"/v1/responses","body":{"model":"gpt-4.1","instructions":"Be brief.",` +
		`"input":[{"role":"user","content":[{"type":"input_text","text":"What is this?"},{"type":"input_image","image_url":"data:image/png;base64,iVBORw0K"}]},` +
		`{"type":"message","role":"assistant","content":[{"type":"output_text","text":"A logo."}]},{"role":"user","content":"Sure?"}],` +
		`"max_output_tokens":100,"temperature":0.5}}`
	anthropicLine = `{"custom_id":"q1","params":{"model":"claude-sonnet-4-5","max_tokens":100,` +
		`"system":[{"type":"text","text":"Be brief."},{"type":"text","text":"Be kind."}],` +
		`"messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0K"}}]},` +
		`{"role":"assistant","content":[{"type":"text","text":"A logo."}]}],"temperature":0.5,"stop_sequences":["END","STOP"],"stream":false}}`
	geminiLine = `{"key":"q1","request":{"systemInstruction":{"parts":[{"text":"Be brief."}]},` +
		`"contents":[{"parts":[{"text":"What is this?"},{"inlineData":{"mimeType":"image/jpeg","data":"/9j/4AAQ"}}]},` +
		`{"role":"model","parts":[{"text":"A logo."}]},{"role":"user","parts":[{"text":"Sure?"}]}],` +
		`"generationConfig":{"maxOutputTokens":100,"temperature":0.5,"topP":0.9,"stopSequences":["END"],"candidateCount":1}}}`
	geminiEmbedLine = `{"key":"e1","request":{"model":"models/text-embedding-004","content":{"parts":[{"text":"The food was delicious."}]},` +
		`"output_dimensionality":256}}`
	simpleLine = `{"custom_id":"s1","model":"m1","system":"Be brief.","messages":[{"role":"user","content":"Hi"}],` +
		`"max_tokens":50,"temperature":0,"top_p":1,"stop":["END"]}`
	simplePromptLine = `{"prompt":"Hi \"you\" \u00e9"}`
	simpleInputLine  = `{"custom_id":"e1","input":"Hello","dimensions":8}`
)

func TestConvertShapes(t *testing.T) {
	tests := []struct {
		name   string
		target Target
		def    Defaults
		line   string
		want   string
	}{
		// OpenAI batch lines.
		{
			name: "openai chat to openai", target: TargetOpenAI, line: openAIChatLine,
			want: openAIChatLine,
		},
		{
			name: "openai chat to anthropic", target: TargetAnthropic, line: openAIChatLine,
			want: `{"custom_id":"q1","params":{"model":"gpt-4o-mini","max_tokens":100,"system":"Be brief.",` +
				`"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello."},` +
				`{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0K"}}]}],` +
				`"temperature":0.5,"top_p":0.9,"stop_sequences":["END"]}}`,
		},
		{
			name: "openai chat to gemini", target: TargetGemini, line: openAIChatLine,
			want: `{"key":"q1","request":{"contents":[{"role":"user","parts":[{"text":"Hi"}]},{"role":"model","parts":[{"text":"Hello."}]},` +
				`{"role":"user","parts":[{"text":"What is this?"},{"inlineData":{"mimeType":"image/png","data":"iVBORw0K"}}]}],` +
				`"systemInstruction":{"parts":[{"text":"Be brief."}]},` +
				`"generationConfig":{"maxOutputTokens":100,"temperature":0.5,"topP":0.9,"stopSequences":["END"]}}}`,
		},
		{
			name: "openai embeddings to openai", target: TargetOpenAI, line: openAIEmbeddingsLine,
			want: openAIEmbeddingsLine,
		},
		{
			name: "openai embeddings to gemini", target: TargetGemini, def: Defaults{TaskType: "RETRIEVAL_DOCUMENT"},
			line: openAIEmbeddingsLine,
			want: `{"key":"e1","request":{"content":{"parts":[{"text":"The food was delicious."}]},` +
				`"taskType":"RETRIEVAL_DOCUMENT","outputDimensionality":256}}`,
		},
		{
			name: "openai responses to openai", target: TargetOpenAI, line: openAIResponsesLine,
			want: openAIResponsesLine,
		},
		{
			name: "openai responses to anthropic", target: TargetAnthropic, line: openAIResponsesLine,
			want: `{"custom_id":"r1","params":{"model":"gpt-4.1","max_tokens":100,"system":"Be brief.",` +
				`"messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0K"}}]},` +
				`{"role":"assistant","content":"A logo."},{"role":"user","content":"Sure?"}],"temperature":0.5}}`,
		},
		{
			name: "openai responses to gemini", target: TargetGemini, line: openAIResponsesLine,
			want: `{"key":"r1","request":{"contents":[{"role":"user","parts":[{"text":"What is this?"},{"inlineData":{"mimeType":"image/png","data":"iVBORw0K"}}]},` +
				`{"role":"model","parts":[{"text":"A logo."}]},{"role":"user","parts":[{"text":"Sure?"}]}],` +
				`"systemInstruction":{"parts":[{"text":"Be brief."}]},"generationConfig":{"maxOutputTokens":100,"temperature":0.5}}}`,
		},
		{
			name: "openai responses with a string input to anthropic", target: TargetAnthropic,
			line: `{"custom_id":"r1","method":"POST","url":"/v1/responses","body":{"model":"m","input":"Hi","max_output_tokens":9}}`,
			want: `{"custom_id":"r1","params":{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"Hi"}]}}`,
		},
		{
			name: "openai url image to anthropic", target: TargetAnthropic,
			line: `{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"model":"m","max_completion_tokens":5,` +
				`"messages":[{"role":"developer","content":[{"type":"text","text":"A"},{"type":"text","text":"B"}]},` +
				`{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png","detail":"auto"}}]}]}}`,
			want: `{"custom_id":"q1","params":{"model":"m","max_tokens":5,"system":[{"type":"text","text":"A"},{"type":"text","text":"B"}],` +
				`"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}]}]}}`,
		},
		{
			name: "escaped roles and types", target: TargetGemini,
			line: `{"custom_id":"q1","params":{"model":"m","max_tokens":1,"messages":[{"role":"\u0075ser","content":[{"type":"t\u0065xt","text":"Hi"}]},` +
				`{"role":"assist\u0061nt","content":"Yo"}]}}`,
			want: `{"key":"q1","request":{"contents":[{"role":"user","parts":[{"text":"Hi"}]},{"role":"model","parts":[{"text":"Yo"}]}],"generationConfig":{"maxOutputTokens":1}}}`,
		},
		{
			name: "escaped data URL", target: TargetAnthropic,
			line: `{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"model":"m","max_tokens":5,` +
				`"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image\/png;base64,iV\/BOR"}}]}]}}`,
			want: `{"custom_id":"q1","params":{"model":"m","max_tokens":5,` +
				`"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iV/BOR"}}]}]}}`,
		},
		// Anthropic requests.
		{
			name: "anthropic to openai", target: TargetOpenAI, line: anthropicLine,
			want: `{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"model":"claude-sonnet-4-5",` +
				`"messages":[{"role":"system","content":[{"type":"text","text":"Be brief."},{"type":"text","text":"Be kind."}]},` +
				`{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0K"}}]},` +
				`{"role":"assistant","content":"A logo."}],"max_completion_tokens":100,"temperature":0.5,"stop":["END","STOP"]}}`,
		},
		{
			name: "anthropic to anthropic", target: TargetAnthropic, def: Defaults{System: "ignored", Temperature: floatp(1)},
			line: anthropicLine, want: anthropicLine,
		},
		{
			name: "anthropic to gemini", target: TargetGemini, line: anthropicLine,
			want: `{"key":"q1","request":{"contents":[{"role":"user","parts":[{"text":"What is this?"},{"inlineData":{"mimeType":"image/png","data":"iVBORw0K"}}]},` +
				`{"role":"model","parts":[{"text":"A logo."}]}],"systemInstruction":{"parts":[{"text":"Be brief."},{"text":"Be kind."}]},` +
				`"generationConfig":{"maxOutputTokens":100,"temperature":0.5,"stopSequences":["END","STOP"]}}}`,
		},
		{
			name: "anthropic top_k to gemini", target: TargetGemini,
			line: `{"custom_id":"q1","params":{"model":"m","max_tokens":1,"top_k":40,"messages":[{"role":"user","content":"Hi"}]}}`,
			want: `{"key":"q1","request":{"contents":[{"role":"user","parts":[{"text":"Hi"}]}],"generationConfig":{"maxOutputTokens":1,"topK":40}}}`,
		},
		// Gemini lines.
		{
			name: "gemini to openai", target: TargetOpenAI, def: Defaults{Model: "gemini-2.5-flash"}, line: geminiLine,
			want: `{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"model":"gemini-2.5-flash",` +
				`"messages":[{"role":"system","content":"Be brief."},` +
				`{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}}]},` +
				`{"role":"assistant","content":"A logo."},{"role":"user","content":"Sure?"}],` +
				`"max_completion_tokens":100,"temperature":0.5,"top_p":0.9,"stop":["END"]}}`,
		},
		{
			name: "gemini to anthropic", target: TargetAnthropic, def: Defaults{Model: "claude-x"}, line: geminiLine,
			want: `{"custom_id":"q1","params":{"model":"claude-x","max_tokens":100,"system":"Be brief.",` +
				`"messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQ"}}]},` +
				`{"role":"assistant","content":"A logo."},{"role":"user","content":"Sure?"}],"temperature":0.5,"top_p":0.9,"stop_sequences":["END"]}}`,
		},
		{
			name: "gemini to gemini", target: TargetGemini, def: Defaults{Model: "gemini-2.5-flash", MaxTokens: intp(9)},
			line: geminiLine, want: geminiLine,
		},
		{
			name: "gemini snake_case to anthropic", target: TargetAnthropic,
			line: `{"key":"q1","request":{"model":"models/m","contents":[{"role":"user","parts":[{"inline_data":{"mime_type":"image/png","data":"AA=="}}]}],` +
				`"system_instruction":{"role":"system","parts":[{"text":"S"}]},"generation_config":{"max_output_tokens":7,"top_p":0.5,"top_k":3,"stop_sequences":[]}}}`,
			want: `{"custom_id":"q1","params":{"model":"m","max_tokens":7,"system":"S",` +
				`"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AA=="}}]}],` +
				`"top_p":0.5,"top_k":3,"stop_sequences":[]}}`,
		},
		{
			name: "gemini embeddings to openai", target: TargetOpenAI, line: geminiEmbedLine,
			want: `{"custom_id":"e1","method":"POST","url":"/v1/embeddings","body":{"model":"text-embedding-004",` +
				`"input":"The food was delicious.","dimensions":256}}`,
		},
		{
			name: "gemini embeddings to gemini", target: TargetGemini, line: geminiEmbedLine, want: geminiEmbedLine,
		},
		// Simple lines.
		{
			name: "simple messages to openai", target: TargetOpenAI, line: simpleLine,
			want: `{"custom_id":"s1","method":"POST","url":"/v1/chat/completions","body":{"model":"m1",` +
				`"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],` +
				`"max_completion_tokens":50,"temperature":0,"top_p":1,"stop":["END"]}}`,
		},
		{
			name: "simple messages to anthropic", target: TargetAnthropic, line: simpleLine,
			want: `{"custom_id":"s1","params":{"model":"m1","max_tokens":50,"system":"Be brief.",` +
				`"messages":[{"role":"user","content":"Hi"}],"temperature":0,"top_p":1,"stop_sequences":["END"]}}`,
		},
		{
			name: "simple messages to gemini", target: TargetGemini, line: simpleLine,
			want: `{"key":"s1","request":{"contents":[{"role":"user","parts":[{"text":"Hi"}]}],"systemInstruction":{"parts":[{"text":"Be brief."}]},` +
				`"generationConfig":{"maxOutputTokens":50,"temperature":0,"topP":1,"stopSequences":["END"]}}}`,
		},
		{
			name: "simple prompt to openai", target: TargetOpenAI, def: Defaults{Model: "m", MaxTokens: intp(64)},
			line: simplePromptLine,
			want: `{"custom_id":"line-000001","method":"POST","url":"/v1/chat/completions","body":{"model":"m",` +
				`"messages":[{"role":"user","content":"Hi \"you\" \u00e9"}],"max_completion_tokens":64}}`,
		},
		{
			name: "simple prompt to anthropic", target: TargetAnthropic, def: Defaults{Model: "m", MaxTokens: intp(64)},
			line: simplePromptLine,
			want: `{"custom_id":"line-000001","params":{"model":"m","max_tokens":64,"messages":[{"role":"user","content":"Hi \"you\" \u00e9"}]}}`,
		},
		{
			name: "simple prompt to gemini", target: TargetGemini, def: Defaults{Model: "models/m", MaxTokens: intp(64)},
			line: simplePromptLine,
			want: `{"key":"line-000001","request":{"contents":[{"role":"user","parts":[{"text":"Hi \"you\" \u00e9"}]}],"generationConfig":{"maxOutputTokens":64}}}`,
		},
		{
			name: "simple input to openai", target: TargetOpenAI, def: Defaults{Model: "emb", EncodingFormat: "base64"},
			line: simpleInputLine,
			want: `{"custom_id":"e1","method":"POST","url":"/v1/embeddings","body":{"model":"emb","input":"Hello","dimensions":8,"encoding_format":"base64"}}`,
		},
		{
			name: "simple input to gemini", target: TargetGemini, def: Defaults{Model: "emb", EncodingFormat: "float"},
			line: `{"custom_id":"e1","input":["Hello"],"task_type":"CLUSTERING","dimensions":8}`,
			want: `{"key":"e1","request":{"content":{"parts":[{"text":"Hello"}]},"taskType":"CLUSTERING","outputDimensionality":8}}`,
		},
		{
			name: "simple input array to openai", target: TargetOpenAI, def: Defaults{Model: "emb"},
			line: `{"input":["a","b"]}`,
			want: `{"custom_id":"line-000001","method":"POST","url":"/v1/embeddings","body":{"model":"emb","input":["a","b"]}}`,
		},
		{
			name: "simple top_k to anthropic", target: TargetAnthropic, def: Defaults{Model: "m", MaxTokens: intp(1)},
			line: `{"prompt":"Hi","top_k":5,"stop":"END"}`,
			want: `{"custom_id":"line-000001","params":{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"Hi"}],"top_k":5,"stop_sequences":["END"]}}`,
		},
		{
			name: "simple to responses", target: TargetOpenAI, def: Defaults{Model: "gpt-4.1", Endpoint: KindResponses},
			line: `{"custom_id":"s1","system":"Be brief.","messages":[{"role":"user","content":[{"type":"text","text":"What?"},` +
				`{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]},` +
				`{"role":"assistant","content":[{"type":"text","text":"A"},{"type":"text","text":"B"}]}],"max_tokens":10}`,
			want: `{"custom_id":"s1","method":"POST","url":"/v1/responses","body":{"model":"gpt-4.1","input":[{"role":"system","content":"Be brief."},` +
				`{"role":"user","content":[{"type":"input_text","text":"What?"},{"type":"input_image","image_url":"https://example.com/a.png"}]},` +
				`{"role":"assistant","content":[{"type":"output_text","text":"A"},{"type":"output_text","text":"B"}]}],"max_output_tokens":10}}`,
		},
		{
			name: "simple to completions", target: TargetOpenAI, def: Defaults{Model: "gpt-3.5-turbo-instruct", Endpoint: KindCompletions},
			line: `{"prompt":"Once upon","max_tokens":5,"stop":"\n"}`,
			want: `{"custom_id":"line-000001","method":"POST","url":"/v1/completions","body":{"model":"gpt-3.5-turbo-instruct",` +
				`"prompt":"Once upon","max_tokens":5,"stop":"\n"}}`,
		},
		// Pass-through lines that lack a required member.
		{
			name: "openai model from the defaults", target: TargetOpenAI, def: Defaults{Model: "text-embedding-3-small", Dimensions: intp(3)},
			line: `{"custom_id":"q1","method":"POST","url":"/v1/embeddings","body":{"input":"x"}}`,
			want: `{"custom_id":"q1","method":"POST","url":"/v1/embeddings","body":{"model":"text-embedding-3-small","input":"x"}}`,
		},
		{
			name: "openai model into an empty body", target: TargetOpenAI, def: Defaults{Model: "m"},
			line: `{"custom_id":"q1","method":"POST","url":"/v1/moderations","body": { } }`,
			want: `{"custom_id":"q1","method":"POST","url":"/v1/moderations","body": {"model":"m" } }`,
		},
		{
			name: "anthropic model and max_tokens from the defaults", target: TargetAnthropic,
			def:  Defaults{Model: "claude-x", MaxTokens: intp(256), System: "ignored"},
			line: `{"custom_id":"q1","params":{"messages":[{"role":"user","content":"Hi"}]}}`,
			want: `{"custom_id":"q1","params":{"model":"claude-x","max_tokens":256,"messages":[{"role":"user","content":"Hi"}]}}`,
		},
		{
			name: "anthropic max_tokens from the defaults", target: TargetAnthropic, def: Defaults{Model: "x", MaxTokens: intp(256)},
			line: `{"custom_id":"q1","params":{"model":"claude","messages":[]}}`,
			want: `{"custom_id":"q1","params":{"max_tokens":256,"model":"claude","messages":[]}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := convertLines(t, ConvertOptions{Target: tt.target, Defaults: tt.def}, tt.line)
			if res.err != "" {
				t.Fatalf("error:\n%s", res.err)
			}
			if res.out[0] != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", res.out[0], tt.want)
			}
		})
	}
}

// chatBody is an OpenAI chat batch line with the given members added to
// its body.
func chatBody(members string) string {
	return `{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"model":"m","max_tokens":9,` +
		`"messages":[{"role":"user","content":"Hi"}]` + members + `}}`
}

// chatMessages is an OpenAI chat batch line with the given messages.
func chatMessages(messages string) string {
	return `{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"model":"m","max_tokens":9,"messages":` + messages + `}}`
}

// anthropicParams is an Anthropic request with the given members added to
// its params.
func anthropicParams(members string) string {
	return `{"custom_id":"q1","params":{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"Hi"}]` + members + `}}`
}

// geminiRequest is a Gemini line with the given members added to its
// request.
func geminiRequest(members string) string {
	return `{"key":"q1","request":{"contents":[{"parts":[{"text":"Hi"}]}]` + members + `}}`
}

func TestConvertRefusals(t *testing.T) {
	const (
		openai       = TargetOpenAI
		anthropic    = TargetAnthropic
		gemini       = TargetGemini
		simpleFields = "a simple line has custom_id, messages, prompt or input, system, model, max_tokens, " +
			"temperature, top_p, top_k, stop, dimensions, task_type and encoding_format"
	)
	tests := []struct {
		name   string
		target Target
		def    Defaults
		line   string
		want   string // without the "reqs.jsonl:1: " prefix
	}{
		// OpenAI batch lines.
		{"tool name", anthropic, Defaults{}, chatBody(`,"tools":[{"type":"function","function":{"name":"a.b"}}]`),
			`body.tools[0].function.name: "a.b" is not a tool name anthropic takes (want 1 to 64 letters, digits, '_' or '-')`},
		{"tool type", anthropic, Defaults{}, chatBody(`,"tools":[{"type":"custom"}]`),
			`body.tools[0].type: "custom" tools cannot be converted to anthropic`},
		{"tool choice", gemini, Defaults{}, chatBody(`,"tool_choice":"sometimes"`),
			`body.tool_choice: "sometimes" is not a tool choice (want "auto", "none", "required" or a function)`},
		{"parallel tool calls", gemini, Defaults{}, chatBody(`,"parallel_tool_calls":false`),
			"body.parallel_tool_calls: false cannot be converted to gemini"},
		{"strict tool", gemini, Defaults{}, chatBody(`,"tools":[{"type":"function","function":{"name":"f","strict":true}}]`),
			"body.tools[0].function.strict: true cannot be converted to gemini (it has no strict tools)"},
		{"response_format pattern", gemini, Defaults{},
			chatBody(`,"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"object","properties":{"a":{"type":"string","pattern":"^x"}}}}}`),
			`body.response_format.json_schema.schema (at /properties/a): "pattern" is not a keyword gemini takes`},
		{"response_format type", gemini, Defaults{}, chatBody(`,"response_format":{"type":"xml"}`),
			`body.response_format.type: "xml" is not a format (want "text", "json_object" or "json_schema")`},
		{"json mode", anthropic, Defaults{}, chatBody(`,"response_format":{"type":"json_object"}`),
			"body.response_format: JSON mode without a schema cannot be converted to anthropic (give a schema)"},
		{"anthropic number limits", anthropic, Defaults{},
			chatBody(`,"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"integer","minimum":1}}}`),
			`body.response_format.json_schema.schema: "minimum" is not a keyword anthropic takes`},
		{"forced tool not an object", anthropic, Defaults{Model: "claude-3-5-haiku-latest"},
			`{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"max_tokens":5,"messages":[{"role":"user","content":"Hi"}],` +
				`"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"array"}}}}}`,
			`body.response_format.json_schema.schema: "claude-3-5-haiku-latest" has no structured outputs, and a schema that is not of an object cannot be the input of a tool`},
		{"functions", anthropic, Defaults{}, chatBody(`,"functions":[]`), "body.functions: cannot be converted to anthropic"},
		{"n", anthropic, Defaults{}, chatBody(`,"n":2`), "body.n: 2 cannot be converted to anthropic (only 1)"},
		{"logprobs", gemini, Defaults{}, chatBody(`,"logprobs":true`), "body.logprobs: true cannot be converted to gemini (only false)"},
		{"stream", anthropic, Defaults{}, chatBody(`,"stream":true`), "body.stream: true cannot be converted to anthropic (only false)"},
		{"two max tokens", anthropic, Defaults{}, chatBody(`,"max_completion_tokens":5`),
			"body.max_completion_tokens: cannot be used together with max_tokens"},
		{"max tokens missing", anthropic, Defaults{},
			`{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"Hi"}]}}`,
			"body.max_tokens: missing (anthropic requires it; pass --max-tokens)"},
		{"max tokens zero", gemini, Defaults{}, strings.Replace(chatBody(""), `"max_tokens":9`, `"max_tokens":0`, 1),
			"body.max_tokens: must be a positive integer, not 0"},
		{"max tokens fraction", gemini, Defaults{}, strings.Replace(chatBody(""), `"max_tokens":9`, `"max_tokens":1.5`, 1),
			"body.max_tokens: must be a positive integer, not 1.5"},
		{"max tokens huge", gemini, Defaults{}, strings.Replace(chatBody(""), `"max_tokens":9`, `"max_tokens":99999999999`, 1),
			"body.max_tokens: 99999999999 is too large"},
		{"max tokens string", gemini, Defaults{}, strings.Replace(chatBody(""), `"max_tokens":9`, `"max_tokens":"9"`, 1),
			"body.max_tokens: must be a positive integer, not string"},
		{"temperature above anthropic's range", anthropic, Defaults{}, chatBody(`,"temperature":1.5`),
			"body.temperature: 1.5 is out of range for anthropic (0 to 1)"},
		{"temperature negative", gemini, Defaults{}, chatBody(`,"temperature":-0.1`),
			"body.temperature: -0.1 is out of range for gemini (0 to 2)"},
		{"top_p not a number", gemini, Defaults{}, chatBody(`,"top_p":"high"`), "body.top_p: must be a number, not string"},
		{"stop not a string", anthropic, Defaults{}, chatBody(`,"stop":7`), "body.stop: must be a string or an array of strings, not number"},
		{"stop element", anthropic, Defaults{}, chatBody(`,"stop":["a",null]`), "body.stop[1]: must be a string, not null"},
		{"too many stops", gemini, Defaults{}, chatBody(`,"stop":["1","2","3","4","5","6"]`),
			"body.stop: 6 stop sequences are more than gemini accepts (5)"},
		{"embeddings to anthropic", anthropic, Defaults{}, openAIEmbeddingsLine,
			`url: "/v1/embeddings" cannot be converted to anthropic (it has no embeddings)`},
		{"completions to anthropic", anthropic, Defaults{},
			`{"custom_id":"q1","method":"POST","url":"/v1/completions","body":{"model":"m","prompt":"x"}}`,
			`url: "/v1/completions" cannot be converted to anthropic`},
		{"moderations to gemini", gemini, Defaults{},
			`{"custom_id":"q1","method":"POST","url":"/v1/moderations","body":{"model":"m","input":"x"}}`,
			`url: "/v1/moderations" cannot be converted to gemini`},
		{"tool message without a call", anthropic, Defaults{}, chatMessages(`[{"role":"user","content":"Hi"},{"role":"tool","content":"42","tool_call_id":"c1"}]`),
			`body.messages: a tool result for id "c1" answers no tool call before it`},
		{"tool call arguments", gemini, Defaults{},
			chatMessages(`[{"role":"user","content":"Hi"},{"role":"assistant","content":"x","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{"}}]}]`),
			"body.messages[1].tool_calls[0].function.arguments: must be a JSON object in a string"},
		{"tool calls of a user", gemini, Defaults{},
			chatMessages(`[{"role":"user","content":"Hi","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}]`),
			"body.messages[0].tool_calls: only assistant messages make tool calls"},
		{"message name", anthropic, Defaults{}, chatMessages(`[{"role":"user","name":"ann","content":"Hi"}]`),
			"body.messages[0].name: cannot be converted to anthropic"},
		{"late system message", anthropic, Defaults{}, chatMessages(`[{"role":"user","content":"Hi"},{"role":"system","content":"Be brief."}]`),
			"body.messages[1]: a system message after the conversation started cannot be converted to anthropic"},
		{"unknown role", anthropic, Defaults{}, chatMessages(`[{"role":"bot","content":"Hi"}]`),
			`body.messages[0].role: "bot" is not a role (want system, developer, user, assistant or tool)`},
		{"role missing", anthropic, Defaults{}, chatMessages(`[{"content":"Hi"}]`), "body.messages[0].role: missing"},
		{"content missing", anthropic, Defaults{}, chatMessages(`[{"role":"user"}]`), "body.messages[0].content: missing"},
		{"content null", anthropic, Defaults{}, chatMessages(`[{"role":"assistant","content":null}]`),
			"body.messages[0].content: must be a string or an array of content parts, not null"},
		{"content empty", anthropic, Defaults{}, chatMessages(`[{"role":"user","content":[]}]`), "body.messages[0].content: must not be empty"},
		{"no conversation", anthropic, Defaults{}, chatMessages(`[{"role":"system","content":"S"}]`),
			"body.messages: has no user or assistant message"},
		{"messages missing", gemini, Defaults{}, `{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"model":"m"}}`,
			"body.messages: missing"},
		{"messages not an array", gemini, Defaults{}, chatMessages(`{}`), "body.messages: must be an array of messages, not object"},
		{"audio part", anthropic, Defaults{}, chatMessages(`[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]`),
			"body.messages[0].content[0].input_audio: cannot be converted to anthropic\n" +
				`reqs.jsonl:1: body.messages[0].content[0].type: "input_audio" parts cannot be converted to anthropic`},
		{"part type missing", anthropic, Defaults{}, chatMessages(`[{"role":"user","content":[{"text":"Hi"}]}]`),
			"body.messages[0].content[0].type: missing"},
		{"image detail", anthropic, Defaults{},
			chatMessages(`[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/a.png","detail":"high"}}]}]`),
			`body.messages[0].content[0].image_url.detail: "high" cannot be converted to anthropic (only "auto")`},
		{"image from a URL to gemini", gemini, Defaults{},
			chatMessages(`[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/a.png"}}]}]`),
			"body.messages[0].content[0].image_url.url: gemini cannot fetch images from URLs (inline the image as a data: URL)"},
		{"image type anthropic rejects", anthropic, Defaults{},
			chatMessages(`[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/bmp;base64,Qk0="}}]}]`),
			`body.messages[0].content[0].image_url.url: "image/bmp" is not an image type anthropic accepts (image/jpeg, image/png, image/gif or image/webp)`},
		{"image URL scheme", anthropic, Defaults{},
			chatMessages(`[{"role":"user","content":[{"type":"image_url","image_url":{"url":"file:///a.png"}}]}]`),
			"body.messages[0].content[0].image_url.url: must be a data: URL or an http(s) URL"},
		{"data URL not base64", gemini, Defaults{},
			chatMessages(`[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,abc"}}]}]`),
			"body.messages[0].content[0].image_url.url: must be a base64 data: URL (data:<media type>;base64,<data>)"},
		{"image in a system message", anthropic, Defaults{},
			chatMessages(`[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://x/a.png"}}]},{"role":"user","content":"Hi"}]`),
			"body.messages[0].content: an image in a system message cannot be converted to anthropic"},
		{"embeddings input array to gemini", gemini, Defaults{},
			`{"custom_id":"e1","method":"POST","url":"/v1/embeddings","body":{"model":"m","input":["a","b"]}}`,
			"body.input: holds 2 inputs, but gemini embeds one text per request (put each on a line of its own)"},
		{"embeddings token ids to gemini", gemini, Defaults{},
			`{"custom_id":"e1","method":"POST","url":"/v1/embeddings","body":{"model":"m","input":[[1,2]]}}`,
			"body.input: token ids cannot be converted to gemini"},
		{"embeddings base64 to gemini", gemini, Defaults{},
			`{"custom_id":"e1","method":"POST","url":"/v1/embeddings","body":{"model":"m","input":"a","encoding_format":"base64"}}`,
			`body.encoding_format: "base64" cannot be converted to gemini (it returns floats)`},
		{"embeddings user to gemini", gemini, Defaults{},
			`{"custom_id":"e1","method":"POST","url":"/v1/embeddings","body":{"model":"m","input":"a","user":"u"}}`,
			"body.user: cannot be converted to gemini"},
		{"embeddings input missing", gemini, Defaults{},
			`{"custom_id":"e1","method":"POST","url":"/v1/embeddings","body":{"model":"m"}}`, "body.input: missing"},
		{"embeddings input empty", gemini, Defaults{},
			`{"custom_id":"e1","method":"POST","url":"/v1/embeddings","body":{"model":"m","input":""}}`, "body.input: must not be empty"},
		{"responses tools", anthropic, Defaults{},
			`{"custom_id":"r1","method":"POST","url":"/v1/responses","body":{"model":"m","max_output_tokens":5,"input":"Hi","tools":[{"type":"web_search"}]}}`,
			`body.tools[0].type: "web_search" tools cannot be converted to anthropic`},
		{"responses reasoning item", gemini, Defaults{},
			`{"custom_id":"r1","method":"POST","url":"/v1/responses","body":{"model":"m","input":[{"type":"reasoning","id":"r"}]}}`,
			`body.input[0].type: "reasoning" items cannot be converted to gemini`},
		{"responses text format", gemini, Defaults{},
			`{"custom_id":"r1","method":"POST","url":"/v1/responses","body":{"model":"m","input":"Hi","text":{"verbosity":"low"}}}`,
			"body.text.verbosity: cannot be converted to gemini"},
		{"responses file part", gemini, Defaults{},
			`{"custom_id":"r1","method":"POST","url":"/v1/responses","body":{"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]}}`,
			"body.input[0].content[0].file_id: cannot be converted to gemini\n" +
				`reqs.jsonl:1: body.input[0].content[0].type: "input_file" parts cannot be converted to gemini`},
		{"openai unknown members", gemini, Defaults{}, chatBody("")[:len(chatBody(""))-1] + `,"model":"m","metadata":{}}`,
			"model: unknown field (an openai batch line has custom_id, method, url and body)\n" +
				"reqs.jsonl:1: metadata: unknown field (an openai batch line has custom_id, method, url and body)"},
		{"body missing", anthropic, Defaults{}, `{"custom_id":"q1","method":"POST","url":"/v1/chat/completions"}`, "body: missing"},
		{"custom_id missing", anthropic, Defaults{}, strings.Replace(chatBody(""), `"custom_id":"q1",`, "", 1), "custom_id: missing"},
		// Anthropic requests.
		{"anthropic top_k to openai", openai, Defaults{}, anthropicParams(`,"top_k":5`), "params.top_k: cannot be converted to openai"},
		{"anthropic thinking", gemini, Defaults{}, anthropicParams(`,"thinking":{"type":"enabled"}`), "params.thinking: cannot be converted to gemini"},
		{"anthropic metadata", openai, Defaults{}, anthropicParams(`,"metadata":{}`), "params.metadata: cannot be converted to openai"},
		{"anthropic cache_control", openai, Defaults{}, anthropicParams(`,"system":[{"type":"text","text":"S","cache_control":{"type":"ephemeral"}}]`),
			"params.system[0].cache_control: cannot be converted to openai"},
		{"anthropic system number", openai, Defaults{}, anthropicParams(`,"system":1`),
			"params.system: must be a string or an array of text blocks, not number"},
		{"anthropic tool_use block", openai, Defaults{},
			`{"custom_id":"q1","params":{"model":"m","max_tokens":9,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":[]}]}]}}`,
			"params.messages[0].content[0].input: must be an object, not array"},
		{"anthropic tool_result error", openai, Defaults{},
			`{"custom_id":"q1","params":{"model":"m","max_tokens":9,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","is_error":true}]}]}}`,
			"params.messages[0].content[0].is_error: true cannot be converted to openai (its tool results have no error flag)"},
		{"anthropic tool choice", gemini, Defaults{},
			`{"custom_id":"q1","params":{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"Hi"}],"tool_choice":{"type":"any","disable_parallel_tool_use":true}}}`,
			"params.tool_choice.disable_parallel_tool_use: true cannot be converted to gemini"},
		{"anthropic output effort", gemini, Defaults{},
			`{"custom_id":"q1","params":{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"Hi"}],"output_config":{"effort":"low"}}}`,
			"params.output_config.effort: cannot be converted to gemini"},
		{"anthropic system role", openai, Defaults{},
			`{"custom_id":"q1","params":{"model":"m","max_tokens":9,"messages":[{"role":"system","content":"S"}]}}`,
			`params.messages[0].role: "system" is not a role (want user or assistant)`},
		{"anthropic url image to gemini", gemini, Defaults{},
			`{"custom_id":"q1","params":{"model":"m","max_tokens":9,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://x/a.png"}}]}]}}`,
			"params.messages[0].content[0].source.url: gemini cannot fetch images from URLs (inline the image as a data: URL)"},
		{"anthropic file image", openai, Defaults{},
			`{"custom_id":"q1","params":{"model":"m","max_tokens":9,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]}}`,
			"params.messages[0].content[0].source.file_id: cannot be converted to openai\n" +
				`reqs.jsonl:1: params.messages[0].content[0].source.type: "file" image sources cannot be converted to openai`},
		{"anthropic stop_sequences string", gemini, Defaults{}, anthropicParams(`,"stop_sequences":"END"`),
			"params.stop_sequences: must be an array of strings, not string"},
		{"anthropic unknown member", openai, Defaults{}, `{"custom_id":"q1","params":{"model":"m","max_tokens":1,"messages":[]},"extra":1}`,
			"extra: unknown field (an anthropic request has custom_id and params)"},
		// Gemini lines.
		{"gemini search tool", openai, Defaults{Model: "m"}, geminiRequest(`,"tools":[{"googleSearch":{}}]`),
			"request.tools[0].googleSearch: cannot be converted to openai"},
		{"gemini allowed names", openai, Defaults{Model: "m"},
			geminiRequest(`,"toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["a","b"]}}`),
			"request.toolConfig.functionCallingConfig.allowedFunctionNames: holds 2 names, but openai can force one tool only"},
		{"gemini validated mode", openai, Defaults{Model: "m"},
			geminiRequest(`,"toolConfig":{"functionCallingConfig":{"mode":"VALIDATED"}}`),
			`request.toolConfig.functionCallingConfig.mode: "VALIDATED" cannot be converted to openai (want AUTO, ANY or NONE)`},
		{"gemini response schema member", openai, Defaults{Model: "m"},
			geminiRequest(`,"generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"OBJECT","const":1}}`),
			`request.generationConfig.responseSchema: "const" is not a member of a gemini Schema`},
		{"gemini schema without json", openai, Defaults{Model: "m"},
			geminiRequest(`,"generationConfig":{"responseJsonSchema":{"type":"object"}}`),
			`request.generationConfig.responseMimeType: must be "application/json" with a response schema`},
		{"gemini response for no call", anthropic, Defaults{Model: "m", MaxTokens: intp(1)},
			`{"key":"q1","request":{"contents":[{"parts":[{"functionResponse":{"name":"f","response":{}}}]}]}}`,
			`request.contents: a tool result for function "f" answers no tool call before it`},
		{"gemini safety settings", anthropic, Defaults{Model: "m", MaxTokens: intp(1)}, geminiRequest(`,"safetySettings":[]`),
			"request.safetySettings: cannot be converted to anthropic"},
		{"gemini response mime", openai, Defaults{Model: "m"}, geminiRequest(`,"generationConfig":{"responseMimeType":"text/x.enum"}`),
			`request.generationConfig.responseMimeType: "text/x.enum" cannot be converted to openai (want "application/json" or "text/plain")`},
		{"gemini candidates", openai, Defaults{Model: "m"}, geminiRequest(`,"generationConfig":{"candidateCount":2}`),
			"request.generationConfig.candidateCount: 2 cannot be converted to openai (only 1)"},
		{"gemini topK to openai", openai, Defaults{Model: "m"}, geminiRequest(`,"generationConfig":{"topK":2}`),
			"request.generationConfig.topK: cannot be converted to openai"},
		{"gemini file data", openai, Defaults{Model: "m"},
			`{"key":"q1","request":{"contents":[{"parts":[{"fileData":{"mimeType":"image/png","fileUri":"files/x"}}]}]}}`,
			"request.contents[0].parts[0].fileData: cannot be converted to openai"},
		{"gemini pdf", anthropic, Defaults{Model: "m", MaxTokens: intp(1)},
			`{"key":"q1","request":{"contents":[{"parts":[{"inlineData":{"mimeType":"application/pdf","data":"JVBERi0="}}]}]}}`,
			`request.contents[0].parts[0].inlineData: "application/pdf" cannot be converted to anthropic (only images)`},
		{"gemini part with text and data", openai, Defaults{Model: "m"},
			`{"key":"q1","request":{"contents":[{"parts":[{"text":"a","inlineData":{"mimeType":"image/png","data":"AA=="}}]}]}}`,
			"request.contents[0].parts[0]: must hold one of text, inlineData, functionCall and functionResponse"},
		{"gemini empty part", openai, Defaults{Model: "m"}, `{"key":"q1","request":{"contents":[{"parts":[{}]}]}}`,
			"request.contents[0].parts[0]: must hold text, inlineData, functionCall or functionResponse"},
		{"gemini function role", openai, Defaults{Model: "m"}, `{"key":"q1","request":{"contents":[{"role":"function","parts":[{"text":"a"}]}]}}`,
			`request.contents[0].role: "function" is not a role (want user or model)`},
		{"gemini parts missing", openai, Defaults{Model: "m"}, `{"key":"q1","request":{"contents":[{"role":"user"}]}}`,
			"request.contents[0].parts: missing"},
		{"gemini image in the system instruction", openai, Defaults{Model: "m"},
			geminiRequest(`,"systemInstruction":{"parts":[{"inlineData":{"mimeType":"image/png","data":"AA=="}}]}`),
			"request.systemInstruction.parts[0].inlineData: an image in the system instruction cannot be converted to openai"},
		{"gemini embeddings task type to openai", openai, Defaults{Model: "m"},
			`{"key":"e1","request":{"content":{"parts":[{"text":"a"}]},"taskType":"CLUSTERING"}}`,
			"request.taskType: cannot be converted to openai"},
		{"gemini embeddings title", openai, Defaults{Model: "m"},
			`{"key":"e1","request":{"content":{"parts":[{"text":"a"}]},"title":"T"}}`,
			"request.title: cannot be converted to openai"},
		{"gemini embeddings of two parts", openai, Defaults{Model: "m"},
			`{"key":"e1","request":{"content":{"parts":[{"text":"a"},{"text":"b"}]}}}`,
			"request.content.parts: holds 2 parts, but openai embeds one text per request"},
		{"gemini embeddings to anthropic", anthropic, Defaults{Model: "m"}, geminiEmbedLine,
			"request.content: embeddings cannot be converted to anthropic (it has no embeddings)"},
		{"gemini both kinds", openai, Defaults{Model: "m"}, `{"key":"q1","request":{"contents":[],"content":{}}}`,
			"request: has both contents (generateContent) and content (embedContent)"},
		{"gemini custom_id", openai, Defaults{Model: "m"}, `{"custom_id":"c","key":"q1","request":{"contents":[{"parts":[{"text":"a"}]}]}}`,
			"custom_id: unknown field (a gemini request line has key and request)"},
		// Simple lines.
		{"simple unknown field", openai, Defaults{Model: "m"}, `{"prompt":"Hi","seed":1}`, "seed: unknown field (" + simpleFields + ")"},
		{"simple prompt and messages", openai, Defaults{Model: "m"}, `{"prompt":"Hi","messages":[]}`, "prompt: cannot be used together with messages"},
		{"simple input and prompt", openai, Defaults{Model: "m"}, `{"prompt":"Hi","input":"x"}`, "input: cannot be used together with prompt"},
		{"simple empty prompt", openai, Defaults{Model: "m"}, `{"prompt":""}`, "prompt: must not be empty"},
		{"simple prompt not a string", openai, Defaults{Model: "m"}, `{"prompt":["a"]}`, "prompt: must be a string, not array"},
		{"simple model missing", openai, Defaults{}, `{"prompt":"Hi"}`, "model: missing (pass --model)"},
		{"simple model empty", openai, Defaults{Model: "m"}, `{"prompt":"Hi","model":""}`, "model: must not be empty"},
		{"simple input to anthropic", anthropic, Defaults{Model: "m"}, `{"input":"x"}`,
			"input: embeddings cannot be converted to anthropic (it has no embeddings)"},
		{"simple system for embeddings", gemini, Defaults{Model: "m"}, `{"input":"x","system":"S","max_tokens":5}`,
			"system: does not apply to embeddings requests\nreqs.jsonl:1: max_tokens: does not apply to embeddings requests"},
		{"simple dimensions for chat", gemini, Defaults{Model: "m"}, `{"prompt":"x","dimensions":5}`, "dimensions: does not apply to chat requests"},
		{"simple top_k to openai", openai, Defaults{Model: "m"}, `{"prompt":"x","top_k":5}`, "top_k: cannot be converted to openai"},
		{"simple task type to openai", openai, Defaults{Model: "m"}, `{"input":"x","task_type":"CLUSTERING"}`, "task_type: cannot be converted to openai"},
		{"simple unknown task type", gemini, Defaults{Model: "m"}, `{"input":"x","task_type":"clustering"}`,
			`task_type: "clustering" is not a gemini task type (want one of ` + geminiTaskTypes + ")"},
		{"simple encoding format", openai, Defaults{Model: "m"}, `{"input":"x","encoding_format":"int8"}`,
			`encoding_format: "int8" is not an encoding format (want "float" or "base64")`},
		{"simple dimensions zero", openai, Defaults{Model: "m"}, `{"input":"x","dimensions":0}`, "dimensions: must be a positive integer, not 0"},
		{"simple stop for responses", openai, Defaults{Model: "m", Endpoint: KindResponses}, `{"prompt":"x","stop":"END"}`,
			"stop: cannot be converted to /v1/responses (it has no stop sequences)"},
		{"simple system for completions", openai, Defaults{Model: "m", Endpoint: KindCompletions}, `{"prompt":"x","system":"S"}`,
			"system: cannot be converted to /v1/completions (it has no system prompt)"},
		{"simple messages for completions", openai, Defaults{Model: "m", Endpoint: KindCompletions}, `{"messages":[]}`,
			"messages: cannot be converted to /v1/completions (it takes a prompt)"},
		{"simple messages to embed", openai, Defaults{Model: "m", Endpoint: KindEmbeddings}, `{"messages":[]}`,
			"messages: cannot be embedded (--endpoint embeddings takes input)"},
		{"simple input for chat", openai, Defaults{Model: "m", Endpoint: KindChat}, `{"input":"x"}`,
			"input: is input to embed, but --endpoint is chat (use messages or prompt)"},
		{"simple input not a string", openai, Defaults{Model: "m"}, `{"input":{"text":"x"}}`,
			"input: must be a string or an array of strings, not object"},
		{"simple input element", openai, Defaults{Model: "m"}, `{"input":["a",{}]}`, "input[1]: must be a string, not object"},
		{"simple input empty", openai, Defaults{Model: "m"}, `{"input":[]}`, "input: must not be empty"},
		{"simple custom_id number", openai, Defaults{Model: "m"}, `{"custom_id":1,"prompt":"x"}`, "custom_id: must be a string, not number"},
		// Any shape.
		{"unknown shape", openai, Defaults{}, `{"id":"q1","text":"hello"}`,
			"cannot tell the shape: want custom_id+method+url+body, custom_id+params, key+request, or messages/prompt/input"},
		{"empty object", gemini, Defaults{}, `{}`,
			"cannot tell the shape: want custom_id+method+url+body, custom_id+params, key+request, or messages/prompt/input"},
		{"two shapes", openai, Defaults{}, `{"custom_id":"q1","params":{},"url":"/v1/chat/completions","body":{}}`,
			`cannot tell the shape: "params" and "url" belong to different shapes`},
		{"simple and gemini", openai, Defaults{}, `{"prompt":"x","key":"k"}`,
			`cannot tell the shape: "prompt" and "key" belong to different shapes`},
		{"not an object", anthropic, Defaults{}, `"hello"`, "line must be a JSON object, not string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := convertLines(t, ConvertOptions{Target: tt.target, Defaults: tt.def}, tt.line)
			if want := "reqs.jsonl:1: " + tt.want; res.err != want {
				t.Errorf("got:\n%s\nwant:\n%s", res.err, want)
			}
			if res.out[0] != "" {
				t.Errorf("the line converted to %s", res.out[0])
			}
		})
	}
}

func TestConvertPassThroughProblems(t *testing.T) {
	tests := []struct {
		name   string
		target Target
		def    Defaults
		line   string
		want   string // without the "reqs.jsonl:1: " prefix
	}{
		{"anthropic model missing", TargetAnthropic, Defaults{}, `{"custom_id":"q1","params":{"max_tokens":5,"messages":[]}}`,
			"params.model: missing (pass --model)"},
		{"anthropic max_tokens missing", TargetAnthropic, Defaults{}, `{"custom_id":"q1","params":{"model":"m","messages":[]}}`,
			"params.max_tokens: missing (anthropic requires it; pass --max-tokens)"},
		{"anthropic max_tokens zero", TargetAnthropic, Defaults{MaxTokens: intp(5)}, `{"custom_id":"q1","params":{"model":"m","max_tokens":0,"messages":[]}}`,
			"params.max_tokens: must be a positive integer, not 0"},
		{"anthropic messages missing", TargetAnthropic, Defaults{}, `{"custom_id":"q1","params":{"model":"m","max_tokens":5}}`,
			"params.messages: missing"},
		{"anthropic messages not an array", TargetAnthropic, Defaults{}, `{"custom_id":"q1","params":{"model":"m","max_tokens":5,"messages":"Hi"}}`,
			"params.messages: must be an array, not string"},
		{"anthropic stream", TargetAnthropic, Defaults{}, `{"custom_id":"q1","params":{"model":"m","max_tokens":5,"messages":[],"stream":true}}`,
			"params.stream: true is not allowed in a batch"},
		{"anthropic params not an object", TargetAnthropic, Defaults{}, `{"custom_id":"q1","params":[]}`, "params: must be an object, not array"},
		{"anthropic unknown members", TargetAnthropic, Defaults{}, `{"custom_id":"q1","params":{"model":"m","max_tokens":5,"messages":[]},"model":"m","x":1}`,
			"model: unknown field (an anthropic request has custom_id and params)\n" +
				"reqs.jsonl:1: x: unknown field (an anthropic request has custom_id and params)"},
		{"anthropic id pattern", TargetAnthropic, Defaults{}, `{"custom_id":"q 1","params":{"model":"m","max_tokens":5,"messages":[]}}`,
			`custom_id: "q 1" is not a valid anthropic custom_id (want 1 to 64 letters, digits, '_' or '-')`},
		{"anthropic id length", TargetAnthropic, Defaults{}, `{"custom_id":"` + strings.Repeat("a", 65) + `","params":{"model":"m","max_tokens":5,"messages":[]}}`,
			`custom_id: "` + strings.Repeat("a", 64) + `"... is not a valid anthropic custom_id (want 1 to 64 letters, digits, '_' or '-')`},
		{"gemini key missing", TargetGemini, Defaults{Model: "m"}, `{"request":{"contents":[]}}`, "key: missing"},
		{"gemini key not a string", TargetGemini, Defaults{Model: "m"}, `{"key":1,"request":{"contents":[]}}`, "key: must be a string, not number"},
		{"gemini request missing", TargetGemini, Defaults{Model: "m"}, `{"key":"q1"}`, "request: missing"},
		{"gemini request empty", TargetGemini, Defaults{Model: "m"}, `{"key":"q1","request":{}}`,
			"request: missing contents (or content, for embeddings)"},
		{"gemini contents not an array", TargetGemini, Defaults{Model: "m"}, `{"key":"q1","request":{"contents":{}}}`,
			"request.contents: must be an array, not object"},
		{"gemini content not an object", TargetGemini, Defaults{Model: "m"}, `{"key":"q1","request":{"content":"x"}}`,
			"request.content: must be an object, not string"},
		{"gemini model missing", TargetGemini, Defaults{}, `{"key":"q1","request":{"contents":[]}}`, "model: missing (pass --model)"},
		{"gemini model not a string", TargetGemini, Defaults{}, `{"key":"q1","request":{"contents":[],"model":7}}`,
			"request.model: must be a string, not number"},
		{"gemini unknown member", TargetGemini, Defaults{Model: "m"}, `{"key":"q1","request":{"contents":[]},"metadata":{}}`,
			"metadata: unknown field (a gemini request line has key and request)"},
		{"openai model missing", TargetOpenAI, Defaults{}, `{"custom_id":"q1","method":"POST","url":"/v1/embeddings","body":{"input":"x"}}`,
			"body.model: missing (pass --model)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := convertLines(t, ConvertOptions{Target: tt.target, Defaults: tt.def}, tt.line)
			if want := "reqs.jsonl:1: " + tt.want; res.err != want {
				t.Errorf("got:\n%s\nwant:\n%s", res.err, want)
			}
		})
	}
}

func TestConvertIDs(t *testing.T) {
	tests := []struct {
		name    string
		target  Target
		lines   []string
		wantIDs []string
		want    string
	}{
		{
			name:    "generated from the line number",
			target:  TargetGemini,
			lines:   []string{`{"prompt":"a"}`, `{"prompt":"b","custom_id":"x"}`, `{"messages":[{"role":"user","content":"c"}]}`},
			wantIDs: []string{"line-000001", "x", "line-000003"},
		},
		{
			name:    "a generated id duplicates a given one",
			target:  TargetOpenAI,
			lines:   []string{`{"custom_id":"line-000002","prompt":"a"}`, `{"prompt":"b"}`},
			wantIDs: []string{"line-000002", "line-000002"},
			want:    `reqs.jsonl:2: custom_id: "line-000002" duplicates line 1`,
		},
		{
			name:    "duplicates across shapes",
			target:  TargetAnthropic,
			lines:   []string{anthropicLine, openAIChatLine, strings.Replace(geminiLine, `"key":"q1"`, `"key":"q2"`, 1), `{"custom_id":"q2","prompt":"p"}`},
			wantIDs: []string{"q1", "q1", "q2", "q2"},
			want: "reqs.jsonl:2: custom_id: \"q1\" duplicates line 1\n" +
				"reqs.jsonl:4: custom_id: \"q2\" duplicates line 3",
		},
		{
			name:    "gemini keys",
			target:  TargetGemini,
			lines:   []string{geminiLine, geminiLine},
			wantIDs: []string{"q1", "q1"},
			want:    `reqs.jsonl:2: key: "q1" duplicates line 1`,
		},
		{
			name:    "decoded ids",
			target:  TargetOpenAI,
			lines:   []string{`{"custom_id":"a\"b\u00e9","prompt":"x"}`},
			wantIDs: []string{`a"bé`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := Defaults{Model: "m", MaxTokens: intp(5)}
			res := convertLines(t, ConvertOptions{Target: tt.target, Defaults: def}, tt.lines...)
			if res.err != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", res.err, tt.want)
			}
			if strings.Join(res.ids, ",") != strings.Join(tt.wantIDs, ",") {
				t.Errorf("ids = %q, want %q", res.ids, tt.wantIDs)
			}
		})
	}
	t.Run("written escaped", func(t *testing.T) {
		res := convertLines(t, ConvertOptions{Target: TargetGemini, Defaults: Defaults{Model: "m"}}, `{"custom_id":"a\"b\u00e9\/","prompt":"x"}`)
		if want := `{"key":"a\"bé/","request":{"contents":[{"role":"user","parts":[{"text":"x"}]}]}}`; res.out[0] != want {
			t.Errorf("got %s, want %s", res.out[0], want)
		}
	})
}

func TestConvertDefaults(t *testing.T) {
	def := Defaults{
		Model: "dm", System: "Default system.", MaxTokens: intp(64), Temperature: floatp(0.7), TopP: floatp(0.25),
		Stop: []string{"END", `"quoted"`}, Dimensions: intp(32), EncodingFormat: "float",
	}
	tests := []struct {
		name   string
		target Target
		line   string
		want   string
	}{
		{
			name: "fill in", target: TargetOpenAI, line: `{"prompt":"Hi"}`,
			want: `{"custom_id":"line-000001","method":"POST","url":"/v1/chat/completions","body":{"model":"dm",` +
				`"messages":[{"role":"system","content":"Default system."},{"role":"user","content":"Hi"}],` +
				`"max_completion_tokens":64,"temperature":0.7,"top_p":0.25,"stop":["END","\"quoted\""]}}`,
		},
		{
			name: "the line's values win", target: TargetAnthropic,
			line: `{"prompt":"Hi","model":"lm","system":"Line system.","max_tokens":8,"temperature":0.1,"top_p":0.5,"stop":"X"}`,
			want: `{"custom_id":"line-000001","params":{"model":"lm","max_tokens":8,"system":"Line system.",` +
				`"messages":[{"role":"user","content":"Hi"}],"temperature":0.1,"top_p":0.5,"stop_sequences":["X"]}}`,
		},
		{
			name: "a system message wins", target: TargetGemini,
			line: `{"messages":[{"role":"system","content":"Mine."},{"role":"user","content":"Hi"}]}`,
			want: `{"key":"line-000001","request":{"contents":[{"role":"user","parts":[{"text":"Hi"}]}],"systemInstruction":{"parts":[{"text":"Mine."}]},` +
				`"generationConfig":{"maxOutputTokens":64,"temperature":0.7,"topP":0.25,"stopSequences":["END","\"quoted\""]}}}`,
		},
		{
			name: "embeddings take only their defaults", target: TargetOpenAI, line: `{"input":"x"}`,
			want: `{"custom_id":"line-000001","method":"POST","url":"/v1/embeddings","body":{"model":"dm","input":"x","dimensions":32,"encoding_format":"float"}}`,
		},
		{
			name: "converted lines of other shapes", target: TargetAnthropic,
			line: `{"key":"k","request":{"contents":[{"parts":[{"text":"Hi"}]}],"generationConfig":{"temperature":1}}}`,
			want: `{"custom_id":"k","params":{"model":"dm","max_tokens":64,"system":"Default system.",` +
				`"messages":[{"role":"user","content":"Hi"}],"temperature":1,"top_p":0.25,"stop_sequences":["END","\"quoted\""]}}`,
		},
		{
			name: "not lines in the target's shape", target: TargetOpenAI, line: openAIChatLine, want: openAIChatLine,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := def
			switch tt.target {
			case TargetAnthropic:
				d.Dimensions, d.EncodingFormat = nil, ""
			case TargetGemini:
				d.EncodingFormat = ""
			}
			res := convertLines(t, ConvertOptions{Target: tt.target, Defaults: d}, tt.line)
			if res.err != "" {
				t.Fatalf("error:\n%s", res.err)
			}
			if res.out[0] != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", res.out[0], tt.want)
			}
		})
	}
}

func TestConvertDefaultsProblems(t *testing.T) {
	tests := []struct {
		name   string
		target Target
		text   bool
		def    Defaults
		want   string
	}{
		{"temperature", TargetAnthropic, false, Defaults{Temperature: floatp(1.5)}, "--temperature: 1.5 is out of range for anthropic (0 to 1)"},
		{"top_p", TargetOpenAI, false, Defaults{TopP: floatp(-1)}, "--top-p: -1 is out of range for openai (0 to 1)"},
		{"max tokens", TargetOpenAI, false, Defaults{MaxTokens: intp(0)}, "--max-tokens: must be a positive integer, not 0"},
		{"dimensions", TargetGemini, false, Defaults{Dimensions: intp(-3)}, "--dimensions: must be a positive integer, not -3"},
		{"unknown endpoint", TargetOpenAI, false, Defaults{Endpoint: "moderations"},
			`--endpoint: "moderations" is not an endpoint (want chat, embeddings, responses or completions)`},
		{"embeddings on anthropic", TargetAnthropic, false, Defaults{Endpoint: KindEmbeddings},
			"--endpoint: embeddings cannot be converted to anthropic (it serves chat)"},
		{"responses on gemini", TargetGemini, false, Defaults{Endpoint: KindResponses},
			"--endpoint: responses cannot be converted to gemini (it serves chat and embeddings)"},
		{"system for completions", TargetOpenAI, false, Defaults{Endpoint: KindCompletions, System: "S"},
			"--system: cannot be converted to /v1/completions (it has no system prompt)"},
		{"stop for responses", TargetOpenAI, false, Defaults{Endpoint: KindResponses, Stop: []string{"x"}},
			"--stop: cannot be converted to /v1/responses (it has no stop sequences)"},
		{"too many stops", TargetOpenAI, false, Defaults{Stop: []string{"1", "2", "3", "4", "5"}},
			"--stop: 5 stop sequences are more than openai accepts (4)"},
		{"embeddings flags on anthropic", TargetAnthropic, false, Defaults{Dimensions: intp(1), EncodingFormat: "float", TaskType: "CLUSTERING"},
			"--dimensions: cannot be converted to anthropic (it has no embeddings)\n" +
				"reqs.jsonl: --encoding-format: cannot be converted to anthropic (it has no embeddings)\n" +
				"reqs.jsonl: --task-type: cannot be converted to anthropic (it has no embeddings)"},
		{"encoding format", TargetOpenAI, false, Defaults{EncodingFormat: "int8"},
			`--encoding-format: "int8" is not an encoding format (want "float" or "base64")`},
		{"base64 on gemini", TargetGemini, false, Defaults{EncodingFormat: "base64"},
			`--encoding-format: "base64" cannot be converted to gemini (it returns floats)`},
		{"task type on openai", TargetOpenAI, false, Defaults{TaskType: "CLUSTERING"}, "--task-type: cannot be converted to openai"},
		{"unknown task type", TargetGemini, false, Defaults{TaskType: "X"},
			`--task-type: "X" is not a gemini task type (want one of ` + geminiTaskTypes + ")"},
		{"text without a model", TargetOpenAI, true, Defaults{}, "model: missing (pass --model)"},
		{"text without max tokens", TargetAnthropic, true, Defaults{Model: "m"},
			"max_tokens: missing (anthropic requires it; pass --max-tokens)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := `{"prompt":"Hi","model":"m","max_tokens":5}`
			if tt.text {
				line = "Hi"
			}
			res := convertLines(t, ConvertOptions{Target: tt.target, Defaults: tt.def, TextInput: tt.text}, line, line)
			if want := "reqs.jsonl: " + tt.want; res.err != want {
				t.Errorf("got:\n%s\nwant:\n%s", res.err, want)
			}
			if res.out[0] != "" || res.out[1] != "" {
				t.Errorf("lines converted: %q", res.out)
			}
		})
	}
	t.Run("unknown target", func(t *testing.T) {
		res := convertLines(t, ConvertOptions{Target: "vertex"}, `{"prompt":"Hi","model":"m"}`)
		if want := `reqs.jsonl: unknown target "vertex" (want openai, anthropic, gemini, mistral, openrouter, xai or bedrock)`; res.err != want || res.out[0] != "" {
			t.Errorf("got %q, error:\n%s\nwant:\n%s", res.out[0], res.err, want)
		}
	})
}

func TestConvertMixed(t *testing.T) {
	tests := []struct {
		name    string
		target  Target
		def     Defaults
		lines   []string
		want    string
		wantSum Summary // Bytes is added up from the converted lines
	}{
		{
			name: "endpoints on openai", target: TargetOpenAI, def: Defaults{Model: "m"},
			lines: []string{`{"prompt":"a"}`, `{"input":"b"}`, openAIEmbeddingsLine},
			want: "reqs.jsonl:2: input: \"/v1/embeddings\" differs from \"/v1/chat/completions\" on line 1 (one endpoint per batch)\n" +
				"reqs.jsonl:3: url: \"/v1/embeddings\" differs from \"/v1/chat/completions\" on line 1 (one endpoint per batch)\n" +
				"reqs.jsonl:3: body.model: \"text-embedding-004\" differs from \"m\" on line 1 (one model per file)",
			wantSum: Summary{Requests: 3, Endpoint: "/v1/chat/completions", Kind: KindChat, Model: "m"},
		},
		{
			name: "endpoints on gemini", target: TargetGemini, def: Defaults{Model: "m"},
			lines: []string{geminiLine, `{"custom_id":"e1","input":"b"}`, geminiEmbedLine},
			want: "reqs.jsonl:2: input: \"asyncBatchEmbedContent\" differs from \"batchGenerateContent\" on line 1 (one endpoint per batch)\n" +
				"reqs.jsonl:3: key: \"e1\" duplicates line 2\n" +
				"reqs.jsonl:3: request.content: \"asyncBatchEmbedContent\" differs from \"batchGenerateContent\" on line 1 (one endpoint per batch)\n" +
				"reqs.jsonl:3: request.model: \"text-embedding-004\" differs from \"m\" on line 1 (one model per file)",
			wantSum: Summary{Requests: 3, Endpoint: "batchGenerateContent", Kind: KindChat, Model: "m"},
		},
		{
			name: "models on openai", target: TargetOpenAI, def: Defaults{Model: "d"},
			lines: []string{`{"prompt":"a","model":"a"}`, `{"prompt":"b","model":"b"}`, `{"prompt":"c"}`, `{"prompt":"d","model":"a"}`},
			want: "reqs.jsonl:2: model: \"b\" differs from \"a\" on line 1 (one model per file)\n" +
				"reqs.jsonl:3: model: \"d\" (from --model) differs from \"a\" on line 1 (one model per file)",
			wantSum: Summary{Requests: 4, Endpoint: "/v1/chat/completions", Kind: KindChat, Model: "a"},
		},
		{
			name: "models on gemini", target: TargetGemini,
			lines:   []string{`{"prompt":"a","model":"models/a"}`, `{"prompt":"b","model":"a"}`, `{"prompt":"c","model":"b"}`},
			want:    "reqs.jsonl:3: model: \"b\" differs from \"a\" on line 1 (one model per file)",
			wantSum: Summary{Requests: 3, Endpoint: "batchGenerateContent", Kind: KindChat, Model: "a"},
		},
		{
			name: "models on anthropic", target: TargetAnthropic, def: Defaults{MaxTokens: intp(1)},
			lines:   []string{`{"prompt":"a","model":"a"}`, `{"prompt":"b","model":"b"}`},
			wantSum: Summary{Requests: 2, Endpoint: "/v1/messages", Kind: KindChat, Model: ""},
		},
		{
			name: "one model on anthropic", target: TargetAnthropic, def: Defaults{MaxTokens: intp(1), Model: "a"},
			lines:   []string{`{"prompt":"a","model":"a"}`, strings.Replace(anthropicLine, `"claude-sonnet-4-5"`, `"a"`, 1)},
			wantSum: Summary{Requests: 2, Endpoint: "/v1/messages", Kind: KindChat, Model: "a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := convertLines(t, ConvertOptions{Target: tt.target, Defaults: tt.def}, tt.lines...)
			if res.err != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", res.err, tt.want)
			}
			want := tt.wantSum
			for _, out := range res.out {
				if out != "" {
					want.Bytes += int64(len(out)) + 1
				}
			}
			if res.sum != want {
				t.Errorf("summary = %+v, want %+v", res.sum, want)
			}
		})
	}
}

func TestConvertText(t *testing.T) {
	tests := []struct {
		name   string
		target Target
		def    Defaults
		want   string
	}{
		{
			name: "openai", target: TargetOpenAI, def: Defaults{Model: "m", System: "S"},
			want: `{"custom_id":"line-000003","method":"POST","url":"/v1/chat/completions","body":{"model":"m",` +
				`"messages":[{"role":"system","content":"S"},{"role":"user","content":"Say \"hi\"\tand \\ é\u001f"}]}}`,
		},
		{
			name: "anthropic", target: TargetAnthropic, def: Defaults{Model: "m", MaxTokens: intp(3)},
			want: `{"custom_id":"line-000003","params":{"model":"m","max_tokens":3,"messages":[{"role":"user","content":"Say \"hi\"\tand \\ é\u001f"}]}}`,
		},
		{
			name: "gemini", target: TargetGemini, def: Defaults{Model: "m", Temperature: floatp(2)},
			want: `{"key":"line-000003","request":{"contents":[{"role":"user","parts":[{"text":"Say \"hi\"\tand \\ é\u001f"}]}],"generationConfig":{"temperature":2}}}`,
		},
		{
			name: "embeddings", target: TargetGemini, def: Defaults{Model: "e", Endpoint: KindEmbeddings, TaskType: "RETRIEVAL_QUERY"},
			want: `{"key":"line-000003","request":{"content":{"parts":[{"text":"Say \"hi\"\tand \\ é\u001f"}]},"taskType":"RETRIEVAL_QUERY"}}`,
		},
		{
			name: "completions", target: TargetOpenAI, def: Defaults{Model: "m", Endpoint: KindCompletions},
			want: `{"custom_id":"line-000003","method":"POST","url":"/v1/completions","body":{"model":"m","prompt":"Say \"hi\"\tand \\ é\u001f"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConverter("prompts.txt", ConvertOptions{Target: tt.target, Defaults: tt.def, TextInput: true})
			out, id, ok := c.Convert(3, []byte("Say \"hi\"\tand \\ é\x1f"))
			if !ok || id != "line-000003" || string(out) != tt.want {
				t.Errorf("got %s, %q, %v; want %s", out, id, ok, tt.want)
			}
			if !json.Valid(out) {
				t.Errorf("invalid JSON: %s", out)
			}
		})
	}
	t.Run("a JSON line is text too", func(t *testing.T) {
		c := NewConverter("prompts.txt", ConvertOptions{Target: TargetGemini, Defaults: Defaults{Model: "m"}, TextInput: true})
		out, _, _ := c.Convert(1, []byte(`{"prompt":"x"}`))
		if want := `{"key":"line-000001","request":{"contents":[{"role":"user","parts":[{"text":"{\"prompt\":\"x\"}"}]}]}}`; string(out) != want {
			t.Errorf("got %s, want %s", out, want)
		}
	})
	t.Run("invalid UTF-8", func(t *testing.T) {
		c := NewConverter("prompts.txt", ConvertOptions{Target: TargetOpenAI, Defaults: Defaults{Model: "m"}, TextInput: true})
		if _, _, ok := c.Convert(1, []byte("ok")); !ok {
			t.Fatal("line 1 did not convert")
		}
		if _, _, ok := c.Convert(2, []byte("caf\xe9!")); ok {
			t.Fatal("line 2 converted")
		}
		_, err := c.Finish()
		if want := "prompts.txt:2:4: invalid UTF-8"; err == nil || err.Error() != want {
			t.Errorf("error = %v, want %s", err, want)
		}
	})
}

func TestConvertMaxLineBytes(t *testing.T) {
	const line = `{"custom_id":"q1","method":"POST","url":"/v1/embeddings","body":{"model":"m","input":"abc"}}`
	tests := []struct {
		name   string
		target Target
		limit  int64
		want   string
	}{
		{"fits exactly", TargetOpenAI, int64(len(line)) + 1, ""},
		{"over", TargetOpenAI, int64(len(line)), "reqs.jsonl:1: line is 93 bytes, over the 92-byte limit of one batch"},
		{"no limit", TargetOpenAI, 0, ""},
		{"over once converted", TargetGemini, 60, "reqs.jsonl:1: line is 62 bytes once converted to gemini, over the 60-byte limit of one batch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := convertLines(t, ConvertOptions{Target: tt.target, MaxLineBytes: tt.limit}, line)
			if res.err != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", res.err, tt.want)
			}
			if (res.out[0] == "") != (tt.want != "") {
				t.Errorf("output %q with error %q", res.out[0], res.err)
			}
		})
	}
}

func TestConvertSummary(t *testing.T) {
	tests := []struct {
		target Target
		def    Defaults
		lines  []string
		want   Summary // Bytes is added up from the converted lines
	}{
		{TargetOpenAI, Defaults{}, []string{openAIChatLine, `{"broken`}, Summary{Requests: 2, Endpoint: "/v1/chat/completions", Kind: KindChat, Model: "gpt-4o-mini"}},
		{TargetOpenAI, Defaults{}, []string{`{"custom_id":"q1","method":"POST","url":"/v1/moderations","body":{"model":"omni-moderation-latest","input":"x"}}`},
			Summary{Requests: 1, Endpoint: "/v1/moderations", Kind: "moderations", Model: "omni-moderation-latest"}},
		{TargetOpenAI, Defaults{}, []string{openAIResponsesLine}, Summary{Requests: 1, Endpoint: "/v1/responses", Kind: KindResponses, Model: "gpt-4.1"}},
		{TargetAnthropic, Defaults{}, []string{anthropicLine, openAIResponsesLine}, Summary{Requests: 2, Endpoint: "/v1/messages", Kind: KindChat}},
		{TargetGemini, Defaults{Model: "models/gemini-2.5-flash"}, []string{geminiLine}, Summary{Requests: 1, Endpoint: "batchGenerateContent", Kind: KindChat, Model: "gemini-2.5-flash"}},
		{TargetGemini, Defaults{}, []string{geminiEmbedLine, openAIEmbeddingsLine}, Summary{Requests: 2, Endpoint: "asyncBatchEmbedContent", Kind: KindEmbeddings, Model: "text-embedding-004"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.target)+" "+tt.want.Endpoint, func(t *testing.T) {
			res := convertLines(t, ConvertOptions{Target: tt.target, Defaults: tt.def}, tt.lines...)
			want := tt.want
			for _, out := range res.out {
				if out != "" {
					want.Bytes += int64(len(out)) + 1
				}
			}
			if res.sum != want {
				t.Errorf("summary = %+v, want %+v (error %q)", res.sum, want, res.err)
			}
		})
	}
	t.Run("no requests", func(t *testing.T) {
		res := convertLines(t, ConvertOptions{Target: TargetGemini})
		if res.err != "reqs.jsonl: no requests" {
			t.Errorf("error = %q", res.err)
		}
	})
}

func TestPromptLines(t *testing.T) {
	data, err := io.ReadAll(PromptLines([]string{"Hi", "Say \"yes\"\nor no", "café"}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"prompt":"Hi"}` + "\n" + `{"prompt":"Say \"yes\"\nor no"}` + "\n" + `{"prompt":"café"}` + "\n"
	if string(data) != want {
		t.Errorf("got:\n%s\nwant:\n%s", data, want)
	}
	r := NewReader(bytes.NewReader(data))
	c := NewConverter("--prompt", ConvertOptions{Target: TargetAnthropic, Defaults: Defaults{Model: "m", MaxTokens: intp(5)}})
	var ids []string
	for {
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		_, id, ok := c.Convert(r.Line(), line)
		if !ok {
			t.Fatal(c.Finish())
		}
		ids = append(ids, id)
	}
	if strings.Join(ids, " ") != "line-000001 line-000002 line-000003" {
		t.Errorf("ids = %q", ids)
	}
}

// FuzzConvert checks that the converter never panics, and that a line it
// accepts comes out as valid JSON carrying the returned id where the
// target wants it.
func FuzzConvert(f *testing.F) {
	for _, seed := range []string{
		openAIChatLine, openAIEmbeddingsLine, openAIResponsesLine, anthropicLine, geminiLine, geminiEmbedLine,
		simpleLine, simplePromptLine, simpleInputLine,
		`{"custom_id":"q1","method":"POST","url":"/v1/embeddings","body": { } }`,
		`{"custom_id":"q1","params":{"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://x"}}]}]}}`,
		`{"custom_id":"a\"b","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image\/png;base64,AA"}}]}]}`,
		`{"key":"k","request":{"contents":[{"parts":[{"inline_data":{"mime_type":"image/png","data":"AA=="}}]}],"generation_config":{"stop_sequences":["x"]}}}`,
		`{"input":["a","b"],"dimensions":3}`, `{"prompt":"x","stop":["a"],"top_k":1}`, `{}`, `[]`, `{"prompt":"\ud800"}`,
		"plain text prompt", "caf\xe9",
	} {
		for target := range uint8(4) {
			f.Add([]byte(seed), target, false)
		}
		f.Add([]byte(seed), uint8(0), true)
	}
	targets := []Target{TargetOpenAI, TargetAnthropic, TargetGemini, TargetOpenRouter}
	f.Fuzz(func(t *testing.T, line []byte, target uint8, text bool) {
		tg := targets[int(target)%len(targets)]
		c := NewConverter("fuzz.jsonl", ConvertOptions{Target: tg, TextInput: text, Defaults: Defaults{Model: "m", MaxTokens: intp(5)}})
		out, id, ok := c.Convert(1, line)
		if !ok {
			if out != nil {
				t.Fatalf("a line that did not convert has output %q", out)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("%s line %q converted to invalid JSON: %q", tg, line, out)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(out, &fields); err != nil {
			t.Fatal(err)
		}
		key := "custom_id"
		if tg == TargetGemini {
			key = "key"
		}
		var got string
		if err := json.Unmarshal(fields[key], &got); err != nil || got != id {
			t.Fatalf("%s of %q is %s, want %q", key, out, fields[key], id)
		}
		if _, body := fields["body"]; tg == TargetOpenRouter && (len(fields) != 2 || !body) {
			t.Fatalf("openrouter line %q converted to %q, want custom_id and body only", line, out)
		}
	})
}

// TestConvertMalformed covers requests whose members have the wrong type
// or are missing, shape by shape.
func TestConvertMalformed(t *testing.T) {
	anthropicMessage := func(message string) string {
		return `{"custom_id":"q1","params":{"model":"m","max_tokens":9,"messages":[` + message + `]}}`
	}
	geminiContent := func(content string) string {
		return `{"key":"q1","request":{"contents":[` + content + `]}}`
	}
	chatPart := func(part string) string {
		return chatMessages(`[{"role":"user","content":[` + part + `]}]`)
	}
	responsesInput := func(input string) string {
		return `{"custom_id":"r1","method":"POST","url":"/v1/responses","body":{"model":"m","input":` + input + `}}`
	}
	tests := []struct {
		name   string
		target Target
		line   string
		want   string // without the "reqs.jsonl:1: " prefix
	}{
		{"anthropic params", TargetOpenAI, `{"custom_id":"q1","params":[]}`, "params: must be an object, not array"},
		{"anthropic messages", TargetOpenAI, `{"custom_id":"q1","params":{"model":"m","messages":"Hi"}}`,
			"params.messages: must be an array of messages, not string"},
		{"anthropic message", TargetOpenAI, anthropicMessage(`"Hi"`), "params.messages[0]: must be an object, not string"},
		{"anthropic role", TargetOpenAI, anthropicMessage(`{"role":1,"content":"Hi"}`), "params.messages[0].role: must be a string, not number"},
		{"anthropic content missing", TargetOpenAI, anthropicMessage(`{"role":"user"}`), "params.messages[0].content: missing"},
		{"anthropic content", TargetOpenAI, anthropicMessage(`{"role":"user","content":7}`),
			"params.messages[0].content: must be a string or an array of content blocks, not number"},
		{"anthropic content empty", TargetOpenAI, anthropicMessage(`{"role":"user","content":[]}`), "params.messages[0].content: must not be empty"},
		{"anthropic block", TargetOpenAI, anthropicMessage(`{"role":"user","content":["Hi"]}`),
			"params.messages[0].content[0]: must be an object, not string"},
		{"anthropic block type", TargetOpenAI, anthropicMessage(`{"role":"user","content":[{"text":"Hi"}]}`),
			"params.messages[0].content[0].type: missing"},
		{"anthropic text block with a source", TargetOpenAI, anthropicMessage(`{"role":"user","content":[{"type":"text","text":"Hi","source":{}}]}`),
			"params.messages[0].content[0].source: cannot be converted to openai"},
		{"anthropic text not a string", TargetOpenAI, anthropicMessage(`{"role":"user","content":[{"type":"text","text":["Hi"]}]}`),
			"params.messages[0].content[0].text: must be a string, not array"},
		{"anthropic image source missing", TargetOpenAI, anthropicMessage(`{"role":"user","content":[{"type":"image"}]}`),
			"params.messages[0].content[0].source: missing"},
		{"anthropic image source", TargetOpenAI, anthropicMessage(`{"role":"user","content":[{"type":"image","source":"x"}]}`),
			"params.messages[0].content[0].source: must be an object, not string"},
		{"anthropic image source type", TargetOpenAI, anthropicMessage(`{"role":"user","content":[{"type":"image","source":{"data":"AA"}}]}`),
			"params.messages[0].content[0].source.type: missing"},
		{"anthropic image media type", TargetOpenAI, anthropicMessage(`{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":1,"data":"AA"}}]}`),
			"params.messages[0].content[0].source.media_type: must be a string, not number"},
		{"anthropic image without data", TargetOpenAI, anthropicMessage(`{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":""}}]}`),
			"params.messages[0].content[0].source: has no data"},
		{"anthropic url source with data", TargetOpenAI, anthropicMessage(`{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://x","data":"AA"}}]}`),
			"params.messages[0].content[0].source.data: cannot be converted to openai"},
		{"anthropic image in the system prompt", TargetOpenAI,
			`{"custom_id":"q1","params":{"model":"m","system":[{"type":"image","source":{}}],"messages":[{"role":"user","content":"Hi"}]}}`,
			`params.system[0].type: "image" blocks cannot be converted to openai`},
		{"anthropic system block", TargetOpenAI, `{"custom_id":"q1","params":{"model":"m","system":[1],"messages":[{"role":"user","content":"Hi"}]}}`,
			"params.system[0]: must be an object, not number"},
		{"gemini content", TargetOpenAI, geminiContent(`"Hi"`), "request.contents[0]: must be an object, not string"},
		{"gemini role", TargetOpenAI, geminiContent(`{"role":1,"parts":[{"text":"Hi"}]}`), "request.contents[0].role: must be a string, not number"},
		{"gemini parts", TargetOpenAI, geminiContent(`{"parts":{"text":"Hi"}}`), "request.contents[0].parts: must be an array of parts, not object"},
		{"gemini parts empty", TargetOpenAI, geminiContent(`{"parts":[]}`), "request.contents[0].parts: must not be empty"},
		{"gemini part", TargetOpenAI, geminiContent(`{"parts":["Hi"]}`), "request.contents[0].parts[0]: must be an object, not string"},
		{"gemini inline data", TargetOpenAI, geminiContent(`{"parts":[{"inlineData":"AA"}]}`),
			"request.contents[0].parts[0].inlineData: must be an object, not string"},
		{"gemini inline media type", TargetOpenAI, geminiContent(`{"parts":[{"inlineData":{"data":"AA","videoMetadata":{}}}]}`),
			"request.contents[0].parts[0].inlineData.videoMetadata: cannot be converted to openai\n" +
				"reqs.jsonl:1: request.contents[0].parts[0].inlineData.mimeType: missing"},
		{"gemini inline without a media type", TargetOpenAI, geminiContent(`{"parts":[{"inlineData":{"mimeType":"","data":"AA"}}]}`),
			"request.contents[0].parts[0].inlineData: has no media type"},
		{"gemini system instruction", TargetOpenAI, geminiRequest(`,"systemInstruction":"S"`), "request.systemInstruction: must be an object, not string"},
		{"gemini system instruction without parts", TargetOpenAI, geminiRequest(`,"systemInstruction":{"role":"system"}`),
			"request.systemInstruction.parts: missing"},
		{"gemini system instruction member", TargetOpenAI, geminiRequest(`,"systemInstruction":{"parts":[{"text":"S"}],"x":1}`),
			"request.systemInstruction.x: cannot be converted to openai"},
		{"gemini generation config", TargetOpenAI, geminiRequest(`,"generationConfig":[]`), "request.generationConfig: must be an object, not array"},
		{"gemini embed content member", TargetOpenAI, `{"key":"e1","request":{"content":{"role":"user","parts":[{"text":"a"}],"x":1}}}`,
			"request.content.x: cannot be converted to openai"},
		{"gemini embed parts missing", TargetOpenAI, `{"key":"e1","request":{"content":{}}}`, "request.content.parts: missing"},
		{"gemini embed parts", TargetOpenAI, `{"key":"e1","request":{"content":{"parts":"a"}}}`,
			"request.content.parts: must be an array of parts, not string"},
		{"gemini embed part", TargetOpenAI, `{"key":"e1","request":{"content":{"parts":["a"]}}}`, "request.content.parts[0]: must be an object, not string"},
		{"gemini embed image", TargetOpenAI, `{"key":"e1","request":{"content":{"parts":[{"inlineData":{}}]}}}`,
			"request.content.parts[0].inlineData: cannot be converted to openai\nreqs.jsonl:1: request.content.parts[0].text: missing"},
		{"chat part", TargetAnthropic, chatPart(`"Hi"`), "body.messages[0].content[0]: must be an object, not string"},
		{"chat message", TargetAnthropic, chatMessages(`["Hi"]`), "body.messages[0]: must be an object, not string"},
		{"chat text part with an image", TargetAnthropic, chatPart(`{"type":"text","text":"Hi","image_url":{}}`),
			"body.messages[0].content[0].image_url: cannot be converted to anthropic"},
		{"chat image part with text", TargetAnthropic, chatPart(`{"type":"image_url","text":"Hi","image_url":{"url":"https://x"}}`),
			"body.messages[0].content[0].text: cannot be converted to anthropic"},
		{"chat image_url missing", TargetAnthropic, chatPart(`{"type":"image_url"}`), "body.messages[0].content[0].image_url: missing"},
		{"chat image_url a string", TargetAnthropic, chatPart(`{"type":"image_url","image_url":"https://x"}`),
			"body.messages[0].content[0].image_url: must be an object, not string"},
		{"chat image_url member", TargetAnthropic, chatPart(`{"type":"image_url","image_url":{"url":"https://x","size":1}}`),
			"body.messages[0].content[0].image_url.size: cannot be converted to anthropic"},
		{"chat image url not a string", TargetAnthropic, chatPart(`{"type":"image_url","image_url":{"url":1}}`),
			"body.messages[0].content[0].image_url.url: must be a string, not number"},
		{"chat image url missing", TargetAnthropic, chatPart(`{"type":"image_url","image_url":{}}`),
			"body.messages[0].content[0].image_url.url: missing"},
		{"chat long part type", TargetAnthropic, chatPart(`{"type":"` + strings.Repeat("é", 20) + `"}`),
			`body.messages[0].content[0].type: "` + strings.Repeat("é", 11) + `... parts cannot be converted to anthropic`},
		{"chat role with an escape", TargetAnthropic, chatMessages(`[{"role":"\u0062ot","content":"Hi"}]`),
			`body.messages[0].role: "bot" is not a role (want system, developer, user, assistant or tool)`},
		{"chat tool role with an escape", TargetAnthropic, chatMessages(`[{"role":"t\u006fol","content":"Hi"}]`),
			`body.messages[0].tool_call_id: missing`},
		{"responses input", TargetAnthropic, responsesInput(`7`), "body.input: must be a string or an array of messages, not number"},
		{"responses message", TargetAnthropic, responsesInput(`["Hi"]`), "body.input[0]: must be an object, not string"},
		{"responses part", TargetAnthropic, responsesInput(`[{"role":"user","content":[1]}]`), "body.input[0].content[0]: must be an object, not number"},
		{"responses image with text", TargetGemini, responsesInput(`[{"role":"user","content":[{"type":"input_image","image_url":"data:image/png;base64,AA","text":"x"}]}]`),
			"body.input[0].content[0].text: cannot be converted to gemini"},
		{"responses image detail", TargetGemini, responsesInput(`[{"role":"user","content":[{"type":"input_image","image_url":"data:image/png;base64,AA","detail":"low"}]}]`),
			`body.input[0].content[0].detail: "low" cannot be converted to gemini (only "auto")`},
		{"responses text with an image", TargetGemini, responsesInput(`[{"role":"user","content":[{"type":"input_text","text":"x","image_url":"y"}]}]`),
			"body.input[0].content[0].image_url: cannot be converted to gemini"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := convertLines(t, ConvertOptions{Target: tt.target, Defaults: Defaults{Model: "m", MaxTokens: intp(9)}}, tt.line)
			if want := "reqs.jsonl:1: " + tt.want; res.err != want {
				t.Errorf("got:\n%s\nwant:\n%s", res.err, want)
			}
		})
	}
}

package jsonl

import "testing"

// mistralChat is what openAIChatLine (and the other chat lines) become.
const mistralChatLine = `{"custom_id":"q1","body":{"model":"mistral-small-latest","messages":[{"role":"user","content":"Hi"}],"max_tokens":50}}`

func TestConvertMistral(t *testing.T) {
	tests := []struct {
		name string
		def  Defaults
		line string
		want string
		sum  Summary // Endpoint, Kind and Model, when set
	}{
		{
			name: "openai chat", line: openAIChatLine,
			want: `{"custom_id":"q1","body":{"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},` +
				`{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello."},` +
				`{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0K"}}]}],` +
				`"max_tokens":100,"temperature":0.5,"top_p":0.9,"stop":"END"}}`,
			sum: Summary{Endpoint: "/v1/chat/completions", Kind: KindChat, Model: "gpt-4o-mini"},
		},
		{
			name: "openai embeddings", line: openAIEmbeddingsLine,
			want: `{"custom_id":"e1","body":{"model":"text-embedding-004","input":["The food was delicious."],"output_dimension":256}}`,
			sum:  Summary{Endpoint: "/v1/embeddings", Kind: KindEmbeddings, Model: "text-embedding-004"},
		},
		{
			name: "openai responses", line: openAIResponsesLine,
			want: `{"custom_id":"r1","body":{"model":"gpt-4.1","messages":[{"role":"system","content":"Be brief."},` +
				`{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0K"}}]},` +
				`{"role":"assistant","content":"A logo."},{"role":"user","content":"Sure?"}],"max_tokens":100,"temperature":0.5}}`,
		},
		{
			name: "openai moderation keeps its body", line: `{"custom_id":"m1","method":"POST","url":"/v1/moderations","body":{"model":"mistral-moderation-latest","input":["a","b"]}}`,
			want: `{"custom_id":"m1","body":{"model":"mistral-moderation-latest","input":["a","b"]}}`,
			sum:  Summary{Endpoint: "/v1/moderations", Kind: "moderations", Model: "mistral-moderation-latest"},
		},
		{
			name: "openai moderation takes --model", def: Defaults{Model: "mistral-moderation-latest"},
			line: `{"custom_id":"m1","method":"POST","url":"/v1/moderations","body":{"input":"a"}}`,
			want: `{"custom_id":"m1","body":{"model":"mistral-moderation-latest","input":"a"}}`,
		},
		{
			name: "anthropic", line: anthropicLine,
			want: `{"custom_id":"q1","body":{"model":"claude-sonnet-4-5","messages":[{"role":"system","content":[{"type":"text","text":"Be brief."},{"type":"text","text":"Be kind."}]},` +
				`{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0K"}}]},` +
				`{"role":"assistant","content":"A logo."}],"max_tokens":100,"temperature":0.5,"stop":["END","STOP"]}}`,
		},
		{
			name: "gemini", def: Defaults{Model: "mistral-small-latest"}, line: geminiLine,
			want: `{"custom_id":"q1","body":{"model":"mistral-small-latest","messages":[{"role":"system","content":"Be brief."},` +
				`{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}}]},` +
				`{"role":"assistant","content":"A logo."},{"role":"user","content":"Sure?"}],"max_tokens":100,"temperature":0.5,"top_p":0.9,"stop":["END"]}}`,
		},
		{
			name: "gemini embeddings", line: geminiEmbedLine,
			want: `{"custom_id":"e1","body":{"model":"text-embedding-004","input":"The food was delicious.","output_dimension":256}}`,
		},
		{
			name: "simple", line: simpleLine,
			want: `{"custom_id":"s1","body":{"model":"m1","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],` +
				`"max_tokens":50,"temperature":0,"top_p":1,"stop":["END"]}}`,
		},
		{
			name: "simple input", def: Defaults{Model: "mistral-embed"}, line: simpleInputLine,
			want: `{"custom_id":"e1","body":{"model":"mistral-embed","input":"Hello","output_dimension":8}}`,
		},
		{
			name: "mistral line passes as it is", line: mistralChatLine, want: mistralChatLine,
			sum: Summary{Endpoint: "/v1/chat/completions", Kind: KindChat, Model: "mistral-small-latest"},
		},
		{
			name: "mistral line without a model passes with --model", def: Defaults{Model: "mistral-embed"},
			line: `{"custom_id":"e","body":{"input":["x"],"output_dtype":"float"}}`,
			want: `{"custom_id":"e","body":{"input":["x"],"output_dtype":"float"}}`,
			sum:  Summary{Endpoint: "/v1/embeddings", Kind: KindEmbeddings, Model: "mistral-embed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := convertLines(t, ConvertOptions{Target: TargetMistral, Defaults: tt.def}, tt.line)
			if res.err != "" {
				t.Fatalf("error:\n%s", res.err)
			}
			if res.out[0] != tt.want {
				t.Errorf("got\n%s\nwant\n%s", res.out[0], tt.want)
			}
			if tt.sum.Endpoint != "" && (res.sum.Endpoint != tt.sum.Endpoint || res.sum.Kind != tt.sum.Kind || res.sum.Model != tt.sum.Model) {
				t.Errorf("summary %+v, want endpoint %s, kind %s, model %s", res.sum, tt.sum.Endpoint, tt.sum.Kind, tt.sum.Model)
			}
		})
	}
}

func TestConvertMistralRefusals(t *testing.T) {
	tests := []struct {
		name string
		def  Defaults
		line string
		want string
	}{
		{
			name: "ocr", line: `{"custom_id":"o","method":"POST","url":"/v1/ocr","body":{"model":"mistral-ocr-latest","document":{}}}`,
			want: `reqs.jsonl:1: url: "/v1/ocr" is not supported: batchctl cannot read its results (want /v1/chat/completions, /v1/embeddings or /v1/moderations)`,
		},
		{
			name: "fim", line: `{"custom_id":"f","method":"POST","url":"/v1/fim/completions","body":{"model":"codestral-latest","prompt":"def"}}`,
			want: `reqs.jsonl:1: url: "/v1/fim/completions" is not supported: batchctl cannot read its results (want /v1/chat/completions, /v1/embeddings or /v1/moderations)`,
		},
		{
			name: "fim in a mistral line", line: `{"custom_id":"f","body":{"model":"codestral-latest","prompt":"def"}}`,
			want: `reqs.jsonl:1: body.prompt: fill-in-the-middle requests are not supported: batchctl cannot read their results (want messages for chat or input for embeddings)`,
		},
		{
			name: "openai completions", line: `{"custom_id":"c","method":"POST","url":"/v1/completions","body":{"model":"m","prompt":"p"}}`,
			want: `reqs.jsonl:1: url: "/v1/completions" cannot be converted to mistral`,
		},
		{
			name: "mistral line without a model", line: `{"custom_id":"q","body":{"messages":[{"role":"user","content":"Hi"}]}}`,
			want: `reqs.jsonl:1: body.model: missing (pass --model)`,
		},
		{
			name: "mistral line with another member", line: `{"custom_id":"q","body":{"model":"m","messages":[]},"extra":1}`,
			want: `reqs.jsonl:1: extra: unknown field (a mistral batch line has custom_id and body)`,
		},
		{
			name: "moderation of an image", line: `{"custom_id":"m","method":"POST","url":"/v1/moderations","body":{"model":"m","input":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}}`,
			want: `reqs.jsonl:1: body.input[0]: must be a string, not object`,
		},
		{
			name: "temperature above 1.5", line: `{"custom_id":"s","model":"m","prompt":"Hi","temperature":2}`,
			want: `reqs.jsonl:1: temperature: 2 is out of range for mistral (0 to 1.5)`,
		},
		{
			name: "--endpoint responses", def: Defaults{Endpoint: KindResponses},
			line: `{"custom_id":"r","body":{"model":"m","input":"Hi"}}`,
			want: `reqs.jsonl: --endpoint: responses cannot be converted to mistral (it serves chat and embeddings, and moderations from openai batch lines)`,
		},
		{
			name: "base64 embeddings", line: `{"custom_id":"e","model":"m","input":"x","encoding_format":"base64"}`,
			want: `reqs.jsonl:1: encoding_format: "base64" cannot be converted to mistral (it returns floats)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := convertLines(t, ConvertOptions{Target: TargetMistral, Defaults: tt.def}, tt.line)
			if res.err != tt.want || res.out[0] != "" {
				t.Errorf("got %q, error:\n%s\nwant:\n%s", res.out[0], res.err, tt.want)
			}
		})
	}
}

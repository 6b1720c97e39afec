package jsonl

import (
	"strings"
	"testing"
)

// TestBedrockRecords checks that lines of every shape become Bedrock
// records: recordId, and an Anthropic body with anthropic_version first
// and no model (the job's).
func TestBedrockRecords(t *testing.T) {
	maxTokens := 16
	tests := []struct{ name, in, want string }{
		{"simple", `{"custom_id":"a","prompt":"hello"}`,
			`{"recordId":"a","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":16,"messages":[{"role":"user","content":"hello"}]}}`},
		{"openai chat", `{"custom_id":"b","body":{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}],"max_tokens":5}}`,
			`{"recordId":"b","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"system":"be brief","messages":[{"role":"user","content":"hi"}]}}`},
		{"anthropic native", `{"custom_id":"c","params":{"model":"anthropic.claude-x","max_tokens":5,"messages":[{"role":"user","content":"q \"x\""}]}}`,
			`{"recordId":"c","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"messages":[{"role":"user","content":"q \"x\""}]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConverter("in.jsonl", ConvertOptions{Target: TargetBedrock, Defaults: Defaults{Model: "anthropic.claude-x", MaxTokens: &maxTokens}})
			out, _, ok := c.Convert(1, []byte(tt.in))
			if !ok {
				t.Fatalf("Convert failed: %v", c.problems.err())
			}
			if string(out) != tt.want {
				t.Errorf("got  %s\nwant %s", out, tt.want)
			}
		})
	}
}

// TestBedrockFamilyRecords checks the records of the families whose
// bodies are not Anthropic's, from lines of several shapes: Llama's
// prompt in its chat template, Nova's messages-v1, Mistral's instruction
// prompt and chat messages.
func TestBedrockFamilyRecords(t *testing.T) {
	chat := `{"custom_id":"a","body":{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi \"you\""}],"max_tokens":5,"temperature":0.5,"top_p":0.9}}`
	anth := `{"custom_id":"b","params":{"model":"x","max_tokens":7,"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"},{"role":"user","content":"q2"}],"stop_sequences":["END"]}}`
	tests := []struct{ model, in, want string }{
		{"meta.llama3-1-70b-instruct-v1:0", chat,
			`{"recordId":"a","modelInput":{"prompt":"<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nbe brief<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nhi \"you\"<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n","max_gen_len":5,"temperature":0.5,"top_p":0.9}}`},
		{"us.meta.llama3-2-3b-instruct-v1:0", `{"custom_id":"c","messages":[{"role":"user","content":"start"},{"role":"assistant","content":"Once"}]}`,
			`{"recordId":"c","modelInput":{"prompt":"<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nstart<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nOnce"}}`},
		{"amazon.nova-lite-v1:0", chat,
			`{"recordId":"a","modelInput":{"schemaVersion":"messages-v1","system":[{"text":"be brief"}],"messages":[{"role":"user","content":[{"text":"hi \"you\""}]}],"inferenceConfig":{"maxTokens":5,"temperature":0.5,"topP":0.9}}}`},
		{"us.amazon.nova-pro-v1:0", anth,
			`{"recordId":"b","modelInput":{"schemaVersion":"messages-v1","messages":[{"role":"user","content":[{"text":"q"}]},{"role":"assistant","content":[{"text":"a"}]},{"role":"user","content":[{"text":"q2"}]}],"inferenceConfig":{"maxTokens":7,"stopSequences":["END"]}}}`},
		{"mistral.mixtral-8x7b-instruct-v0:1", anth,
			`{"recordId":"b","modelInput":{"prompt":"<s>[INST] q [/INST] a</s>[INST] q2 [/INST]","max_tokens":7,"stop":["END"]}}`},
		{"mistral.mistral-7b-instruct-v0:2", chat,
			`{"recordId":"a","modelInput":{"prompt":"<s>[INST] be brief\n\nhi \"you\" [/INST]","max_tokens":5,"temperature":0.5,"top_p":0.9}}`},
		{"mistral.mistral-large-2407-v1:0", chat,
			`{"recordId":"a","modelInput":{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi \"you\""}],"max_tokens":5,"temperature":0.5,"top_p":0.9}}`},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			c := NewConverter("in.jsonl", ConvertOptions{Target: TargetBedrock, Defaults: Defaults{Model: tt.model}})
			out, _, ok := c.Convert(1, []byte(tt.in))
			if !ok {
				t.Fatalf("Convert failed: %v", c.problems.err())
			}
			if string(out) != tt.want {
				t.Errorf("got  %s\nwant %s", out, tt.want)
			}
		})
	}
}

// TestBedrockFamilyRefusals checks that what a family's body cannot carry
// is refused with the field named.
func TestBedrockFamilyRefusals(t *testing.T) {
	tests := []struct{ model, in, want string }{
		{"meta.llama3-1-8b-instruct-v1:0", `{"custom_id":"a","prompt":"hi","stop":["x"]}`, "stop: cannot be converted to bedrock"},
		{"meta.llama3-1-8b-instruct-v1:0", `{"custom_id":"a","prompt":"hi","top_k":5}`, "top_k: cannot be converted to bedrock"},
		{"amazon.nova-micro-v1:0", `{"custom_id":"a","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}`, "messages[0].content[0].image_url.url: images cannot be converted to bedrock"},
		{"mistral.mistral-large-2407-v1:0", `{"custom_id":"a","prompt":"hi","stop":"x"}`, "stop: cannot be converted to bedrock"},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			c := NewConverter("in.jsonl", ConvertOptions{Target: TargetBedrock, Defaults: Defaults{Model: tt.model}})
			if _, _, ok := c.Convert(1, []byte(tt.in)); ok {
				t.Fatal("Convert succeeded")
			}
			if err := c.problems.err(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("problems %v, want %q", err, tt.want)
			}
		})
	}
}

func TestBedrockFamily(t *testing.T) {
	for model, want := range map[string]string{
		"anthropic.claude-3-5-haiku-20241022-v1:0": BedrockAnthropic, "us.anthropic.claude-x": BedrockAnthropic,
		"meta.llama3-1-70b-instruct-v1:0": BedrockLlama, "us.meta.llama4-scout-17b-instruct-v1:0": BedrockLlama,
		"amazon.nova-lite-v1:0": BedrockNova, "eu.amazon.nova-micro-v1:0": BedrockNova, "global.amazon.nova-2-lite-v1:0": BedrockNova,
		"mistral.mistral-large-2407-v1:0": BedrockMistral,
		"meta.llama2-13b-chat-v1":         "", "amazon.titan-text-express-v1": "", "cohere.command-r-v1:0": "", "us.cohere.x": "",
	} {
		if got := BedrockFamily(model); got != want {
			t.Errorf("BedrockFamily(%q) = %q, want %q", model, got, want)
		}
	}
}

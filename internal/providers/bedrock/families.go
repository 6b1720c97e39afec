package bedrock

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/batchctl/batchctl/internal/jsonscan"
	"github.com/batchctl/batchctl/internal/providers"
)

// A modelOutput is the InvokeModel answer of the job's model
// (batch-inference-results.html), whose shape is its family's. Anthropic
// messages go through the anthropic provider's Normalize; the other
// families' answers are read here, told apart by a member only they
// have.

// llamaOutput is a Llama answer: {"generation", "prompt_token_count",
// "generation_token_count", "stop_reason": "stop"|"length"}. Source:
// "Meta Llama models", Response
// (docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html).
type llamaOutput struct {
	Generation       string `json:"generation"`
	PromptTokens     *int64 `json:"prompt_token_count"`
	GenerationTokens *int64 `json:"generation_token_count"`
	StopReason       string `json:"stop_reason"`
}

// novaOutput is an Amazon Nova answer: {"output":{"message":{"role",
// "content":[{"text"}]}}, "stopReason", "usage":{"inputTokens",
// "outputTokens", "totalTokens"}}. Source: Amazon Nova user guide,
// "Response structure highlights"
// (docs.aws.amazon.com/nova/latest/userguide/complete-request-schema-response.html).
type novaOutput struct {
	Output struct {
		Message struct {
			Content []struct {
				Text *string `json:"text"`
			} `json:"content"`
		} `json:"message"`
	} `json:"output"`
	StopReason string `json:"stopReason"`
	Usage      *struct {
		InputTokens  int64 `json:"inputTokens"`
		OutputTokens int64 `json:"outputTokens"`
	} `json:"usage"`
}

// mistralPromptOutput is a Mistral text completion answer:
// {"outputs":[{"text","stop_reason"}]}, without token counts. Source:
// "Mistral AI text completion", Response
// (.../model-parameters-mistral-text-completion.html).
type mistralPromptOutput struct {
	Outputs []struct {
		Text       string `json:"text"`
		StopReason string `json:"stop_reason"`
	} `json:"outputs"`
}

// mistralChatOutput is a Mistral chat completion answer:
// {"choices":[{"index","message":{"role","content"},"stop_reason"}]},
// without token counts. Source: "Mistral AI chat completion", Response
// (.../model-parameters-mistral-chat-completion.html).
type mistralChatOutput struct {
	Choices []struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
		StopReason string `json:"stop_reason"`
	} `json:"choices"`
}

// answer is what a family's answer says: its text, why it ended, and the
// tokens it took (nil when the family does not say).
type answer struct {
	text, finish string
	usage        *providers.Usage
}

// familyReaders gives, by a member only its answers have, the reader of
// a family's answers.
var familyReaders = map[string]func([]byte) (answer, error){
	"generation": readLlama,
	"output":     readNova,
	"outputs":    readMistralPrompt,
	"choices":    readMistralChat,
}

// familyOf finds the reader of out's family; nil for an Anthropic message.
func familyOf(out []byte) func([]byte) (answer, error) {
	var read func([]byte) (answer, error)
	s := jsonscan.New(out)
	s.Object(func(key []byte) error {
		if r, ok := familyReaders[string(key)]; ok {
			read = r
			return providers.ErrStop
		}
		return s.Skip()
	})
	return read
}

func readLlama(out []byte) (answer, error) {
	var o llamaOutput
	if err := json.Unmarshal(out, &o); err != nil {
		return answer{}, err
	}
	a := answer{text: o.Generation, finish: o.StopReason}
	if o.PromptTokens != nil || o.GenerationTokens != nil {
		a.usage = &providers.Usage{InputTokens: deref(o.PromptTokens), OutputTokens: deref(o.GenerationTokens)}
	}
	return a, nil
}

func readNova(out []byte) (answer, error) {
	var o novaOutput
	if err := json.Unmarshal(out, &o); err != nil {
		return answer{}, err
	}
	a := answer{finish: o.StopReason}
	for _, c := range o.Output.Message.Content {
		if c.Text != nil {
			a.text += *c.Text
		}
	}
	if o.Usage != nil {
		a.usage = &providers.Usage{InputTokens: o.Usage.InputTokens, OutputTokens: o.Usage.OutputTokens}
	}
	return a, nil
}

func readMistralPrompt(out []byte) (answer, error) {
	var o mistralPromptOutput
	if err := json.Unmarshal(out, &o); err != nil {
		return answer{}, err
	}
	if len(o.Outputs) == 0 {
		return answer{}, fmt.Errorf("outputs is empty")
	}
	return answer{text: o.Outputs[0].Text, finish: o.Outputs[0].StopReason}, nil
}

func readMistralChat(out []byte) (answer, error) {
	var o mistralChatOutput
	if err := json.Unmarshal(out, &o); err != nil {
		return answer{}, err
	}
	if len(o.Choices) == 0 {
		return answer{}, fmt.Errorf("choices is empty")
	}
	return answer{text: o.Choices[0].Message.Content, finish: o.Choices[0].StopReason}, nil
}

// familyResult is the succeeded result of the answer out that read reads.
func familyResult(id string, out []byte, read func([]byte) (answer, error)) (providers.Result, error) {
	a, err := read(out)
	if err != nil {
		return providers.Result{}, fmt.Errorf("result line for %q: modelOutput: %w", id, err)
	}
	r := providers.Result{CustomID: id, Status: providers.ResultSucceeded, Text: &a.text, Usage: a.usage, Response: bytes.Clone(out)}
	if a.finish != "" {
		r.FinishReason = &a.finish
		r.NormalizeFinish()
	}
	return r, nil
}

func deref(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

package jsonl

import (
	"strings"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// bedrockAnthropicVersion is the anthropic_version every Anthropic body
// sent to Bedrock carries, in place of the model and the
// anthropic-version header of Anthropic's own API. Source: "Anthropic
// Claude Messages API" in the Bedrock user guide
// (docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html):
// "anthropic_version – (Required) The anthropic version. The value must
// be bedrock-2023-05-31."
const bedrockAnthropicVersion = "bedrock-2023-05-31"

// bedrock is Amazon Bedrock batch inference (internal/providers/bedrock)
// for Anthropic's models on Bedrock (the other families' rules are
// bedrockRules'): a record is
// {"recordId":...,"modelInput":{...}}, modelInput the InvokeModel body of
// the model: an Anthropic Messages body with anthropic_version and without
// model, since the job names the one model all its records use. Source:
// "Format and upload your batch inference data"
// (docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-data.html).
// Lines are checked and written as for Anthropic, then rewritten.
var bedrock = protocol{
	name:     TargetBedrock,
	native:   shapeAnthropic,
	pass:     (*Converter).passBedrock,
	idOK:     isAnthropicID,
	badID:    "is not a valid bedrock recordId (want 1 to 64 letters, digits, '_' or '-')",
	converts: map[Kind]Kind{KindChat: KindChat, KindResponses: KindChat},
	routes: map[Kind]route{
		KindChat: {"InvokeModel", (*Converter).appendBedrock},
	},
	serves:            "chat",
	maxTokensRequired: true,
	maxTemperature:    1,
	topK:              true,
	imageTypes:        []string{"image/jpeg", "image/png", "image/gif", "image/webp"},
	noParallel:        true,
	resultErrors:      true,
	toolNameOK:        func(n []byte) bool { return isAnthropicID(n) },
	toolNames:         "want 1 to 64 letters, digits, '_' or '-'",
	family:            bedrockRules,
}

// The model families of Bedrock whose InvokeModel bodies batchctl writes.
const (
	BedrockAnthropic = "anthropic"
	BedrockLlama     = "llama"
	BedrockNova      = "nova"
	BedrockMistral   = "mistral"
)

// BedrockFamily is the family of a Bedrock model id ("meta.llama3-1-70b-instruct-v1:0")
// or inference profile id, which puts a geography before it
// ("us.amazon.nova-lite-v1:0"); "" for a model whose bodies batchctl does
// not write. Llama 2 (meta.llama2, whose chat template differs) and the
// Titan text models are not among them.
func BedrockFamily(model string) string {
	id := model
	if geo, rest, ok := strings.Cut(model, "."); ok && !strings.Contains(geo, "-") && bedrockProvider(rest) {
		id = rest
	}
	switch {
	case strings.HasPrefix(id, "anthropic."):
		return BedrockAnthropic
	case strings.HasPrefix(id, "meta.llama3"), strings.HasPrefix(id, "meta.llama4"):
		return BedrockLlama
	case strings.HasPrefix(id, "amazon.nova-"):
		return BedrockNova
	case strings.HasPrefix(id, "mistral."):
		return BedrockMistral
	}
	return ""
}

// bedrockProvider reports whether id starts with a model provider's name.
func bedrockProvider(id string) bool {
	for _, p := range []string{"anthropic.", "meta.", "amazon.", "mistral."} {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

// bedrockRules gives the rules of model's family; nil, keeping bedrock's
// (Anthropic's), for an Anthropic model or one of no family batchctl
// knows, which the bedrock provider refuses (CheckParts) before anything
// is sent.
func bedrockRules(model string) *protocol {
	switch BedrockFamily(model) {
	case BedrockLlama:
		return &bedrockLlama
	case BedrockNova:
		return &bedrockNova
	case BedrockMistral:
		if takesMistralChat(model) {
			return &bedrockMistralChat
		}
		return &bedrockMistralPrompt
	}
	return nil
}

// bedrockTextRules are the rules of a family whose records batchctl
// writes from text alone: no images, tools or structured outputs, and
// lines of every shape, Anthropic's too, are converted. emit writes a
// record.
func bedrockTextRules(emit func(*Converter, []byte) []byte) protocol {
	return protocol{
		name:           TargetBedrock,
		native:         shapeAnthropic,
		pass:           (*Converter).convertNative,
		idOK:           isAnthropicID,
		badID:          "is not a valid bedrock recordId (want 1 to 64 letters, digits, '_' or '-')",
		converts:       map[Kind]Kind{KindChat: KindChat, KindResponses: KindChat},
		routes:         map[Kind]route{KindChat: {"InvokeModel", emit}},
		serves:         "chat",
		maxTemperature: 1,
		textOnly:       true,
		noTools:        true,
	}
}

// bedrockLlama is Meta's Llama 3 and 4 on Bedrock: {"prompt" (the
// conversation in Llama 3's chat template), "max_gen_len", "temperature",
// "top_p"}; no top-k, no stop sequences. Source: "Meta Llama models"
// (docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html),
// the template Meta's (llama.com, Llama 3 model card, "Prompt format").
var bedrockLlama = func() protocol {
	p := bedrockTextRules((*Converter).appendBedrockLlama)
	p.noStop = true
	return p
}()

// bedrockNova is Amazon Nova's messages-v1 schema: {"schemaVersion",
// "system":[{"text"}], "messages":[{"role","content":[{"text"}]}],
// "inferenceConfig":{"maxTokens","temperature","topP","topK","stopSequences"}}.
// Source: Amazon Nova user guide, "Complete request schema"
// (docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html)
// and "Using the Invoke API" (nova2-userguide/using-invoke-api.html);
// schemaVersion "messages-v1" from the Nova user guide's InvokeModel
// examples (UNCONFIRMED from the corpus' excerpts, which omit it; Nova
// takes bodies without it). Images and tools are Nova's too, but not
// written yet.
var bedrockNova = func() protocol {
	p := bedrockTextRules((*Converter).appendBedrockNova)
	p.topK = true
	return p
}()

// bedrockMistralPrompt is the Mistral text completion body of Mistral 7B
// Instruct, Mixtral 8x7B, Mistral Large (2402) and Mistral Small:
// {"prompt" ("<s>[INST] ... [/INST]"), "max_tokens", "stop",
// "temperature", "top_p", "top_k"}. Source: "Mistral AI text completion"
// (docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html).
var bedrockMistralPrompt = func() protocol {
	p := bedrockTextRules((*Converter).appendBedrockMistralPrompt)
	p.topK = true
	return p
}()

// bedrockMistralChat is the Mistral chat completion body of Mistral Large
// (2407): {"messages":[{"role","content"}], "max_tokens", "temperature",
// "top_p"}; no stop sequences or top-k. Source: "Mistral AI chat
// completion" (.../model-parameters-mistral-chat-completion.html).
var bedrockMistralChat = func() protocol {
	p := bedrockTextRules((*Converter).appendBedrockMistralChat)
	p.noStop = true
	return p
}()

// takesMistralChat reports whether a Mistral model takes chat completion
// bodies: Mistral Large 2407, the one model that page names.
func takesMistralChat(model string) bool {
	return strings.Contains(model, "mistral-large-2407")
}

// convertNative converts a line of the target's native shape as a line of
// another target's: the families whose records are not Anthropic bodies
// take Anthropic batch lines as input like any other.
func (c *Converter) convertNative([]byte) ([]byte, string) {
	return c.convertShape(c.rules.native)
}

// appendBedrockHead appends the start of a record, up to its modelInput's
// opening brace.
func (c *Converter) appendBedrockHead(o []byte) []byte {
	o = jsonscan.AppendQuote(append(o, `{"recordId":`...), c.id)
	return append(o, `,"modelInput":{`...)
}

func (c *Converter) appendBedrockLlama(o []byte) []byte {
	r := &c.req
	o = jsonscan.AppendQuote(append(c.appendBedrockHead(o), `"prompt":`...), c.llamaPrompt())
	o = appendMember(o, "max_gen_len", r.maxTokens)
	o = appendMember(o, "temperature", r.temperature)
	o = appendMember(o, "top_p", r.topP)
	return append(o, "}}"...)
}

// llamaPrompt is the conversation in Llama 3's chat template: each turn
// "<|start_header_id|>ROLE<|end_header_id|>\n\nTEXT<|eot_id|>", after
// "<|begin_of_text|>", the system prompt first, ending with the header of
// the assistant's turn to come (or in a last assistant turn left open,
// which the model continues).
func (c *Converter) llamaPrompt() []byte {
	r := &c.req
	p := append(c.scratch[:0], "<|begin_of_text|>"...)
	if len(r.system) > 0 {
		p = appendLlamaHeader(p, "system")
		p = append(appendText(p, r.system), "<|eot_id|>"...)
	}
	open := len(r.msgs) > 0 && r.msgs[len(r.msgs)-1].role == roleAssistant
	for i, m := range r.msgs {
		p = appendText(appendLlamaHeader(p, openAIRole(m.role)), r.parts[m.first:m.end])
		if !open || i < len(r.msgs)-1 {
			p = append(p, "<|eot_id|>"...)
		}
	}
	if !open {
		p = appendLlamaHeader(p, "assistant")
	}
	c.scratch = p
	return p
}

func appendLlamaHeader(p []byte, role string) []byte {
	return append(p, "<|start_header_id|>"+role+"<|end_header_id|>\n\n"...)
}

// appendText appends the text of parts (text parts: the families written
// from text alone take no other), decoded and joined by newlines.
func appendText(p []byte, parts []part) []byte {
	for i, pt := range parts {
		if i > 0 {
			p = append(p, '\n')
		}
		p = append(p, jsonscan.Unquote(pt.text)...)
	}
	return p
}

func (c *Converter) appendBedrockNova(o []byte) []byte {
	r := &c.req
	o = append(c.appendBedrockHead(o), `"schemaVersion":"messages-v1"`...)
	if len(r.system) > 0 {
		o = appendNovaContent(append(o, `,"system":`...), r.system)
	}
	o = append(o, `,"messages":[`...)
	for _, m := range r.msgs {
		o = append(o, `{"role":"`+openAIRole(m.role)+`","content":`...)
		o = append(appendNovaContent(o, r.parts[m.first:m.end]), "},"...)
	}
	o = append(trimComma(o), ']')
	if r.maxTokens != nil || r.temperature != nil || r.topP != nil || r.topK != nil || r.stop != nil {
		o = append(o, `,"inferenceConfig":{`...)
		start := len(o)
		o = appendMember(o, "maxTokens", r.maxTokens)
		o = appendMember(o, "temperature", r.temperature)
		o = appendMember(o, "topP", r.topP)
		o = appendMember(o, "topK", r.topK)
		if r.stop != nil {
			o = appendStopArray(append(o, `,"stopSequences":`...), r.stop)
		}
		o = append(append(o[:start], o[start+1:]...), '}') // drop the first member's comma
	}
	return append(o, "}}"...)
}

// appendNovaContent writes text parts as Nova content blocks [{"text"}].
func appendNovaContent(o []byte, parts []part) []byte {
	o = append(o, '[')
	for _, p := range parts {
		o = append(append(o, `{"text":`...), p.text...)
		o = append(o, "},"...)
	}
	return append(trimComma(o), ']')
}

func (c *Converter) appendBedrockMistralPrompt(o []byte) []byte {
	r := &c.req
	o = jsonscan.AppendQuote(append(c.appendBedrockHead(o), `"prompt":`...), c.mistralPrompt())
	o = appendMember(o, "max_tokens", r.maxTokens)
	if r.stop != nil {
		o = appendStopArray(append(o, `,"stop":`...), r.stop)
	}
	o = appendMember(o, "temperature", r.temperature)
	o = appendMember(o, "top_p", r.topP)
	o = appendMember(o, "top_k", r.topK)
	return append(o, "}}"...)
}

// mistralPrompt is the conversation in Mistral's instruction template:
// "<s>[INST] USER [/INST] ASSISTANT</s>[INST] USER [/INST]", the system
// prompt put before the first user turn's text (the template has no
// system turn).
func (c *Converter) mistralPrompt() []byte {
	r := &c.req
	p := append(c.scratch[:0], "<s>"...)
	for i, m := range r.msgs {
		if m.role == roleAssistant {
			p = append(appendText(append(p, ' '), r.parts[m.first:m.end]), "</s>"...)
			continue
		}
		p = append(p, "[INST] "...)
		if i == 0 && len(r.system) > 0 {
			p = append(appendText(p, r.system), "\n\n"...)
		}
		p = append(appendText(p, r.parts[m.first:m.end]), " [/INST]"...)
	}
	c.scratch = p
	return p
}

func (c *Converter) appendBedrockMistralChat(o []byte) []byte {
	r := &c.req
	o = append(c.appendBedrockHead(o), `"messages":[`...)
	if len(r.system) > 0 {
		o = c.appendMistralMessage(o, "system", r.system)
	}
	for _, m := range r.msgs {
		o = c.appendMistralMessage(o, openAIRole(m.role), r.parts[m.first:m.end])
	}
	o = append(trimComma(o), ']')
	o = appendMember(o, "max_tokens", r.maxTokens)
	o = appendMember(o, "temperature", r.temperature)
	o = appendMember(o, "top_p", r.topP)
	return append(o, "}}"...)
}

// appendMistralMessage writes a message whose content is its text, one
// string.
func (c *Converter) appendMistralMessage(o []byte, role string, parts []part) []byte {
	c.scratch = appendText(c.scratch[:0], parts)
	o = jsonscan.AppendQuote(append(o, `{"role":"`+role+`","content":`...), c.scratch)
	return append(o, "},"...)
}

// appendBedrock appends a converted request as a Bedrock record.
func (c *Converter) appendBedrock(o []byte) []byte {
	start := len(o)
	o = c.appendAnthropic(o)
	line := append(c.scratch[:0], o[start:]...)
	c.scratch = line
	return appendBedrockRecord(o[:start], line)
}

// passBedrock checks an Anthropic batch line as for Anthropic and returns
// it as a Bedrock record.
func (c *Converter) passBedrock(b []byte) ([]byte, string) {
	out, id := c.passAnthropic(b)
	if c.bad || out == nil {
		return out, id
	}
	return appendBedrockRecord(nil, out), id
}

// appendBedrockRecord appends the record of an Anthropic batch line
// that passed the checks: the id becomes recordId and params the
// modelInput.
func appendBedrockRecord(o, line []byte) []byte {
	return appendAnthropicRecord(o, line, anthropicRecord{id: "recordId", body: "modelInput", version: bedrockAnthropicVersion})
}

// anthropicRecord is how a cloud wraps an Anthropic Messages body: the
// members carrying the request id and the body, and the
// anthropic_version the body carries in place of its model.
type anthropicRecord struct {
	id, body, version string
}

// appendAnthropicRecord appends the record r of an Anthropic batch line
// {"custom_id":...,"params":{...}}, which passed the checks: the id under
// r.id and params under r.body, its model dropped and r.version put first
// as anthropic_version.
func appendAnthropicRecord(o, line []byte, r anthropicRecord) []byte {
	var id, params []byte
	s := jsonscan.New(line)
	s.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "custom_id":
			id, err = s.Raw()
		case "params":
			params, err = s.Raw()
		default:
			err = s.Skip()
		}
		return err
	})
	o = append(append(o, `{"`+r.id+`":`...), id...)
	o = append(o, `,"`+r.body+`":{"anthropic_version":"`+r.version+`"`...)
	p := jsonscan.New(params)
	p.Object(func(key []byte) error {
		raw, err := p.Raw()
		switch string(key) {
		case "model", "anthropic_version":
			return err
		}
		o = jsonscan.AppendQuote(append(o, ','), key)
		o = append(append(o, ':'), raw...)
		return err
	})
	return append(o, "}}"...)
}

package jsonl

import "github.com/batchctl/batchctl/internal/jsonscan"

// The writers below append the converted line to c.out by hand: the
// values are raw JSON from the line, so there is nothing to encode but the
// id and the model.

// emit writes the request of the current line in the target's format.
func (c *Converter) emit() []byte {
	c.out = c.rules.routes[c.kind].emit(c, c.out[:0])
	return c.out
}

// appendOpenAIHead writes an OpenAI batch line up to the model in the body.
func (c *Converter) appendOpenAIHead(o []byte, url string) []byte {
	o = jsonscan.AppendQuote(append(o, `{"custom_id":`...), c.id)
	o = append(o, `,"method":"POST","url":"`...)
	o = append(o, url...)
	o = append(o, `","body":{"model":`...)
	return jsonscan.AppendQuote(o, c.req.model)
}

func (c *Converter) appendOpenAIChat(o []byte) []byte {
	r := &c.req
	o = append(c.appendOpenAIHead(o, "/v1/chat/completions"), `,"messages":[`...)
	if len(r.system) > 0 {
		o = append(o, `{"role":"system","content":`...)
		o = append(appendChatContent(o, r.system), "},"...)
	}
	for _, m := range r.msgs {
		if hasToolParts(r.parts[m.first:m.end]) {
			o = c.appendChatToolMessage(o, m)
			continue
		}
		o = append(o, `{"role":"`...)
		o = append(o, openAIRole(m.role)...)
		o = append(o, `","content":`...)
		o = append(appendChatContent(o, r.parts[m.first:m.end]), "},"...)
	}
	o = append(trimComma(o), ']')
	o = appendMember(o, "max_completion_tokens", r.maxTokens)
	o = appendMember(o, "temperature", r.temperature)
	o = appendMember(o, "top_p", r.topP)
	o = appendMember(o, "stop", r.stop)
	o = c.appendChatTools(o)
	return append(o, "}}"...)
}

// appendChatContent writes the content of a chat completions message: a
// string when it is one text, else an array of parts.
func appendChatContent(o []byte, parts []part) []byte {
	if len(parts) == 1 && parts[0].kind == partText {
		return append(o, parts[0].text...)
	}
	o = append(o, '[')
	for _, p := range parts {
		switch p.kind {
		case partText:
			o = append(append(o, `{"type":"text","text":`...), p.text...)
			o = append(o, "},"...)
		case partInline:
			o = appendDataURL(append(o, `{"type":"image_url","image_url":{"url":`...), p)
			o = append(o, "}},"...)
		case partURL:
			o = append(append(o, `{"type":"image_url","image_url":{"url":`...), p.text...)
			o = append(o, "}},"...)
		}
	}
	return append(trimComma(o), ']')
}

func (c *Converter) appendOpenAIResponses(o []byte) []byte {
	r := &c.req
	o = append(c.appendOpenAIHead(o, "/v1/responses"), `,"input":[`...)
	if len(r.system) > 0 {
		o = append(o, `{"role":"system","content":`...)
		o = append(appendResponsesContent(o, r.system, roleUser), "},"...)
	}
	for _, m := range r.msgs {
		o = append(o, `{"role":"`...)
		o = append(o, openAIRole(m.role)...)
		o = append(o, `","content":`...)
		o = append(appendResponsesContent(o, r.parts[m.first:m.end], m.role), "},"...)
	}
	o = append(trimComma(o), ']')
	o = appendMember(o, "max_output_tokens", r.maxTokens)
	o = appendMember(o, "temperature", r.temperature)
	o = appendMember(o, "top_p", r.topP)
	o = c.appendResponsesFormat(o)
	return append(o, "}}"...)
}

// appendResponsesContent writes the content of a Responses API message: a
// string when it is one text, else an array of parts.
func appendResponsesContent(o []byte, parts []part, ro role) []byte {
	if len(parts) == 1 && parts[0].kind == partText {
		return append(o, parts[0].text...)
	}
	text := `{"type":"input_text","text":`
	if ro == roleAssistant {
		text = `{"type":"output_text","text":`
	}
	o = append(o, '[')
	for _, p := range parts {
		switch p.kind {
		case partText:
			o = append(append(o, text...), p.text...)
		case partInline:
			o = appendDataURL(append(o, `{"type":"input_image","image_url":`...), p)
		case partURL:
			o = append(append(o, `{"type":"input_image","image_url":`...), p.text...)
		}
		o = append(o, "},"...)
	}
	return append(trimComma(o), ']')
}

func (c *Converter) appendOpenAICompletions(o []byte) []byte {
	r := &c.req
	o = append(c.appendOpenAIHead(o, "/v1/completions"), `,"prompt":`...)
	o = append(o, r.parts[0].text...)
	o = appendMember(o, "max_tokens", r.maxTokens)
	o = appendMember(o, "temperature", r.temperature)
	o = appendMember(o, "top_p", r.topP)
	o = appendMember(o, "stop", r.stop)
	return append(o, "}}"...)
}

func (c *Converter) appendOpenAIEmbeddings(o []byte) []byte {
	r := &c.req
	o = append(c.appendOpenAIHead(o, "/v1/embeddings"), `,"input":`...)
	o = append(o, r.input...)
	o = appendMember(o, "dimensions", r.dimensions)
	o = appendMember(o, "encoding_format", r.encodingFormat)
	return append(o, "}}"...)
}

func (c *Converter) appendAnthropic(o []byte) []byte {
	r := &c.req
	o = jsonscan.AppendQuote(append(o, `{"custom_id":`...), c.id)
	o = jsonscan.AppendQuote(append(o, `,"params":{"model":`...), r.model)
	o = appendMember(o, "max_tokens", r.maxTokens)
	if len(r.system) > 0 {
		o = appendAnthropicContent(append(o, `,"system":`...), r.system)
	}
	o = append(o, `,"messages":[`...)
	for _, m := range r.msgs {
		o = append(o, `{"role":"`...)
		o = append(o, openAIRole(m.role)...)
		o = append(o, `","content":`...)
		o = append(appendAnthropicContent(o, r.parts[m.first:m.end]), "},"...)
	}
	o = append(trimComma(o), ']')
	o = appendMember(o, "temperature", r.temperature)
	o = appendMember(o, "top_p", r.topP)
	o = appendMember(o, "top_k", r.topK)
	if r.stop != nil {
		o = appendStopArray(append(o, `,"stop_sequences":`...), r.stop)
	}
	o = c.appendAnthropicTools(o)
	return append(o, "}}"...)
}

// appendAnthropicContent writes Anthropic message content or a system
// prompt: a string when it is one text, else an array of blocks.
func appendAnthropicContent(o []byte, parts []part) []byte {
	if len(parts) == 1 && parts[0].kind == partText {
		return append(o, parts[0].text...)
	}
	o = append(o, '[')
	for _, p := range parts {
		switch p.kind {
		case partText:
			o = append(append(o, `{"type":"text","text":`...), p.text...)
			o = append(o, "},"...)
		case partInline:
			o = append(o, `{"type":"image","source":{"type":"base64","media_type":"`...)
			o = append(o, p.mime...)
			o = append(o, `","data":"`...)
			o = append(o, p.data...)
			o = append(o, `"}},`...)
		case partURL:
			o = append(append(o, `{"type":"image","source":{"type":"url","url":`...), p.text...)
			o = append(o, "}},"...)
		case partCall, partResult:
			o = appendAnthropicToolBlock(o, p)
		}
	}
	return append(trimComma(o), ']')
}

func (c *Converter) appendGeminiGenerate(o []byte) []byte {
	r := &c.req
	o = jsonscan.AppendQuote(append(o, `{"key":`...), c.id)
	o = append(o, `,"request":{"contents":[`...)
	for _, m := range r.msgs {
		o = append(o, `{"role":"`...)
		o = append(o, geminiRole(m.role)...)
		o = append(o, `","parts":`...)
		o = append(appendGeminiParts(o, r.parts[m.first:m.end]), "},"...)
	}
	o = append(trimComma(o), ']')
	if len(r.system) > 0 {
		o = appendGeminiParts(append(o, `,"systemInstruction":{"parts":`...), r.system)
		o = append(o, '}')
	}
	o = c.appendGeminiTools(o)
	if r.maxTokens != nil || r.temperature != nil || r.topP != nil || r.topK != nil || r.stop != nil || r.format.kind > formatText {
		o = append(o, `,"generationConfig":{`...)
		start := len(o)
		o = appendMember(o, "maxOutputTokens", r.maxTokens)
		o = appendMember(o, "temperature", r.temperature)
		o = appendMember(o, "topP", r.topP)
		o = appendMember(o, "topK", r.topK)
		if r.stop != nil {
			o = appendStopArray(append(o, `,"stopSequences":`...), r.stop)
		}
		if r.format.kind > formatText {
			o = append(o, `,"responseMimeType":"application/json"`...)
			o = appendMember(o, "responseJsonSchema", r.format.schema)
		}
		o = append(append(o[:start], o[start+1:]...), '}') // drop the first member's comma
	}
	return append(o, "}}"...)
}

// appendGeminiParts writes the parts of a Gemini Content.
func appendGeminiParts(o []byte, parts []part) []byte {
	o = append(o, '[')
	for _, p := range parts {
		if p.kind == partText {
			o = append(append(o, `{"text":`...), p.text...)
			o = append(o, "},"...)
			continue
		}
		if p.kind == partCall || p.kind == partResult {
			o = appendGeminiToolPart(o, p)
			continue
		}
		o = append(o, `{"inlineData":{"mimeType":"`...)
		o = append(o, p.mime...)
		o = append(o, `","data":"`...)
		o = append(o, p.data...)
		o = append(o, `"}},`...)
	}
	return append(trimComma(o), ']')
}

func (c *Converter) appendGeminiEmbed(o []byte) []byte {
	r := &c.req
	o = jsonscan.AppendQuote(append(o, `{"key":`...), c.id)
	o = append(o, `,"request":{"content":{"parts":[{"text":`...)
	o = append(o, r.inputText...)
	o = append(o, "}]}"...)
	o = appendMember(o, "taskType", r.taskType)
	o = appendMember(o, "outputDimensionality", r.dimensions)
	return append(o, "}}"...)
}

// appendMember writes `,"name":raw` when raw is set.
func appendMember(o []byte, name string, raw []byte) []byte {
	if raw == nil {
		return o
	}
	o = append(o, `,"`...)
	o = append(o, name...)
	o = append(o, `":`...)
	return append(o, raw...)
}

// appendStopArray writes stop sequences, a string or an array, as an
// array.
func appendStopArray(o, stop []byte) []byte {
	if stop[0] == '"' {
		return append(append(append(o, '['), stop...), ']')
	}
	return append(o, stop...)
}

// appendDataURL writes an inline image as a data: URL string.
func appendDataURL(o []byte, p part) []byte {
	o = append(o, `"data:`...)
	o = append(o, p.mime...)
	o = append(o, ";base64,"...)
	o = append(o, p.data...)
	return append(o, '"')
}

// trimComma drops the comma after the last element written, if any.
func trimComma(o []byte) []byte {
	if n := len(o); n > 0 && o[n-1] == ',' {
		return o[:n-1]
	}
	return o
}

func openAIRole(ro role) string {
	if ro == roleAssistant {
		return "assistant"
	}
	return "user"
}

func geminiRole(ro role) string {
	if ro == roleAssistant {
		return "model"
	}
	return "user"
}

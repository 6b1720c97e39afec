package jsonl

import (
	"fmt"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// Gemini's REST API reads proto field names in camelCase and snake_case
// alike, so the readers below accept both; problems name the camelCase
// spelling.

// geminiGenerate reads a generateContent request.
func (c *Converter) geminiGenerate(request []byte) {
	at := root("request")
	w := walk(request)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "model":
			c.setModel(w.next(), at.key("model"))
		case "contents":
			c.geminiContents(&w, at.key("contents"))
		case "systemInstruction", "system_instruction":
			c.geminiSystem(&w, at.key("systemInstruction"))
		case "generationConfig", "generation_config":
			c.geminiConfig(&w, at.key("generationConfig"))
		case "tools":
			c.geminiTools(w.next(), at.key("tools"))
		case "toolConfig", "tool_config":
			c.geminiToolConfig(w.next(), at.key("toolConfig"))
		default:
			c.refuse(at, key)
		}
	}
}

// geminiConfig reads the generationConfig of a generateContent request.
func (c *Converter) geminiConfig(w *walker, at loc) {
	if w.peek() != '{' {
		c.reportAt(at, "must be an object, not "+jsonscan.KindOf(w.next()))
		return
	}
	var mime []byte
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "responseMimeType", "response_mime_type":
			mime = w.next()
			c.geminiResponseMime(mime, at.key("responseMimeType"))
		case "responseJsonSchema", "response_json_schema":
			c.geminiResponseSchema(w.next(), at.key("responseJsonSchema"), false)
		case "responseSchema", "response_schema":
			c.geminiResponseSchema(w.next(), at.key("responseSchema"), true)
		case "maxOutputTokens", "max_output_tokens":
			c.setMaxTokens(w.next(), at, "maxOutputTokens")
		case "temperature":
			c.setTemperature(w.next(), at.key("temperature"))
		case "topP", "top_p":
			c.setTopP(w.next(), at.key("topP"))
		case "topK", "top_k":
			c.setTopK(w.next(), at.key("topK"))
		case "stopSequences", "stop_sequences":
			c.setStop(w.next(), at.key("stopSequences"), true)
		case "candidateCount", "candidate_count":
			c.refuseValue(w.next(), at.key("candidateCount"), "1")
		default:
			c.refuse(at, key)
		}
	}
	c.finishGeminiFormat(mime, at)
}

// geminiSystem reads a systemInstruction: a Content of text parts, whose
// role does not matter.
func (c *Converter) geminiSystem(w *walker, at loc) {
	if w.peek() != '{' {
		c.reportAt(at, "must be an object, not "+jsonscan.KindOf(w.next()))
		return
	}
	hasParts := false
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "parts":
			hasParts = true
			c.geminiParts(w, at.key("parts"), true)
		case "role":
		default:
			c.refuse(at, key)
		}
	}
	if !hasParts {
		c.reportAt(at.key("parts"), "missing")
	}
}

// geminiContents reads the conversation of a generateContent request,
// whose type the first pass checked.
func (c *Converter) geminiContents(w *walker, at loc) {
	c.req.conversation = true
	w.array()
	for i := 0; w.elem(); i++ {
		c.geminiContent(w, at.elem(i))
	}
}

// geminiContent reads one Content: a role (user by default) and parts. Its
// parts are read into a new message before its role is known.
func (c *Converter) geminiContent(w *walker, at loc) {
	if w.peek() != '{' {
		c.reportAt(at, "must be an object, not "+jsonscan.KindOf(w.next()))
		return
	}
	r := &c.req
	r.begin(roleUser)
	var roleRaw []byte
	hasParts := false
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "role":
			roleRaw = w.next()
		case "parts":
			hasParts = true
			c.geminiParts(w, at.key("parts"), false)
		default:
			c.refuse(at, key)
		}
	}
	roleAt := at.key("role")
	switch role := contents(roleRaw); {
	case roleRaw == nil || string(role) == "user":
	case string(role) == "model":
		r.last().role = roleAssistant
	case roleRaw[0] != '"':
		c.reportAt(roleAt, "must be a string, not "+jsonscan.KindOf(roleRaw))
	default:
		c.reportAt(roleAt, quote(string(role))+" is not a role (want user or model)")
	}
	if !hasParts {
		c.reportAt(at.key("parts"), "missing")
	}
}

// geminiParts reads the parts of a Content: text, and inline images unless
// sys (system text) is set.
func (c *Converter) geminiParts(w *walker, at loc, sys bool) {
	if w.peek() != '[' {
		c.reportAt(at, "must be an array of parts, not "+jsonscan.KindOf(w.next()))
		return
	}
	w.array()
	n := 0
	for ; w.elem(); n++ {
		c.geminiPart(w, at.elem(n), sys)
	}
	if n == 0 {
		c.reportAt(at, "must not be empty")
	}
}

// geminiPart reads one part, which holds text or inlineData.
func (c *Converter) geminiPart(w *walker, at loc, sys bool) {
	if w.peek() != '{' {
		c.reportAt(at, "must be an object, not "+jsonscan.KindOf(w.next()))
		return
	}
	held, refused := 0, false
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "text":
			held++
			c.textPart(w.next(), at.key("text"), sys)
		case "functionCall", "function_call":
			held++
			c.geminiCall(w.next(), at.key("functionCall"), sys)
		case "functionResponse", "function_response":
			held++
			c.geminiResponse(w.next(), at.key("functionResponse"), sys)
		case "inlineData", "inline_data":
			held++
			if sys {
				c.reportAt(at.key("inlineData"), "an image in the system instruction cannot be converted to "+string(c.rules.name))
			} else if p, ok := c.geminiInline(w.next(), at.key("inlineData")); ok {
				c.req.add(p, false)
			}
		default:
			refused = true
			c.refuse(at, key)
		}
	}
	switch {
	case held > 1:
		c.reportAt(at, "must hold one of text, inlineData, functionCall and functionResponse")
	case held == 0 && !refused:
		c.reportAt(at, "must hold text, inlineData, functionCall or functionResponse")
	}
}

// geminiInline reads an inlineData blob.
func (c *Converter) geminiInline(raw []byte, at loc) (part, bool) {
	if !c.isObject(raw, at) {
		return part{}, false
	}
	var media, data []byte
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "mimeType", "mime_type":
			media = w.next()
		case "data":
			data = w.next()
		default:
			c.refuse(at, key)
		}
	}
	if c.isString(media, at.key("mimeType")) && c.isString(data, at.key("data")) {
		return c.inlineImage(escapedContents(media), escapedContents(data), at)
	}
	return part{}, false
}

// geminiEmbed reads an embedContent request, which must hold one text.
func (c *Converter) geminiEmbed(request []byte) {
	at := root("request")
	w := walk(request)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "model":
			c.setModel(w.next(), at.key("model"))
		case "content":
			c.geminiEmbedContent(w.next(), at.key("content"))
		case "taskType", "task_type":
			c.setTaskType(w.next(), at.key("taskType"))
		case "outputDimensionality", "output_dimensionality":
			c.setDimensions(w.next(), at.key("outputDimensionality"))
		default:
			c.refuse(at, key)
		}
	}
}

// geminiEmbedContent reads the Content to embed, which must be one text
// part.
func (c *Converter) geminiEmbedContent(raw []byte, at loc) {
	partsAt := at.key("parts")
	var parts []byte
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "parts":
			parts = w.next()
		case "role":
		default:
			c.refuse(at, key)
		}
	}
	switch {
	case parts == nil:
		c.reportAt(partsAt, "missing")
		return
	case parts[0] != '[':
		c.reportAt(partsAt, "must be an array of parts, not "+jsonscan.KindOf(parts))
		return
	}
	n := 0
	pw := walk(parts)
	pw.array()
	for ; pw.elem(); n++ {
		c.geminiEmbedPart(pw.next(), partsAt.elem(n))
	}
	if n != 1 {
		c.reportAt(partsAt, fmt.Sprintf("holds %d parts, but %s embeds one text per request", n, c.rules.name))
	}
}

// geminiEmbedPart reads a part of a Content to embed, which must be text.
func (c *Converter) geminiEmbedPart(raw []byte, at loc) {
	if !c.isObject(raw, at) {
		return
	}
	var text []byte
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		if string(key) == "text" {
			text = w.next()
			continue
		}
		c.refuse(at, key)
	}
	if c.isString(text, at.key("text")) {
		c.req.input, c.req.inputText = text, text
	}
}

// geminiCall reads a functionCall part {name, args, id}.
func (c *Converter) geminiCall(raw []byte, at loc, sys bool) {
	id, name, args, ok := c.geminiCallPart(raw, at, sys, "args")
	if !ok {
		return
	}
	if args, ok := c.callInput(args, at.key("args")); ok {
		c.addCall(id, name, args, at)
	}
}

// geminiResponse reads a functionResponse part {name, response, id}.
func (c *Converter) geminiResponse(raw []byte, at loc, sys bool) {
	id, name, response, ok := c.geminiCallPart(raw, at, sys, "response")
	if !ok {
		return
	}
	if name, ok = c.callIDName(id, name, at); !ok {
		return
	}
	if response == nil || response[0] != '{' {
		c.reportAt(at.key("response"), "must be an object")
		return
	}
	c.addResult(id, name, response, false)
}

// geminiCallPart reads the id and name of a functionCall or
// functionResponse part, and its member named body (args or response).
func (c *Converter) geminiCallPart(raw []byte, at loc, sys bool, body string) (id, name, value []byte, ok bool) {
	if sys {
		c.reportAt(at, "cannot be in the system instruction")
		return nil, nil, nil, false
	}
	if !c.isObject(raw, at) {
		return nil, nil, nil, false
	}
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "id":
			id = w.next()
		case "name":
			name = w.next()
		case body:
			value = w.next()
		default:
			c.refuse(at, key)
		}
	}
	return id, name, value, true
}

package jsonl

import (
	"fmt"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// anthropicParams reads the params of an Anthropic batch request.
func (c *Converter) anthropicParams(params []byte) {
	at := root("params")
	w := walk(params)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "model":
			c.setModel(w.next(), at.key("model"))
		case "max_tokens":
			c.setMaxTokens(w.next(), at, "max_tokens")
		case "messages":
			c.anthropicMessages(&w, at.key("messages"))
		case "system":
			c.anthropicSystem(&w, at.key("system"))
		case "temperature":
			c.setTemperature(w.next(), at.key("temperature"))
		case "top_p":
			c.setTopP(w.next(), at.key("top_p"))
		case "top_k":
			c.setTopK(w.next(), at.key("top_k"))
		case "stop_sequences":
			c.setStop(w.next(), at.key("stop_sequences"), true)
		case "stream":
			c.refuseValue(w.next(), at.key("stream"), "false")
		case "tools":
			c.anthropicTools(w.next(), at.key("tools"))
		case "tool_choice":
			c.anthropicToolChoice(w.next(), at.key("tool_choice"))
		case "output_config":
			c.anthropicOutput(w.next(), at.key("output_config"), false)
		case "output_format":
			c.anthropicOutput(w.next(), at.key("output_format"), true)
		default:
			c.refuse(at, key)
		}
	}
}

// anthropicSystem reads a system prompt: a string or text blocks.
func (c *Converter) anthropicSystem(w *walker, at loc) {
	switch w.peek() {
	case '"':
		c.req.add(part{kind: partText, text: w.next()}, true)
	case '[':
		w.array()
		for i := 0; w.elem(); i++ {
			c.anthropicBlock(w, at.elem(i), true)
		}
	default:
		c.reportAt(at, "must be a string or an array of text blocks, not "+jsonscan.KindOf(w.next()))
	}
}

// anthropicMessages reads the conversation of an Anthropic request.
func (c *Converter) anthropicMessages(w *walker, at loc) {
	c.req.conversation = true
	if w.peek() != '[' {
		c.reportAt(at, "must be an array of messages, not "+jsonscan.KindOf(w.next()))
		return
	}
	w.array()
	for i := 0; w.elem(); i++ {
		c.anthropicMessage(w, at.elem(i))
	}
}

// anthropicMessage reads one message: a role and content blocks. Its
// content is read into a new message before its role is known.
func (c *Converter) anthropicMessage(w *walker, at loc) {
	if w.peek() != '{' {
		c.reportAt(at, "must be an object, not "+jsonscan.KindOf(w.next()))
		return
	}
	r := &c.req
	r.begin(roleUser)
	var roleRaw []byte
	hasContent := false
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "role":
			roleRaw = w.next()
		case "content":
			hasContent = true
			c.anthropicContent(w, at.key("content"))
		default:
			c.refuse(at, key)
		}
	}
	roleAt := at.key("role")
	role := contents(roleRaw)
	switch {
	case !c.isString(roleRaw, roleAt):
		r.drop()
	case string(role) != "user" && string(role) != "assistant":
		c.reportAt(roleAt, quote(string(role))+" is not a role (want user or assistant)")
		r.drop()
	case !hasContent:
		c.reportAt(at.key("content"), "missing")
		r.drop()
	case string(role) == "assistant":
		r.last().role = roleAssistant
	}
}

// anthropicContent reads the content of a message: a string or blocks.
func (c *Converter) anthropicContent(w *walker, at loc) {
	switch w.peek() {
	case '"':
		c.req.add(part{kind: partText, text: w.next()}, false)
		return
	case '[':
	default:
		c.reportAt(at, "must be a string or an array of content blocks, not "+jsonscan.KindOf(w.next()))
		return
	}
	w.array()
	n := 0
	for ; w.elem(); n++ {
		c.anthropicBlock(w, at.elem(n), false)
	}
	if n == 0 {
		c.reportAt(at, "must not be empty")
	}
}

// anthropicBlock reads one content block: text, or an image unless sys
// (system text) is set.
func (c *Converter) anthropicBlock(w *walker, at loc, sys bool) {
	if w.peek() != '{' {
		c.reportAt(at, "must be an object, not "+jsonscan.KindOf(w.next()))
		return
	}
	var typ, text, source []byte
	var b toolBlock
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch k := string(key); {
		case k == "type":
			typ = w.next()
		case k == "text":
			text = w.next()
		case k == "source":
			source = w.next()
		case sys:
			c.refuse(at, key)
		case k == "id":
			b.id = w.next()
		case k == "name":
			b.name = w.next()
		case k == "input":
			b.input = w.next()
		case k == "tool_use_id":
			b.useID = w.next()
		case k == "content":
			b.content, b.hasContent = w.next(), true
		case k == "is_error":
			b.isError = w.next()
		default:
			c.refuse(at, key)
		}
	}
	switch kind := contents(typ); {
	case !sys && (string(kind) == "tool_use" || string(kind) == "tool_result"):
		c.rejectExtra(text, at, "text")
		c.rejectExtra(source, at, "source")
		c.anthropicToolBlock(string(kind), &b, at)
		return
	case !b.empty():
		c.reportAt(at, "holds members of tool_use or tool_result blocks, but is of type "+shorten(typ))
	case string(kind) == "text":
		c.rejectExtra(source, at, "source")
		c.textPart(text, at.key("text"), sys)
	case string(kind) == "image" && !sys:
		c.rejectExtra(text, at, "text")
		if p, ok := c.anthropicImage(source, at.key("source")); ok {
			c.req.add(p, false)
		}
	case typ == nil:
		c.reportAt(at.key("type"), "missing")
	default:
		c.reportAt(at.key("type"), fmt.Sprintf("%s blocks cannot be converted to %s", shorten(typ), c.rules.name))
	}
}

// anthropicImage reads the source of an image block: base64 data or a
// URL.
func (c *Converter) anthropicImage(raw []byte, at loc) (part, bool) {
	if !c.isObject(raw, at) {
		return part{}, false
	}
	var typ, media, data, url []byte
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "type":
			typ = w.next()
		case "media_type":
			media = w.next()
		case "data":
			data = w.next()
		case "url":
			url = w.next()
		default:
			c.refuse(at, key)
		}
	}
	switch string(contents(typ)) {
	case "base64":
		c.rejectExtra(url, at, "url")
		if c.isString(media, at.key("media_type")) && c.isString(data, at.key("data")) {
			return c.inlineImage(escapedContents(media), escapedContents(data), at)
		}
	case "url":
		c.rejectExtra(media, at, "media_type")
		c.rejectExtra(data, at, "data")
		return c.imageURL(url, at.key("url"))
	case "":
		c.reportAt(at.key("type"), "missing")
	default:
		c.reportAt(at.key("type"), fmt.Sprintf("%s image sources cannot be converted to %s", shorten(typ), c.rules.name))
	}
	return part{}, false
}

// toolBlock holds the members of a tool_use or tool_result block.
type toolBlock struct {
	id, name, input, useID, content, isError []byte
	hasContent                               bool
}

func (b *toolBlock) empty() bool {
	return b.id == nil && b.name == nil && b.input == nil && b.useID == nil && !b.hasContent && b.isError == nil
}

// anthropicToolBlock adds a tool_use or tool_result block to the message.
func (c *Converter) anthropicToolBlock(kind string, b *toolBlock, at loc) {
	if kind == "tool_use" {
		c.rejectExtra(b.useID, at, "tool_use_id")
		c.rejectExtra(b.isError, at, "is_error")
		if b.hasContent {
			c.rejectExtra(b.content, at, "content")
		}
		if !c.isString(b.id, at.key("id")) {
			return
		}
		if args, ok := c.callInput(b.input, at.key("input")); ok {
			c.addCall(b.id, b.name, args, at)
		}
		return
	}
	c.rejectExtra(b.id, at, "id")
	c.rejectExtra(b.name, at, "name")
	c.rejectExtra(b.input, at, "input")
	if !c.isString(b.useID, at.key("tool_use_id")) {
		return
	}
	isError := false
	switch string(b.isError) {
	case "", "false":
	case "true":
		if !c.rules.resultErrors {
			c.reportAt(at.key("is_error"), "true cannot be converted to "+string(c.rules.name)+" (its tool results have no error flag)")
			return
		}
		isError = true
	default:
		c.reportAt(at.key("is_error"), "must be a boolean, not "+jsonscan.KindOf(b.isError))
		return
	}
	if out, ok := c.resultText(b.content, at.key("content")); ok {
		c.addResult(b.useID, nil, out, isError)
	}
}

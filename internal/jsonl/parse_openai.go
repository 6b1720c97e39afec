package jsonl

import (
	"fmt"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// The readers of this file and the other parse_*.go files read the value
// at a walker in place, one walk per request: each reads all of its value,
// or (to report it) takes it whole with next.

// openAIChat reads the body of a chat completions request.
func (c *Converter) openAIChat(body []byte) {
	at := root("body")
	w := walk(body)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "model":
			c.setModel(w.next(), at.key("model"))
		case "messages":
			c.openAIMessages(&w, at.key("messages"))
		case "max_tokens":
			c.setMaxTokens(w.next(), at, "max_tokens")
		case "max_completion_tokens":
			c.setMaxTokens(w.next(), at, "max_completion_tokens")
		case "temperature":
			c.setTemperature(w.next(), at.key("temperature"))
		case "top_p":
			c.setTopP(w.next(), at.key("top_p"))
		case "stop":
			c.setStop(w.next(), at.key("stop"), false)
		case "n":
			c.refuseValue(w.next(), at.key("n"), "1")
		case "stream":
			c.refuseValue(w.next(), at.key("stream"), "false")
		case "logprobs":
			c.refuseValue(w.next(), at.key("logprobs"), "false")
		default:
			c.refuse(at, key)
		}
	}
}

// openAIEmbeddings reads the body of an embeddings request.
func (c *Converter) openAIEmbeddings(body []byte) {
	at := root("body")
	var input []byte
	w := walk(body)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "model":
			c.setModel(w.next(), at.key("model"))
		case "input":
			input = w.next()
		case "dimensions":
			c.setDimensions(w.next(), at.key("dimensions"))
		case "encoding_format":
			c.setEncodingFormat(w.next(), at.key("encoding_format"))
		default:
			c.refuse(at, key)
		}
	}
	c.embeddingsInput(input, at.key("input"))
}

// openAIResponses reads the body of a Responses API request, which
// converts to a chat request when its input is messages of text and
// images.
func (c *Converter) openAIResponses(body []byte) {
	at := root("body")
	w := walk(body)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "model":
			c.setModel(w.next(), at.key("model"))
		case "input":
			c.responsesInput(&w, at.key("input"))
		case "instructions":
			c.textPart(w.next(), at.key("instructions"), true)
		case "max_output_tokens":
			c.setMaxTokens(w.next(), at, "max_output_tokens")
		case "temperature":
			c.setTemperature(w.next(), at.key("temperature"))
		case "top_p":
			c.setTopP(w.next(), at.key("top_p"))
		case "stream":
			c.refuseValue(w.next(), at.key("stream"), "false")
		default:
			c.refuse(at, key)
		}
	}
}

// openAIMessages reads chat completions messages, the format simple lines
// use too.
func (c *Converter) openAIMessages(w *walker, at loc) {
	c.req.conversation = true
	if w.peek() != '[' {
		c.reportAt(at, "must be an array of messages, not "+jsonscan.KindOf(w.next()))
		return
	}
	w.array()
	for i := 0; w.elem(); i++ {
		c.chatMessage(w, at.elem(i), false)
	}
}

// responsesInput reads the input of a Responses API request: a string, or
// message items.
func (c *Converter) responsesInput(w *walker, at loc) {
	c.req.conversation = true
	switch w.peek() {
	case '"':
		c.req.begin(roleUser)
		c.req.add(part{kind: partText, text: w.next()}, false)
	case '[':
		w.array()
		for i := 0; w.elem(); i++ {
			c.chatMessage(w, at.elem(i), true)
		}
	default:
		c.reportAt(at, "must be a string or an array of messages, not "+jsonscan.KindOf(w.next()))
	}
}

// chatMessage reads one chat completions message, or with responses set,
// one message item of a Responses API input. Its content is read into a
// new message before its role is known; settleChatMessage then keeps the
// message, moves it to the system text or drops it.
func (c *Converter) chatMessage(w *walker, at loc, responses bool) {
	if w.peek() != '{' {
		c.reportAt(at, "must be an object, not "+jsonscan.KindOf(w.next()))
		return
	}
	r := &c.req
	turns := len(r.msgs)
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
			c.chatContent(w, at.key("content"), responses)
		case "type":
			if !responses {
				c.refuse(at, key)
			} else if typ := w.next(); string(contents(typ)) != "message" {
				c.reportAt(at.key("type"), fmt.Sprintf("%s items cannot be converted to %s", shorten(typ), c.rules.name))
			}
		default:
			c.refuse(at, key)
		}
	}
	c.settleChatMessage(roleRaw, hasContent, turns, at)
}

// settleChatMessage settles the message chatMessage read, given its raw
// role, whether it had content, and how many turns came before it. System
// and developer messages must come first: the other targets keep system
// text apart from the conversation.
func (c *Converter) settleChatMessage(roleRaw []byte, hasContent bool, turns int, at loc) {
	r := &c.req
	roleAt := at.key("role")
	ok := c.isString(roleRaw, roleAt)
	role := contents(roleRaw)
	if ok {
		switch string(role) {
		case "user", "assistant", "system", "developer":
		case "tool", "function":
			c.reportAt(roleAt, fmt.Sprintf("%q messages cannot be converted to %s", role, c.rules.name))
			ok = false
		default:
			c.reportAt(roleAt, quote(string(role))+" is not a role (want system, developer, user or assistant)")
			ok = false
		}
	}
	switch {
	case !ok:
		r.drop()
	case !hasContent:
		c.reportAt(at.key("content"), "missing")
		r.drop()
	case string(role) == "assistant":
		r.last().role = roleAssistant
	case string(role) == "user":
	case turns > 0:
		c.reportAt(at, "a system message after the conversation started cannot be converted to "+string(c.rules.name))
		r.drop()
	case !r.toSystem():
		c.reportAt(at.key("content"), "an image in a system message cannot be converted to "+string(c.rules.name))
	}
}

// chatContent reads the content of a message: a string, or parts of text
// and images.
func (c *Converter) chatContent(w *walker, at loc, responses bool) {
	switch w.peek() {
	case '"':
		c.req.add(part{kind: partText, text: w.next()}, false)
		return
	case '[':
	default:
		c.reportAt(at, "must be a string or an array of content parts, not "+jsonscan.KindOf(w.next()))
		return
	}
	w.array()
	n := 0
	for ; w.elem(); n++ {
		if responses {
			c.responsesPart(w, at.elem(n))
		} else {
			c.chatPart(w, at.elem(n))
		}
	}
	if n == 0 {
		c.reportAt(at, "must not be empty")
	}
}

// chatPart reads one chat completions content part.
func (c *Converter) chatPart(w *walker, at loc) {
	if w.peek() != '{' {
		c.reportAt(at, "must be an object, not "+jsonscan.KindOf(w.next()))
		return
	}
	var typ, text, image []byte
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "type":
			typ = w.next()
		case "text":
			text = w.next()
		case "image_url":
			image = w.next()
		default:
			c.refuse(at, key)
		}
	}
	switch string(contents(typ)) {
	case "text":
		c.rejectExtra(image, at, "image_url")
		c.textPart(text, at.key("text"), false)
	case "image_url":
		c.rejectExtra(text, at, "text")
		c.chatImage(image, at.key("image_url"))
	default:
		c.unknownPartType(typ, at)
	}
}

// chatImage reads the image_url object of a chat completions image part.
func (c *Converter) chatImage(raw []byte, at loc) {
	switch {
	case raw == nil:
		c.reportAt(at, "missing")
		return
	case raw[0] != '{':
		c.reportAt(at, "must be an object, not "+jsonscan.KindOf(raw))
		return
	}
	var url []byte
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "url":
			url = w.next()
		case "detail":
			c.refuseValue(w.next(), at.key("detail"), `"auto"`)
		default:
			c.refuse(at, key)
		}
	}
	if p, ok := c.imageURL(url, at.key("url")); ok {
		c.req.add(p, false)
	}
}

// responsesPart reads one content part of a Responses API message.
func (c *Converter) responsesPart(w *walker, at loc) {
	if w.peek() != '{' {
		c.reportAt(at, "must be an object, not "+jsonscan.KindOf(w.next()))
		return
	}
	var typ, text, image []byte
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "type":
			typ = w.next()
		case "text":
			text = w.next()
		case "image_url":
			image = w.next()
		case "detail":
			c.refuseValue(w.next(), at.key("detail"), `"auto"`)
		default:
			c.refuse(at, key)
		}
	}
	switch string(contents(typ)) {
	case "input_text", "output_text":
		c.rejectExtra(image, at, "image_url")
		c.textPart(text, at.key("text"), false)
	case "input_image":
		c.rejectExtra(text, at, "text")
		if p, ok := c.imageURL(image, at.key("image_url")); ok {
			c.req.add(p, false)
		}
	default:
		c.unknownPartType(typ, at)
	}
}

// rejectExtra reports raw, member name of the part at at, which a part of
// its type does not have.
func (c *Converter) rejectExtra(raw []byte, at loc, name string) {
	if raw != nil {
		c.reportAt(at.key(name), "cannot be converted to "+string(c.rules.name))
	}
}

// unknownPartType reports a part whose type, typ, does not convert.
func (c *Converter) unknownPartType(typ []byte, at loc) {
	if typ == nil {
		c.reportAt(at.key("type"), "missing")
		return
	}
	c.reportAt(at.key("type"), fmt.Sprintf("%s parts cannot be converted to %s", shorten(typ), c.rules.name))
}

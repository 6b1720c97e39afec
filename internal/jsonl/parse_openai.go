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
		case "tools":
			c.openAITools(w.next(), at.key("tools"), false)
		case "tool_choice":
			c.openAIToolChoice(w.next(), at.key("tool_choice"), false)
		case "parallel_tool_calls":
			c.parallelToolCalls(w.next(), at.key("parallel_tool_calls"))
		case "response_format":
			c.responseFormat(w.next(), at.key("response_format"))
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
		case "tools":
			c.openAITools(w.next(), at.key("tools"), true)
		case "tool_choice":
			c.openAIToolChoice(w.next(), at.key("tool_choice"), true)
		case "parallel_tool_calls":
			c.parallelToolCalls(w.next(), at.key("parallel_tool_calls"))
		case "text":
			c.textFormat(w.next(), at.key("text"))
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
	var m chatItem
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch k := string(key); {
		case k == "role":
			m.role = w.next()
		case k == "content" && w.peek() == 'n':
			m.null = true
			w.next()
		case k == "content":
			m.content = true
			c.chatContent(w, at.key("content"), responses)
		case k == "tool_calls" && !responses:
			m.calls = true
			c.chatToolCalls(w.next(), at.key("tool_calls"))
		case k == "tool_call_id" && !responses:
			m.callID = w.next()
		case !responses:
			c.refuse(at, key)
		case k == "type":
			m.typ = w.next()
		case k == "call_id":
			m.callID = w.next()
		case k == "name":
			m.name = w.next()
		case k == "arguments":
			m.args = w.next()
		case k == "output":
			m.output = w.next()
		case k == "id" || k == "status":
			w.next() // the ids and states of earlier output items
		default:
			c.refuse(at, key)
		}
	}
	if responses && m.typ != nil && string(contents(m.typ)) != "message" {
		c.responsesItem(&m, at)
		return
	}
	c.settleChatMessage(&m, turns, at)
}

// chatItem holds the members of a chat message or a Responses input item
// that are settled once it is read.
type chatItem struct {
	role, typ, callID, name, args, output []byte
	content, null, calls                  bool // content was given, or null; tool_calls were given
}

// chatToolCalls reads the tool_calls of an assistant message into it.
func (c *Converter) chatToolCalls(raw []byte, at loc) {
	w, ok := c.arrayAt(raw, at, "")
	for i := 0; ok && w.elem(); i++ {
		c.chatToolCall(w.next(), at.elem(i))
	}
}

// chatToolCall reads one tool call {id, type, function{name, arguments}}.
func (c *Converter) chatToolCall(raw []byte, at loc) {
	if !c.isObject(raw, at) {
		return
	}
	var id, typ, fn []byte
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "id":
			id = w.next()
		case "type":
			typ = w.next()
		case "function":
			fn = w.next()
		default:
			c.refuse(at, key)
		}
	}
	if string(contents(typ)) != "function" {
		c.badType(typ, at, "tool calls")
		return
	}
	fat := at.key("function")
	if fn == nil || fn[0] != '{' {
		c.reportAt(fat, "must be an object")
		return
	}
	var name, args []byte
	fw := walk(fn)
	fw.object()
	for key, ok := fw.key(); ok; key, ok = fw.key() {
		switch string(key) {
		case "name":
			name = fw.next()
		case "arguments":
			args = fw.next()
		default:
			c.refuse(fat, key)
		}
	}
	if id == nil {
		c.reportAt(at.key("id"), "missing")
		return
	}
	if obj, ok := c.toolCallArgs(args, fat.key("arguments")); ok {
		c.addCall(id, name, obj, fat)
	}
}

// responsesItem settles a Responses API input item other than a message:
// a function call, or a function call's output.
func (c *Converter) responsesItem(m *chatItem, at loc) {
	r := &c.req
	switch string(contents(m.typ)) {
	case "function_call":
		r.last().role = roleAssistant
		if !c.isString(m.callID, at.key("call_id")) {
			r.drop()
			return
		}
		if args, ok := c.toolCallArgs(m.args, at.key("arguments")); ok {
			c.addCall(m.callID, m.name, args, at)
		}
		r.mergeLast()
	case "function_call_output":
		if !c.isString(m.callID, at.key("call_id")) {
			r.drop()
			return
		}
		if out, ok := c.resultText(m.output, at.key("output")); ok {
			c.addResult(m.callID, nil, out, false)
		}
		r.mergeLast()
	default:
		c.reportAt(at.key("type"), fmt.Sprintf("%s items cannot be converted to %s", shorten(m.typ), c.rules.name))
		r.drop()
	}
}

// settleChatMessage settles the message chatMessage read, given its raw
// role, whether it had content, and how many turns came before it. System
// and developer messages must come first: the other targets keep system
// text apart from the conversation.
func (c *Converter) settleChatMessage(m *chatItem, turns int, at loc) {
	r := &c.req
	roleAt := at.key("role")
	ok := c.isString(m.role, roleAt)
	role := contents(m.role)
	if ok {
		switch string(role) {
		case "user", "assistant", "system", "developer", "tool":
		case "function":
			c.reportAt(roleAt, fmt.Sprintf("%q messages cannot be converted to %s", role, c.rules.name))
			ok = false
		default:
			c.reportAt(roleAt, quote(string(role))+" is not a role (want system, developer, user, assistant or tool)")
			ok = false
		}
	}
	switch {
	case !ok:
		r.drop()
	case m.calls && string(role) != "assistant":
		c.reportAt(at.key("tool_calls"), "only assistant messages make tool calls")
		r.drop()
	case m.callID != nil && string(role) != "tool":
		c.reportAt(at.key("tool_call_id"), "only tool messages have a tool_call_id")
		r.drop()
	case string(role) == "tool":
		c.toolMessage(m.callID, at)
	case m.null && !m.calls:
		c.reportAt(at.key("content"), "must be a string or an array of content parts, not null")
		r.drop()
	case !m.content && !m.calls:
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

// toolMessage settles a role "tool" message, whose content (one text) is
// the result of the call id names.
func (c *Converter) toolMessage(id []byte, at loc) {
	r := &c.req
	m := r.last()
	parts := r.parts[m.first:m.end]
	switch {
	case !c.isString(id, at.key("tool_call_id")):
		r.drop()
		return
	case len(parts) != 1 || parts[0].kind != partText:
		c.reportAt(at.key("content"), "a tool message converts with one text")
		r.drop()
		return
	}
	parts[0] = part{kind: partResult, id: id, text: parts[0].text}
	r.mergeLast()
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
	if !c.isObject(raw, at) {
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

package jsonl

// request is the request of a line being converted, in the common subset
// of the providers' formats. Its values are raw JSON taken from the line
// (or the defaults) and copied to the output as they are, so converting
// never decodes or re-encodes text. A value that is absent is nil.
type request struct {
	model         []byte // decoded
	maxTokens     []byte
	maxTokensName string // the member that set maxTokens, for messages
	temperature   []byte
	topP          []byte
	topK          []byte
	stop          []byte // a string or an array of strings
	// Embeddings.
	input          []byte // a string, or an array of strings or token arrays
	inputText      []byte // the input as one string; nil when it holds several
	dimensions     []byte
	encodingFormat []byte
	taskType       []byte
	// The conversation.
	system       []part // text parts only
	msgs         []message
	parts        []part // the parts of all msgs
	conversation bool   // the line has a conversation member, even an empty one
	// Tools and structured outputs.
	tools  []tool
	choice toolChoice
	format outFormat
	calls  int // tool calls read, for the ids made up for Gemini's
}

// tool is a function the model may call.
type tool struct {
	name   []byte // a JSON string
	desc   []byte // a JSON string, or nil
	params []byte // its parameters as a JSON Schema object, or nil for none
	strict []byte // true or false, or nil
}

// choiceMode is how the model is told to use its tools.
type choiceMode uint8

const (
	choiceUnset choiceMode = iota // as the provider likes (auto)
	choiceAuto
	choiceNone
	choiceAny  // it must call a tool (OpenAI required, Anthropic any, Gemini ANY)
	choiceTool // it must call the tool named
)

// toolChoice is how the model is told to use its tools.
type toolChoice struct {
	mode       choiceMode
	name       []byte // the tool of choiceTool, a JSON string
	noParallel bool   // Anthropic disable_parallel_tool_use, OpenAI parallel_tool_calls false
}

// formatKind is what an answer's text must be.
type formatKind uint8

const (
	formatUnset  formatKind = iota
	formatText              // plain text, said explicitly
	formatJSON              // any JSON object (OpenAI json_object, Gemini application/json without a schema)
	formatSchema            // JSON valid against schema
)

// outFormat is the structured output a request asks for.
type outFormat struct {
	kind   formatKind
	schema []byte // a JSON Schema (a Gemini responseSchema is translated)
	name   []byte // a JSON string, or nil
	desc   []byte // a JSON string, or nil
	strict []byte // true or false, or nil
	field  string // where the schema is in the line, for problems
}

// role is who speaks a message. System text is kept apart, in
// request.system.
type role uint8

const (
	roleUser role = iota
	roleAssistant
)

// partKind is what a part of a message holds.
type partKind uint8

const (
	partText   partKind = iota // text: a JSON string
	partInline                 // an image given inline: mime and data
	partURL                    // an image at a URL: text is the URL as a JSON string
	partCall                   // an assistant's tool call: id, name, and text the arguments as a JSON object
	partResult                 // a tool's result: id or name, and text a JSON string or (Gemini) object
)

// part is one piece of a message.
type part struct {
	kind partKind
	text []byte
	mime []byte // the JSON-escaped contents of the media type
	data []byte // the JSON-escaped contents of the base64 data
	// Tool calls and results.
	id      []byte // the call's id, a JSON string; nil when Gemini gave none
	name    []byte // the tool's name, a JSON string
	isError bool   // a result that reports a failure
}

// message is one turn of the conversation: parts[first:end].
type message struct {
	role       role
	first, end int
}

// reset empties r for the next line, keeping its buffers.
func (r *request) reset() {
	*r = request{system: r.system[:0], msgs: r.msgs[:0], parts: r.parts[:0], tools: r.tools[:0]}
}

// begin starts a message. Its role may be settled later, when the role
// member comes after the content.
func (r *request) begin(ro role) {
	r.msgs = append(r.msgs, message{role: ro, first: len(r.parts), end: len(r.parts)})
}

// last is the message begun last.
func (r *request) last() *message { return &r.msgs[len(r.msgs)-1] }

// drop removes the message begun last, with its parts.
func (r *request) drop() {
	r.parts = r.parts[:r.last().first]
	r.msgs = r.msgs[:len(r.msgs)-1]
}

// mergeLast merges the message begun last into the one before it when
// they hold the same thing: tool calls of one assistant turn, or the
// results of the calls the turn made.
func (r *request) mergeLast() {
	n := len(r.msgs)
	if n < 2 {
		return
	}
	prev, last := &r.msgs[n-2], &r.msgs[n-1]
	if prev.role != last.role || prev.end != last.first || prev.end == prev.first {
		return
	}
	if last.role == roleUser && (r.parts[prev.end-1].kind != partResult || r.parts[last.first].kind != partResult) {
		return
	}
	prev.end = last.end
	r.msgs = r.msgs[:n-1]
}

// toSystem moves the parts of the message begun last to the system text
// and drops the message. It reports false, moving nothing, when a part is
// not text.
func (r *request) toSystem() bool {
	m := r.last()
	parts := r.parts[m.first:m.end]
	for _, p := range parts {
		if p.kind != partText {
			r.drop()
			return false
		}
	}
	r.system = append(r.system, parts...)
	r.drop()
	return true
}

// add appends p to the last message, or to the system text when sys is
// set.
func (r *request) add(p part, sys bool) {
	if sys {
		r.system = append(r.system, p)
		return
	}
	r.parts = append(r.parts, p)
	r.msgs[len(r.msgs)-1].end = len(r.parts)
}

// fields names the members of a shape that problems found after parsing
// are about.
type fields struct {
	model, maxTokens, conversation string
}

// convertShape converts a line of a shape other than the target's own.
func (c *Converter) convertShape(sh shape) ([]byte, string) {
	c.converted = true
	c.req.reset()
	t := &c.top
	var id string
	switch sh {
	case shapeOpenAI:
		id = c.checkID("custom_id", t.customID, false)
		c.reportUnknown(sh)
		c.convertOpenAI()
	case shapeAnthropic:
		id = c.checkID("custom_id", t.customID, false)
		c.reportUnknown(sh)
		c.convertAnthropic()
	case shapeGemini:
		id = c.checkID("key", t.key, false)
		c.reportUnknown(sh)
		c.convertGemini()
	default:
		id = c.checkID("custom_id", t.customID, true)
		c.reportUnknown(sh)
		c.convertSimple()
	}
	if c.bad {
		return nil, id
	}
	return c.emit(), id
}

// convertOpenAI reads an OpenAI batch line for another target.
func (c *Converter) convertOpenAI() {
	t := &c.top
	if t.method == nil && t.url == nil && !c.checkObject("body", t.body) {
		return
	}
	url, field, ok := c.route()
	if !ok {
		return
	}
	src, named := kindOfURL(url), url
	if field != "url" {
		named = nil // the line names a kind, not a url
	}
	if !c.setKind(field, src, named) || !c.checkObject("body", t.body) {
		return
	}
	switch src {
	case KindChat:
		c.openAIChat(c.top.body)
		c.finishRequest(fields{"body.model", "body.max_tokens", "body.messages"})
	case KindEmbeddings:
		c.openAIEmbeddings(c.top.body)
		c.finishRequest(fields{model: "body.model"})
	case KindResponses:
		c.openAIResponses(c.top.body)
		c.finishRequest(fields{"body.model", "body.max_output_tokens", "body.input"})
	}
}

// convertAnthropic reads an Anthropic batch request for another target.
func (c *Converter) convertAnthropic() {
	if !c.setKind("params", KindChat, nil) || !c.checkObject("params", c.top.params) {
		return
	}
	c.anthropicParams(c.top.params)
	c.finishRequest(fields{"params.model", "params.max_tokens", "params.messages"})
}

// convertGemini reads a Gemini batch line for another target.
func (c *Converter) convertGemini() {
	if !c.checkObject("request", c.top.request) {
		return
	}
	src, field, ok := c.geminiKind()
	if !ok || !c.setKind(field, src, nil) {
		return
	}
	if src == KindEmbeddings {
		c.geminiEmbed(c.top.request)
		c.finishRequest(fields{model: "request.model"})
		return
	}
	c.geminiGenerate(c.top.request)
	c.finishRequest(fields{"request.model", "request.generationConfig.maxOutputTokens", "request.contents"})
}

// convertSimple reads a simple line.
func (c *Converter) convertSimple() {
	src, field, ok := c.simpleKind()
	if !ok || !c.setKind(field, src, nil) {
		return
	}
	c.simpleLine(src)
	c.finishRequest(fields{"model", "max_tokens", field})
}

// setKind checks that the target serves src, the kind of request the line
// makes (told by field, and by url for OpenAI batch lines), and records
// the endpoint it converts to.
func (c *Converter) setKind(field string, src Kind, url []byte) bool {
	kind, ok := c.rules.converts[src]
	if ok {
		c.kind = kind
		c.noteEndpoint(field, c.rules.routes[kind].endpoint, kind)
		return true
	}
	what := string(src)
	if url != nil {
		what = quote(string(url))
	}
	if src == KindEmbeddings {
		c.report(field, what+" cannot be converted to "+string(c.rules.name)+" (it has no embeddings)")
	} else {
		c.report(field, what+" cannot be converted to "+string(c.rules.name))
	}
	return false
}

// finishRequest completes the request once the line is read: it settles
// the model, fills in the defaults and checks what the target requires.
// f names the fields problems are about.
func (c *Converter) finishRequest(f fields) {
	c.settleModel(f.model)
	c.fillDefaults()
	r := &c.req
	if c.kind == KindEmbeddings {
		return
	}
	switch {
	case len(r.msgs) > 0 || c.problems.total > c.lineStart: // the line has a problem already, most likely in its messages
	case !r.conversation:
		c.report(f.conversation, "missing")
	default:
		c.report(f.conversation, "has no user or assistant message")
	}
	if c.rules.maxTokensRequired && r.maxTokens == nil && !c.text {
		c.report(f.maxTokens, "missing ("+string(c.rules.name)+" requires it; pass --max-tokens)")
	}
	c.finishTools(f.conversation)
	if c.bad {
		return
	}
	c.finishFormat()
}

// settleModel takes the line's model, or the default, and checks it
// against the other lines'. field names the model member of the line.
func (c *Converter) settleModel(field string) {
	r := &c.req
	model, fromDefault := r.model, false
	if model == nil {
		if c.def.model == nil {
			if !c.text { // else reported once, for the whole input
				c.report(field, "missing (pass --model)")
			}
			c.bad = true
			return
		}
		model, fromDefault = c.def.model, true
	}
	if c.rules.trimModels {
		model = trimModels(model)
	}
	r.model = model
	c.noteModel(field, model, fromDefault)
}

// fillDefaults fills in the defaults for the values the line left unset,
// where the kind of request uses them.
func (c *Converter) fillDefaults() {
	r, d := &c.req, &c.def
	if c.kind == KindEmbeddings {
		r.dimensions = or(r.dimensions, d.dimensions)
		r.encodingFormat = or(r.encodingFormat, d.encodingFormat)
		r.taskType = or(r.taskType, d.taskType)
		return
	}
	if len(r.system) == 0 && d.system != nil && c.kind != KindCompletions {
		r.system = append(r.system, part{kind: partText, text: d.system})
	}
	r.maxTokens = or(r.maxTokens, d.maxTokens)
	r.temperature = or(r.temperature, d.temperature)
	r.topP = or(r.topP, d.topP)
	if c.kind != KindResponses {
		r.stop = or(r.stop, d.stop)
	}
}

// or returns v, or def when v is unset.
func or(v, def []byte) []byte {
	if v == nil {
		return def
	}
	return v
}

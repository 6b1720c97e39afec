package jsonl

import (
	"slices"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// mistral is the Mistral Batch API's input: {"custom_id":...,"body":{...}}
// lines (docs.mistral.ai/capabilities/batch), the body that of the
// endpoint of the batch job. Chat bodies are OpenAI's with max_tokens;
// embeddings bodies name the size of their vectors output_dimension
// (mistralai/client-python docs/models/chatcompletionrequest.md,
// embeddingrequest.md). Temperatures up to 1.5 and any number of stop
// sequences are taken (the SDKs bound neither: UNCONFIRMED).
var mistral = protocol{
	name:   TargetMistral,
	native: shapeOpenAI,
	pass:   (*Converter).passMistral,
	converts: map[Kind]Kind{
		KindChat: KindChat, KindResponses: KindChat, KindEmbeddings: KindEmbeddings,
	},
	routes: map[Kind]route{
		KindChat:       {"/v1/chat/completions", (*Converter).appendMistralChat},
		KindEmbeddings: {"/v1/embeddings", (*Converter).appendMistralEmbeddings},
	},
	serves:         "chat and embeddings, and moderations from openai batch lines",
	maxTemperature: 1.5,
	manyInputs:     true,
	imageURLs:      true,
	// Mistral's chat API has tools and structured outputs of its own, but
	// its tool call ids are not OpenAI's (UNCONFIRMED which it accepts):
	// converting them waits; lines in Mistral's own shape pass with theirs.
	noTools:    true,
	toolNameOK: func([]byte) bool { return true },
}

// kindModerations is the kind of OpenAI and Mistral moderation requests,
// which pass to mistral with their body as it is.
const kindModerations Kind = "moderations"

// mistralOnlyEndpoints lists the batch endpoints of Mistral's API
// (docs/models/apiendpoint.md) whose results batchctl does not normalize:
// a line for one is refused before anything is uploaded.
var mistralOnlyEndpoints = []string{
	"/v1/fim/completions", "/v1/chat/moderations", "/v1/ocr", "/v1/classifications",
	"/v1/chat/classifications", "/v1/conversations", "/v1/audio/transcriptions",
}

// mistralEndpoints lists, for messages, the endpoints a mistral batch
// takes.
const mistralEndpoints = "/v1/chat/completions, /v1/embeddings or /v1/moderations"

// passMistral takes a line with body for TargetMistral. A line with
// custom_id and body only is Mistral's own and passes as it is; an OpenAI
// batch line (with method and url) is converted, a moderation request by
// dropping its method and url.
func (c *Converter) passMistral(b []byte) ([]byte, string) {
	t := &c.top
	if t.method == nil && t.url == nil {
		return c.passMistralLine(b)
	}
	if t.url != nil && t.url[0] == '"' {
		url := string(jsonscan.Unquote(t.url))
		if slices.Contains(mistralOnlyEndpoints, url) {
			id := c.checkID("custom_id", t.customID, false)
			c.report("url", quote(url)+" is not supported: batchctl cannot read its results (want "+mistralEndpoints+")")
			return nil, id
		}
		if url == "/v1/moderations" {
			return c.convertMistralModeration()
		}
	}
	return c.convertShape(shapeOpenAI)
}

// passMistralLine checks a Mistral batch line. Its endpoint is told by its
// body (messages: chat, input: embeddings) or --endpoint (which cannot be
// responses: Mistral has no Responses API, see prepareDefaults).
func (c *Converter) passMistralLine(b []byte) ([]byte, string) {
	t := &c.top
	id := c.checkID("custom_id", t.customID, false)
	c.reportUnknownMistral()
	if !c.checkObject("body", t.body) {
		return nil, id
	}
	kind := c.def.endpoint
	switch {
	case kind != "":
	case t.bodyMessages:
		kind = KindChat
	case t.bodyInput:
		kind = KindEmbeddings
	case t.bodyPrompt:
		c.report("body.prompt", "fill-in-the-middle requests are not supported: batchctl cannot read their results (want messages for chat or input for embeddings)")
		return nil, id
	default:
		c.report("body", "cannot tell the endpoint: want messages (chat) or input (embeddings) in body, or pass --endpoint")
		return nil, id
	}
	if !c.setKind("body", kind, nil) {
		return nil, id
	}
	c.noteBodyModel()
	return b, id
}

// reportUnknownMistral reports the top-level members a Mistral batch line
// must not have.
func (c *Converter) reportUnknownMistral() {
	const want = "a mistral batch line has custom_id and body"
	for _, nv := range c.top.simple.named() {
		c.report(nv.name, "unknown field ("+want+")")
	}
	for _, key := range c.top.unknown {
		c.report(string(key), "unknown field ("+want+")")
	}
}

// noteBodyModel records the model of a body that passes as it is: its
// own, or else --model, which the batch job carries.
func (c *Converter) noteBodyModel() {
	switch t := &c.top; {
	case t.bodyModel != nil:
		if model, ok := c.requireString("body.model", t.bodyModel); ok {
			c.noteModel("body.model", model, false)
		}
	case c.def.model != nil:
		c.noteModel("body.model", c.def.model, true)
	default:
		c.report("body.model", "missing (pass --model)")
	}
}

// convertMistralModeration converts an OpenAI batch line for
// /v1/moderations: its body, {model, input}, is Mistral's too
// (docs/models/classificationrequest.md), but for inputs that are not
// text.
func (c *Converter) convertMistralModeration() ([]byte, string) {
	c.converted = true
	t := &c.top
	id := c.checkID("custom_id", t.customID, false)
	c.reportUnknown(shapeOpenAI)
	if _, ok := c.checkRoute(); !ok || !c.checkObject("body", t.body) {
		return nil, id
	}
	c.noteEndpoint("url", "/v1/moderations", kindModerations)
	at := root("body")
	var input []byte
	w := walk(t.body)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "model":
			w.next()
		case "input":
			input = w.next()
		default:
			c.refuse(at, key)
			w.next()
		}
	}
	c.embeddingsInput(input, at.key("input"))
	c.noteBodyModel()
	if c.bad {
		return nil, id
	}
	o := jsonscan.AppendQuote(append(c.out[:0], `{"custom_id":`...), c.id)
	o = append(o, `,"body":`...)
	if t.bodyModel == nil {
		o = jsonscan.AppendQuote(append(o, `{"model":`...), c.def.model)
		if rest := walk(t.body[1:]); rest.peek() != '}' {
			o = append(o, ',')
		}
		o = append(o, t.body[1:]...)
	} else {
		o = append(o, t.body...)
	}
	c.out = append(o, '}')
	return c.out, id
}

// appendMistralHead writes a Mistral batch line up to the model in the
// body.
func (c *Converter) appendMistralHead(o []byte) []byte {
	o = jsonscan.AppendQuote(append(o, `{"custom_id":`...), c.id)
	return jsonscan.AppendQuote(append(o, `,"body":{"model":`...), c.req.model)
}

func (c *Converter) appendMistralChat(o []byte) []byte {
	r := &c.req
	o = c.appendChatMessages(c.appendMistralHead(o))
	o = appendMember(o, "max_tokens", r.maxTokens)
	o = appendMember(o, "temperature", r.temperature)
	o = appendMember(o, "top_p", r.topP)
	o = appendMember(o, "stop", r.stop)
	return append(o, "}}"...)
}

func (c *Converter) appendMistralEmbeddings(o []byte) []byte {
	r := &c.req
	o = append(c.appendMistralHead(o), `,"input":`...)
	o = append(o, r.input...)
	o = appendMember(o, "output_dimension", r.dimensions)
	return append(o, "}}"...)
}

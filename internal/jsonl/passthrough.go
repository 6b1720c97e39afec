package jsonl

import (
	"bytes"
	"math"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// openAIEndpoints lists, for messages, the endpoints of an OpenAI batch
// that batchctl takes (providers.md A.6). isOpenAIEndpoint must agree with
// it.
const openAIEndpoints = "/v1/chat/completions, /v1/embeddings, /v1/responses, /v1/completions, /v1/moderations"

func isOpenAIEndpoint(url []byte) bool {
	switch string(url) {
	case "/v1/chat/completions", "/v1/embeddings", "/v1/responses", "/v1/completions", "/v1/moderations":
		return true
	}
	return false
}

// isMediaEndpoint reports whether url is a batch endpoint OpenAI accepts
// whose answers are images or videos, which batchctl cannot put in a
// result line: a line for one is refused before anything is uploaded.
func isMediaEndpoint(url []byte) bool {
	switch string(url) {
	case "/v1/images/generations", "/v1/images/edits", "/v1/videos":
		return true
	}
	return false
}

// passOpenAI checks an OpenAI batch line for TargetOpenAI.
func (c *Converter) passOpenAI(b []byte) ([]byte, string) {
	t := &c.top
	id := c.checkID("custom_id", t.customID, false)
	routeless := t.method == nil && t.url == nil
	if routeless && !c.checkObject("body", t.body) {
		return nil, id
	}
	url, field, ok := c.route()
	if ok && string(url) != c.summary.Endpoint {
		c.noteEndpoint(field, string(url), kindOfURL(url))
	}
	if !c.checkObject("body", t.body) {
		return nil, id
	}
	var insert []byte
	switch {
	case t.bodyModel != nil:
		if model, ok := c.requireString("body.model", t.bodyModel); ok {
			c.noteModel("body.model", model, false)
		}
	case c.def.model != nil:
		c.noteModel("body.model", c.def.model, true)
		insert = jsonscan.AppendQuote(append(c.scratch[:0], `"model":`...), c.def.model)
	default:
		c.report("body.model", "missing (pass --model)")
	}
	if ok {
		if format := c.passOpenAIFormat(kindOfURL(url)); format != nil {
			if insert != nil {
				format = append(append(insert, ','), format...)
			}
			insert = format
		}
	}
	if c.bad {
		return b, id
	}
	bodyAt := t.bodyAt
	if routeless {
		// The batch API wants method and url on every line.
		n := len(b)
		b = c.insertMembers(b, bytes.IndexByte(b, '{'), b, jsonscan.AppendQuote([]byte(`"method":"POST","url":`), url))
		bodyAt += len(b) - n
		c.routed = append(c.routed[:0], b...) // insertMembers reuses c.out
		b = c.routed
	}
	if insert == nil {
		return b, id
	}
	return c.insertMembers(b, bodyAt, t.body, insert), id
}

// route returns the url of an OpenAI batch line and the field it comes
// from. A line with custom_id and body only (the shape of Together's and
// Cognipeer's batch files) takes the endpoint of --endpoint, or else of
// what its body holds: messages for chat, input for embeddings, prompt for
// completions.
func (c *Converter) route() (url []byte, field string, ok bool) {
	t := &c.top
	if t.method != nil || t.url != nil {
		url, ok = c.checkRoute()
		return url, "url", ok
	}
	kind := c.def.endpoint
	switch {
	case kind != "":
	case t.bodyMessages:
		kind = KindChat
	case t.bodyInput:
		kind = KindEmbeddings
	case t.bodyPrompt:
		kind = KindCompletions
	default:
		c.report("body", "cannot tell the endpoint: want messages (chat), input (embeddings) or prompt (completions) in body, "+
			"or pass --endpoint (or give the line method and url)")
		return nil, "body", false
	}
	return []byte(urlOfKind(kind)), "body", true
}

// checkRoute checks the method and url of an OpenAI batch line and returns
// the url when it is a batch endpoint.
func (c *Converter) checkRoute() ([]byte, bool) {
	t := &c.top
	if t.method == nil {
		c.report("method", `missing (want "POST")`)
	} else if method, ok := c.requireString("method", t.method); ok && string(method) != "POST" {
		c.report("method", quote(string(method))+` is not allowed (want "POST")`)
	}
	if t.url == nil {
		c.report("url", "missing (want one of "+openAIEndpoints+")")
		return nil, false
	}
	url, ok := c.requireString("url", t.url)
	if ok && isMediaEndpoint(url) {
		c.report("url", quote(string(url))+" is not supported: batchctl cannot return image or video results (want one of "+openAIEndpoints+")")
		return nil, false
	}
	if ok && !isOpenAIEndpoint(url) {
		c.report("url", quote(string(url))+" is not a batch endpoint (want one of "+openAIEndpoints+")")
		return nil, false
	}
	return url, ok
}

// passAnthropic checks an Anthropic batch request for TargetAnthropic.
func (c *Converter) passAnthropic(b []byte) ([]byte, string) {
	t := &c.top
	id := c.checkID("custom_id", t.customID, false)
	c.reportUnknown(shapeAnthropic)
	c.noteEndpoint("", c.rules.endpoint(KindChat), KindChat)
	if !c.checkObject("params", t.params) {
		return nil, id
	}
	insert := c.scratch[:0]
	switch {
	case t.paramsModel != nil:
		if model, ok := c.requireString("params.model", t.paramsModel); ok {
			c.noteModel("params.model", model, false)
		}
	case c.def.model != nil:
		c.noteModel("params.model", c.def.model, true)
		insert = jsonscan.AppendQuote(append(insert, `"model":`...), c.def.model)
	default:
		c.report("params.model", "missing (pass --model)")
	}
	switch {
	case t.paramsMaxTokens != nil:
		c.positiveInt(t.paramsMaxTokens, root("params.max_tokens"))
	case c.def.maxTokens != nil:
		if len(insert) > 0 {
			insert = append(insert, ',')
		}
		insert = append(append(insert, `"max_tokens":`...), c.def.maxTokens...)
	default:
		c.report("params.max_tokens", "missing (anthropic requires it; pass --max-tokens)")
	}
	switch {
	case t.paramsMessages == nil:
		c.report("params.messages", "missing")
	case t.paramsMessages[0] != '[':
		c.report("params.messages", "must be an array, not "+jsonscan.KindOf(t.paramsMessages))
	}
	if string(t.paramsStream) == "true" {
		c.report("params.stream", "true is not allowed in a batch")
	}
	model := c.def.model
	if t.paramsModel != nil {
		model = contents(t.paramsModel)
	}
	if format := c.passAnthropicFormat(model); format != nil {
		if len(insert) > 0 {
			insert = append(insert, ',')
		}
		insert = append(insert, format...)
	}
	c.scratch = insert
	if c.bad || len(insert) == 0 {
		return b, id
	}
	return c.insertMembers(b, t.paramsAt, t.params, insert), id
}

// passGemini checks a Gemini batch line for TargetGemini. Its model is the
// batch's, so the line never changes.
func (c *Converter) passGemini(b []byte) ([]byte, string) {
	t := &c.top
	id := c.checkID("key", t.key, false)
	c.reportUnknown(shapeGemini)
	if !c.checkObject("request", t.request) {
		return nil, id
	}
	if kind, field, ok := c.geminiKind(); ok {
		c.noteEndpoint(field, c.rules.endpoint(kind), kind)
	}
	switch {
	case t.requestModel != nil:
		if model, ok := c.requireString("request.model", t.requestModel); ok {
			c.noteModel("request.model", trimModels(model), false)
		}
	case c.def.model != nil:
		c.noteModel("model", c.def.model, true)
	default:
		c.report("model", "missing (pass --model)")
	}
	if c.bad || c.top.requestContents == nil {
		return b, id
	}
	return c.passGeminiFormat(b), id
}

// geminiKind tells a Gemini request's kind from its members: contents for
// generateContent, content for embedContent. It also returns the member's
// name.
func (c *Converter) geminiKind() (Kind, string, bool) {
	t := &c.top
	switch {
	case t.requestContents != nil && t.requestContent != nil:
		c.report("request", "has both contents (generateContent) and content (embedContent)")
	case t.requestContents != nil:
		if t.requestContents[0] != '[' {
			c.report("request.contents", "must be an array, not "+jsonscan.KindOf(t.requestContents))
			return "", "", false
		}
		return KindChat, "request.contents", true
	case t.requestContent != nil:
		if t.requestContent[0] != '{' {
			c.report("request.content", "must be an object, not "+jsonscan.KindOf(t.requestContent))
			return "", "", false
		}
		return KindEmbeddings, "request.content", true
	default:
		c.report("request", "missing contents (or content, for embeddings)")
	}
	return "", "", false
}

// checkObject reports raw, the value of field, unless it is an object.
func (c *Converter) checkObject(field string, raw []byte) bool {
	switch {
	case raw == nil:
		c.report(field, "missing")
	case raw[0] != '{':
		c.report(field, "must be an object, not "+jsonscan.KindOf(raw))
	default:
		return true
	}
	return false
}

// insertMembers returns b with members, a comma-separated list of object
// members, inserted at the start of obj, the object at offset at in b.
func (c *Converter) insertMembers(b []byte, at int, obj, members []byte) []byte {
	inner := walk(obj[1:])
	empty := inner.peek() == '}'
	out := append(c.out[:0], b[:at+1]...)
	out = append(out, members...)
	if !empty {
		out = append(out, ',')
	}
	out = append(out, b[at+1:]...)
	c.out = out
	return out
}

// positiveInt reports raw, the value at at, unless it is a positive
// integer that fits in 32 bits (the providers' token counts and
// dimensions).
func (c *Converter) positiveInt(raw []byte, at loc) bool {
	if jsonscan.KindOf(raw) != "number" {
		c.reportAt(at, "must be a positive integer, not "+jsonscan.KindOf(raw))
		return false
	}
	switch n, ok := parsePositive(raw); {
	case ok:
		return true
	case n > 0:
		c.reportAt(at, shorten(raw)+" is too large")
	default:
		c.reportAt(at, "must be a positive integer, not "+shorten(raw))
	}
	return false
}

// parsePositive parses raw, a JSON number, as a positive integer of at
// most 32 bits. A positive n with ok false means it is too large.
func parsePositive(raw []byte) (n int64, ok bool) {
	if len(raw) == 0 || raw[0] == '0' || !isDigits(raw) {
		return 0, false
	}
	if len(raw) > 10 {
		return 1, false
	}
	for _, c := range raw {
		n = n*10 + int64(c-'0')
	}
	return n, n <= math.MaxInt32
}

// isDigits reports whether b is a non-empty run of decimal digits.
func isDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

package jsonl

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// This file holds what the readers of the shapes (parse_*.go) share: how
// a value is checked and kept, and how problems name it.

// reportAt reports a problem with the value at at.
func (c *Converter) reportAt(at loc, reason string) { c.report(at.String(), reason) }

// refuse reports member key of the object at at, which the target cannot
// carry.
func (c *Converter) refuse(at loc, key []byte) {
	c.report(at.child(key), "cannot be converted to "+string(c.rules.name))
}

// refuseAt reports the value at at, which the target cannot carry.
func (c *Converter) refuseAt(at loc) {
	c.reportAt(at, "cannot be converted to "+string(c.rules.name))
}

// refuseValue reports the value raw at at, which the target cannot carry
// unless it is want, the default.
func (c *Converter) refuseValue(raw []byte, at loc, want string) {
	if string(raw) != want {
		c.reportAt(at, fmt.Sprintf("%s cannot be converted to %s (only %s)", shorten(raw), c.rules.name, want))
	}
}

// stringAt returns the contents of raw, the value at at, when it is a
// non-empty string, and reports a problem otherwise.
func (c *Converter) stringAt(raw []byte, at loc) ([]byte, bool) {
	switch {
	case raw == nil:
		c.reportAt(at, "missing")
	case raw[0] != '"':
		c.reportAt(at, "must be a string, not "+jsonscan.KindOf(raw))
	case len(raw) == 2:
		c.reportAt(at, "must not be empty")
	default:
		return jsonscan.Unquote(raw), true
	}
	return nil, false
}

// contents returns the decoded contents of raw when it is a string, and
// nil otherwise. It allocates only when raw has escapes.
func contents(raw []byte) []byte {
	if len(raw) < 2 || raw[0] != '"' {
		return nil
	}
	return jsonscan.Unquote(raw)
}

// isString reports whether raw, the value at at, is a string, reporting a
// problem if not.
func (c *Converter) isString(raw []byte, at loc) bool {
	switch {
	case raw == nil:
		c.reportAt(at, "missing")
	case raw[0] != '"':
		c.reportAt(at, "must be a string, not "+jsonscan.KindOf(raw))
	default:
		return true
	}
	return false
}

// isObject reports whether raw, the value at at, is an object, reporting
// a problem if not.
func (c *Converter) isObject(raw []byte, at loc) bool {
	switch {
	case raw == nil:
		c.reportAt(at, "missing")
	case raw[0] != '{':
		c.reportAt(at, "must be an object, not "+jsonscan.KindOf(raw))
	default:
		return true
	}
	return false
}

// arrayAt returns a walker over the elements of raw, the value at at, when
// it is an array, and reports a problem otherwise; of names the elements
// in that report (" of tools", or ""). Callers loop over the elements
// themselves: a callback would move each caller's loc to the heap.
func (c *Converter) arrayAt(raw []byte, at loc, of string) (walker, bool) {
	if raw[0] != '[' {
		c.reportAt(at, "must be an array"+of+", not "+jsonscan.KindOf(raw))
		return walker{}, false
	}
	w := walk(raw)
	w.array()
	return w, true
}

// setModel keeps the model named by raw. Gemini names models "models/...";
// the prefix is dropped.
func (c *Converter) setModel(raw []byte, at loc) {
	if model, ok := c.stringAt(raw, at); ok {
		c.req.model = trimModels(model)
	}
}

// setMaxTokens keeps the token limit raw, the value of member name of the
// object at obj.
func (c *Converter) setMaxTokens(raw []byte, obj loc, name string) {
	r := &c.req
	at := obj.key(name)
	if r.maxTokens != nil {
		c.reportAt(at, "cannot be used together with "+r.maxTokensName)
		return
	}
	if c.positiveInt(raw, at) {
		r.maxTokens, r.maxTokensName = raw, name
	}
}

// setTemperature keeps the sampling temperature raw.
func (c *Converter) setTemperature(raw []byte, at loc) {
	if c.inRange(raw, at, c.rules.maxTemperature) {
		c.req.temperature = raw
	}
}

// setTopP keeps the nucleus sampling mass raw.
func (c *Converter) setTopP(raw []byte, at loc) {
	if c.inRange(raw, at, 1) {
		c.req.topP = raw
	}
}

// setTopK keeps the top-k sampling limit raw; OpenAI has none.
func (c *Converter) setTopK(raw []byte, at loc) {
	if !c.rules.topK {
		c.refuseAt(at)
		return
	}
	if c.positiveInt(raw, at) {
		c.req.topK = raw
	}
}

// setStop keeps the stop sequences raw, a string or an array of strings.
// arrayOnly is set for the members that take only arrays.
func (c *Converter) setStop(raw []byte, at loc, arrayOnly bool) {
	if c.kind == KindResponses {
		c.reportAt(at, "cannot be converted to /v1/responses (it has no stop sequences)")
		return
	}
	if c.rules.noStop {
		c.refuseAt(at)
		return
	}
	n := 1
	switch {
	case raw[0] == '"' && !arrayOnly:
	case raw[0] == '[':
		n = 0
		w := walk(raw)
		w.array()
		for i := 0; w.elem(); i++ {
			if v := w.next(); v[0] != '"' {
				c.reportAt(at.elem(i), "must be a string, not "+jsonscan.KindOf(v))
				return
			}
			n++
		}
	case arrayOnly:
		c.reportAt(at, "must be an array of strings, not "+jsonscan.KindOf(raw))
		return
	default:
		c.reportAt(at, "must be a string or an array of strings, not "+jsonscan.KindOf(raw))
		return
	}
	if most := c.rules.maxStops; most > 0 && n > most {
		c.reportAt(at, fmt.Sprintf("%d stop sequences are more than %s accepts (%d)", n, c.rules.name, most))
		return
	}
	c.req.stop = raw
}

// setDimensions keeps the size of the embedding vectors raw.
func (c *Converter) setDimensions(raw []byte, at loc) {
	if c.positiveInt(raw, at) {
		c.req.dimensions = raw
	}
}

// setEncodingFormat keeps the encoding of OpenAI embeddings raw. Gemini
// returns floats, so "float" is all it can take, and needs no member.
func (c *Converter) setEncodingFormat(raw []byte, at loc) {
	format, ok := c.stringAt(raw, at)
	switch {
	case !ok:
	case string(format) != "float" && string(format) != "base64":
		c.reportAt(at, quote(string(format))+` is not an encoding format (want "float" or "base64")`)
	case c.rules.encodingFormat:
		c.req.encodingFormat = raw
	case string(format) == "base64":
		c.reportAt(at, `"base64" cannot be converted to `+string(c.rules.name)+" (it returns floats)")
	}
}

// geminiTaskTypes lists, for messages, the task types of Gemini
// embeddings. isGeminiTaskType must agree with it.
const geminiTaskTypes = "RETRIEVAL_QUERY, RETRIEVAL_DOCUMENT, SEMANTIC_SIMILARITY, CLASSIFICATION, " +
	"CLUSTERING, QUESTION_ANSWERING, FACT_VERIFICATION, CODE_RETRIEVAL_QUERY"

func isGeminiTaskType(s string) bool {
	switch s {
	case "RETRIEVAL_QUERY", "RETRIEVAL_DOCUMENT", "SEMANTIC_SIMILARITY", "CLASSIFICATION",
		"CLUSTERING", "QUESTION_ANSWERING", "FACT_VERIFICATION", "CODE_RETRIEVAL_QUERY":
		return true
	}
	return false
}

// setTaskType keeps the Gemini embedding task type raw; OpenAI has none.
func (c *Converter) setTaskType(raw []byte, at loc) {
	if !c.rules.taskType {
		c.refuseAt(at)
		return
	}
	task, ok := c.stringAt(raw, at)
	switch {
	case !ok:
	case !isGeminiTaskType(string(task)):
		c.reportAt(at, quote(string(task))+" is not a gemini task type (want one of "+geminiTaskTypes+")")
	default:
		c.req.taskType = raw
	}
}

// inRange reports whether raw, the value at at, is a number from 0 to
// most, reporting a problem if not.
func (c *Converter) inRange(raw []byte, at loc, most float64) bool {
	if jsonscan.KindOf(raw) != "number" {
		c.reportAt(at, "must be a number, not "+jsonscan.KindOf(raw))
		return false
	}
	v, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || v < 0 || v > most {
		c.reportAt(at, fmt.Sprintf("%s is out of range for %s (0 to %g)", shorten(raw), c.rules.name, most))
		return false
	}
	return true
}

// embeddingsInput keeps the input to embed: a string, or an array of
// strings (or, for OpenAI, of token arrays). Gemini embeds one text per
// request.
func (c *Converter) embeddingsInput(raw []byte, at loc) {
	r := &c.req
	switch {
	case raw == nil:
		c.reportAt(at, "missing")
	case raw[0] == '"':
		if len(raw) == 2 {
			c.reportAt(at, "must not be empty")
			return
		}
		r.input, r.inputText = raw, raw
	case raw[0] == '[':
		c.embeddingsArray(raw, at)
	default:
		c.reportAt(at, "must be a string or an array of strings, not "+jsonscan.KindOf(raw))
	}
}

// embeddingsArray keeps an array of inputs to embed.
func (c *Converter) embeddingsArray(raw []byte, at loc) {
	n, tokens := 0, false
	var first []byte
	w := walk(raw)
	w.array()
	for i := 0; w.elem(); i++ {
		v := w.next()
		switch v[0] {
		case '"':
			if n == 0 {
				first = v
			}
		case '[':
			tokens = true
		default:
			if jsonscan.KindOf(v) != "number" {
				c.reportAt(at.elem(i), "must be a string, not "+jsonscan.KindOf(v))
				return
			}
			tokens = true
		}
		n++
	}
	switch {
	case n == 0:
		c.reportAt(at, "must not be empty")
	case tokens && !c.rules.tokenInput:
		c.reportAt(at, "token ids cannot be converted to "+string(c.rules.name))
	case n > 1 && !c.rules.manyInputs:
		c.reportAt(at, fmt.Sprintf("holds %d inputs, but %s embeds one text per request (put each on a line of its own)", n, c.rules.name))
	default:
		c.req.input = raw
		if n == 1 && !tokens {
			c.req.inputText = first
		}
	}
}

// textPart adds the text raw, the value at at, to the current message or
// the system text.
func (c *Converter) textPart(raw []byte, at loc, sys bool) {
	if c.isString(raw, at) {
		c.req.add(part{kind: partText, text: raw}, sys)
	}
}

// imageURL reads raw, the URL of an image at at: a base64 data: URL, or an
// http(s) URL for targets that fetch images.
func (c *Converter) imageURL(raw []byte, at loc) (part, bool) {
	if !c.isString(raw, at) {
		return part{}, false
	}
	if c.rules.textOnly {
		c.reportAt(at, "images cannot be converted to "+string(c.rules.name)+" (its batches take text only)")
		return part{}, false
	}
	url := escapedContents(raw)
	switch {
	case hasPrefix(url, "data:"):
		media, data, ok := splitDataURL(url)
		if !ok {
			c.reportAt(at, "must be a base64 data: URL (data:<media type>;base64,<data>)")
			return part{}, false
		}
		return c.inlineImage(media, data, at)
	case !hasPrefix(url, "https://") && !hasPrefix(url, "http://"):
		c.reportAt(at, "must be a data: URL or an http(s) URL")
	case !c.rules.imageURLs:
		c.reportAt(at, string(c.rules.name)+" cannot fetch images from URLs (inline the image as a data: URL)")
	default:
		return part{kind: partURL, text: raw}, true
	}
	return part{}, false
}

// inlineImage checks an inline image, its escaped media type and base64
// data, for the target.
func (c *Converter) inlineImage(media, data []byte, at loc) (part, bool) {
	switch {
	case c.rules.textOnly:
		c.reportAt(at, "images cannot be converted to "+string(c.rules.name)+" (its batches take text only)")
	case len(media) == 0:
		c.reportAt(at, "has no media type")
	case len(data) == 0:
		c.reportAt(at, "has no data")
	case c.rules.anyMedia:
		return part{kind: partInline, mime: media, data: data}, true
	case !hasPrefix(media, "image/"):
		c.reportAt(at, quote(string(media))+" cannot be converted to "+string(c.rules.name)+" (only images)")
	case !c.rules.takesImage(media):
		c.reportAt(at, quote(string(media))+" is not an image type "+string(c.rules.name)+" accepts ("+orList(c.rules.imageTypes)+")")
	default:
		return part{kind: partInline, mime: media, data: data}, true
	}
	return part{}, false
}

// splitDataURL splits "data:<media type>;base64,<data>".
func splitDataURL(url []byte) (media, data []byte, ok bool) {
	rest := url[len("data:"):]
	media, data, ok = bytes.Cut(rest, []byte(";base64,"))
	if !ok || bytes.IndexByte(media, ';') >= 0 || bytes.IndexByte(media, ',') >= 0 {
		return nil, nil, false
	}
	return media, data, true
}

func hasPrefix(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == prefix
}

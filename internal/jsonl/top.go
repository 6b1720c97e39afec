package jsonl

import (
	"fmt"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// topLevel is what the first pass over a line finds: the raw values of the
// top-level members of every shape, and of the members of body, params and
// request that the pass-through checks read. A member that is absent is nil.
type topLevel struct {
	shapes    shape     // the shapes whose distinguishing members appear
	shapeKeys [2]string // the first distinguishing members of two shapes, for messages

	customID, method, url, key []byte

	body, params, request []byte
	bodyAt, paramsAt      int // where body and params start in the line

	bodyModel                                                  []byte
	bodyMessages, bodyInput, bodyPrompt                        bool // the body has these members
	paramsModel, paramsMaxTokens, paramsMessages, paramsStream []byte
	requestModel, requestContents, requestContent              []byte
	// The members of structured outputs and tools, for the pass-through's
	// OutputSchema and --schema.
	bodyFormat, bodyText                                      []byte // response_format, text
	paramsOutput, paramsOutputBeta, paramsTools, paramsChoice []byte // output_config, output_format, tools, tool_choice
	requestConfig                                             []byte // generationConfig
	requestAt, configAt                                       int    // where request and generationConfig start in the line

	messages, prompt, input []byte
	simple                  simpleFields

	unknown [][]byte // names of the other members
}

// simpleFields are the optional members of a simple line.
type simpleFields struct {
	system, model, maxTokens, temperature, topP, topK, stop, dimensions, taskType, encodingFormat []byte
}

// named lists the simple fields that are set, with their names.
func (f *simpleFields) named() []namedValue {
	all := [...]namedValue{
		{"system", f.system}, {"model", f.model}, {"max_tokens", f.maxTokens},
		{"temperature", f.temperature}, {"top_p", f.topP}, {"top_k", f.topK}, {"stop", f.stop},
		{"dimensions", f.dimensions}, {"task_type", f.taskType}, {"encoding_format", f.encodingFormat},
	}
	var set []namedValue
	for _, nv := range all {
		if nv.raw != nil {
			set = append(set, nv)
		}
	}
	return set
}

type namedValue struct {
	name string
	raw  []byte
}

// distinguish records that the member key, which belongs to shape sh only,
// appears.
func (t *topLevel) distinguish(sh shape, key string) {
	if t.shapes&sh != 0 {
		return
	}
	switch {
	case t.shapes == 0:
		t.shapeKeys[0] = key
	case t.shapeKeys[1] == "":
		t.shapeKeys[1] = key
	}
	t.shapes |= sh
}

// scanTop validates b as one JSON value in one pass, rejecting invalid
// UTF-8, lone surrogates and duplicate keys, and records its top-level members in c.top. It returns the kind
// of the value, which is meaningful even when the value is invalid.
func (c *Converter) scanTop(b []byte) (kind string, err error) {
	t := &c.top
	*t = topLevel{unknown: t.unknown[:0]}
	s := &c.scan
	s.Reset(b)
	s.DisallowInvalidUTF8()
	s.DisallowLoneSurrogates()
	s.DisallowDuplicateKeys()
	member := func(key []byte) (err error) {
		switch string(key) {
		case "custom_id":
			t.customID, err = s.Raw()
		case "method":
			t.distinguish(shapeOpenAI, "method")
			t.method, err = s.Raw()
		case "url":
			t.distinguish(shapeOpenAI, "url")
			t.url, err = s.Raw()
		case "body":
			t.distinguish(shapeOpenAI, "body")
			t.bodyAt = s.Offset()
			t.body, err = s.RawObject(func(key []byte) (err error) {
				switch string(key) {
				case "model":
					t.bodyModel, err = s.Raw()
					return err
				case "messages":
					t.bodyMessages = true
				case "input":
					t.bodyInput = true
				case "prompt":
					t.bodyPrompt = true
				case "response_format":
					t.bodyFormat, err = s.Raw()
					return err
				case "text":
					t.bodyText, err = s.Raw()
					return err
				}
				return s.Skip()
			})
		case "params":
			t.distinguish(shapeAnthropic, "params")
			t.paramsAt = s.Offset()
			t.params, err = s.RawObject(func(key []byte) (err error) {
				switch string(key) {
				case "model":
					t.paramsModel, err = s.Raw()
				case "max_tokens":
					t.paramsMaxTokens, err = s.Raw()
				case "messages":
					t.paramsMessages, err = s.Raw()
				case "stream":
					t.paramsStream, err = s.Raw()
				case "output_config":
					t.paramsOutput, err = s.Raw()
				case "output_format":
					t.paramsOutputBeta, err = s.Raw()
				case "tools":
					t.paramsTools, err = s.Raw()
				case "tool_choice":
					t.paramsChoice, err = s.Raw()
				default:
					err = s.Skip()
				}
				return err
			})
		case "key":
			t.distinguish(shapeGemini, "key")
			t.key, err = s.Raw()
		case "request":
			t.distinguish(shapeGemini, "request")
			t.requestAt = s.Offset()
			t.request, err = s.RawObject(func(key []byte) (err error) {
				switch string(key) {
				case "model":
					t.requestModel, err = s.Raw()
				case "contents":
					t.requestContents, err = s.Raw()
				case "content":
					t.requestContent, err = s.Raw()
				case "generationConfig", "generation_config":
					t.configAt = s.Offset()
					t.requestConfig, err = s.Raw()
				default:
					err = s.Skip()
				}
				return err
			})
		case "messages":
			t.distinguish(shapeSimple, "messages")
			t.messages, err = s.Raw()
		case "prompt":
			t.distinguish(shapeSimple, "prompt")
			t.prompt, err = s.Raw()
		case "input":
			t.distinguish(shapeSimple, "input")
			t.input, err = s.Raw()
		default:
			if f := t.simple.field(key); f != nil {
				*f, err = s.Raw()
				return err
			}
			t.unknown = append(t.unknown, key)
			err = s.Skip()
		}
		return err
	}
	if kind = jsonscan.KindOf(b[s.Offset():]); kind == "object" {
		err = s.Object(member)
	} else {
		err = s.Skip()
	}
	if err == nil {
		err = s.End()
	}
	return kind, err
}

// field returns where the simple field named key is kept, or nil.
func (f *simpleFields) field(key []byte) *[]byte {
	switch string(key) {
	case "system":
		return &f.system
	case "model":
		return &f.model
	case "max_tokens":
		return &f.maxTokens
	case "temperature":
		return &f.temperature
	case "top_p":
		return &f.topP
	case "top_k":
		return &f.topK
	case "stop":
		return &f.stop
	case "dimensions":
		return &f.dimensions
	case "task_type":
		return &f.taskType
	case "encoding_format":
		return &f.encodingFormat
	}
	return nil
}

// shape tells the shape of the line from its members, reporting a line
// whose shape cannot be told.
func (c *Converter) shape() (shape, bool) {
	t := &c.top
	switch {
	case t.shapes == shapeNone:
		c.report("", "cannot tell the shape: want custom_id+method+url+body, custom_id+params, key+request, or messages/prompt/input")
		return shapeNone, false
	case t.shapes&(t.shapes-1) != 0:
		c.report("", fmt.Sprintf("cannot tell the shape: %q and %q belong to different shapes", t.shapeKeys[0], t.shapeKeys[1]))
		return shapeNone, false
	}
	return t.shapes, true
}

// reportUnknown reports the top-level members a line of shape sh must not
// have. (OpenAI batch lines that pass through may have others, which are
// sent as they are.)
func (c *Converter) reportUnknown(sh shape) {
	t := &c.top
	var want string
	switch sh {
	case shapeOpenAI:
		want = "an openai batch line has custom_id, method, url and body"
	case shapeAnthropic:
		want = "an anthropic request has custom_id and params"
	case shapeGemini:
		want = "a gemini request line has key and request"
		if t.customID != nil {
			c.report("custom_id", "unknown field ("+want+")")
		}
	case shapeSimple:
		want = "a simple line has custom_id, messages, prompt or input, system, model, max_tokens, " +
			"temperature, top_p, top_k, stop, dimensions, task_type and encoding_format"
	}
	if sh != shapeSimple {
		for _, nv := range t.simple.named() {
			c.report(nv.name, "unknown field ("+want+")")
		}
	}
	for _, key := range t.unknown {
		c.report(string(key), "unknown field ("+want+")")
	}
}

package jsonl

import "encoding/json"

// A line in the target's own shape passes through untouched, so its
// structured output is only looked up, for OutputSchema; --schema is
// inserted into a line that asks for none. The provider checks the rest.

// member returns the value of member key of obj, a JSON object, or nil.
func member(obj []byte, key string) []byte {
	if len(obj) == 0 || obj[0] != '{' {
		return nil
	}
	w := walk(obj)
	w.object()
	for k, ok := w.key(); ok; k, ok = w.key() {
		if string(k) == key {
			return w.next()
		}
	}
	return nil
}

// ownSchema returns the schema of a json_schema format object f: the
// value of its schema member when its type is json_schema (or, for
// Anthropic, absent).
func ownSchema(f []byte, typeOptional bool) []byte {
	typ := member(f, "type")
	if string(contents(typ)) != "json_schema" && !(typeOptional && typ == nil) {
		return nil
	}
	if s := member(f, "schema"); len(s) > 0 && s[0] == '{' {
		return s
	}
	return nil
}

// passOpenAIFormat finds the structured output of an OpenAI chat or
// Responses line and returns the members to insert into its body for
// --schema, if any.
func (c *Converter) passOpenAIFormat(kind Kind) []byte {
	t := &c.top
	var own []byte
	switch kind {
	case KindChat:
		if string(contents(member(t.bodyFormat, "type"))) == "json_schema" {
			own = member(member(t.bodyFormat, "json_schema"), "schema")
			if len(own) == 0 || own[0] != '{' {
				return nil
			}
		}
	case KindResponses:
		own = ownSchema(member(t.bodyText, "format"), false)
	default:
		return nil
	}
	if own != nil {
		c.outSchema, c.outNative = own, true
		return nil
	}
	if c.schema == nil || (kind == KindChat && t.bodyFormat != nil && string(contents(member(t.bodyFormat, "type"))) == "json_object") {
		return nil
	}
	f := outFormat{schema: c.schema.raw, strict: []byte("false")}
	if c.schema.faults[limitsOpenAIStrict] == nil {
		f.strict = []byte("true")
	}
	var o []byte
	switch {
	case kind == KindChat && t.bodyFormat == nil:
		o = append(o, `"response_format":{"type":"json_schema","json_schema":{"name":`...)
	case kind == KindResponses && t.bodyText == nil:
		o = append(o, `"text":{"format":{"type":"json_schema","name":`...)
	default:
		field := "body.response_format"
		if kind == KindResponses {
			field = "body.text"
		}
		c.report(field, "--schema cannot be added next to it")
		return nil
	}
	c.outSchema, c.outNative = c.schema.raw, true
	o = appendSchemaSpec(o, &f)
	return append(o, "}}"...)
}

// passAnthropicFormat finds the structured output of an Anthropic line
// and returns the members to insert into its params for --schema, if
// any: output_config, or a forced tool for a model without structured
// outputs.
func (c *Converter) passAnthropicFormat(model []byte) []byte {
	t := &c.top
	own := ownSchema(member(t.paramsOutput, "format"), false)
	if own == nil {
		own = ownSchema(t.paramsOutputBeta, true)
	}
	if own != nil {
		c.outSchema, c.outNative = own, true
		return nil
	}
	if c.schema == nil {
		return nil
	}
	s := c.schema
	switch {
	case t.paramsOutput != nil || t.paramsOutputBeta != nil:
		c.report("params.output_config", "--schema cannot be added next to it")
	case anthropicStructured(model):
		if f := s.faults[limitsAnthropic]; f != nil {
			c.reportSchema("--schema", f)
			return nil
		}
		c.outSchema, c.outNative = s.raw, true
		o := append([]byte(nil), `"output_config":{"format":{"type":"json_schema","schema":`...)
		o = append(o, s.raw...)
		return append(o, "}}"...)
	case !s.object:
		c.report("--schema", quote(string(model))+" has no structured outputs, and a schema that is not of an object cannot be the input of a tool")
	case t.paramsTools != nil || t.paramsChoice != nil:
		c.report("--schema", quote(string(model))+" has no structured outputs, and a schema cannot be carried as a forced tool next to other tools")
	default:
		c.outSchema, c.outNative = s.raw, false
		o := append([]byte(nil), `"tools":[{"name":"`+batchctlOutput+`","description":"Give the answer as this tool's input.","input_schema":`...)
		o = append(o, s.raw...)
		return append(o, `}],"tool_choice":{"type":"tool","name":"`+batchctlOutput+`"}`...)
	}
	return nil
}

// passGeminiFormat finds the structured output of a Gemini line and, for
// --schema, inserts one into it: into its generationConfig, or as a new
// generationConfig.
func (c *Converter) passGeminiFormat(b []byte) []byte {
	t := &c.top
	cfg := t.requestConfig
	if own := or(member(cfg, "responseJsonSchema"), member(cfg, "response_json_schema")); own != nil {
		c.outSchema, c.outNative = own, true
		return b
	}
	if own := or(member(cfg, "responseSchema"), member(cfg, "response_schema")); own != nil {
		if m := decodeSchema(own); m != nil && translateOpenAPI(m, "") == nil {
			c.outSchema, _ = json.Marshal(m)
			c.outNative = true
		}
		return b
	}
	if c.schema == nil {
		return b
	}
	if mime := or(member(cfg, "responseMimeType"), member(cfg, "response_mime_type")); mime != nil && string(contents(mime)) != "application/json" {
		c.report("request.generationConfig.responseMimeType", "--schema cannot be added next to "+shorten(mime))
		return b
	}
	c.outSchema, c.outNative = c.schema.raw, true
	o := append(c.scratch[:0], `"responseMimeType":"application/json","responseJsonSchema":`...)
	o = append(o, c.schema.raw...)
	if cfg != nil && member(cfg, "responseMimeType") == nil && member(cfg, "response_mime_type") == nil {
		c.scratch = o
		return c.insertMembers(b, t.configAt, cfg, o)
	}
	if cfg != nil { // application/json already: add the schema only
		o = append(c.scratch[:0], `"responseJsonSchema":`...)
		o = append(o, c.schema.raw...)
		c.scratch = o
		return c.insertMembers(b, t.configAt, cfg, o)
	}
	w := append([]byte(`"generationConfig":{`), o...)
	c.scratch = append(w, '}')
	return c.insertMembers(b, t.requestAt, t.request, c.scratch)
}

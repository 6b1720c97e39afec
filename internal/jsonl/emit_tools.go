package jsonl

import "github.com/batchctl/batchctl/internal/jsonscan"

// The writers of tools, tool choices, tool calls and results, and
// structured outputs, in each target's terms (the wire facts are listed in
// parse_tools.go).

// emptyParams is the parameters of a tool that takes none.
const emptyParams = `{"type":"object","properties":{}}`

// hasToolParts reports whether parts hold a tool call or result, which
// the plain content writers do not write.
func hasToolParts(parts []part) bool {
	for _, p := range parts {
		if p.kind == partCall || p.kind == partResult {
			return true
		}
	}
	return false
}

// contentParts returns the parts of parts that are neither calls nor
// results, in buf.
func contentParts(buf, parts []part) []part {
	buf = buf[:0]
	for _, p := range parts {
		if p.kind != partCall && p.kind != partResult {
			buf = append(buf, p)
		}
	}
	return buf
}

// appendArguments writes a call's arguments, an object, as OpenAI's JSON
// string.
func appendArguments(o, args []byte) []byte { return jsonscan.AppendQuote(o, args) }

// appendResultText writes a result as a JSON string: a string as it is, a
// Gemini response {"output": text} as its text, and any other response
// object as its JSON text.
func appendResultText(o []byte, p part) []byte {
	if p.text[0] == '"' {
		return append(o, p.text...)
	}
	if out := soleOutput(p.text); out != nil {
		return append(o, out...)
	}
	return jsonscan.AppendQuote(o, p.text)
}

// soleOutput returns the string of a response object whose only member is
// "output", a string, and nil otherwise.
func soleOutput(obj []byte) []byte {
	var out []byte
	w := walk(obj)
	w.object()
	for k, ok := w.key(); ok; k, ok = w.key() {
		v := w.next()
		if string(k) != "output" || v[0] != '"' || out != nil {
			return nil
		}
		out = v
	}
	return out
}

// appendChatToolMessage writes the messages of a chat completions turn
// that holds tool calls or results: an assistant message with tool_calls,
// or a tool message per result followed by a user message with the rest.
func (c *Converter) appendChatToolMessage(o []byte, m message) []byte {
	parts := c.req.parts[m.first:m.end]
	c.partBuf = contentParts(c.partBuf, parts)
	rest := c.partBuf
	if m.role == roleAssistant {
		o = append(o, `{"role":"assistant","content":`...)
		if len(rest) == 0 {
			o = append(o, "null"...)
		} else {
			o = appendChatContent(o, rest)
		}
		o = append(o, `,"tool_calls":[`...)
		for _, p := range parts {
			if p.kind == partCall {
				o = append(append(o, `{"id":`...), p.id...)
				o = append(append(o, `,"type":"function","function":{"name":`...), p.name...)
				o = appendArguments(append(o, `,"arguments":`...), p.text)
				o = append(o, "}},"...)
			}
		}
		return append(trimComma(o), "]},"...)
	}
	for _, p := range parts {
		if p.kind == partResult {
			o = append(append(o, `{"role":"tool","tool_call_id":`...), p.id...)
			o = appendResultText(append(o, `,"content":`...), p)
			o = append(o, "},"...)
		}
	}
	if len(rest) > 0 {
		o = append(o, `{"role":"user","content":`...)
		o = append(appendChatContent(o, rest), "},"...)
	}
	return o
}

// appendChatTools writes the tools, tool choice and response format of a
// chat completions request.
func (c *Converter) appendChatTools(o []byte) []byte {
	r := &c.req
	if len(r.tools) > 0 {
		o = append(o, `,"tools":[`...)
		for _, t := range r.tools {
			o = append(append(o, `{"type":"function","function":{"name":`...), t.name...)
			o = appendMember(o, "description", t.desc)
			o = appendMember(o, "parameters", t.params)
			o = appendMember(o, "strict", t.strict)
			o = append(o, "}},"...)
		}
		o = append(trimComma(o), ']')
	}
	switch r.choice.mode {
	case choiceAuto:
		o = append(o, `,"tool_choice":"auto"`...)
	case choiceNone:
		o = append(o, `,"tool_choice":"none"`...)
	case choiceAny:
		o = append(o, `,"tool_choice":"required"`...)
	case choiceTool:
		o = append(append(o, `,"tool_choice":{"type":"function","function":{"name":`...), r.choice.name...)
		o = append(o, "}}"...)
	}
	if r.choice.noParallel {
		o = append(o, `,"parallel_tool_calls":false`...)
	}
	switch f := &r.format; f.kind {
	case formatJSON:
		o = append(o, `,"response_format":{"type":"json_object"}`...)
	case formatSchema:
		o = append(o, `,"response_format":{"type":"json_schema","json_schema":{"name":`...)
		o = appendSchemaSpec(o, f)
		o = append(o, "}}"...)
	}
	return o
}

// appendSchemaSpec writes the name, description, schema and strict of an
// OpenAI json_schema format, from the name on.
func appendSchemaSpec(o []byte, f *outFormat) []byte {
	if f.name != nil {
		o = append(o, f.name...)
	} else {
		o = append(append(append(o, '"'), batchctlOutput...), '"')
	}
	o = appendMember(o, "description", f.desc)
	o = appendMember(o, "schema", f.schema)
	return appendMember(o, "strict", f.strict)
}

// appendResponsesFormat writes the text format of a Responses API
// request. Only simple and text lines convert to the Responses API, and
// they carry no tools: their structured output is --schema's.
func (c *Converter) appendResponsesFormat(o []byte) []byte {
	if f := &c.req.format; f.kind == formatSchema {
		o = append(o, `,"text":{"format":{"type":"json_schema","name":`...)
		o = appendSchemaSpec(o, f)
		o = append(o, "}}"...)
	}
	return o
}

// appendAnthropicTools writes the tools, tool choice and output format of
// an Anthropic request: a structured output goes in output_config.format,
// or for a model without structured outputs, as the input of the one tool
// the model must call.
func (c *Converter) appendAnthropicTools(o []byte) []byte {
	r := &c.req
	f := &r.format
	if f.kind == formatSchema && !c.outNative {
		o = append(o, `,"tools":[{"name":"`+batchctlOutput+`","description":"Give the answer as this tool's input.","input_schema":`...)
		o = append(o, f.schema...)
		return append(o, `}],"tool_choice":{"type":"tool","name":"`+batchctlOutput+`"}`...)
	}
	if len(r.tools) > 0 {
		o = append(o, `,"tools":[`...)
		for _, t := range r.tools {
			o = append(append(o, `{"name":`...), t.name...)
			o = appendMember(o, "description", t.desc)
			o = appendMember(o, "input_schema", or(t.params, []byte(emptyParams)))
			o = appendMember(o, "strict", t.strict)
			o = append(o, "},"...)
		}
		o = append(trimComma(o), ']')
	}
	if r.choice.mode != choiceUnset {
		o = append(o, `,"tool_choice":{"type":"`...)
		switch r.choice.mode {
		case choiceAuto:
			o = append(o, `auto"`...)
		case choiceNone:
			o = append(o, `none"`...)
		case choiceAny:
			o = append(o, `any"`...)
		case choiceTool:
			o = append(append(o, `tool","name":`...), r.choice.name...)
		}
		if r.choice.noParallel && r.choice.mode != choiceNone {
			o = append(o, `,"disable_parallel_tool_use":true`...)
		}
		o = append(o, '}')
	}
	if f.kind == formatSchema {
		o = append(append(o, `,"output_config":{"format":{"type":"json_schema","schema":`...), f.schema...)
		o = append(o, "}}"...)
	}
	return o
}

// appendAnthropicToolBlock writes a tool_use or tool_result block.
func appendAnthropicToolBlock(o []byte, p part) []byte {
	if p.kind == partCall {
		o = append(append(o, `{"type":"tool_use","id":`...), p.id...)
		o = append(append(o, `,"name":`...), p.name...)
		o = append(append(o, `,"input":`...), p.text...)
		return append(o, "},"...)
	}
	o = append(append(o, `{"type":"tool_result","tool_use_id":`...), p.id...)
	o = appendResultText(append(o, `,"content":`...), p)
	if p.isError {
		o = append(o, `,"is_error":true`...)
	}
	return append(o, "},"...)
}

// appendGeminiToolPart writes a functionCall or functionResponse part. A
// result that is text becomes {"output": text}, or {"error": text} for a
// failure, as Gemini's FunctionResponse.response suggests (genai types.go:
// 'Use "output" key to specify function output and "error" key to specify
// error details').
func appendGeminiToolPart(o []byte, p part) []byte {
	if p.kind == partCall {
		o = append(append(o, `{"functionCall":{"name":`...), p.name...)
		o = append(append(o, `,"args":`...), p.text...)
		return append(o, "}},"...)
	}
	o = append(append(o, `{"functionResponse":{"name":`...), p.name...)
	o = append(o, `,"response":`...)
	switch {
	case p.text[0] == '{':
		o = append(o, p.text...)
	case p.isError:
		o = append(append(append(o, `{"error":`...), p.text...), '}')
	default:
		o = append(append(append(o, `{"output":`...), p.text...), '}')
	}
	return append(o, "}},"...)
}

// appendGeminiTools writes the tools and toolConfig of a generateContent
// request.
func (c *Converter) appendGeminiTools(o []byte) []byte {
	r := &c.req
	if len(r.tools) > 0 {
		o = append(o, `,"tools":[{"functionDeclarations":[`...)
		for _, t := range r.tools {
			o = append(append(o, `{"name":`...), t.name...)
			o = appendMember(o, "description", t.desc)
			o = appendMember(o, "parametersJsonSchema", t.params)
			o = append(o, "},"...)
		}
		o = append(trimComma(o), "]}]"...)
	}
	if r.choice.mode == choiceUnset {
		return o
	}
	o = append(o, `,"toolConfig":{"functionCallingConfig":{"mode":"`...)
	switch r.choice.mode {
	case choiceAuto:
		o = append(o, `AUTO"`...)
	case choiceNone:
		o = append(o, `NONE"`...)
	case choiceAny:
		o = append(o, `ANY"`...)
	case choiceTool:
		o = append(append(o, `ANY","allowedFunctionNames":[`...), r.choice.name...)
		o = append(o, ']')
	}
	return append(o, "}}"...)
}

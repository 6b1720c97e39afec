package jsonl

import (
	"fmt"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// The readers of tools, tool choices, tool calls and results, and
// structured-output requests, for every shape. Wire facts:
//
//   - OpenAI chat: tools[].function{name,description,parameters,strict},
//     tool_choice "none"|"auto"|"required"|{"type":"function","function":{"name"}},
//     assistant tool_calls[]{id,type:"function",function{name,arguments}} with
//     arguments a JSON string, role "tool" messages {tool_call_id,content},
//     response_format {type:"text"|"json_object"|"json_schema",json_schema{name,description,schema,strict}}
//     (openai-go v3 chatcompletion.go ChatCompletionNewParams; ../shared/specs).
//   - OpenAI Responses: tools[]{type:"function",name,description,parameters,strict},
//     tool_choice as above or {"type":"function","name"}, input items
//     {type:"function_call",call_id,name,arguments} and
//     {type:"function_call_output",call_id,output}, text.format
//     {type:"text"|"json_object"|"json_schema",name,description,schema,strict}
//     (openai-go v3 responses/response.go).
//   - Anthropic: tools[]{name,description,input_schema,strict}, tool_choice
//     {type:"auto"|"any"|"none"|"tool",name,disable_parallel_tool_use},
//     tool_use {id,name,input} and tool_result {tool_use_id,content,is_error}
//     blocks, output_config.format {type:"json_schema",schema} (GA) and the
//     deprecated beta output_format (anthropic-sdk-go v1.84.0 message.go
//     OutputConfigParam, JSONOutputFormatParam; betamessage.go OutputFormat
//     "Deprecated: Use output_config.format instead").
//   - Gemini: tools[].functionDeclarations[]{name,description,parameters|parametersJsonSchema},
//     toolConfig.functionCallingConfig{mode AUTO|ANY|NONE,allowedFunctionNames},
//     functionCall {name,args,id} and functionResponse {name,response,id} parts,
//     generationConfig responseMimeType, responseSchema (an OpenAPI 3.0
//     subset) and responseJsonSchema (google.golang.org/genai v1.77.0 types.go).

// toolName reads a tool's name, which must suit the target.
func (c *Converter) toolName(raw []byte, at loc) ([]byte, bool) {
	name, ok := c.stringAt(raw, at)
	if !ok {
		return nil, false
	}
	if !c.rules.toolNameOK(name) {
		c.reportAt(at, quote(string(name))+" is not a tool name "+string(c.rules.name)+" takes ("+c.rules.toolNames+")")
		return nil, false
	}
	return raw, true
}

// addTool keeps a tool definition.
func (c *Converter) addTool(name, desc, params, strict []byte, at loc, paramsName string) {
	if c.rules.noTools {
		c.reportAt(at, "tools cannot be converted to "+string(c.rules.name)+" yet")
		return
	}
	name, ok := c.toolName(name, at.key("name"))
	if !ok {
		return
	}
	if desc != nil && !c.isString(desc, at.key("description")) {
		return
	}
	switch {
	case strict != nil && string(strict) != "true" && string(strict) != "false":
		c.reportAt(at.key("strict"), "must be a boolean, not "+jsonscan.KindOf(strict))
		return
	case string(strict) == "true" && c.rules.name == TargetGemini:
		c.reportAt(at.key("strict"), "true cannot be converted to gemini (it has no strict tools)")
		return
	case string(strict) == "false" && c.rules.name == TargetGemini:
		strict = nil
	}
	if params != nil {
		if !c.isObject(params, at.key(paramsName)) {
			return
		}
		if !c.checkToolSchema(params, at.key(paramsName), string(strict) == "true") {
			return
		}
	}
	c.req.tools = append(c.req.tools, tool{name: name, desc: desc, params: params, strict: strict})
}

// openAITools reads the tools of a chat completions request, or with
// responses set, of a Responses API request.
func (c *Converter) openAITools(raw []byte, at loc, responses bool) {
	w, ok := c.arrayAt(raw, at, " of tools")
	for i := 0; ok && w.elem(); i++ {
		c.openAITool(w.next(), at.elem(i), responses)
	}
}

// openAITool reads one function tool.
func (c *Converter) openAITool(raw []byte, at loc, responses bool) {
	if !c.isObject(raw, at) {
		return
	}
	var typ, fn []byte
	var t toolFields
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch k := string(key); {
		case k == "type":
			typ = w.next()
		case k == "function" && !responses:
			fn = w.next()
		case !responses || !t.read(&w, k, "parameters"):
			c.refuse(at, key)
		}
	}
	if string(contents(typ)) != "function" {
		c.badType(typ, at, "tools")
		return
	}
	if responses {
		c.addTool(t.name, t.desc, t.params, t.strict, at, "parameters")
		return
	}
	fat := at.key("function")
	if fn == nil || fn[0] != '{' {
		c.reportAt(fat, "must be an object")
		return
	}
	fw := walk(fn)
	fw.object()
	for key, ok := fw.key(); ok; key, ok = fw.key() {
		if !t.read(&fw, string(key), "parameters") {
			c.refuse(fat, key)
		}
	}
	c.addTool(t.name, t.desc, t.params, t.strict, fat, "parameters")
}

// toolFields holds the members of a tool definition as read.
type toolFields struct{ name, desc, params, strict []byte }

// read reads the value of member key into t when it is one of a tool
// definition's, its parameters' schema being named params, and reports
// whether it was.
func (t *toolFields) read(w *walker, key, params string) bool {
	switch key {
	case "name":
		t.name = w.next()
	case "description":
		t.desc = w.next()
	case params:
		t.params = w.next()
	case "strict":
		t.strict = w.next()
	default:
		return false
	}
	return true
}

// badType reports the type of an item that does not convert.
func (c *Converter) badType(typ []byte, at loc, what string) {
	if typ == nil {
		c.reportAt(at.key("type"), "missing")
		return
	}
	c.reportAt(at.key("type"), fmt.Sprintf("%s %s cannot be converted to %s", shorten(typ), what, c.rules.name))
}

// openAIToolChoice reads tool_choice: a mode, or the function to call.
func (c *Converter) openAIToolChoice(raw []byte, at loc, responses bool) {
	ch := &c.req.choice
	if raw[0] == '"' {
		switch string(contents(raw)) {
		case "auto":
			ch.mode = choiceAuto
		case "none":
			ch.mode = choiceNone
		case "required":
			ch.mode = choiceAny
		default:
			c.reportAt(at, shorten(raw)+` is not a tool choice (want "auto", "none", "required" or a function)`)
		}
		return
	}
	if raw[0] != '{' {
		c.reportAt(at, "must be a string or an object, not "+jsonscan.KindOf(raw))
		return
	}
	var typ, name []byte
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch k := string(key); {
		case k == "type":
			typ = w.next()
		case k == "function" && !responses:
			name = c.functionName(w.next(), at.key("function"))
			if name == nil {
				return
			}
		case k == "name" && responses:
			name = w.next()
		default:
			c.refuse(at, key)
		}
	}
	if string(contents(typ)) != "function" {
		c.badType(typ, at, "tool choices")
		return
	}
	nameAt := at.key("name")
	if !responses {
		fnAt := at.key("function")
		nameAt = fnAt.key("name")
	}
	if name, ok := c.toolName(name, nameAt); ok {
		ch.mode, ch.name = choiceTool, name
	}
}

// functionName reads the name in {"name": ...}.
func (c *Converter) functionName(raw []byte, at loc) []byte {
	if !c.isObject(raw, at) {
		return nil
	}
	var name []byte
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		if string(key) == "name" {
			name = w.next()
			continue
		}
		c.refuse(at, key)
	}
	if name == nil {
		c.reportAt(at.key("name"), "missing")
		return nil
	}
	return name
}

// parallelToolCalls reads OpenAI's parallel_tool_calls.
func (c *Converter) parallelToolCalls(raw []byte, at loc) {
	switch string(raw) {
	case "true":
	case "false":
		if !c.rules.noParallel {
			c.reportAt(at, "false cannot be converted to "+string(c.rules.name))
			return
		}
		c.req.choice.noParallel = true
	default:
		c.reportAt(at, "must be a boolean, not "+jsonscan.KindOf(raw))
	}
}

// responseFormat reads a chat completions response_format.
func (c *Converter) responseFormat(raw []byte, at loc) {
	if !c.isObject(raw, at) {
		return
	}
	var typ, spec []byte
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "type":
			typ = w.next()
		case "json_schema":
			spec = w.next()
		default:
			c.refuse(at, key)
		}
	}
	if !c.formatType(typ, at) || c.req.format.kind != formatSchema {
		c.rejectExtra(spec, at, "json_schema")
		return
	}
	if spec == nil || spec[0] != '{' {
		c.reportAt(at.key("json_schema"), "must be an object")
		return
	}
	c.formatSpec(spec, at.key("json_schema"))
}

// textFormat reads the text member of a Responses API request.
func (c *Converter) textFormat(raw []byte, at loc) {
	if !c.isObject(raw, at) {
		return
	}
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		if string(key) != "format" {
			c.refuse(at, key)
			continue
		}
		f := w.next()
		fat := at.key("format")
		if !c.isObject(f, fat) {
			continue
		}
		var typ []byte
		fw := walk(f)
		fw.object()
		for k, ok := fw.key(); ok; k, ok = fw.key() {
			if string(k) == "type" {
				typ = fw.next()
			}
		}
		if c.formatType(typ, fat) && c.req.format.kind == formatSchema {
			c.formatSpec(f, fat)
		}
	}
}

// formatType reads the type of a response format.
func (c *Converter) formatType(typ []byte, at loc) bool {
	f := &c.req.format
	switch string(contents(typ)) {
	case "text":
		f.kind = formatText
	case "json_object":
		f.kind, f.field = formatJSON, at.String()
	case "json_schema":
		f.kind = formatSchema
	default:
		if typ == nil {
			c.reportAt(at.key("type"), "missing")
		} else {
			c.reportAt(at.key("type"), shorten(typ)+` is not a format (want "text", "json_object" or "json_schema")`)
		}
		return false
	}
	return true
}

// formatSpec reads a JSON schema format: name, description, schema and
// strict (the type member, when there, was read already).
func (c *Converter) formatSpec(raw []byte, at loc) {
	f := &c.req.format
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "type":
		case "name":
			f.name = w.next()
			c.isString(f.name, at.key("name"))
		case "description":
			f.desc = w.next()
			c.isString(f.desc, at.key("description"))
		case "schema":
			f.schema = w.next()
		case "strict":
			f.strict = w.next()
		default:
			c.refuse(at, key)
		}
	}
	if c.isObject(f.schema, at.key("schema")) {
		c.checkOutputSchema(f.schema, at.key("schema"))
	}
}

// anthropicTools reads the tools of an Anthropic request.
func (c *Converter) anthropicTools(raw []byte, at loc) {
	w, ok := c.arrayAt(raw, at, " of tools")
	for i := 0; ok && w.elem(); i++ {
		c.anthropicTool(w.next(), at.elem(i))
	}
}

func (c *Converter) anthropicTool(raw []byte, at loc) {
	if !c.isObject(raw, at) {
		return
	}
	var typ []byte
	var t toolFields
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch k := string(key); {
		case k == "type":
			typ = w.next()
		case !t.read(&w, k, "input_schema"):
			c.refuse(at, key)
		}
	}
	if typ != nil && string(contents(typ)) != "custom" {
		c.badType(typ, at, "tools")
		return
	}
	if t.params == nil {
		c.reportAt(at.key("input_schema"), "missing")
		return
	}
	c.addTool(t.name, t.desc, t.params, t.strict, at, "input_schema")
}

// anthropicToolChoice reads an Anthropic tool_choice.
func (c *Converter) anthropicToolChoice(raw []byte, at loc) {
	if !c.isObject(raw, at) {
		return
	}
	ch := &c.req.choice
	var typ, name, noParallel []byte
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "type":
			typ = w.next()
		case "name":
			name = w.next()
		case "disable_parallel_tool_use":
			noParallel = w.next()
		default:
			c.refuse(at, key)
		}
	}
	switch string(contents(typ)) {
	case "auto":
		ch.mode = choiceAuto
	case "any":
		ch.mode = choiceAny
	case "none":
		ch.mode = choiceNone
	case "tool":
		if name, ok := c.toolName(name, at.key("name")); ok {
			ch.mode, ch.name = choiceTool, name
		}
	default:
		c.badType(typ, at, "tool choices")
		return
	}
	if ch.mode != choiceTool {
		c.rejectExtra(name, at, "name")
	}
	switch string(noParallel) {
	case "", "false":
	case "true":
		if !c.rules.noParallel {
			c.reportAt(at.key("disable_parallel_tool_use"), "true cannot be converted to "+string(c.rules.name))
			return
		}
		ch.noParallel = true
	default:
		c.reportAt(at.key("disable_parallel_tool_use"), "must be a boolean, not "+jsonscan.KindOf(noParallel))
	}
}

// anthropicOutput reads output_config, or with beta set, the deprecated
// output_format.
func (c *Converter) anthropicOutput(raw []byte, at loc, beta bool) {
	if !c.isObject(raw, at) {
		return
	}
	if beta {
		c.anthropicFormat(raw, at)
		return
	}
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		if string(key) != "format" {
			c.refuse(at, key)
			continue
		}
		f := w.next()
		if !c.isObject(f, at.key("format")) {
			continue
		}
		c.anthropicFormat(f, at.key("format"))
	}
}

// anthropicFormat reads {type:"json_schema", schema}.
func (c *Converter) anthropicFormat(raw []byte, at loc) {
	var typ, schema []byte
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "type":
			typ = w.next()
		case "schema":
			schema = w.next()
		default:
			c.refuse(at, key)
		}
	}
	if typ != nil && string(contents(typ)) != "json_schema" {
		c.reportAt(at.key("type"), shorten(typ)+` is not a format (want "json_schema")`)
		return
	}
	c.setSchema(schema, at.key("schema"))
}

// setSchema keeps the schema of a structured output, the value at at.
func (c *Converter) setSchema(schema []byte, at loc) {
	if c.isObject(schema, at) && c.checkOutputSchema(schema, at) {
		c.req.format.kind, c.req.format.schema = formatSchema, schema
	}
}

// geminiTools reads the tools of a Gemini request: function declarations
// only.
func (c *Converter) geminiTools(raw []byte, at loc) {
	w, ok := c.arrayAt(raw, at, " of tools")
	for i := 0; ok && w.elem(); i++ {
		c.geminiTool(w.next(), at.elem(i))
	}
}

// geminiTool reads one tool: its function declarations.
func (c *Converter) geminiTool(raw []byte, at loc) {
	if !c.isObject(raw, at) {
		return
	}
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "functionDeclarations", "function_declarations":
			c.geminiDeclarations(w.next(), at.key("functionDeclarations"))
		default:
			c.refuse(at, key)
		}
	}
}

// geminiDeclarations reads a tool's function declarations.
func (c *Converter) geminiDeclarations(raw []byte, at loc) {
	w, ok := c.arrayAt(raw, at, "")
	for i := 0; ok && w.elem(); i++ {
		c.geminiDeclaration(w.next(), at.elem(i))
	}
}

// geminiDeclaration reads one function declaration.
func (c *Converter) geminiDeclaration(raw []byte, at loc) {
	if !c.isObject(raw, at) {
		return
	}
	var name, desc, params, openAPI []byte
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "name":
			name = w.next()
		case "description":
			desc = w.next()
		case "parametersJsonSchema", "parameters_json_schema":
			params = w.next()
		case "parameters":
			openAPI = w.next()
		default:
			c.refuse(at, key)
		}
	}
	if openAPI != nil {
		if params != nil {
			c.reportAt(at.key("parameters"), "cannot be used together with parametersJsonSchema")
			return
		}
		var ok bool
		if params, ok = c.fromOpenAPI(openAPI, at.key("parameters")); !ok {
			return
		}
	}
	c.addTool(name, desc, params, nil, at, "parametersJsonSchema")
}

// geminiToolConfig reads toolConfig.functionCallingConfig.
func (c *Converter) geminiToolConfig(raw []byte, at loc) {
	if !c.isObject(raw, at) {
		return
	}
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "functionCallingConfig", "function_calling_config":
			c.geminiCallingConfig(w.next(), at.key("functionCallingConfig"))
		default:
			c.refuse(at, key)
		}
	}
}

func (c *Converter) geminiCallingConfig(raw []byte, at loc) {
	if !c.isObject(raw, at) {
		return
	}
	var mode, allowed []byte
	w := walk(raw)
	w.object()
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "mode":
			mode = w.next()
		case "allowedFunctionNames", "allowed_function_names":
			allowed = w.next()
		default:
			c.refuse(at, key)
		}
	}
	ch := &c.req.choice
	switch string(contents(mode)) {
	case "", "MODE_UNSPECIFIED", "AUTO":
		ch.mode = choiceAuto
	case "NONE":
		ch.mode = choiceNone
	case "ANY":
		ch.mode = choiceAny
	default:
		c.reportAt(at.key("mode"), shorten(mode)+" cannot be converted to "+string(c.rules.name)+" (want AUTO, ANY or NONE)")
		return
	}
	if allowed == nil {
		return
	}
	aat := at.key("allowedFunctionNames")
	n := 0
	var first []byte
	if allowed[0] == '[' {
		aw := walk(allowed)
		aw.array()
		for ; aw.elem(); n++ {
			if v := aw.next(); n == 0 {
				first = v
			}
		}
	}
	switch {
	case ch.mode != choiceAny:
		c.reportAt(aat, "cannot be converted to "+string(c.rules.name)+" (only with mode ANY)")
	case n != 1:
		c.reportAt(aat, fmt.Sprintf("holds %d names, but %s can force one tool only", n, c.rules.name))
	default:
		if name, ok := c.toolName(first, aat.elem(0)); ok {
			ch.mode, ch.name = choiceTool, name
		}
	}
}

// geminiResponseMime reads generationConfig.responseMimeType.
func (c *Converter) geminiResponseMime(raw []byte, at loc) {
	switch string(contents(raw)) {
	case "text/plain":
		if c.req.format.kind == formatUnset {
			c.req.format.kind = formatText
		}
	case "application/json":
		if c.req.format.kind != formatSchema {
			c.req.format.kind, c.req.format.field = formatJSON, at.String()
		}
	default:
		c.reportAt(at, shorten(raw)+" cannot be converted to "+string(c.rules.name)+` (want "application/json" or "text/plain")`)
	}
}

// geminiResponseSchema reads responseJsonSchema, or with openAPI set,
// responseSchema.
func (c *Converter) geminiResponseSchema(raw []byte, at loc, openAPI bool) {
	if c.req.format.schema != nil {
		c.reportAt(at, "cannot be used together with responseSchema and responseJsonSchema both")
		return
	}
	if openAPI {
		schema, ok := c.fromOpenAPI(raw, at)
		if !ok {
			return
		}
		raw = schema
	}
	c.setSchema(raw, at)
}

// finishFormat checks the structured output read against the rest of the
// request: Gemini needs responseMimeType application/json with a schema.
func (c *Converter) finishGeminiFormat(mime []byte, at loc) {
	f := &c.req.format
	if f.kind == formatSchema && string(contents(mime)) != "application/json" {
		c.reportAt(at.key("responseMimeType"), `must be "application/json" with a response schema`)
	}
}

// toolCallArgs reads OpenAI arguments, a JSON string holding an object,
// and returns the object.
func (c *Converter) toolCallArgs(raw []byte, at loc) ([]byte, bool) {
	if !c.isString(raw, at) {
		return nil, false
	}
	args := jsonscan.Unquote(raw)
	s := jsonscan.New(args)
	if len(args) == 0 || s.Skip() != nil || s.End() != nil || jsonscan.KindOf(args) != "object" {
		c.reportAt(at, "must be a JSON object in a string")
		return nil, false
	}
	return args, true
}

// callInput checks an Anthropic input or Gemini args, an object.
func (c *Converter) callInput(raw []byte, at loc) ([]byte, bool) {
	switch {
	case raw == nil:
		return []byte("{}"), true
	case raw[0] != '{':
		c.reportAt(at, "must be an object, not "+jsonscan.KindOf(raw))
		return nil, false
	}
	return raw, true
}

// addCall adds a tool call to the current message.
func (c *Converter) addCall(id, name, args []byte, at loc) {
	name, ok := c.callIDName(id, name, at)
	if !ok {
		return
	}
	c.req.calls++
	c.req.add(part{kind: partCall, id: id, name: name, text: args}, false)
}

// callIDName checks the id, if any, and the name of a tool call or a
// Gemini function response, the object at at, and returns the name.
func (c *Converter) callIDName(id, name []byte, at loc) ([]byte, bool) {
	if id != nil && !c.isString(id, at.key("id")) {
		return nil, false
	}
	return c.toolName(name, at.key("name"))
}

// addResult adds a tool result to the current message: output is a JSON
// string, or a Gemini response object.
func (c *Converter) addResult(id, name, output []byte, isError bool) {
	c.req.add(part{kind: partResult, id: id, name: name, text: output, isError: isError}, false)
}

// resultText reads the content of an OpenAI tool message or an Anthropic
// tool_result: a string, or text parts, of which it takes the one.
func (c *Converter) resultText(raw []byte, at loc) ([]byte, bool) {
	switch {
	case raw == nil:
		return []byte(`""`), true
	case raw[0] == '"':
		return raw, true
	case raw[0] != '[':
		c.reportAt(at, "must be a string or an array of text parts, not "+jsonscan.KindOf(raw))
		return nil, false
	}
	var text []byte
	n := 0
	w := walk(raw)
	w.array()
	for ; w.elem(); n++ {
		p := w.next()
		pat := at.elem(n)
		if !c.isObject(p, pat) {
			return nil, false
		}
		var typ []byte
		pw := walk(p)
		pw.object()
		for key, ok := pw.key(); ok; key, ok = pw.key() {
			switch string(key) {
			case "type":
				typ = pw.next()
			case "text":
				text = pw.next()
			default:
				c.refuse(pat, key)
				return nil, false
			}
		}
		if string(contents(typ)) != "text" {
			c.badType(typ, pat, "parts of a tool result")
			return nil, false
		}
	}
	first := at.elem(0)
	if n != 1 || !c.isString(text, first.key("text")) {
		c.reportAt(at, fmt.Sprintf("holds %d parts; a tool result converts with one text", n))
		return nil, false
	}
	return text, true
}

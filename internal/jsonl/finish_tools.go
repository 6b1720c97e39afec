package jsonl

import (
	"strconv"
	"strings"
)

// optionSchema is a schema checked once for every target's limits, so that
// the lines that repeat it (--schema, and the tools and formats of a batch,
// which are mostly the same on every line) only look the verdicts up.
type optionSchema struct {
	raw    []byte                               // --schema's; nil for the others
	object bool                                 // it describes an object, as a tool's input must
	faults [limitsOpenAIStrict + 1]*schemaFault // what each target's limits find in it
}

// maxVerdicts bounds the schemas whose verdicts (and translations) a
// Converter keeps.
const maxVerdicts = 256

// verdictOf returns the verdicts on schema, or nil when it is not a JSON
// Schema object.
func (c *Converter) verdictOf(schema []byte) *optionSchema {
	if v, ok := c.verdicts[string(schema)]; ok {
		return v
	}
	var v *optionSchema
	if m := decodeSchema(schema); m != nil {
		v = &optionSchema{object: isObjectSchema(m)}
		for l := range v.faults {
			v.faults[l] = checkLimits(m, schemaLimits(l))
		}
	}
	if len(c.verdicts) < maxVerdicts {
		if c.verdicts == nil {
			c.verdicts = make(map[string]*optionSchema)
		}
		c.verdicts[string(schema)] = v
	}
	return v
}

// prepareSchema checks --schema, reporting a problem without a line
// number when it is not a JSON Schema object.
func (c *Converter) prepareSchema(raw []byte) {
	s := c.verdictOf(raw)
	if s == nil {
		c.problems.add(Problem{File: c.file, Field: "--schema", Reason: "must be a JSON Schema object"})
		c.def.broken = true
		return
	}
	s.raw = raw
	if c.rules != nil && c.rules.name == TargetGemini && s.faults[limitsGemini] != nil {
		c.problems.add(Problem{File: c.file, Field: "--schema", Reason: s.faults[limitsGemini].Error()})
		c.def.broken = true
	}
	c.schema = s
}

// batchctlOutput is the name of the tool that carries a structured
// output to a model without structured outputs, and of OpenAI json_schema
// formats converted from providers that name none.
const batchctlOutput = "batchctl_output"

// finishFormat settles the structured output of a chat request once its
// model is known: --schema for a request that asks for none, the checks
// that depend on the model, and what OutputSchema reports.
func (c *Converter) finishFormat() {
	r := &c.req
	f := &r.format
	if c.kind != KindChat && c.kind != KindResponses {
		if f.kind != formatUnset && f.kind != formatText {
			c.report(f.field, "cannot be converted to "+string(c.kind))
		}
		return
	}
	var faults *[limitsOpenAIStrict + 1]*schemaFault
	if (f.kind == formatUnset || f.kind == formatText) && c.schema != nil {
		f.kind, f.schema, f.field, f.name, f.strict = formatSchema, c.schema.raw, "--schema", nil, nil
		faults = &c.schema.faults
	}
	switch f.kind {
	case formatJSON:
		if c.rules.name == TargetAnthropic {
			c.report(f.field, "JSON mode without a schema cannot be converted to anthropic (give a schema)")
		}
		return
	case formatSchema:
	default:
		return
	}
	c.outSchema, c.outNative = f.schema, true
	switch c.rules.name {
	case TargetOpenAI:
		c.settleStrict(faults)
	case TargetAnthropic:
		c.settleAnthropicFormat(faults)
	}
}

// limitsFault returns the fault the limits find in the request's schema,
// looked up for --schema (faults) and found for a line's own.
func (c *Converter) limitsFault(faults *[limitsOpenAIStrict + 1]*schemaFault, l schemaLimits) *schemaFault {
	if faults != nil {
		return faults[l]
	}
	v := c.verdictOf(c.req.format.schema)
	if v == nil {
		return &schemaFault{"", "must be a JSON Schema object"}
	}
	return v.faults[l]
}

// settleStrict decides OpenAI's strict flag: as the request says, or true
// when the schema keeps the rules of strict mode.
func (c *Converter) settleStrict(faults *[limitsOpenAIStrict + 1]*schemaFault) {
	f := &c.req.format
	fault := c.limitsFault(faults, limitsOpenAIStrict)
	switch {
	case string(f.strict) == "true" && fault != nil:
		c.reportSchema(f.field, fault)
	case f.strict == nil && fault == nil:
		f.strict = []byte("true")
	case f.strict == nil:
		f.strict = []byte("false")
	}
}

// settleAnthropicFormat checks a structured output for the model: in
// output_config for models with structured outputs, else as the input of
// a forced tool.
func (c *Converter) settleAnthropicFormat(faults *[limitsOpenAIStrict + 1]*schemaFault) {
	r := &c.req
	f := &r.format
	if anthropicStructured(r.model) {
		if fault := c.limitsFault(faults, limitsAnthropic); fault != nil {
			c.reportSchema(f.field, fault)
		}
		return
	}
	c.outNative = false
	object := faults != nil && c.schema.object
	if faults == nil {
		v := c.verdictOf(f.schema)
		object = v != nil && v.object
	}
	switch {
	case !object:
		c.report(f.field, quote(string(r.model))+" has no structured outputs, and a schema that is not of an object cannot be the input of a tool")
	case len(r.tools) > 0 || r.choice.mode != choiceUnset:
		c.report(f.field, quote(string(r.model))+" has no structured outputs, and a schema cannot be carried as a forced tool next to other tools")
	}
}

// anthropicStructured reports whether an Anthropic model has structured
// outputs (output_config.format): Claude Opus 4.5 and later, Sonnet 4.5
// and later and Haiku 4.5 (platform.claude.com/docs/en/build-with-claude/
// structured-outputs). Older models, the Claude 3 family and Claude 4.0 and
// 4.1, get a forced tool instead; a model batchctl does not know is taken
// to be new.
func anthropicStructured(model []byte) bool {
	m := string(model)
	for _, old := range []string{"claude-2", "claude-instant", "claude-3", "claude-sonnet-4-0", "claude-opus-4-0",
		"claude-opus-4-1", "claude-sonnet-4-2025", "claude-opus-4-2025"} {
		if strings.HasPrefix(m, old) {
			return false
		}
	}
	return true
}

// finishTools pairs tool results with the calls they answer: Gemini names
// the function where the others give the call's id. Calls without an id
// (Gemini's) get "call_1", "call_2", ... in the order of the conversation,
// and a result without one takes the id of the earliest call of its
// function not yet answered.
func (c *Converter) finishTools(field string) {
	r := &c.req
	if r.calls == 0 && !c.hasResults() {
		return
	}
	n := 0
	for i := range r.parts {
		p := &r.parts[i]
		switch p.kind {
		case partCall:
			n++
			if p.id == nil {
				p.id = []byte(`"call_` + strconv.Itoa(n) + `"`)
			}
		case partResult:
			call := c.callOf(i)
			if call == nil {
				what := "id " + shorten(p.id)
				if p.id == nil {
					what = "function " + shorten(p.name)
				}
				c.report(field, "a tool result for "+what+" answers no tool call before it")
				return
			}
			p.id, p.name = call.id, call.name
		}
	}
}

func (c *Converter) hasResults() bool {
	for _, p := range c.req.parts {
		if p.kind == partResult {
			return true
		}
	}
	return false
}

// callOf finds the call the result at parts[i] answers.
func (c *Converter) callOf(i int) *part {
	parts := c.req.parts
	res := &parts[i]
	for j := range i {
		p := &parts[j]
		if p.kind != partCall {
			continue
		}
		if res.id != nil && p.id != nil && string(contents(p.id)) == string(contents(res.id)) {
			return p
		}
		if res.id == nil && string(contents(p.name)) == string(contents(res.name)) && !c.answered(j, i) {
			return p
		}
	}
	return nil
}

// answered reports whether the call at parts[j] has a result before
// parts[i].
func (c *Converter) answered(j, i int) bool {
	parts := c.req.parts
	for k := j + 1; k < i; k++ {
		if parts[k].kind == partResult && parts[k].id != nil && string(parts[k].id) == string(parts[j].id) {
			return true
		}
	}
	return false
}

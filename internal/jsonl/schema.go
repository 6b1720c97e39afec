package jsonl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Schemas are small and rare next to the text of a batch, so the checks
// below decode them with encoding/json instead of walking them in place.
//
// What each target cannot carry (see docs/schemas.md):
//
//   - Gemini responseJsonSchema and parametersJsonSchema take only $id,
//     $defs, $ref, $anchor, type, format, title, description, enum, items,
//     prefixItems, minItems, maxItems, minimum, maximum, anyOf, oneOf,
//     properties, additionalProperties, required and propertyOrdering
//     (genai v1.77.0 types.go, GenerationConfig.ResponseJsonSchema). The
//     annotations default, examples, $comment, deprecated, readOnly and
//     writeOnly are let through: they do not change what validates.
//   - Anthropic structured outputs and strict tools do not take minimum,
//     maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minLength,
//     maxLength, maxItems, minItems above 1, additionalProperties other than
//     false, or recursive schemas (platform.claude.com/docs/en/build-with-claude/
//     structured-outputs, "JSON Schema limitations"; read from a mirror of
//     the page, not confirmed against the page itself). A tool's
//     input_schema must describe an object.
//   - OpenAI strict mode (strict: true) wants an object at the root, every
//     object with additionalProperties false and all its properties
//     required, and no allOf, not, if/then/else, dependentRequired,
//     dependentSchemas or patternProperties
//     (platform.openai.com/docs/guides/structured-outputs, "Supported
//     schemas"). A schema that breaks these rules is sent with strict
//     false, unless the request asked for strict.

// schemaFault is the first thing a target cannot carry in a schema.
type schemaFault struct {
	path   string // a JSON pointer into the schema, "" for its root
	reason string
}

func (f *schemaFault) Error() string {
	if f.path == "" {
		return f.reason
	}
	return f.path + ": " + f.reason
}

// decodeSchema decodes a schema, an object the scanner accepted.
func decodeSchema(raw []byte) map[string]any {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if d.Decode(&m) != nil {
		return nil
	}
	return m
}

// geminiKeywords are the keywords Gemini's JSON schemas take, and
// annotations are the keywords any target may be sent, which change
// nothing that validates.
var (
	geminiKeywords = []string{"$id", "$defs", "$ref", "$anchor", "$schema", "type", "format", "title", "description",
		"enum", "items", "prefixItems", "minItems", "maxItems", "minimum", "maximum", "anyOf", "oneOf",
		"properties", "additionalProperties", "required", "propertyOrdering"}
	annotations        = []string{"default", "examples", "$comment", "deprecated", "readOnly", "writeOnly"}
	anthropicRefused   = []string{"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "maxItems"}
	openAIStrictRefuse = []string{"allOf", "not", "if", "then", "else", "dependentRequired", "dependentSchemas", "patternProperties"}
)

// schemaLimits is what one target takes in a schema.
type schemaLimits int

const (
	limitsGemini schemaLimits = iota
	limitsAnthropic
	limitsOpenAIStrict
)

// checkLimits returns the first thing in schema the limits rule out.
func checkLimits(schema map[string]any, limits schemaLimits) *schemaFault {
	if limits == limitsOpenAIStrict && schema["type"] != "object" {
		return &schemaFault{"", `strict mode wants "type": "object" at the root`}
	}
	return walkSchema(schema, "", func(s map[string]any, path string) *schemaFault {
		return limitsOf(s, path, limits, schema)
	})
}

// limitsOf checks one subschema, s at path.
func limitsOf(s map[string]any, path string, limits schemaLimits, root map[string]any) *schemaFault {
	for _, k := range sortedKeys(s) {
		switch limits {
		case limitsGemini:
			if !slices.Contains(geminiKeywords, k) && !slices.Contains(annotations, k) {
				return &schemaFault{path, fmt.Sprintf("%q is not a keyword gemini takes", k)}
			}
		case limitsAnthropic:
			if slices.Contains(anthropicRefused, k) {
				return &schemaFault{path, fmt.Sprintf("%q is not a keyword anthropic takes", k)}
			}
		case limitsOpenAIStrict:
			if slices.Contains(openAIStrictRefuse, k) {
				return &schemaFault{path, fmt.Sprintf("%q is not allowed in openai strict mode", k)}
			}
		}
	}
	if ref, ok := s["$ref"].(string); ok && limits == limitsAnthropic {
		if ref == "#" || strings.HasPrefix(path, strings.TrimPrefix(ref, "#")+"/") {
			return &schemaFault{path, "recursive schemas cannot be converted to anthropic"}
		}
	}
	if limits == limitsAnthropic {
		if n, ok := s["minItems"].(json.Number); ok && n.String() != "0" && n.String() != "1" {
			return &schemaFault{path, "minItems above 1 cannot be converted to anthropic"}
		}
		if ap, ok := s["additionalProperties"]; ok && ap != false {
			return &schemaFault{path, "additionalProperties other than false cannot be converted to anthropic"}
		}
	}
	if limits == limitsOpenAIStrict && isObjectSchema(s) {
		if s["additionalProperties"] != false {
			return &schemaFault{path, "strict mode wants additionalProperties false on every object"}
		}
		props, _ := s["properties"].(map[string]any)
		req, _ := s["required"].([]any)
		for _, name := range sortedKeys(props) {
			if !slices.Contains(req, any(name)) {
				return &schemaFault{path, fmt.Sprintf("strict mode wants every property required, and %q is not", name)}
			}
		}
	}
	return nil
}

func isObjectSchema(s map[string]any) bool {
	switch t := s["type"].(type) {
	case string:
		return t == "object"
	case []any:
		return slices.Contains(t, any("object"))
	}
	return s["properties"] != nil
}

// walkSchema calls check on schema and each subschema in it, in a fixed
// order, and returns the first fault.
func walkSchema(s map[string]any, path string, check func(map[string]any, string) *schemaFault) *schemaFault {
	if f := check(s, path); f != nil {
		return f
	}
	for _, k := range sortedKeys(s) {
		v := s[k]
		switch k {
		case "properties", "$defs", "definitions", "patternProperties", "dependentSchemas":
			m, _ := v.(map[string]any)
			for _, name := range sortedKeys(m) {
				if sub, ok := m[name].(map[string]any); ok {
					if f := walkSchema(sub, path+"/"+k+"/"+escapePointer(name), check); f != nil {
						return f
					}
				}
			}
		case "items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames":
			if sub, ok := v.(map[string]any); ok {
				if f := walkSchema(sub, path+"/"+k, check); f != nil {
					return f
				}
			}
		case "anyOf", "oneOf", "allOf", "prefixItems":
			list, _ := v.([]any)
			for i, e := range list {
				if sub, ok := e.(map[string]any); ok {
					if f := walkSchema(sub, fmt.Sprintf("%s/%s/%d", path, k, i), check); f != nil {
						return f
					}
				}
			}
		}
	}
	return nil
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// reportSchema reports a fault in the schema at at.
func (c *Converter) reportSchema(at string, f *schemaFault) {
	where := at
	if f.path != "" {
		where += " (at " + f.path + ")"
	}
	c.report(where, f.reason)
}

// checkOutputSchema checks the schema of a structured output at at, for
// what the target can carry. The Anthropic checks wait for the model
// (finishFormat): a model without structured outputs takes any schema of
// an object, as a tool's input.
func (c *Converter) checkOutputSchema(schema []byte, at loc) bool {
	c.req.format.field = at.String()
	if c.rules.name != TargetGemini {
		return true
	}
	return c.schemaWithin(schema, c.req.format.field, limitsGemini)
}

// schemaWithin checks schema, the value of field, against limits.
func (c *Converter) schemaWithin(schema []byte, field string, limits schemaLimits) bool {
	v := c.verdictOf(schema)
	if v == nil {
		c.report(field, "must be a JSON Schema object")
		return false
	}
	if f := v.faults[limits]; f != nil {
		c.reportSchema(field, f)
		return false
	}
	return true
}

// checkToolSchema checks a tool's parameters, at at, for the target;
// strict is set when the tool asks for strict validation.
func (c *Converter) checkToolSchema(params []byte, at loc, strict bool) bool {
	switch c.rules.name {
	case TargetGemini:
		return c.schemaWithin(params, at.String(), limitsGemini)
	case TargetAnthropic:
		if v := c.verdictOf(params); v != nil && !v.object {
			c.reportAt(at, `must describe an object ("type": "object") for anthropic`)
			return false
		}
		if strict {
			return c.schemaWithin(params, at.String(), limitsAnthropic)
		}
	case TargetOpenAI:
		if strict {
			return c.schemaWithin(params, at.String(), limitsOpenAIStrict)
		}
	}
	return true
}

// fromOpenAPI translates a Gemini Schema (responseSchema, parameters), an
// OpenAPI 3.0 subset, to JSON Schema: type names in lower case, nullable
// as a "null" type, example as examples, and propertyOrdering, an ordering
// hint only Gemini reads, dropped.
func (c *Converter) fromOpenAPI(raw []byte, at loc) ([]byte, bool) {
	if raw[0] != '{' {
		c.reportAt(at, "must be an object, not "+raw0Kind(raw))
		return nil, false
	}
	if out, ok := c.translated[string(raw)]; ok {
		return out, true
	}
	m := decodeSchema(raw)
	if f := translateOpenAPI(m, ""); f != nil {
		c.reportSchema(at.String(), f)
		return nil, false
	}
	out, err := json.Marshal(m)
	if err != nil {
		c.reportAt(at, err.Error())
		return nil, false
	}
	if len(c.translated) < maxVerdicts {
		if c.translated == nil {
			c.translated = make(map[string][]byte)
		}
		c.translated[string(raw)] = out
	}
	return out, true
}

func raw0Kind(raw []byte) string {
	switch raw[0] {
	case '[':
		return "array"
	case '"':
		return "string"
	}
	return "a value"
}

// openAPIKeywords are the members of a Gemini Schema (genai types.go,
// Schema).
var openAPIKeywords = []string{"type", "format", "title", "description", "nullable", "enum", "items", "minItems",
	"maxItems", "properties", "required", "minProperties", "maxProperties", "minLength", "maxLength", "pattern",
	"example", "anyOf", "propertyOrdering", "default", "minimum", "maximum"}

// translateOpenAPI rewrites s, a Gemini Schema at path, as JSON Schema in
// place.
func translateOpenAPI(s map[string]any, path string) *schemaFault {
	for _, k := range sortedKeys(s) {
		if !slices.Contains(openAPIKeywords, k) {
			return &schemaFault{path, fmt.Sprintf("%q is not a member of a gemini Schema", k)}
		}
	}
	if t, ok := s["type"].(string); ok {
		t = strings.ToLower(t)
		if t == "type_unspecified" {
			delete(s, "type")
		} else {
			s["type"] = t
		}
	}
	delete(s, "propertyOrdering") // an ordering hint only Gemini reads
	if ex, ok := s["example"]; ok {
		delete(s, "example")
		s["examples"] = []any{ex}
	}
	if s["nullable"] == true {
		if t, ok := s["type"].(string); ok {
			s["type"] = []any{t, "null"}
		} else {
			return &schemaFault{path, "nullable without a type cannot be converted"}
		}
	}
	delete(s, "nullable")
	if props, ok := s["properties"].(map[string]any); ok {
		for _, name := range sortedKeys(props) {
			if sub, ok := props[name].(map[string]any); ok {
				if f := translateOpenAPI(sub, path+"/properties/"+escapePointer(name)); f != nil {
					return f
				}
			}
		}
	}
	if sub, ok := s["items"].(map[string]any); ok {
		if f := translateOpenAPI(sub, path+"/items"); f != nil {
			return f
		}
	}
	if list, ok := s["anyOf"].([]any); ok {
		for i, e := range list {
			if sub, ok := e.(map[string]any); ok {
				if f := translateOpenAPI(sub, fmt.Sprintf("%s/anyOf/%d", path, i)); f != nil {
					return f
				}
			}
		}
	}
	return nil
}

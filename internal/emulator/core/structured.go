package core

import (
	"encoding/json"
	"strings"
)

// Structured outputs: a request that asks for JSON following a schema
// (OpenAI response_format / text.format, Anthropic output_config.format or
// output_format, Gemini responseJsonSchema / responseSchema) is answered
// with MinimalInstance of the schema, its strings filled with the reply the
// model would give (Reply), so that the answer validates, for the subset of
// JSON Schema MinimalInstance makes instances of; a schema using a keyword
// it refuses (pattern, not, if/then/else, ...) is a 400 for that request.
//
// Two markers in the prompt make the model misbehave the way real ones do
// where the schema is not enforced, so that checking can be tested:
//
//	[invalid-json]  the JSON cut short, as by a length limit: not JSON at all
//	[fenced-json]   the JSON in a Markdown code fence (```json ... ```)
//
// The fixed model writes the same whatever the prompt says, markers
// included: it always answers the valid instance, which is how a retry on
// another model (batchctl retry --invalid --model fixed) repairs them.
const (
	MarkerInvalidJSON = "[invalid-json]"
	MarkerFencedJSON  = "[fenced-json]"
)

// StructuredReply is what model answers to prompt when the request asks for
// JSON following schema; a nil schema asks for any JSON object (OpenAI's
// json_object), answered as {"answer": reply}. The error names what in the
// schema cannot be answered.
func StructuredReply(model string, schema []byte, prompt string) (string, error) {
	fill := Reply(model, prompt)
	var inst []byte
	if schema == nil {
		inst, _ = json.Marshal(map[string]string{"answer": fill})
	} else {
		var err error
		if inst, err = MinimalInstance(schema, fill); err != nil {
			return "", err
		}
	}
	if model == FixedModel {
		return string(inst), nil
	}
	switch {
	case strings.Contains(prompt, MarkerInvalidJSON):
		// Cut short: "…" after the cut keeps even a number from being JSON.
		return string(inst[:len(inst)-1]) + "…", nil
	case strings.Contains(prompt, MarkerFencedJSON):
		return "```json\n" + string(inst) + "\n```", nil
	}
	return string(inst), nil
}

// JSONSchemaOfOpenAPI turns a Gemini responseSchema (an OpenAPI 3.0 Schema
// object, types in capitals: "OBJECT", "STRING", ...) into the JSON Schema
// MinimalInstance reads: the same object with its types in lower case
// (https://ai.google.dev/api/caching#Schema). nullable and format are
// annotations there as here.
func JSONSchemaOfOpenAPI(schema []byte) ([]byte, error) {
	var v any
	if err := json.Unmarshal(schema, &v); err != nil {
		return nil, err
	}
	return json.Marshal(lowerTypes(v))
}

func lowerTypes(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "type" {
				v[k] = strings.ToLower(s)
				continue
			}
			v[k] = lowerTypes(x)
		}
	case []any:
		for i, x := range v {
			v[i] = lowerTypes(x)
		}
	}
	return v
}

package gemini

import (
	"encoding/json"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// readOutputSchema reads the structured output a GenerateContentRequest
// asks for in its generationConfig
// (https://ai.google.dev/api/generate-content#generationconfig; genai
// GenerationConfig.ResponseMIMEType, ResponseJsonSchema, ResponseSchema):
// responseMimeType "application/json" with responseJsonSchema (JSON
// Schema) or responseSchema (an OpenAPI Schema object, types in capitals).
// It returns the JSON Schema (nil for none), whether the request asks for
// JSON at all, or the error the request is answered with.
func readOutputSchema(obj map[string]json.RawMessage) (schema []byte, asJSON bool, st *rpcStatus) {
	raw := field(obj, "generationConfig")
	if raw == nil {
		return nil, false, nil
	}
	var config map[string]json.RawMessage
	if json.Unmarshal(raw, &config) != nil {
		return nil, false, invalidArgument("Invalid value at 'generation_config': expected a GenerationConfig object.")
	}
	var mime string
	if m := field(config, "responseMimeType"); m != nil && json.Unmarshal(m, &mime) != nil {
		return nil, false, invalidArgument("Invalid value at 'generation_config.response_mime_type': expected a string.")
	}
	jsonSchema, openAPI := field(config, "responseJsonSchema"), field(config, "responseSchema")
	if (jsonSchema != nil || openAPI != nil) && mime != "application/json" {
		return nil, false, invalidArgument("* GenerateContentRequest.generation_config.response_mime_type: response_mime_type must be application/json when a response schema is set")
	}
	switch {
	case jsonSchema != nil:
		schema = jsonSchema
	case openAPI != nil:
		var err error
		if schema, err = core.JSONSchemaOfOpenAPI(openAPI); err != nil {
			return nil, false, invalidArgument("Invalid value at 'generation_config.response_schema': %v", err)
		}
	}
	if schema != nil {
		if _, err := core.MinimalInstance(schema, ""); err != nil {
			return nil, false, invalidArgument("* GenerateContentRequest.generation_config.response_schema: %v", err)
		}
	}
	return schema, mime == "application/json", nil
}

// reply is what model answers: the JSON the request asks for, or the plain
// reply.
func (r *generateRequest) reply(model string) string {
	if !r.asJSON {
		return core.Reply(model, r.prompt)
	}
	text, err := core.StructuredReply(model, r.schema, r.prompt)
	if err != nil { // checked when the request was read
		return core.Reply(model, r.prompt)
	}
	return text
}

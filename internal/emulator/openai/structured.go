package openai

import (
	"encoding/json"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// responseFormat is a chat request's response_format
// (https://platform.openai.com/docs/api-reference/chat/create#chat-create-response_format;
// openai-go ChatCompletionNewParamsResponseFormatUnion): text,
// json_object, or json_schema with {name, schema, strict}.
type responseFormat struct {
	Type       string          `json:"type"`
	JSONSchema *jsonSchemaSpec `json:"json_schema"`
}

type jsonSchemaSpec struct {
	Name   string          `json:"name"`
	Schema json.RawMessage `json:"schema"`
}

// textConfig is a Responses request's text: its format is the
// response_format of chat with the json_schema members inlined
// (https://platform.openai.com/docs/api-reference/responses/create#responses-create-text;
// openai-go ResponseFormatTextJSONSchemaConfigParam).
type textConfig struct {
	Format *struct {
		Type   string          `json:"type"`
		Name   string          `json:"name"`
		Schema json.RawMessage `json:"schema"`
	} `json:"format"`
}

// chatReply is what a chat request is answered with: the reply, or the
// JSON its response_format asks for.
func chatReply(model, prompt string, f *responseFormat) (string, *apiError) {
	if f == nil {
		return core.Reply(model, prompt), nil
	}
	switch f.Type {
	case "text", "":
		return core.Reply(model, prompt), nil
	case "json_object":
		return structuredReply(model, prompt, nil, "response_format", "")
	case "json_schema":
		if f.JSONSchema == nil {
			return "", missingParam("response_format.json_schema")
		}
		if f.JSONSchema.Schema == nil {
			return "", missingParam("response_format.json_schema.schema")
		}
		return structuredReply(model, prompt, f.JSONSchema.Schema, "response_format.json_schema.schema", f.JSONSchema.Name)
	}
	return "", invalidRequest("response_format.type", "invalid_value",
		"Invalid value: '%s'. Supported values are: 'text', 'json_object' and 'json_schema'.", f.Type)
}

// responsesReply is chatReply for a Responses request's text.format.
func responsesReply(model, prompt string, t *textConfig) (string, *apiError) {
	if t == nil || t.Format == nil {
		return core.Reply(model, prompt), nil
	}
	f := t.Format
	switch f.Type {
	case "text", "":
		return core.Reply(model, prompt), nil
	case "json_object":
		return structuredReply(model, prompt, nil, "text.format", "")
	case "json_schema":
		if f.Schema == nil {
			return "", missingParam("text.format.schema")
		}
		return structuredReply(model, prompt, f.Schema, "text.format.schema", f.Name)
	}
	return "", invalidRequest("text.format.type", "invalid_value",
		"Invalid value: '%s'. Supported values are: 'text', 'json_object' and 'json_schema'.", f.Type)
}

// structuredReply answers with JSON following schema, or the 400 OpenAI
// gives a schema it does not support ("Invalid schema for response_format
// 'name': ...", the wording of its strict-mode refusals).
func structuredReply(model, prompt string, schema json.RawMessage, param, name string) (string, *apiError) {
	reply, err := core.StructuredReply(model, schema, prompt)
	if err != nil {
		return "", invalidRequest(param, "invalid_json_schema",
			"Invalid schema for response_format '%s': %v.", name, err)
	}
	return reply, nil
}

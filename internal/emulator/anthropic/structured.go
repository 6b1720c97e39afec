package anthropic

import (
	"encoding/json"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// outputFormat is a structured-output request's format: output_config.format
// (GA; anthropic-sdk-go OutputConfigParam.Format, JSONOutputFormatParam) or
// the beta's top-level output_format (BetaJSONOutputFormatParam), both
// {"type":"json_schema","schema":{...}}
// (https://platform.claude.com/docs/en/build-with-claude/structured-outputs).
type outputFormat struct {
	Type   string          `json:"type"`
	Schema json.RawMessage `json:"schema"`
}

type outputConfig struct {
	Format *outputFormat `json:"format"`
}

// reply is what the model answers to prompt: the JSON the request's output
// format asks for, or the plain reply; msg is the error message of a
// format the emulator cannot answer.
func (p *requestParams) reply(prompt string) (text, msg string) {
	f, param := p.OutputFormat, "output_format"
	if p.OutputConfig != nil && p.OutputConfig.Format != nil {
		f, param = p.OutputConfig.Format, "output_config.format"
	}
	if f == nil {
		return core.Reply(p.Model, prompt), ""
	}
	if f.Type != "json_schema" {
		return "", param + ".type: Input should be 'json_schema'"
	}
	if f.Schema == nil {
		return "", param + ".schema: Field required"
	}
	text, err := core.StructuredReply(p.Model, f.Schema, prompt)
	if err != nil {
		return "", param + ".schema: " + err.Error()
	}
	return text, ""
}

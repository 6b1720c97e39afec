package jsonl

import "github.com/batchctl/batchctl/internal/jsonscan"

// bedrockAnthropicVersion is the anthropic_version every Anthropic body
// sent to Bedrock carries, in place of the model and the
// anthropic-version header of Anthropic's own API. Source: "Anthropic
// Claude Messages API" in the Bedrock user guide
// (docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html):
// "anthropic_version – (Required) The anthropic version. The value must
// be bedrock-2023-05-31."
const bedrockAnthropicVersion = "bedrock-2023-05-31"

// bedrock is Amazon Bedrock batch inference (internal/providers/bedrock)
// for Anthropic's models on Bedrock: a record is
// {"recordId":...,"modelInput":{...}}, modelInput the InvokeModel body of
// the model: an Anthropic Messages body with anthropic_version and without
// model, since the job names the one model all its records use. Source:
// "Format and upload your batch inference data"
// (docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-data.html).
// Lines are checked and written as for Anthropic, then rewritten.
var bedrock = protocol{
	name:     TargetBedrock,
	native:   shapeAnthropic,
	pass:     (*Converter).passBedrock,
	idOK:     isAnthropicID,
	badID:    "is not a valid bedrock recordId (want 1 to 64 letters, digits, '_' or '-')",
	converts: map[Kind]Kind{KindChat: KindChat, KindResponses: KindChat},
	routes: map[Kind]route{
		KindChat: {"InvokeModel", (*Converter).appendBedrock},
	},
	serves:            "chat",
	maxTokensRequired: true,
	maxTemperature:    1,
	topK:              true,
	imageTypes:        []string{"image/jpeg", "image/png", "image/gif", "image/webp"},
	noParallel:        true,
	resultErrors:      true,
	toolNameOK:        func(n []byte) bool { return isAnthropicID(n) },
	toolNames:         "want 1 to 64 letters, digits, '_' or '-'",
}

// appendBedrock appends a converted request as a Bedrock record.
func (c *Converter) appendBedrock(o []byte) []byte {
	start := len(o)
	o = c.appendAnthropic(o)
	line := append(c.scratch[:0], o[start:]...)
	c.scratch = line
	return appendBedrockRecord(o[:start], line)
}

// passBedrock checks an Anthropic batch line as for Anthropic and returns
// it as a Bedrock record.
func (c *Converter) passBedrock(b []byte) ([]byte, string) {
	out, id := c.passAnthropic(b)
	if c.bad || out == nil {
		return out, id
	}
	return appendBedrockRecord(nil, out), id
}

// appendBedrockRecord appends the record of an Anthropic batch line
// {"custom_id":...,"params":{...}}, which passed the checks: the id
// becomes recordId and params the modelInput, its model dropped and
// anthropic_version put first.
func appendBedrockRecord(o, line []byte) []byte {
	var id, params []byte
	s := jsonscan.New(line)
	s.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "custom_id":
			id, err = s.Raw()
		case "params":
			params, err = s.Raw()
		default:
			err = s.Skip()
		}
		return err
	})
	o = append(append(o, `{"recordId":`...), id...)
	o = append(o, `,"modelInput":{"anthropic_version":"`+bedrockAnthropicVersion+`"`...)
	p := jsonscan.New(params)
	p.Object(func(key []byte) error {
		raw, err := p.Raw()
		switch string(key) {
		case "model", "anthropic_version":
			return err
		}
		o = jsonscan.AppendQuote(append(o, ','), key)
		o = append(append(o, ':'), raw...)
		return err
	})
	return append(o, "}}"...)
}

package jsonl

// OpenAIValidator checks the lines of an OpenAI batch input file one at a
// time, while the caller streams the file:
//
//	{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini",...}}
//
// It is a Converter for TargetOpenAI without defaults that reads every line
// as an OpenAI batch line, so lines of other shapes fail and every line
// that passes is sent as it is. New code should use a Converter, which
// also converts the other shapes.
type OpenAIValidator struct {
	c *Converter
}

// NewOpenAIValidator returns a validator for the input named file, the name
// its problems are reported under.
func NewOpenAIValidator(file string) *OpenAIValidator {
	c := NewConverter(file, ConvertOptions{Target: TargetOpenAI})
	c.only = shapeOpenAI
	return &OpenAIValidator{c: c}
}

// Check validates b, the line numbered line, as Converter.Convert does. It
// returns the line's custom_id when it is a non-empty string (even a
// duplicate), and whether the line passed every check.
func (v *OpenAIValidator) Check(line int, b []byte) (customID string, ok bool) {
	_, customID, ok = v.c.Convert(line, b)
	return customID, ok
}

// Report records a problem the caller found with a line, such as a size
// limit of the target provider, so it is listed with the others.
func (v *OpenAIValidator) Report(line int, field, reason string) { v.c.Report(line, field, reason) }

// Finish ends the validation and summarises the input, as
// Converter.Finish does.
func (v *OpenAIValidator) Finish() (Summary, error) { return v.c.Finish() }

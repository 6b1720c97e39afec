package jsonl

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// defaults are the Defaults checked for the target and rendered as raw
// JSON, ready to copy into converted lines. A value that is unset, or that
// the target takes without a member (Gemini's float embeddings), is nil.
type defaults struct {
	model          []byte // the bare name
	system         []byte
	maxTokens      []byte
	temperature    []byte
	topP           []byte
	stop           []byte
	dimensions     []byte
	encodingFormat []byte
	taskType       []byte
	endpoint       Kind
	broken         bool // a default had a problem: no line converts
}

// prepareDefaults checks d for the target and renders it, reporting
// problems without a line number.
func (c *Converter) prepareDefaults(d Defaults) defaults {
	p := defaultsChecker{c: c}
	var out defaults
	if d.Model != "" {
		out.model = []byte(strings.ToValidUTF8(d.Model, "\uFFFD"))
		if c.rules.trimModels {
			out.model = trimModels(out.model)
		}
	}
	out.endpoint = p.endpoint(d.Endpoint)
	if d.System != "" {
		if out.endpoint == KindCompletions {
			p.problem("--system", "cannot be converted to /v1/completions (it has no system prompt)")
		}
		out.system = jsonString(d.System)
	}
	if d.MaxTokens != nil {
		out.maxTokens = p.positive("--max-tokens", *d.MaxTokens)
	}
	if d.Temperature != nil {
		out.temperature = p.number("--temperature", *d.Temperature, c.rules.maxTemperature)
	}
	if d.TopP != nil {
		out.topP = p.number("--top-p", *d.TopP, 1)
	}
	if len(d.Stop) > 0 {
		out.stop = p.stop(d.Stop, out.endpoint)
	}
	p.embeddings(d, &out)
	if c.text {
		p.textInput(&out)
	}
	out.broken = p.broken
	return out
}

// defaultsChecker reports the problems of the defaults.
type defaultsChecker struct {
	c      *Converter
	broken bool
}

func (p *defaultsChecker) problem(flag, reason string) {
	p.c.problems.add(Problem{File: p.c.file, Field: flag, Reason: reason})
	p.broken = true
}

// endpoint checks the kind of simple and text lines.
func (p *defaultsChecker) endpoint(k Kind) Kind {
	if k == "" {
		return ""
	}
	switch k {
	case KindChat, KindEmbeddings, KindResponses, KindCompletions:
	default:
		p.problem("--endpoint", quote(string(k))+" is not an endpoint (want chat, embeddings, responses or completions)")
		return ""
	}
	if kind, ok := p.c.rules.converts[k]; !ok || kind != k {
		p.problem("--endpoint", fmt.Sprintf("%s cannot be converted to %s (it serves %s)", k, p.c.rules.name, p.c.rules.serves))
		return ""
	}
	return k
}

func (p *defaultsChecker) positive(flag string, n int) []byte {
	if n <= 0 || n > math.MaxInt32 {
		p.problem(flag, "must be a positive integer, not "+strconv.Itoa(n))
		return nil
	}
	return strconv.AppendInt(nil, int64(n), 10)
}

func (p *defaultsChecker) number(flag string, v, most float64) []byte {
	if math.IsNaN(v) || v < 0 || v > most {
		p.problem(flag, fmt.Sprintf("%g is out of range for %s (0 to %g)", v, p.c.rules.name, most))
		return nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64)
}

func (p *defaultsChecker) stop(stop []string, endpoint Kind) []byte {
	if endpoint == KindResponses {
		p.problem("--stop", "cannot be converted to /v1/responses (it has no stop sequences)")
		return nil
	}
	if p.c.rules.noStop {
		p.problem("--stop", "cannot be converted to "+string(p.c.rules.name))
		return nil
	}
	if most := p.c.rules.maxStops; most > 0 && len(stop) > most {
		p.problem("--stop", fmt.Sprintf("%d stop sequences are more than %s accepts (%d)", len(stop), p.c.rules.name, most))
		return nil
	}
	out := []byte{'['}
	for i, s := range stop {
		if i > 0 {
			out = append(out, ',')
		}
		out = jsonscan.AppendQuote(out, []byte(strings.ToValidUTF8(s, "\uFFFD")))
	}
	return append(out, ']')
}

// embeddings checks the defaults of embeddings requests.
func (p *defaultsChecker) embeddings(d Defaults, out *defaults) {
	t := p.c.rules
	if _, ok := t.converts[KindEmbeddings]; !ok {
		for _, f := range []struct {
			flag string
			set  bool
		}{{"--dimensions", d.Dimensions != nil}, {"--encoding-format", d.EncodingFormat != ""}, {"--task-type", d.TaskType != ""}} {
			if f.set {
				p.problem(f.flag, "cannot be converted to "+string(t.name)+" (it has no embeddings)")
			}
		}
		return
	}
	if d.Dimensions != nil {
		out.dimensions = p.positive("--dimensions", *d.Dimensions)
	}
	switch {
	case d.EncodingFormat == "":
	case d.EncodingFormat != "float" && d.EncodingFormat != "base64":
		p.problem("--encoding-format", quote(d.EncodingFormat)+` is not an encoding format (want "float" or "base64")`)
	case t.encodingFormat:
		out.encodingFormat = jsonString(d.EncodingFormat)
	case d.EncodingFormat == "base64":
		p.problem("--encoding-format", `"base64" cannot be converted to `+string(t.name)+" (it returns floats)")
	}
	switch {
	case d.TaskType == "":
	case !t.taskType:
		p.problem("--task-type", "cannot be converted to "+string(t.name))
	case !isGeminiTaskType(d.TaskType):
		p.problem("--task-type", quote(d.TaskType)+" is not a gemini task type (want one of "+geminiTaskTypes+")")
	default:
		out.taskType = jsonString(d.TaskType)
	}
}

// textInput checks what plain text lines need from the defaults, once for
// the whole input: they carry nothing but a prompt.
func (p *defaultsChecker) textInput(out *defaults) {
	if out.model == nil {
		p.c.problems.add(Problem{File: p.c.file, Field: "model", Reason: "missing (pass --model)"})
		p.broken = true
	}
	if p.c.rules.maxTokensRequired && out.maxTokens == nil {
		p.c.problems.add(Problem{File: p.c.file, Field: "max_tokens", Reason: "missing (" + string(p.c.rules.name) + " requires it; pass --max-tokens)"})
		p.broken = true
	}
}

// jsonString renders s as a JSON string, replacing invalid UTF-8.
func jsonString(s string) []byte {
	return jsonscan.AppendQuote(nil, []byte(strings.ToValidUTF8(s, "\uFFFD")))
}

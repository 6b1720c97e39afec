package jsonl

import (
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// Kind is the normalized kind of endpoint a request targets, the same for
// every provider. The four constants are the kinds that convert; an OpenAI
// batch line for another OpenAI endpoint passes through to TargetOpenAI with
// its path after "/v1/" as its kind ("moderations", "images/generations").
type Kind string

// The kinds that convert.
const (
	KindChat        Kind = "chat"        // OpenAI chat completions, Anthropic messages, Gemini generateContent
	KindEmbeddings  Kind = "embeddings"  // OpenAI embeddings, Gemini embedContent
	KindResponses   Kind = "responses"   // OpenAI Responses API
	KindCompletions Kind = "completions" // OpenAI legacy completions
)

// Defaults are values from flags that fill in what a converted line leaves
// unset; a line's own value always wins. A default a line's kind has no use
// for is ignored (--max-tokens for embeddings). Problems with defaults are
// reported without a line number, naming the flag that sets the field
// (--model, --system, --max-tokens, --temperature, --top-p, --stop,
// --endpoint, --dimensions, --encoding-format, --task-type), so the command
// should use these flag names.
//
// Lines already in the target's own shape pass through untouched: of the
// defaults only Model (OpenAI body.model, Anthropic params.model) and
// MaxTokens (Anthropic params.max_tokens) are inserted, and only into a line
// that lacks these required fields.
type Defaults struct {
	Model          string // bare model name, without "provider/"; a Gemini "models/" prefix is dropped
	System         string // system prompt
	MaxTokens      *int
	Temperature    *float64
	TopP           *float64
	Stop           []string
	Endpoint       Kind // the kind of simple and text lines; "" means chat, or embeddings for lines with input
	Dimensions     *int
	EncodingFormat string // OpenAI embeddings: "float" or "base64"
	TaskType       string // Gemini embeddings: RETRIEVAL_QUERY, ...
}

// ConvertOptions configure a Converter.
type ConvertOptions struct {
	Target   Target
	Defaults Defaults
	// TextInput reads every line as one prompt in plain text instead of a
	// JSON object.
	TextInput bool
	// MaxLineBytes bounds a converted line, its newline included, usually
	// to the byte limit of one provider batch; 0 means no bound.
	MaxLineBytes int64
	// Schema (--schema) is a JSON Schema applied, in the target's terms, to
	// every chat request that asks for no structured output of its own; nil
	// for none. It must be a JSON object.
	Schema []byte
	// Reread returns the input again from its first line, for Finish to
	// read it a second time when two request ids have one fingerprint
	// (see idSet); nil when the input can be read only once, which makes
	// the ids take 12 bytes of memory each rather than 6. It is used only
	// with ConvertFrom, which reads the input the same way both times.
	Reread func() (io.Reader, error)
	// Lines is how many lines the input has (CountLines), when it is known
	// and Reread is set: the id table is then made its full size at once,
	// where growing it left copies as garbage and kept it a third emptier
	// on average. 0 when unknown.
	Lines int
}

// Summary describes a converted input.
type Summary struct {
	Requests int // lines checked, valid or not (blank lines are not requests)
	// Endpoint is the provider's name for what every request targets:
	// "/v1/chat/completions", "/v1/embeddings", ... for OpenAI,
	// "/v1/messages" for Anthropic, "batchGenerateContent" or
	// "asyncBatchEmbedContent" for Gemini.
	Endpoint string
	Kind     Kind // the normalized kind of Endpoint
	// Model is the one model of the requests, or "" for an Anthropic input
	// whose requests name several models (the one target that allows it).
	Model string
	Bytes int64 // the size of the converted lines: each line plus '\n'
}

// shape is the format of an input line.
type shape uint8

// The shapes, as bits so that a line's members can name several.
const (
	shapeOpenAI    shape = 1 << iota // custom_id+method+url+body
	shapeAnthropic                   // custom_id+params
	shapeGemini                      // key+request
	shapeSimple                      // messages, prompt or input, and optional members

	shapeNone shape = 0
)

// Converter turns batch input lines of any accepted shape (see the package
// documentation) into lines of one target's batch input format, checking
// each line while the caller streams the input, and collects the problems
// it finds. Memory grows only with the set of request ids (8 or 12 bytes
// each, see idSet).
//
// A Converter is not safe for concurrent use.
type Converter struct {
	file  string
	opts  ConvertOptions
	rules *protocol // the target's; nil for an unknown target
	text  bool
	limit int64
	def   defaults

	ids          *idSet // request ids, with the line of their first use
	lastLine     int    // the line a first reading ended on, where a second one stops; 0 for none
	endpointLine int    // where summary.Endpoint was first seen
	modelLine    int    // where summary.Model was first seen
	modelSeen    bool
	mixedModels  bool
	summary      Summary
	problems     problems
	unreadable   int  // lines that are not JSON (or, as text, not UTF-8)
	stopped      bool // the input was given up on: nothing after c.line was read

	// The line being converted.
	line      int
	lineStart int    // problems.total when the line started
	bad       bool   // the line does not convert: a problem was reported, or a default is unusable
	converted bool   // the line is converted rather than passed through
	kind      Kind   // the kind the line converts to
	id        []byte // the line's request id, decoded
	genID     []byte // a generated id
	top       topLevel
	scan      jsonscan.Scanner // reads the line's first pass, reused for its memory
	req       request
	text1     []byte // a text line as a JSON string
	scratch   []byte
	out       []byte
	routed    []byte // a line given the method and url it lacks

	schema  *optionSchema // ConvertOptions.Schema, or nil
	partBuf []part        // scratch for the writers
	// verdicts and translated keep what was found of the schemas seen,
	// up to maxVerdicts of each: their limits (verdictOf) and Gemini
	// Schemas as JSON Schema (fromOpenAPI).
	verdicts   map[string]*optionSchema
	translated map[string][]byte
	outSchema  []byte // what OutputSchema returns for the line
	outNative  bool   // what OutputNative returns for the line
}

// NewConverter returns a converter for the input named file, the name its
// problems are reported under. Problems with opts.Defaults are reported
// without a line number and make every line fail.
func NewConverter(file string, opts ConvertOptions) *Converter {
	mode := idLines
	if opts.Reread != nil {
		mode = idMark
	}
	c := &Converter{
		file:  file,
		opts:  opts,
		rules: protocolOf(opts.Target),
		text:  opts.TextInput,
		limit: opts.MaxLineBytes,
		ids:   newIDSet(mode),
	}
	if mode == idMark {
		c.ids.reserve(opts.Lines)
	}
	if c.rules == nil {
		c.report("", fmt.Sprintf("unknown target %q (want %s)", string(opts.Target), targetNames()))
		c.def.broken = true
		return c
	}
	if f := c.rules.family; f != nil && f(opts.Defaults.Model) != nil {
		c.rules = f(opts.Defaults.Model)
	}
	c.def = c.prepareDefaults(opts.Defaults)
	if len(opts.Schema) > 0 {
		c.prepareSchema(opts.Schema)
	}
	return c
}

// Convert converts b, the line numbered line, and records what later lines
// are compared with. It returns the converted line, valid until the next
// call (it may be b itself); the line's request id when it has a usable one
// (even a duplicate), generated as "line-000042" for lines that have none;
// and whether the line converted without problems. A key that appears
// twice in one object and a lone surrogate escape ("\ud800") are problems:
// JSON parsers disagree on what they mean.
func (c *Converter) Convert(line int, b []byte) (out []byte, id string, ok bool) {
	c.summary.Requests++
	c.line, c.lineStart = line, c.problems.total
	c.bad, c.converted, c.kind, c.id = c.def.broken, false, "", nil
	c.outSchema, c.outNative = nil, false
	switch {
	case c.rules == nil: // reported once
	case c.text:
		out, id = c.convertText(b)
	default:
		out, id = c.convertJSON(b)
	}
	if c.unreadable == MaxProblems && !c.stopped {
		c.stop(fmt.Sprintf("%d lines are not %s", MaxProblems, c.format()))
	}
	if c.bad || !c.fits(out) {
		return nil, id, false
	}
	c.summary.Bytes += int64(len(out)) + 1
	return out, id, true
}

// OutputSchema is the JSON Schema the line converted last asks its answer
// to follow: its own (OpenAI response_format json_schema, Responses
// text.format, Anthropic output_format, Gemini responseJsonSchema or
// responseSchema), or else ConvertOptions.Schema; nil when there is none
// (a json_object / JSON mode request without a schema has none). It is
// the schema as the line or the option gave it, before any conversion,
// and is valid until the next call to Convert.
//
// A line whose answer should be a forced tool's input (the target has no
// native structured outputs) still reports the schema; the result line
// then carries the tool's input as text. Invalid tool-call arguments are
// not this package's concern: the result line keeps a raw string there,
// and the checker adds an output_error for it.
func (c *Converter) OutputSchema() []byte { return c.outSchema }

// OutputNative reports whether OutputSchema is sent in the target's
// native structured-output terms (OpenAI response_format / text.format,
// Anthropic output_format, Gemini responseJsonSchema / responseSchema),
// rather than as a forced tool or as bare JSON mode; when it is false a
// checker may tolerate code fences and prose around the JSON.
func (c *Converter) OutputNative() bool { return c.outNative }

// Stopped reports whether the converter gave up on the input, after too
// many lines that are not JSON or after Abandon: the caller should stop
// reading and call Finish.
func (c *Converter) Stopped() bool { return c.stopped }

// CheckPrefix returns an error when prefix, the start of a line still
// being read, shows that the line cannot be valid; it suits Reader.Bound.
// It does not look for what only the whole line can tell, such as a
// duplicate key.
func (c *Converter) CheckPrefix(prefix []byte) error {
	if c.text {
		if i := jsonscan.InvalidUTF8(prefix); i < len(prefix) && utf8.FullRune(prefix[i:]) {
			return &invalidText{offset: i}
		}
		return nil
	}
	s := jsonscan.New(prefix)
	s.DisallowInvalidUTF8()
	return s.Prefix()
}

// invalidText is a line of text input that is not UTF-8.
type invalidText struct{ offset int }

func (e *invalidText) Error() string { return fmt.Sprintf("invalid UTF-8 at offset %d", e.offset) }

// Abandon reports the line a Reader gave up on before its end, and that
// the input was not read further. The line counts as a request.
func (c *Converter) Abandon(le *LineError) {
	c.summary.Requests++
	c.line, c.lineStart = le.Line, c.problems.total
	var it *invalidText
	switch {
	case errors.Is(le.Err, ErrLineTooLong):
		c.report("", fmt.Sprintf("line is over the %d-byte limit of one batch", le.Bound))
	case errors.As(le.Err, &it):
		c.problems.add(Problem{File: c.file, Line: c.line, Column: it.offset + 1, Reason: "invalid UTF-8"})
	default:
		c.syntaxProblem(nil, le.Err)
	}
	c.stop("its end was not read")
}

// stop records that the input is given up on at the current line, and
// why.
func (c *Converter) stop(why string) {
	c.stopped = true
	c.problems.note = fmt.Sprintf("%s:%d: stopped reading here (%s); the lines after it were not checked", c.file, c.line, why)
}

// format names what the lines of the input should be.
func (c *Converter) format() string {
	if c.text {
		return "UTF-8 text"
	}
	return "JSON"
}

// ConvertFrom converts the lines of in, calling each with every line that
// converts without problems (see Convert), until the input ends, the
// converter stops (Stopped), or each returns an error, which it returns.
// Lines are read with a Reader bound to MaxLineBytes and CheckPrefix. A
// read error is returned as "reading <file>: ...".
func (c *Converter) ConvertFrom(in io.Reader, each func(line int, out []byte, id string) error) error {
	r := NewReader(in)
	r.Bound(c.limit, c.CheckPrefix)
	for !c.Stopped() {
		line, err := r.Next()
		if c.lastLine > 0 && r.Line() > c.lastLine {
			return nil
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if le, ok := errors.AsType[*LineError](err); ok {
			c.Abandon(le)
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", c.file, err)
		}
		out, id, ok := c.Convert(r.Line(), line)
		if !ok || each == nil {
			continue
		}
		if err := each(r.Line(), out, id); err != nil {
			return err
		}
	}
	return nil
}

// Finish ends the conversion and summarises the input. The error is a
// *ValidationError when any line or default had a problem or there was no
// line at all, or the error of reading the input again (see
// ConvertOptions.Reread); the summary is filled in either way.
func (c *Converter) Finish() (Summary, error) {
	sum := c.summary
	if c.mixedModels {
		sum.Model = ""
	}
	if c.ids.mode == idMark && c.ids.seenTwice() > 0 {
		return sum, c.recheck()
	}
	if sum.Requests == 0 {
		c.problems.add(Problem{File: c.file, Reason: "no requests"})
	}
	return sum, c.problems.err()
}

// recheck reads the input a second time, up to the line the first reading
// ended on, to tell the ids that are used twice from different ids that
// have one fingerprint, and returns the problems of that reading: those
// of the first, with the duplicates.
func (c *Converter) recheck() error {
	in, err := c.opts.Reread()
	if err != nil {
		return fmt.Errorf("reading %s again: %w", c.file, err)
	}
	opts := c.opts
	opts.Reread = nil
	again := NewConverter(c.file, opts)
	again.ids, again.lastLine = c.ids, c.line
	c.ids.startCheck()
	if err := again.ConvertFrom(in, nil); err != nil {
		return err
	}
	_, err = again.Finish()
	return err
}

// convertJSON converts a line holding one JSON object.
func (c *Converter) convertJSON(b []byte) ([]byte, string) {
	kind, err := c.scanTop(b)
	if err != nil {
		c.syntaxProblem(b, err)
		return nil, ""
	}
	if kind != "object" {
		c.report("", "line must be a JSON object, not "+kind)
		return nil, ""
	}
	sh, ok := c.shape()
	switch {
	case !ok:
		return nil, ""
	case sh == c.rules.native:
		return c.rules.pass(c, b)
	default:
		return c.convertShape(sh)
	}
}

// convertText converts a line of plain text: one prompt, or one input to
// embed.
func (c *Converter) convertText(b []byte) ([]byte, string) {
	c.converted = true
	id := c.checkID("", nil, true)
	if i := jsonscan.InvalidUTF8(b); i < len(b) {
		c.problems.add(Problem{File: c.file, Line: c.line, Column: i + 1, Reason: "invalid UTF-8"})
		c.unreadable++
		c.bad = true
		return nil, id
	}
	c.text1 = jsonscan.AppendQuote(c.text1[:0], b)
	r := &c.req
	r.reset()
	kind := c.def.endpoint
	if kind == "" {
		kind = KindChat
	}
	if !c.setKind("", kind, nil) {
		return nil, id
	}
	if kind == KindEmbeddings {
		r.input, r.inputText = c.text1, c.text1
	} else {
		r.begin(roleUser)
		r.add(part{kind: partText, text: c.text1}, false)
	}
	c.finishRequest(fields{})
	if c.bad {
		return nil, id
	}
	return c.emit(), id
}

// fits reports whether out is within the byte limit, reporting it if not.
func (c *Converter) fits(out []byte) bool {
	size := int64(len(out)) + 1
	if c.limit <= 0 || size <= c.limit {
		return true
	}
	how := ""
	if c.converted {
		how = " once converted to " + string(c.rules.name)
	}
	c.report("", fmt.Sprintf("line is %d bytes%s, over the %d-byte limit of one batch", size, how, c.limit))
	return false
}

// report records a problem with the current line; a field of "" leaves the
// field out, and a line of 0 (before the first line) leaves the line out.
func (c *Converter) report(field, reason string) {
	c.problems.add(Problem{File: c.file, Line: c.line, Field: field, Reason: reason})
	c.bad = true
}

// syntaxProblem reports a line, b, that is not valid JSON, pointing at the
// offending byte; or that is valid JSON with a duplicate key or a lone
// surrogate, naming the field. b is nil when the line was not read to its
// end.
func (c *Converter) syntaxProblem(b []byte, err error) {
	if se, ok := errors.AsType[*jsonscan.StrictError](err); ok {
		c.report(jsonscan.PathTo(b, se.Offset), se.Explain())
		return
	}
	c.unreadable++
	reason := err.Error()
	p := Problem{File: c.file, Line: c.line}
	if se, ok := errors.AsType[*jsonscan.SyntaxError](err); ok {
		reason = se.Explain()
		if !se.AtEnd {
			p.Column = se.Offset + 1
		}
	}
	p.Reason = "invalid JSON: " + reason
	c.problems.add(p)
	c.bad = true
}

// checkID checks a request id, the raw value of field, and returns it.
// When generate is set, a missing id is made from the line number.
func (c *Converter) checkID(field string, raw []byte, generate bool) string {
	var id []byte
	if raw == nil && generate {
		c.genID = appendLineID(c.genID[:0], c.line)
		id = c.genID
	} else {
		s, ok := c.requireString(field, raw)
		if !ok {
			return ""
		}
		id = s
	}
	c.id = id
	if first, dup := c.ids.add(id, c.line); dup {
		if first > 0 {
			c.report(field, fmt.Sprintf("%s duplicates line %d", quote(string(id)), first))
		} else { // counted, not listed (see maxTracked)
			c.report(field, fmt.Sprintf("%s duplicates an earlier line", quote(string(id))))
		}
		return string(id)
	}
	s := string(id)
	if c.rules.idOK != nil && !c.rules.idOK(id) {
		c.report(field, quote(s)+" "+c.rules.badID)
	}
	return s
}

// appendLineID appends the id of a line that has none: "line-" and the
// line number, at least six digits long.
func appendLineID(b []byte, line int) []byte {
	var digits [20]byte
	i := len(digits)
	for n := line; n > 0 || i > len(digits)-6; n /= 10 {
		i--
		digits[i] = byte('0' + n%10)
	}
	return append(append(b, "line-"...), digits[i:]...)
}

// requireString returns the contents of raw, the value of field, when it is
// a non-empty string, and reports a problem otherwise.
func (c *Converter) requireString(field string, raw []byte) ([]byte, bool) {
	switch {
	case raw == nil:
		c.report(field, "missing")
	case raw[0] != '"':
		c.report(field, "must be a string, not "+jsonscan.KindOf(raw))
	case len(raw) == 2:
		c.report(field, "must not be empty")
	default:
		return jsonscan.Unquote(raw), true
	}
	return nil, false
}

// noteEndpoint records the endpoint of the current line, the value of
// field, and reports it when it differs from the first line's.
func (c *Converter) noteEndpoint(field, endpoint string, kind Kind) {
	switch {
	case c.summary.Endpoint == "":
		c.summary.Endpoint, c.summary.Kind = endpoint, kind
		c.endpointLine = c.line
	case endpoint != c.summary.Endpoint:
		c.report(field, fmt.Sprintf("%s differs from %s on line %d (one endpoint per batch)",
			quote(endpoint), quote(c.summary.Endpoint), c.endpointLine))
	}
}

// noteModel records the model of the current line, the value of field or
// a default, and reports it when it differs from the first line's and the
// target needs one model per batch.
func (c *Converter) noteModel(field string, model []byte, fromDefault bool) {
	switch {
	case !c.modelSeen:
		c.summary.Model, c.modelLine, c.modelSeen = string(model), c.line, true
	case string(model) == c.summary.Model:
	case c.rules.mixedModels:
		c.mixedModels = true
	default:
		from := ""
		if fromDefault {
			from = " (from --model)"
		}
		c.report(field, fmt.Sprintf("%s%s differs from %s on line %d (one model per file)",
			quote(string(model)), from, quote(c.summary.Model), c.modelLine))
	}
}

// trimModels drops the "models/" prefix of a Gemini model name.
func trimModels(model []byte) []byte {
	const prefix = "models/"
	if len(model) > len(prefix) && string(model[:len(prefix)]) == prefix {
		return model[len(prefix):]
	}
	return model
}

// kindOfURL is the kind of an OpenAI batch endpoint: its path after
// "/v1/", or chat for chat completions.
func kindOfURL(url []byte) Kind {
	switch string(url) {
	case "/v1/chat/completions":
		return KindChat
	case "/v1/embeddings":
		return KindEmbeddings
	case "/v1/responses":
		return KindResponses
	case "/v1/completions":
		return KindCompletions
	}
	return Kind(url[len("/v1/"):])
}

// urlOfKind is the OpenAI batch endpoint of kind k, the inverse of
// kindOfURL for the kinds --endpoint names.
func urlOfKind(k Kind) string {
	switch k {
	case KindChat:
		return "/v1/chat/completions"
	case KindEmbeddings:
		return "/v1/embeddings"
	case KindResponses:
		return "/v1/responses"
	}
	return "/v1/completions"
}

package gemini

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// The Gemini batch endpoints: custom methods of a model.
const (
	GenerateMethod = "batchGenerateContent"
	EmbedMethod    = "asyncBatchEmbedContent"
)

// inputLine is one request of a batch's input: a line of an input
// file, {"key":...,"request":{...}}, or an inline request,
// {"request":{...},"metadata":{...}}, as stored one per line.
type inputLine struct {
	key      string          // a file line's key, echoed in its result
	metadata json.RawMessage // an inline request's metadata, echoed in its result
	request  json.RawMessage
}

// parseLine reads one stored input line.
func parseLine(raw []byte) (inputLine, error) {
	var fields struct {
		Key      json.RawMessage `json:"key"`
		Request  json.RawMessage `json:"request"`
		Metadata json.RawMessage `json:"metadata"`
	}
	if !bytes.HasPrefix(raw, []byte("{")) || json.Unmarshal(raw, &fields) != nil {
		return inputLine{}, errors.New("the line is not a JSON object")
	}
	var in inputLine
	if !bytes.HasPrefix(fields.Request, []byte("{")) {
		return in, errors.New(`"request" is missing or not an object`)
	}
	in.request = fields.Request
	if fields.Key != nil && json.Unmarshal(fields.Key, &in.key) != nil {
		return in, errors.New(`"key" is not a string`)
	}
	if len(fields.Metadata) > 0 && string(fields.Metadata) != "null" {
		if !bytes.HasPrefix(fields.Metadata, []byte("{")) {
			return in, errors.New(`"metadata" is not an object`)
		}
		in.metadata = fields.Metadata
	}
	return in, nil
}

// field returns the member of a proto3 JSON object by its camelCase
// name or its snake_case one (both are accepted on input); nil if absent.
func field(obj map[string]json.RawMessage, camel string) json.RawMessage {
	if v, ok := obj[camel]; ok {
		return v
	}
	var snake strings.Builder
	for _, c := range camel {
		if unicode.IsUpper(c) {
			snake.WriteByte('_')
			c = unicode.ToLower(c)
		}
		snake.WriteRune(c)
	}
	return obj[snake.String()]
}

// endpointRequest is a parsed request of one endpoint.
type endpointRequest interface {
	// markerText is the text searched for fault markers.
	markerText() string
	// usage returns the token counts of the successful answer.
	usage(model string) (input, output int64)
	// answer returns the successful answer.
	answer(model string, m core.AnswerMeta) any
}

// invalidArgument is the per-request error of a request the endpoint cannot
// use.
func invalidArgument(format string, args ...any) *rpcStatus {
	return &rpcStatus{Code: http.StatusBadRequest, Message: fmt.Sprintf(format, args...), Status: statusName(http.StatusBadRequest)}
}

// parseRequest parses a request of endpoint, or returns the error
// the endpoint would answer.
func parseRequest(endpoint string, raw json.RawMessage) (endpointRequest, *rpcStatus) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return nil, invalidArgument("Invalid JSON payload received: the request is not an object.")
	}
	if endpoint == EmbedMethod {
		return parseEmbed(obj)
	}
	return parseGenerate(obj)
}

// requestContent is a Content of a request: its role and its parts'
// text.
type requestContent struct {
	Role  string `json:"role"`
	Parts []struct {
		Text             *string          `json:"text"`
		FunctionResponse *json.RawMessage `json:"functionResponse"`
	} `json:"parts"`
}

// answered reports whether c holds a function's response.
func (c requestContent) answered() bool {
	for _, p := range c.Parts {
		if p.FunctionResponse != nil {
			return true
		}
	}
	return false
}

func (c requestContent) text() string {
	var b strings.Builder
	for _, p := range c.Parts {
		if p.Text != nil {
			b.WriteString(*p.Text)
		}
	}
	return b.String()
}

// generateRequest is a GenerateContentRequest.
type generateRequest struct {
	texts  []string       // every content's text, and the system instruction's
	prompt string         // the last user content's text
	call   *core.ToolCall // the answer, when it is a function call
	schema []byte         // the JSON Schema of a structured output, if any
	asJSON bool           // the answer is JSON (responseMimeType application/json)
}

// geminiToolUse reads tools[].functionDeclarations (parametersJsonSchema,
// or parameters taken as JSON Schema) and toolConfig.functionCallingConfig
// (mode AUTO, ANY or NONE, and allowedFunctionNames, of which the first is
// the one called).
func geminiToolUse(obj map[string]json.RawMessage, answered bool) (core.ToolUse, *rpcStatus) {
	u := core.ToolUse{Answered: answered}
	var tools []map[string]json.RawMessage
	if raw := field(obj, "tools"); raw != nil && json.Unmarshal(raw, &tools) != nil {
		return u, invalidArgument("Invalid value at 'tools': expected a list of Tool objects.")
	}
	for _, t := range tools {
		var decls []map[string]json.RawMessage
		if raw := field(t, "functionDeclarations"); raw != nil && json.Unmarshal(raw, &decls) != nil {
			return u, invalidArgument("Invalid value at 'tools.function_declarations': expected a list.")
		}
		for _, d := range decls {
			var name string
			json.Unmarshal(field(d, "name"), &name) //nolint:errcheck // a missing name is ""
			params := field(d, "parametersJsonSchema")
			if params == nil {
				params = lowerTypes(field(d, "parameters"))
			}
			u.Tools = append(u.Tools, core.Tool{Name: name, Params: params})
		}
	}
	var cfg struct {
		FunctionCallingConfig struct {
			Mode                 string   `json:"mode"`
			AllowedFunctionNames []string `json:"allowedFunctionNames"`
		} `json:"functionCallingConfig"`
	}
	if raw := field(obj, "toolConfig"); raw != nil && json.Unmarshal(raw, &cfg) != nil {
		return u, invalidArgument("Invalid value at 'tool_config': expected a ToolConfig object.")
	}
	fc := cfg.FunctionCallingConfig
	u.None, u.Must = fc.Mode == "NONE", fc.Mode == "ANY"
	if u.Must && len(fc.AllowedFunctionNames) > 0 {
		u.Forced = fc.AllowedFunctionNames[0]
	}
	return u, nil
}

// lowerTypes rewrites the upper-case type names of a Gemini Schema
// ("OBJECT") as JSON Schema's, for MinimalInstance.
func lowerTypes(schema json.RawMessage) json.RawMessage {
	for _, t := range []string{"OBJECT", "ARRAY", "STRING", "INTEGER", "NUMBER", "BOOLEAN", "NULL"} {
		schema = json.RawMessage(strings.ReplaceAll(string(schema), `"`+t+`"`, `"`+strings.ToLower(t)+`"`))
	}
	return schema
}

func parseGenerate(obj map[string]json.RawMessage) (endpointRequest, *rpcStatus) {
	var contents []requestContent
	if raw := field(obj, "contents"); raw != nil && json.Unmarshal(raw, &contents) != nil {
		return nil, invalidArgument("Invalid value at 'contents': expected a list of Content objects.")
	}
	if len(contents) == 0 {
		return nil, invalidArgument("* GenerateContentRequest.contents: contents is not specified")
	}
	req := &generateRequest{}
	for _, c := range contents {
		text := c.text()
		req.texts = append(req.texts, text)
		if (c.Role == "" || c.Role == "user") && !c.answered() {
			req.prompt = text
		}
	}
	u, status := geminiToolUse(obj, contents[len(contents)-1].answered())
	if status != nil {
		return nil, status
	}
	call, isCall, err := core.ChooseToolCall(u, req.prompt)
	if err != nil {
		return nil, invalidArgument("%s", err.Error())
	}
	if isCall {
		req.call = &call
	}
	if raw := field(obj, "systemInstruction"); raw != nil {
		var system requestContent
		if json.Unmarshal(raw, &system) != nil {
			return nil, invalidArgument("Invalid value at 'system_instruction': expected a Content object.")
		}
		req.texts = append(req.texts, system.text())
	}
	var st *rpcStatus
	if req.schema, req.asJSON, st = readOutputSchema(obj); st != nil {
		return nil, st
	}
	return req, nil
}

func (r *generateRequest) markerText() string { return r.prompt }

func (r *generateRequest) usage(model string) (int64, int64) {
	if r.call != nil {
		return core.CountTokens(r.texts...), core.CountTokens(string(r.call.Arguments))
	}
	return core.CountTokens(r.texts...), core.CountTokens(r.reply(model))
}

func (r *generateRequest) answer(model string, m core.AnswerMeta) any {
	in, out := r.usage(model)
	reply := r.reply(model)
	p := part{Text: &reply}
	if r.call != nil {
		p = part{FunctionCall: &functionCall{Name: r.call.Name, Args: r.call.Arguments}}
	}
	return generateResponse{
		Candidates: []candidate{{
			Content:      content{Parts: []part{p}, Role: "model"},
			FinishReason: "STOP",
		}},
		UsageMetadata: usageMetadata{PromptTokenCount: in, CandidatesTokenCount: out, TotalTokenCount: in + out},
		ModelVersion:  model,
		ResponseID:    m.ID(""),
	}
}

// embedRequest is an EmbedContentRequest.
type embedRequest struct {
	text       string
	dimensions int
}

func parseEmbed(obj map[string]json.RawMessage) (endpointRequest, *rpcStatus) {
	var content requestContent
	raw := field(obj, "content")
	if raw == nil {
		return nil, invalidArgument("* EmbedContentRequest.content: content is not specified")
	}
	if json.Unmarshal(raw, &content) != nil {
		return nil, invalidArgument("Invalid value at 'content': expected a Content object.")
	}
	req := &embedRequest{text: content.text(), dimensions: core.DefaultDimensions}
	dims := field(obj, "outputDimensionality")
	if config := field(obj, "embedContentConfig"); config != nil {
		var c map[string]json.RawMessage
		if json.Unmarshal(config, &c) == nil && field(c, "outputDimensionality") != nil {
			dims = field(c, "outputDimensionality")
		}
	}
	if dims != nil && (json.Unmarshal(dims, &req.dimensions) != nil || req.dimensions < 1 || req.dimensions > core.MaxDimensions) {
		return nil, invalidArgument("Invalid value at 'output_dimensionality': %s; expected an integer from 1 to %d.", dims, core.MaxDimensions)
	}
	return req, nil
}

func (r *embedRequest) markerText() string { return r.text }

func (r *embedRequest) usage(string) (int64, int64) { return core.CountTokens(r.text), 0 }

func (r *embedRequest) answer(string, core.AnswerMeta) any {
	in, _ := r.usage("")
	return embedResponse{
		Embedding:     embedding{Values: core.Embedding(r.text, r.dimensions)},
		UsageMetadata: embeddingUsage{PromptTokenCount: in},
	}
}

// execution is what the emulator does with one request of a batch.
type execution struct {
	outcome core.Outcome
	// request answers a succeeded request; err is a failed one's error.
	request                   endpointRequest
	err                       *rpcStatus
	inputTokens, outputTokens int64
}

// execute runs one request of a batch of endpoint with model.
func execute(endpoint, model string, in inputLine) execution {
	req, st := parseRequest(endpoint, in.request)
	if st != nil {
		return execution{outcome: core.OutcomeFailed, err: st}
	}
	switch m := core.FindMarker(req.markerText()); m.Kind {
	case core.MarkerFail:
		return execution{outcome: core.OutcomeFailed, err: &rpcStatus{
			Code:    m.Status,
			Message: statusMessage(m.Status) + " (Emulated by " + m.Text + ".)",
			Status:  statusName(m.Status),
		}}
	case core.MarkerError:
		return execution{outcome: core.OutcomeFailed, err: &rpcStatus{
			Code:    codeInternal,
			Message: "The request failed without a response (emulated by " + m.Text + ").",
			Status:  "INTERNAL",
		}}
	case core.MarkerExpire:
		return execution{outcome: core.OutcomeExpired}
	case core.MarkerDrop:
		return execution{outcome: core.OutcomeDropped}
	}
	inTokens, outTokens := req.usage(model)
	return execution{outcome: core.OutcomeSucceeded, request: req, inputTokens: inTokens, outputTokens: outTokens}
}

// codeInternal is google.rpc.Code INTERNAL.
const codeInternal = 13

// plan is what reading a batch's input found.
type plan struct {
	requests int
	failure  string // why the input is invalid; "" when it is valid
	expiring bool
	total    core.Tally
	// queue counts what the requests hold in the batch queue.
	queue *core.QueueTally
}

// planBatch validates a batch's input and runs each request (without
// rendering its answer), writing the running tallies to tallyPath. The
// requests of an invalid input are not run.
func planBatch(ctx context.Context, input io.Reader, rec *batchRecord, tallyPath string, queue *core.QueueTally) (*plan, error) {
	p := &plan{queue: queue}
	err := core.WriteAtomic(tallyPath, func(w io.Writer) error {
		tw := &core.TallyWriter{W: w}
		err := core.ForEachLine(ctx, input, func(lineNo int, raw []byte) error {
			p.requests++
			in, err := parseLine(raw)
			if err != nil {
				p.failure = fmt.Sprintf("Invalid batch input: line %d: %v.", lineNo, err)
				return core.ErrStopLines
			}
			if err := p.queue.Add(raw); err != nil {
				return err
			}
			ex := execute(rec.Endpoint, rec.Model, in)
			p.expiring = p.expiring || ex.outcome == core.OutcomeExpired
			return tw.Add(ex.outcome, ex.inputTokens, ex.outputTokens)
		})
		p.total = tw.Total
		return err
	})
	if err != nil {
		return nil, err
	}
	if p.failure == "" && p.requests == 0 {
		p.failure = "Invalid batch input: the input file has no requests."
	}
	if p.failure != "" {
		p.total = core.Tally{}
	}
	return p, nil
}

// results calls emit with the result of each reported request of a
// batch that succeeded, in input order: its index, its input and what
// became of it. Dropped requests are skipped.
func (g *API) results(ctx context.Context, rec *batchRecord, emit func(i int, in inputLine, ex execution) error) error {
	input, err := g.openInput(rec.ID)
	if err != nil {
		return err
	}
	defer input.Close()
	i := 0
	return core.ForEachLine(ctx, input, func(lineNo int, raw []byte) error {
		in, err := parseLine(raw)
		if err != nil {
			return fmt.Errorf("batch %s: input line %d is no longer valid: %w", rec.ID, lineNo, err)
		}
		ex := execute(rec.Endpoint, rec.Model, in)
		index := i
		i++
		if ex.outcome == core.OutcomeDropped {
			return nil
		}
		return emit(index, in, ex)
	})
}

// answerOf returns the answer of request i of a batch, or its error.
func (rec *batchRecord) answerOf(i int, ex execution) (any, *rpcStatus) {
	return ex.answer(rec.Model, core.AnswerMeta{Seed: rec.ID, Index: i})
}

// answer returns the answer of a request that ran with model, or its
// error: the response of its batch result, and the answer of the
// synchronous endpoint. meta places the answer (its response id).
func (ex execution) answer(model string, meta core.AnswerMeta) (any, *rpcStatus) {
	if ex.outcome != core.OutcomeSucceeded {
		return nil, ex.err
	}
	return ex.request.answer(model, meta), nil
}

// inlinedResponses renders the results of a batch of inline requests.
func (g *API) inlinedResponses(ctx context.Context, rec *batchRecord) ([]inlinedResponse, error) {
	out := []inlinedResponse{}
	err := g.results(ctx, rec, func(i int, in inputLine, ex execution) error {
		resp, st := rec.answerOf(i, ex)
		out = append(out, inlinedResponse{Response: resp, Error: st, Metadata: in.metadata})
		return nil
	})
	return out, err
}

// writeResponsesFile writes the responses file of a batch of file input
// that succeeded, unless that was done already. Every process that does it
// writes the same bytes, each file through a rename, and the file's record
// last, so concurrent writers are harmless and a record always has its
// content.
func (g *API) writeResponsesFile(ctx context.Context, rec *batchRecord, p core.Progress) error {
	id := rec.ResponsesFile
	if done, err := core.FileExists(g.filePath(id)); err != nil || done {
		return err
	}
	f := &fileRecord{
		ID:          id,
		DisplayName: "batch-" + rec.ID + "-responses",
		MIMEType:    "application/jsonl",
		Source:      "GENERATED",
		Created:     p.EndedAt,
	}
	err := core.WriteAtomic(g.contentPath(id), func(w io.Writer) error {
		h := newHashCounter(w)
		err := g.results(ctx, rec, func(i int, in inputLine, ex execution) error {
			resp, st := rec.answerOf(i, ex)
			return core.EncodeJSON(h, resultLine{Key: in.key, Response: resp, Error: st})
		})
		f.Size, f.SHA256 = h.n, h.sum()
		return err
	})
	if err != nil {
		return err
	}
	return core.WriteJSONFile(g.filePath(id), f)
}

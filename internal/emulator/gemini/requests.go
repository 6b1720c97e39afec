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

// geminiInputLine is one request of a batch's input: a line of an input
// file, {"key":...,"request":{...}}, or an inline request,
// {"request":{...},"metadata":{...}}, as stored one per line.
type geminiInputLine struct {
	key      string          // a file line's key, echoed in its result
	metadata json.RawMessage // an inline request's metadata, echoed in its result
	request  json.RawMessage
}

// parseGeminiLine reads one stored input line.
func parseGeminiLine(raw []byte) (geminiInputLine, error) {
	var fields struct {
		Key      json.RawMessage `json:"key"`
		Request  json.RawMessage `json:"request"`
		Metadata json.RawMessage `json:"metadata"`
	}
	if !bytes.HasPrefix(raw, []byte("{")) || json.Unmarshal(raw, &fields) != nil {
		return geminiInputLine{}, errors.New("the line is not a JSON object")
	}
	var in geminiInputLine
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

// geminiField returns the member of a proto3 JSON object by its camelCase
// name or its snake_case one (both are accepted on input); nil if absent.
func geminiField(obj map[string]json.RawMessage, camel string) json.RawMessage {
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

// geminiRequest is a parsed request of one endpoint.
type geminiRequest interface {
	// markerText is the text searched for fault markers.
	markerText() string
	// usage returns the token counts of the successful answer.
	usage(model string) (input, output int64)
	// answer returns the successful answer.
	answer(model string, m core.AnswerMeta) any
}

// geminiInvalid is the per-request error of a request the endpoint cannot
// use.
func geminiInvalid(format string, args ...any) *geminiStatus {
	return &geminiStatus{Code: http.StatusBadRequest, Message: fmt.Sprintf(format, args...), Status: geminiStatusName(http.StatusBadRequest)}
}

// parseGeminiRequest parses a request of endpoint, or returns the error
// the endpoint would answer.
func parseGeminiRequest(endpoint string, raw json.RawMessage) (geminiRequest, *geminiStatus) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return nil, geminiInvalid("Invalid JSON payload received: the request is not an object.")
	}
	if endpoint == EmbedMethod {
		return parseGeminiEmbed(obj)
	}
	return parseGeminiGenerate(obj)
}

// geminiRequestContent is a Content of a request: its role and its parts'
// text.
type geminiRequestContent struct {
	Role  string `json:"role"`
	Parts []struct {
		Text *string `json:"text"`
	} `json:"parts"`
}

func (c geminiRequestContent) text() string {
	var b strings.Builder
	for _, p := range c.Parts {
		if p.Text != nil {
			b.WriteString(*p.Text)
		}
	}
	return b.String()
}

// geminiGenerateRequest is a GenerateContentRequest.
type geminiGenerateRequest struct {
	texts  []string // every content's text, and the system instruction's
	prompt string   // the last user content's text
}

func parseGeminiGenerate(obj map[string]json.RawMessage) (geminiRequest, *geminiStatus) {
	var contents []geminiRequestContent
	if raw := geminiField(obj, "contents"); raw != nil && json.Unmarshal(raw, &contents) != nil {
		return nil, geminiInvalid("Invalid value at 'contents': expected a list of Content objects.")
	}
	if len(contents) == 0 {
		return nil, geminiInvalid("* GenerateContentRequest.contents: contents is not specified")
	}
	req := &geminiGenerateRequest{}
	for _, c := range contents {
		text := c.text()
		req.texts = append(req.texts, text)
		if c.Role == "" || c.Role == "user" {
			req.prompt = text
		}
	}
	if raw := geminiField(obj, "systemInstruction"); raw != nil {
		var system geminiRequestContent
		if json.Unmarshal(raw, &system) != nil {
			return nil, geminiInvalid("Invalid value at 'system_instruction': expected a Content object.")
		}
		req.texts = append(req.texts, system.text())
	}
	return req, nil
}

func (r *geminiGenerateRequest) markerText() string { return r.prompt }

func (r *geminiGenerateRequest) usage(model string) (int64, int64) {
	return core.CountTokens(r.texts...), core.CountTokens(core.Reply(model, r.prompt))
}

func (r *geminiGenerateRequest) answer(model string, m core.AnswerMeta) any {
	in, out := r.usage(model)
	return geminiGenerateResponse{
		Candidates: []geminiCandidate{{
			Content:      geminiContent{Parts: []geminiPart{{Text: core.Reply(model, r.prompt)}}, Role: "model"},
			FinishReason: "STOP",
		}},
		UsageMetadata: geminiUsage{PromptTokenCount: in, CandidatesTokenCount: out, TotalTokenCount: in + out},
		ModelVersion:  model,
		ResponseID:    m.ID(""),
	}
}

// geminiEmbedRequest is an EmbedContentRequest.
type geminiEmbedRequest struct {
	text       string
	dimensions int
}

func parseGeminiEmbed(obj map[string]json.RawMessage) (geminiRequest, *geminiStatus) {
	var content geminiRequestContent
	raw := geminiField(obj, "content")
	if raw == nil {
		return nil, geminiInvalid("* EmbedContentRequest.content: content is not specified")
	}
	if json.Unmarshal(raw, &content) != nil {
		return nil, geminiInvalid("Invalid value at 'content': expected a Content object.")
	}
	req := &geminiEmbedRequest{text: content.text(), dimensions: core.DefaultDimensions}
	dims := geminiField(obj, "outputDimensionality")
	if config := geminiField(obj, "embedContentConfig"); config != nil {
		var c map[string]json.RawMessage
		if json.Unmarshal(config, &c) == nil && geminiField(c, "outputDimensionality") != nil {
			dims = geminiField(c, "outputDimensionality")
		}
	}
	if dims != nil && (json.Unmarshal(dims, &req.dimensions) != nil || req.dimensions < 1 || req.dimensions > core.MaxDimensions) {
		return nil, geminiInvalid("Invalid value at 'output_dimensionality': %s; expected an integer from 1 to %d.", dims, core.MaxDimensions)
	}
	return req, nil
}

func (r *geminiEmbedRequest) markerText() string { return r.text }

func (r *geminiEmbedRequest) usage(string) (int64, int64) { return core.CountTokens(r.text), 0 }

func (r *geminiEmbedRequest) answer(string, core.AnswerMeta) any {
	in, _ := r.usage("")
	return geminiEmbedResponse{
		Embedding:     geminiEmbedding{Values: core.Embedding(r.text, r.dimensions)},
		UsageMetadata: geminiEmbeddingUsage{PromptTokenCount: in},
	}
}

// geminiExecution is what the emulator does with one request of a batch.
type geminiExecution struct {
	outcome core.Outcome
	// request answers a succeeded request; err is a failed one's error.
	request                   geminiRequest
	err                       *geminiStatus
	inputTokens, outputTokens int64
}

// executeGemini runs one request of a batch of endpoint with model.
func executeGemini(endpoint, model string, in geminiInputLine) geminiExecution {
	req, st := parseGeminiRequest(endpoint, in.request)
	if st != nil {
		return geminiExecution{outcome: core.OutcomeFailed, err: st}
	}
	switch m := core.FindMarker(req.markerText()); m.Kind {
	case core.MarkerFail:
		return geminiExecution{outcome: core.OutcomeFailed, err: &geminiStatus{
			Code:    m.Status,
			Message: geminiStatusMessage(m.Status) + " (Emulated by " + m.Text + ".)",
			Status:  geminiStatusName(m.Status),
		}}
	case core.MarkerError:
		return geminiExecution{outcome: core.OutcomeFailed, err: &geminiStatus{
			Code:    geminiCodeInternal,
			Message: "The request failed without a response (emulated by " + m.Text + ").",
			Status:  "INTERNAL",
		}}
	case core.MarkerExpire:
		return geminiExecution{outcome: core.OutcomeExpired}
	case core.MarkerDrop:
		return geminiExecution{outcome: core.OutcomeDropped}
	}
	inTokens, outTokens := req.usage(model)
	return geminiExecution{outcome: core.OutcomeSucceeded, request: req, inputTokens: inTokens, outputTokens: outTokens}
}

// geminiCodeInternal is google.rpc.Code INTERNAL.
const geminiCodeInternal = 13

// geminiPlan is what reading a batch's input found.
type geminiPlan struct {
	requests int
	failure  string // why the input is invalid; "" when it is valid
	expiring bool
	total    core.Tally
}

// planGeminiBatch validates a batch's input and runs each request (without
// rendering its answer), writing the running tallies to tallyPath. The
// requests of an invalid input are not run.
func planGeminiBatch(ctx context.Context, input io.Reader, rec *geminiBatchRecord, tallyPath string) (*geminiPlan, error) {
	p := &geminiPlan{}
	err := core.WriteAtomic(tallyPath, func(w io.Writer) error {
		tw := &core.TallyWriter{W: w}
		err := core.ForEachLine(ctx, input, func(lineNo int, raw []byte) error {
			p.requests++
			in, err := parseGeminiLine(raw)
			if err != nil {
				p.failure = fmt.Sprintf("Invalid batch input: line %d: %v.", lineNo, err)
				return core.ErrStopLines
			}
			ex := executeGemini(rec.Endpoint, rec.Model, in)
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

// geminiResults calls emit with the result of each reported request of a
// batch that succeeded, in input order: its index, its input and what
// became of it. Dropped requests are skipped.
func (g *API) geminiResults(ctx context.Context, rec *geminiBatchRecord, emit func(i int, in geminiInputLine, ex geminiExecution) error) error {
	input, err := g.openInput(rec.ID)
	if err != nil {
		return err
	}
	defer input.Close()
	i := 0
	return core.ForEachLine(ctx, input, func(lineNo int, raw []byte) error {
		in, err := parseGeminiLine(raw)
		if err != nil {
			return fmt.Errorf("batch %s: input line %d is no longer valid: %w", rec.ID, lineNo, err)
		}
		ex := executeGemini(rec.Endpoint, rec.Model, in)
		index := i
		i++
		if ex.outcome == core.OutcomeDropped {
			return nil
		}
		return emit(index, in, ex)
	})
}

// answerOf returns the answer of request i of a batch, or its error.
func (rec *geminiBatchRecord) answerOf(i int, ex geminiExecution) (any, *geminiStatus) {
	if ex.outcome != core.OutcomeSucceeded {
		return nil, ex.err
	}
	return ex.request.answer(rec.Model, core.AnswerMeta{Seed: rec.ID, Index: i}), nil
}

// inlinedResponses renders the results of a batch of inline requests.
func (g *API) inlinedResponses(ctx context.Context, rec *geminiBatchRecord) ([]geminiInlinedResponse, error) {
	out := []geminiInlinedResponse{}
	err := g.geminiResults(ctx, rec, func(i int, in geminiInputLine, ex geminiExecution) error {
		resp, st := rec.answerOf(i, ex)
		out = append(out, geminiInlinedResponse{Response: resp, Error: st, Metadata: in.metadata})
		return nil
	})
	return out, err
}

// writeResponsesFile writes the responses file of a batch of file input
// that succeeded, unless that was done already. Every process that does it
// writes the same bytes, each file through a rename, and the file's record
// last, so concurrent writers are harmless and a record always has its
// content.
func (g *API) writeResponsesFile(ctx context.Context, rec *geminiBatchRecord, p core.Progress) error {
	id := rec.ResponsesFile
	if done, err := core.FileExists(g.filePath(id)); err != nil || done {
		return err
	}
	f := &geminiFileRecord{
		ID:          id,
		DisplayName: "batch-" + rec.ID + "-responses",
		MIMEType:    "application/jsonl",
		Source:      "GENERATED",
		Created:     p.EndedAt,
	}
	err := core.WriteAtomic(g.contentPath(id), func(w io.Writer) error {
		h := newHashCounter(w)
		err := g.geminiResults(ctx, rec, func(i int, in geminiInputLine, ex geminiExecution) error {
			resp, st := rec.answerOf(i, ex)
			return core.EncodeJSON(h, geminiResultLine{Key: in.key, Response: resp, Error: st})
		})
		f.Size, f.SHA256 = h.n, h.sum()
		return err
	})
	if err != nil {
		return err
	}
	return core.WriteJSONFile(g.filePath(id), f)
}

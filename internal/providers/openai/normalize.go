package openai

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/batchctl/batchctl/internal/jsonscan"
	"github.com/batchctl/batchctl/internal/providers"
)

// Normalize turns one line of a batch's output or error file,
//
//	{"id":..., "custom_id":..., "response":{"status_code":..., "request_id":..., "body":{...}}, "error":{"code":..., "message":...}}
//
// into a result: succeeded for a 2xx response, errored for any other
// status or a non-HTTP error, expired or canceled (with the provider's
// error) when the batch ended before the request ran. Response is the
// response body byte for byte, nil when the line has none. The line is read
// in one pass (see jsonscan) and may be reused once Normalize returns.
func (c *Client) Normalize(line []byte) (providers.Result, error) {
	return normalize(line, bytes.Clone)
}

// NormalizeAliasing is Normalize with a result that aliases line (see
// providers.AliasingNormalizer).
func (c *Client) NormalizeAliasing(line []byte) (providers.Result, error) {
	return normalize(line, nil)
}

// alias is a copy function that does not copy.
func alias(b []byte) []byte { return b }

// normalize reads line into a result whose raw members are own's copies
// of the line's bytes; nil own aliases them, the text included (TextRaw).
func normalize(line []byte, own func([]byte) []byte) (providers.Result, error) {
	var l resultLine
	l.body.aliasText = own == nil
	if own == nil {
		own = alias
	}
	if err := providers.ScanResultLine(line, l.member); err != nil {
		return providers.Result{}, err
	}
	if l.customID == "" {
		return providers.Result{}, errors.New("result line has no custom_id")
	}
	r := providers.Result{CustomID: l.customID, Model: l.body.model}
	if l.body.raw != nil {
		r.Response = own(l.body.raw)
	}
	switch {
	case l.hasError:
		r.Status, r.Error = requestError(l.errCode, l.errMessage)
	case !l.hasResponse:
		return providers.Result{}, fmt.Errorf("result line for %q has neither response nor error", l.customID)
	case l.statusCode < 200 || l.statusCode > 299:
		r.Status, r.Error = providers.ResultErrored, l.body.httpError(l.statusCode)
	default:
		r.Status = providers.ResultSucceeded
		r.Usage = l.body.usage.result()
		l.body.fillOutput(&r, own)
	}
	return r, nil
}

// requestError classifies a non-HTTP error of a request: the batch
// expiring or being cancelled before it ran, or a failure of its own.
func requestError(code *string, message string) (providers.ResultStatus, *providers.ResultError) {
	var name string
	if code != nil {
		name = *code
	}
	e := &providers.ResultError{Type: name, Message: message, Code: code}
	switch name {
	case "batch_expired", "expired":
		return providers.ResultExpired, e
	case "batch_cancelled", "batch_canceled", "cancelled", "canceled":
		return providers.ResultCanceled, e
	}
	if e.Type == "" {
		e.Type = "error"
	}
	return providers.ResultErrored, e
}

// resultLine is what Normalize reads of a line.
type resultLine struct {
	customID    string
	hasResponse bool
	statusCode  int64
	body        responseBody
	hasError    bool
	errCode     *string
	errMessage  string
}

// wrapKey names the member an error came from.
func (l *resultLine) member(s *jsonscan.Scanner, key []byte) error {
	var err error
	switch string(key) {
	case "custom_id":
		l.customID, err = s.Str()
	case "response":
		l.hasResponse = !s.Null()
		if l.hasResponse {
			err = s.Object(func(key []byte) error { return l.responseMember(s, key) })
		}
	case "error":
		l.hasError = !s.Null()
		if l.hasError {
			err = s.Object(func(key []byte) error { return l.errorMember(s, key) })
		}
	default:
		return s.Skip()
	}
	return jsonscan.WrapKey(key, err)
}

func (l *resultLine) responseMember(s *jsonscan.Scanner, key []byte) error {
	var err error
	switch string(key) {
	case "status_code":
		l.statusCode, err = s.Int()
	case "body":
		err = l.body.read(s)
	default:
		return s.Skip()
	}
	return jsonscan.WrapKey(key, err)
}

func (l *resultLine) errorMember(s *jsonscan.Scanner, key []byte) error {
	var err error
	switch string(key) {
	case "code":
		l.errCode, err = codeString(s)
	case "message":
		l.errMessage, err = s.Str()
	default:
		return s.Skip()
	}
	return jsonscan.WrapKey(key, err)
}

// codeString reads an error code as the string the result line holds: a
// string as it is, nil for null, and any other value (OpenAI documents a
// string, but a number would not be lost) as its JSON text.
func codeString(s *jsonscan.Scanner) (*string, error) {
	if s.Null() {
		return nil, nil
	}
	var code string
	var err error
	if s.Peek() == '"' {
		code, err = s.Str()
	} else {
		var raw []byte
		raw, err = s.Raw()
		code = string(raw)
	}
	if err != nil {
		return nil, err
	}
	return &code, nil
}

// responseBody is what Normalize reads of a response body, for every
// endpoint at once: chat and legacy completions (choices), the Responses
// API (output, status, incomplete_details), embeddings (data), and the
// error object of a failed request.
type responseBody struct {
	raw              []byte // the whole body, aliasing the line; nil when absent or null
	aliasText        bool   // a string content is kept raw in textRaw, not decoded
	textRaw          []byte // of the first choice, when aliasText
	textVerbatim     bool   // textRaw is written as it is (Result.TextVerbatim)
	model            string
	hasChoices       bool
	text             *string // of the first choice
	finishReason     *string // of the first choice
	hasOutput        bool
	outputText       []byte // the output_text items, concatenated
	hasOutputText    bool
	pendingOutput    providers.PendingText // the first output_text undecoded, when aliasText
	status           *string
	incompleteReason *string
	embeddings       []embedding
	moderation       *providers.Moderation // of a moderation body (results)
	usage            tokenUsage
	calls            providers.ToolCalls // of the first choice's message, or the function_call output items
	errType          string
	errMessage       string
	errCode          *string
}

// embedding is one vector of an embeddings body.
type embedding struct {
	index  int64
	vector []byte // a JSON array of numbers, aliasing the line when the body holds one
}

// decodeBase64Vector reads an embedding of encoding_format "base64":
// little-endian float32s in standard base64, as the OpenAI SDKs decode it
// (openai-python's embeddings.create reads it with numpy's frombuffer,
// dtype float32). It returns the vector as the JSON array of numbers the
// API answers with encoding_format "float".
func decodeBase64Vector(s *jsonscan.Scanner) ([]byte, error) {
	text, err := s.Str()
	if err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return nil, fmt.Errorf("base64 embedding: %w", err)
	}
	if len(raw)%4 != 0 {
		return nil, fmt.Errorf("base64 embedding of %d bytes is not a list of float32s", len(raw))
	}
	vector := make([]float32, len(raw)/4)
	for i := range vector {
		vector[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	out, err := json.Marshal(vector)
	if err != nil {
		return nil, fmt.Errorf("base64 embedding: %w", err)
	}
	return out, nil
}

// tokenUsage is a body's usage in either spelling: the Chat Completions
// API's prompt_tokens, completion_tokens, prompt_tokens_details.cached_tokens
// and completion_tokens_details.reasoning_tokens (openapi.yaml
// CompletionUsage; openai-go CompletionUsage), or the Responses API's
// input_tokens, output_tokens, input_tokens_details.cached_tokens and
// output_tokens_details.reasoning_tokens (openapi.yaml ResponseUsage;
// openai-go responses.ResponseUsage). Both totals include the details:
// prompt_tokens counts the cached tokens, completion_tokens the reasoning
// ones. OpenAI reports no cache writes (its caching has no write charge).
// Mistral, OpenRouter and xAI answer in the chat spelling.
type tokenUsage struct {
	input, output      int64
	hasInput           bool // input_tokens or output_tokens given
	prompt, completion int64
	hasPrompt          bool // prompt_tokens or completion_tokens given
	cached, reasoning  providers.Count
}

// read reads a body; one that is not an object is kept raw only.
func (b *responseBody) read(s *jsonscan.Scanner) error {
	if s.Null() {
		return nil
	}
	raw, err := s.RawObject(func(key []byte) error { return b.member(s, key) })
	b.raw = raw
	return err
}

func (b *responseBody) member(s *jsonscan.Scanner, key []byte) error {
	var err error
	switch string(key) {
	case "model":
		b.model, err = s.Str()
	case "choices":
		err = s.Array(func(i int) error {
			b.hasChoices = true
			if i > 0 {
				return s.Skip()
			}
			return s.Object(func(key []byte) error { return b.choiceMember(s, key) })
		})
	case "output":
		err = s.Array(func(int) error {
			b.hasOutput = true
			return b.readOutputItem(s)
		})
	case "status":
		b.status, err = s.OptionalStr()
	case "incomplete_details":
		err = s.Object(func(key []byte) error {
			if string(key) != "reason" {
				return s.Skip()
			}
			var err error
			b.incompleteReason, err = s.OptionalStr()
			return jsonscan.WrapKey(key, err)
		})
	case "data":
		err = s.Array(func(int) error { return b.readDataItem(s) })
	case "results":
		b.moderation = &providers.Moderation{Categories: []string{}}
		err = s.Array(func(int) error {
			return s.Object(func(key []byte) error { return b.moderationMember(s, key) })
		})
	case "usage":
		err = b.usage.read(s)
	case "error":
		err = s.Object(func(key []byte) error { return b.errorMember(s, key) })
	default:
		return s.Skip()
	}
	return jsonscan.WrapKey(key, err)
}

// choiceMember reads a member of the first choice of a chat or legacy
// completion.
func (b *responseBody) choiceMember(s *jsonscan.Scanner, key []byte) error {
	var err error
	switch string(key) {
	case "message":
		err = s.Object(func(key []byte) error {
			var err error
			switch string(key) {
			case "content":
				if b.aliasText && s.Peek() == '"' {
					b.textRaw, b.textVerbatim, err = s.RawText()
					b.text = nil
					break
				}
				b.textRaw, b.textVerbatim = nil, false
				b.text, err = messageText(s)
			case "tool_calls":
				err = s.Array(func(int) error { return b.readToolCall(s) })
			default:
				return s.Skip()
			}
			return jsonscan.WrapKey(key, err)
		})
	case "text":
		b.text, err = s.OptionalStr()
	case "finish_reason":
		b.finishReason, err = s.OptionalStr()
	default:
		return s.Skip()
	}
	return jsonscan.WrapKey(key, err)
}

// messageText reads a chat message's content: a string, or content parts
// whose text is concatenated; nil when it is null (a tool call) or has no
// text part.
func messageText(s *jsonscan.Scanner) (*string, error) {
	switch s.Peek() {
	case '[':
	case '"', 'n':
		return s.OptionalStr()
	default:
		return nil, s.TypeError("string or array")
	}
	var text []byte
	found := false
	err := s.Array(func(int) error {
		return s.Object(func(key []byte) error {
			if string(key) != "text" || s.Peek() != '"' {
				return s.Skip()
			}
			found = true
			var err error
			text, err = s.AppendStr(text)
			return err
		})
	})
	if err != nil || !found {
		return nil, err
	}
	str := string(text)
	return &str, nil
}

// readToolCall reads one tool call of a chat message,
// {"id","type":"function","function":{"name","arguments"}}; calls of other
// types (custom tools) are left out.
func (b *responseBody) readToolCall(s *jsonscan.Scanner) error {
	var id, args []byte
	var typ, name string
	err := s.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "id":
			id, err = s.Raw()
		case "type":
			typ, err = s.Str()
		case "function":
			err = s.Object(func(key []byte) error {
				var err error
				switch string(key) {
				case "name":
					name, err = s.Str()
				case "arguments":
					args, err = s.Raw()
				default:
					return s.Skip()
				}
				return jsonscan.WrapKey(key, err)
			})
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(key, err)
	})
	if err == nil && (typ == "function" || typ == "") {
		b.calls.Add(id, name, args, true)
	}
	return err
}

// readOutputItem reads an item of a Responses API output: the text of a
// message's output_text content, or a function_call item
// {"type":"function_call","call_id","name","arguments"} as a tool call.
func (b *responseBody) readOutputItem(s *jsonscan.Scanner) error {
	var typ, name string
	var callID, args []byte
	err := s.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "type":
			typ, err = s.Str()
		case "content":
			err = s.Array(func(int) error { return b.readOutputContent(s) })
		case "call_id":
			callID, err = s.Raw()
		case "name":
			name, err = s.Str()
		case "arguments":
			args, err = s.Raw()
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(key, err)
	})
	if err == nil && typ == "function_call" {
		b.calls.Add(callID, name, args, true)
	}
	return err
}

// readOutputContent reads one content item of an output item, adding its
// text when it is an output_text item: aliasing the line, kept as the line
// spells it, to be written without being decoded (see
// providers.PendingText), else decoded. Its type may follow its text, so
// the text is added first and dropped again for other types.
func (b *responseBody) readOutputContent(s *jsonscan.Scanner) error {
	var typ string
	var raw []byte
	verbatim := false
	mark := len(b.outputText)
	err := s.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "type":
			typ, err = s.Str()
		case "text":
			if b.aliasText && s.Peek() == '"' {
				raw, verbatim, err = s.RawText()
				break
			}
			raw = nil
			b.outputText, err = s.AppendStr(b.outputText[:mark])
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(key, err)
	})
	if typ != "output_text" {
		b.outputText = b.outputText[:mark]
		return err
	}
	if raw != nil {
		b.outputText = b.pendingOutput.Add(b.outputText, raw, verbatim)
	}
	b.hasOutputText = true
	return err
}

// moderationMember reads a member of one result of a moderation body
// (CreateModerationResponse in specs/openai-openapi.yaml): flagged, and
// categories, an object of booleans whose true members are the flagged
// categories.
func (b *responseBody) moderationMember(s *jsonscan.Scanner, key []byte) error {
	m := b.moderation
	var err error
	switch string(key) {
	case "flagged":
		var raw []byte
		raw, err = s.Raw()
		m.Flagged = m.Flagged || string(raw) == "true"
	case "categories":
		err = s.Object(func(name []byte) error {
			raw, err := s.Raw()
			if err == nil && string(raw) == "true" && !slices.Contains(m.Categories, string(name)) {
				m.Categories = append(m.Categories, string(name))
			}
			return jsonscan.WrapKey(name, err)
		})
	default:
		return s.Skip()
	}
	return jsonscan.WrapKey(key, err)
}

// readDataItem reads an item of an embeddings body's data.
func (b *responseBody) readDataItem(s *jsonscan.Scanner) error {
	var e embedding
	err := s.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "index":
			e.index, err = s.Int()
		case "embedding":
			if s.Peek() == '"' {
				e.vector, err = decodeBase64Vector(s)
			} else {
				e.vector, err = s.Raw()
			}
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(key, err)
	})
	if e.vector != nil {
		b.embeddings = append(b.embeddings, e)
	}
	return err
}

func (b *responseBody) errorMember(s *jsonscan.Scanner, key []byte) error {
	var err error
	switch string(key) {
	case "message":
		b.errMessage, err = s.Str()
	case "type":
		b.errType, err = s.Str()
	case "code":
		b.errCode, err = codeString(s)
	default:
		return s.Skip()
	}
	return jsonscan.WrapKey(key, err)
}

func (u *tokenUsage) read(s *jsonscan.Scanner) error {
	return s.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "input_tokens":
			u.input, err = s.Int()
			u.hasInput = true
		case "output_tokens":
			u.output, err = s.Int()
			u.hasInput = true
		case "prompt_tokens":
			u.prompt, err = s.Int()
			u.hasPrompt = true
		case "completion_tokens":
			u.completion, err = s.Int()
			u.hasPrompt = true
		case "prompt_tokens_details", "input_tokens_details":
			err = readDetail(s, "cached_tokens", &u.cached)
		case "completion_tokens_details", "output_tokens_details":
			err = readDetail(s, "reasoning_tokens", &u.reasoning)
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(key, err)
	})
}

// readDetail reads the count named name from a details object (null or
// absent leaves it unknown).
func readDetail(s *jsonscan.Scanner, name string, c *providers.Count) error {
	return s.Object(func(key []byte) error {
		if string(key) != name {
			return s.Skip()
		}
		return jsonscan.WrapKey(key, c.ReadCount(s))
	})
}

// result is the usage in normalized form, preferring the Responses API
// spelling; nil when the body reports none.
func (u *tokenUsage) result() *providers.Usage {
	switch {
	case u.hasInput:
		return providers.NewUsage(u.input, u.output, u.cached, providers.Count{}, u.reasoning)
	case u.hasPrompt:
		return providers.NewUsage(u.prompt, u.completion, u.cached, providers.Count{}, u.reasoning)
	}
	return nil
}

// httpError describes a request answered with a non-2xx status.
func (b *responseBody) httpError(status int64) *providers.ResultError {
	httpStatus := int(status)
	e := &providers.ResultError{
		Type:       b.errType,
		Message:    b.errMessage,
		Code:       b.errCode,
		HTTPStatus: &httpStatus,
	}
	if e.Type == "" {
		e.Type = "http_error"
	}
	if e.Message == "" {
		e.Message = fmt.Sprintf("request failed with HTTP status %d", status)
	}
	return e
}

// fillOutput sets r's text and finish reason, its embeddings or its
// moderation outcome, from
// whichever shape the body has.
func (b *responseBody) fillOutput(r *providers.Result, own func([]byte) []byte) {
	switch {
	case b.hasChoices:
		r.Text, r.TextRaw, r.TextVerbatim, r.FinishReason = b.text, b.textRaw, b.textVerbatim, b.finishReason
		r.ToolCalls = b.calls.Raw()
	case b.hasOutput || b.status != nil:
		b.pendingOutput.Set(r, b.outputText, b.hasOutputText)
		r.FinishReason = b.status
		r.ToolCalls = b.calls.Raw()
		if b.incompleteReason != nil {
			r.FinishReason = b.incompleteReason
		}
	case len(b.embeddings) == 1:
		r.Embedding = own(b.embeddings[0].vector)
	case len(b.embeddings) > 1:
		r.Embeddings = b.joinEmbeddings()
	case b.moderation != nil:
		r.Moderation = b.moderation
	}
}

// joinEmbeddings is the JSON array of every vector, in input order.
func (b *responseBody) joinEmbeddings() json.RawMessage {
	slices.SortStableFunc(b.embeddings, func(x, y embedding) int { return cmp.Compare(x.index, y.index) })
	n := 1
	for _, e := range b.embeddings {
		n += len(e.vector) + 1
	}
	out := make([]byte, 0, n)
	out = append(out, '[')
	for i, e := range b.embeddings {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, e.vector...)
	}
	return append(out, ']')
}

package anthropic

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/batchctl/batchctl/internal/jsonscan"
	"github.com/batchctl/batchctl/internal/providers"
)

// The result types of a results line.
const (
	resultSucceeded = "succeeded"
	resultErrored   = "errored"
	resultCanceled  = "canceled"
	resultExpired   = "expired"
)

// Values that repeat from line to line, read without a copy each (see
// jsonscan.Scanner.StrOf): the result types, the content block types and
// the stop reasons the API documents; and the model,
// which most lines of a batch share.
var (
	resultTypes = []string{resultSucceeded, resultErrored, resultCanceled, resultExpired}
	blockTypes  = []string{"text", "tool_use", "thinking", "redacted_thinking"}
	stopReasons = []string{"end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal", "model_context_window_exceeded"}
	models      jsonscan.StrCache
)

// The messages of requests that never ran, after the API's guide.
const (
	canceledMessage = "The batch was canceled before this request could be sent to the model."
	expiredMessage  = "The batch reached its 24 hour expiration before this request could be sent to the model."
)

// Normalize turns one line of a batch's results,
//
//	{"custom_id":..., "result":{"type":"succeeded","message":{...}}}
//	{"custom_id":..., "result":{"type":"errored","error":{"type":"error","error":{"type":...,"message":...},"request_id":...}}}
//	{"custom_id":..., "result":{"type":"canceled"}}
//	{"custom_id":..., "result":{"type":"expired"}}
//
// into a result. A succeeded one has the text of the message's text
// blocks, concatenated (nil when it has none), its stop_reason as
// finish_reason, its usage and model, and the message as Response. An
// errored one has the inner error's type and message (or those of the
// error itself when it is not nested), the HTTP status that error type
// stands for, and the error object as Response. Canceled and expired ones
// have an error of that type and no Response; an unknown result type is
// errored with the result as Response. The line is read in one pass (see
// jsonscan) and may be reused once Normalize returns.
func (c *Client) Normalize(line []byte) (providers.Result, error) {
	return normalize(line, bytes.Clone)
}

// NormalizeMessage normalizes a Messages message answered for the request
// id, as the succeeded result of a message batch: what the clouds serving
// Claude in batches (bedrock, vertex) write for a request that ran.
func (c *Client) NormalizeMessage(id string, msg []byte) (providers.Result, error) {
	wrapped := jsonscan.AppendQuote([]byte(`{"custom_id":`), []byte(id))
	wrapped = append(append(wrapped, `,"result":{"type":"succeeded","message":`...), msg...)
	r, err := c.Normalize(append(wrapped, "}}"...))
	if err != nil {
		return providers.Result{}, err
	}
	r.Response = bytes.Clone(msg)
	return r, nil
}

// NormalizeAliasing is Normalize with a result that aliases line (see
// providers.AliasingNormalizer).
func (c *Client) NormalizeAliasing(line []byte) (providers.Result, error) {
	return normalize(line, nil)
}

// normalize reads line into a result whose raw members are own's copies
// of the line's bytes; nil own aliases them, the text included (TextRaw).
func normalize(line []byte, own func([]byte) []byte) (providers.Result, error) {
	var l resultLine
	l.result.message.alias = own == nil
	if own == nil {
		own = func(b []byte) []byte { return b }
	}
	if err := providers.ScanResultLine(line, l.member); err != nil {
		return providers.Result{}, err
	}
	switch {
	case l.customID == "":
		return providers.Result{}, errors.New("result line has no custom_id")
	case l.result.raw == nil:
		return providers.Result{}, fmt.Errorf("result line for %q has no result", l.customID)
	case l.result.typ == "":
		return providers.Result{}, fmt.Errorf("result line for %q has no result type", l.customID)
	}
	r := providers.Result{CustomID: l.customID}
	switch l.result.typ {
	case resultSucceeded:
		m := &l.result.message
		if m.raw == nil {
			return providers.Result{}, fmt.Errorf("succeeded result for %q has no message", l.customID)
		}
		r.Status, r.Model, r.FinishReason, r.Usage = providers.ResultSucceeded, m.model, m.stopReason, m.usage.result()
		m.pending.Set(&r, m.text, m.hasText)
		r.ToolCalls = m.calls.Raw()
		if m.unwrapped && r.ToolCalls == nil && m.stopReason != nil && *m.stopReason == "tool_use" {
			endTurn := "end_turn" // the forced tool was the answer
			r.FinishReason = &endTurn
		}
		r.Response = own(m.raw)
	case resultErrored:
		r.Status, r.Error = providers.ResultErrored, l.result.err.result()
		r.Response = own(l.result.err.raw)
	case resultCanceled:
		r.Status, r.Error = providers.ResultCanceled, &providers.ResultError{Type: resultCanceled, Message: canceledMessage}
	case resultExpired:
		r.Status, r.Error = providers.ResultExpired, &providers.ResultError{Type: resultExpired, Message: expiredMessage}
	default:
		r.Status = providers.ResultErrored
		r.Error = &providers.ResultError{Type: l.result.typ, Message: fmt.Sprintf("unknown result type %q", l.result.typ)}
		r.Response = own(l.result.raw)
	}
	return r, nil
}

// resultLine is what Normalize reads of a line.
type resultLine struct {
	customID string
	result   resultBody
}

// resultBody is what Normalize reads of a line's result, for every type
// at once: its members may come in any order.
type resultBody struct {
	raw     []byte // the whole result, aliasing the line; nil when absent or null
	typ     string
	message messageBody
	err     errorBody
}

// messageBody is what Normalize reads of a succeeded result's message.
type messageBody struct {
	raw        []byte // the whole message, aliasing the line
	model      string
	text       []byte // the text blocks' text, concatenated
	hasText    bool
	stopReason *string
	usage      tokenUsage
	calls      providers.ToolCalls
	unwrapped  bool // the text is the input of a forced providers.OutputTool call
	alias      bool // a sole text block is kept undecoded in pending
	pending    providers.PendingText
}

// errorBody is what Normalize reads of an errored result's error: an
// ErrorResponse whose error member holds the error itself, or (tolerated)
// the error itself.
type errorBody struct {
	raw             []byte // the whole error, aliasing the line
	typ, message    string
	hasInner        bool
	inner, innerMsg string
}

// tokenUsage is a message's usage; has is false when it reports none.
// Anthropic's input_tokens leaves out the tokens read from and written to
// the cache, which it counts in cache_read_input_tokens and
// cache_creation_input_tokens (anthropic-openapi.json Usage, both
// nullable; "total input tokens = cache_read_input_tokens +
// cache_creation_input_tokens + input_tokens", docs.claude.com prompt
// caching, "Tracking cache performance"). Of the cache writes, those to a
// one-hour cache are cache_creation.ephemeral_1h_input_tokens (Usage
// .cache_creation, nullable, a CacheCreation object: "Breakdown of cached
// tokens by TTL"; cache_creation_input_tokens "equals the sum of the
// values in the cache_creation object", prompt caching, "1-hour cache
// duration"). Thinking tokens are part of output_tokens and not reported
// on their own.
type tokenUsage struct {
	input, output         int64
	cacheRead, cacheWrite providers.Count
	cacheWrite1h          int64
	has                   bool
}

// wrapKey names the member an error came from.
func (l *resultLine) member(s *jsonscan.Scanner, key []byte) error {
	var err error
	switch string(key) {
	case "custom_id":
		l.customID, err = s.Str()
	case "result":
		err = l.result.read(s)
	default:
		return s.Skip()
	}
	return jsonscan.WrapKey(key, err)
}

// rawObject reads an object as s.Object does and returns its bytes, which
// alias the line.
func rawObject(s *jsonscan.Scanner, member func(key []byte) error) ([]byte, error) {
	if s.Peek() != '{' {
		return nil, s.TypeError("object")
	}
	return s.RawObject(member)
}

// read reads a result object; null leaves it absent.
func (b *resultBody) read(s *jsonscan.Scanner) error {
	if s.Null() {
		return nil
	}
	raw, err := rawObject(s, func(key []byte) error { return b.member(s, key) })
	b.raw = raw
	return err
}

func (b *resultBody) member(s *jsonscan.Scanner, key []byte) error {
	var err error
	switch string(key) {
	case "type":
		b.typ, err = s.StrOf(resultTypes)
	case "message":
		err = b.message.read(s)
	case "error":
		err = b.err.read(s)
	default:
		return s.Skip()
	}
	return jsonscan.WrapKey(key, err)
}

// read reads a message object; null leaves it absent.
func (m *messageBody) read(s *jsonscan.Scanner) error {
	if s.Null() {
		return nil
	}
	raw, err := rawObject(s, func(key []byte) error {
		var err error
		switch string(key) {
		case "model":
			m.model, err = s.StrCached(&models)
		case "content":
			err = s.Array(func(int) error { return m.readBlock(s) })
		case "stop_reason":
			m.stopReason, err = s.OptionalStrOf(stopReasons)
		case "usage":
			err = m.usage.read(s)
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(key, err)
	})
	m.raw = raw
	return err
}

// readBlock reads one content block: a text block's text is appended to
// the text, a tool_use block {id,name,input} is a tool call, or for the
// forced providers.OutputTool, the answer, its input appended as text. Its
// type may follow its text, so the text is appended first and dropped
// again for other types.
func (m *messageBody) readBlock(s *jsonscan.Scanner) error {
	var typ, name string
	var id, input, raw []byte
	verbatim := false
	mark := len(m.text)
	err := s.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "type":
			typ, err = s.StrOf(blockTypes)
		case "text":
			if m.alias && s.Peek() == '"' {
				raw, verbatim, err = s.RawText()
				break
			}
			raw = nil
			m.text, err = s.AppendStr(m.text[:mark])
		case "id":
			id, err = s.Raw()
		case "name":
			name, err = s.Str()
		case "input":
			input, err = s.Raw()
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(key, err)
	})
	if typ == "text" {
		if raw != nil {
			m.text = m.pending.Add(m.text, raw, verbatim)
		}
		m.hasText = true
		return err
	}
	m.text = m.text[:mark]
	switch {
	case err != nil:
	case typ == "tool_use" && name == providers.OutputTool:
		m.text = providers.AppendArguments(m.pending.Flush(m.text), input, false)
		m.hasText, m.unwrapped = true, true
	case typ == "tool_use":
		m.calls.Add(id, name, input, false)
	}
	return err
}

func (u *tokenUsage) read(s *jsonscan.Scanner) error {
	if s.Null() {
		return nil
	}
	u.has = true
	return s.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "input_tokens":
			u.input, err = s.Int()
		case "output_tokens":
			u.output, err = s.Int()
		case "cache_read_input_tokens":
			err = u.cacheRead.ReadCount(s)
		case "cache_creation_input_tokens":
			err = u.cacheWrite.ReadCount(s)
		case "cache_creation":
			err = u.readCacheCreation(s)
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(key, err)
	})
}

// readCacheCreation reads the one-hour writes of a cache_creation object;
// null is none.
func (u *tokenUsage) readCacheCreation(s *jsonscan.Scanner) error {
	if s.Null() {
		return nil
	}
	return s.Object(func(key []byte) error {
		if string(key) != "ephemeral_1h_input_tokens" {
			return s.Skip()
		}
		var err error
		u.cacheWrite1h, err = s.Int()
		return jsonscan.WrapKey(key, err)
	})
}

// result is the usage in normalized form, its input tokens including the
// cache's; nil when there is none.
func (u *tokenUsage) result() *providers.Usage {
	if !u.has {
		return nil
	}
	input := u.input + u.cacheRead.N + u.cacheWrite.N
	usage := providers.NewUsage(input, u.output, u.cacheRead, u.cacheWrite, providers.Count{})
	usage.CacheCreation1hInputTokens = u.cacheWrite1h
	return usage
}

// read reads an error object; null leaves it absent.
func (e *errorBody) read(s *jsonscan.Scanner) error {
	if s.Null() {
		return nil
	}
	raw, err := rawObject(s, func(key []byte) error {
		var err error
		switch string(key) {
		case "type":
			e.typ, err = s.Str()
		case "message":
			e.message, err = s.Str()
		case "error":
			err = e.readInner(s)
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(key, err)
	})
	e.raw = raw
	return err
}

// readInner reads the error member of an ErrorResponse.
func (e *errorBody) readInner(s *jsonscan.Scanner) error {
	if s.Null() {
		return nil
	}
	e.hasInner = true
	return s.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "type":
			e.inner, err = s.Str()
		case "message":
			e.innerMsg, err = s.Str()
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(key, err)
	})
}

// result is the error in normalized form.
func (e *errorBody) result() *providers.ResultError {
	r := &providers.ResultError{Type: e.typ, Message: e.message}
	if e.hasInner {
		r.Type, r.Message = e.inner, e.innerMsg
	}
	if r.Type == "" {
		r.Type = "error"
	}
	if r.Message == "" {
		r.Message = "The request failed without an error message."
	}
	if status := errorStatus(r.Type); status != 0 {
		r.HTTPStatus = &status
	}
	return r
}

// errorStatus is the HTTP status the API answers an error type with; 0
// for a type it does not document.
func errorStatus(errType string) int {
	switch errType {
	case "invalid_request_error":
		return 400
	case "authentication_error":
		return 401
	case "billing_error":
		return 402
	case "permission_error":
		return 403
	case "not_found_error":
		return 404
	case "request_too_large":
		return 413
	case "rate_limit_error":
		return 429
	case "api_error":
		return 500
	case "timeout_error":
		return 504
	case "overloaded_error":
		return 529
	}
	return 0
}

package gemini

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"

	"github.com/batchctl/batchctl/internal/jsonscan"
	"github.com/batchctl/batchctl/internal/providers"
)

// Normalize turns one result line into a result. It reads both shapes
// Download writes: a responses file line,
//
//	{"key":...,"response":{...}}   or   {"key":...,"error":{"code":...,"message":...,"status":...}}
//
// (a "status" object in place of "error" is accepted too), and an inlined
// response,
//
//	{"response":{...},"metadata":{"key":...}}   or   {"error":{...},"metadata":{"key":...}}
//
// The key is the custom id. A response is a GenerateContentResponse, whose
// first candidate gives the text (its parts' text, thoughts left out) and
// finish reason, or an EmbedContentResponse, whose embedding.values is the
// embedding; Response is its bytes, untouched. An error gives an errored
// result typed by its status. The line is read in one pass (see jsonscan)
// and may be reused once Normalize returns.
func (c *Client) Normalize(line []byte) (providers.Result, error) {
	return normalize(line, bytes.Clone)
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
	l.response.alias = own == nil
	if own == nil {
		own = func(b []byte) []byte { return b }
	}
	if err := providers.ScanResultLine(line, l.member); err != nil {
		return providers.Result{}, err
	}
	if !l.hasKey {
		return providers.Result{}, errors.New("result line has no key")
	}
	key := l.key
	r := providers.Result{CustomID: key, Model: l.response.model}
	switch {
	case l.err != nil:
		r.Status, r.Error = providers.ResultErrored, l.err.result()
	case l.response.raw == nil:
		return providers.Result{}, fmt.Errorf("result line for %q has neither response nor error", key)
	default:
		r.Status = providers.ResultSucceeded
		l.response.fill(&r, own)
	}
	if l.response.raw != nil {
		r.Response = own(l.response.raw)
	}
	return r, nil
}

// resultLine is what Normalize reads of a line.
type resultLine struct {
	key      string
	hasKey   bool // a key was read, and not null
	response response
	err      *status
}

// wrapKey names the member an error came from.
func (l *resultLine) member(s *jsonscan.Scanner, key []byte) error {
	var err error
	switch string(key) {
	case "key":
		err = l.readKey(s)
	case "metadata":
		err = s.Object(func(key []byte) error {
			if string(key) != "key" {
				return s.Skip()
			}
			return jsonscan.WrapKey(key, l.readKey(s))
		})
	case "response":
		err = l.response.read(s)
	case "error":
		err = l.readStatus(s, true)
	case "status":
		err = l.readStatus(s, false)
	default:
		return s.Skip()
	}
	return jsonscan.WrapKey(key, err)
}

// readKey reads a key, a string; null leaves the line without one.
func (l *resultLine) readKey(s *jsonscan.Scanner) error {
	var err error
	l.hasKey = !s.Null()
	if l.hasKey {
		l.key, err = s.Str()
	}
	return err
}

// readStatus reads a google.rpc.Status: an error always for the "error"
// member, and for a "status" object unless it says OK.
func (l *resultLine) readStatus(s *jsonscan.Scanner, always bool) error {
	if s.Null() {
		return nil
	}
	var st status
	if err := st.read(s); err != nil {
		return err
	}
	if always || !st.ok() {
		l.err = &st
	}
	return nil
}

// ok reports whether the status says nothing went wrong.
func (st *status) ok() bool {
	return (st.code == nil || *st.code == 0) && (st.status == "" || st.status == "OK") && st.message == ""
}

// status is a request's error, a google.rpc.Status with the status name
// the HTTP error bodies add.
type status struct {
	code    *int64
	message string
	status  string
}

func (st *status) read(s *jsonscan.Scanner) error {
	return s.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "code":
			if s.Null() {
				return nil
			}
			var n int64
			n, err = s.Int()
			st.code = &n
		case "message":
			st.message, err = s.Str()
		case "status":
			st.status, err = s.Str()
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(key, err)
	})
}

// result describes the error in normalized form. Its code is the status
// name, else the name of its numeric code, and its type the same (or
// "error"). The numeric code is a google.rpc.Code, or an HTTP status
// (100-599) where the request was answered over HTTP; the HTTP status is
// that number, or the one google/rpc/code.proto maps the rpc code to.
func (st *status) result() *providers.ResultError {
	e := &providers.ResultError{Type: st.status, Message: st.message}
	name := st.status
	if st.code != nil {
		code := *st.code
		httpStatus := int(code)
		if code >= 100 && code <= 599 {
			name = cmp.Or(name, httpCodeName(httpStatus))
		} else {
			name = cmp.Or(name, rpcCodeName(code))
			httpStatus = rpcHTTPStatus(code)
		}
		if httpStatus != 0 {
			e.HTTPStatus = &httpStatus
		}
	}
	if name != "" {
		e.Code = &name
	}
	e.Type = cmp.Or(name, "error")
	return e
}

// rpcCodes are the google.rpc.Code values, by number, with the HTTP
// status each maps to, as google/rpc/code.proto documents them.
var rpcCodes = [...]struct {
	name       string
	httpStatus int
}{
	{"OK", 200}, {"CANCELLED", 499}, {"UNKNOWN", 500}, {"INVALID_ARGUMENT", 400},
	{"DEADLINE_EXCEEDED", 504}, {"NOT_FOUND", 404}, {"ALREADY_EXISTS", 409},
	{"PERMISSION_DENIED", 403}, {"RESOURCE_EXHAUSTED", 429}, {"FAILED_PRECONDITION", 400},
	{"ABORTED", 409}, {"OUT_OF_RANGE", 400}, {"UNIMPLEMENTED", 501}, {"INTERNAL", 500},
	{"UNAVAILABLE", 503}, {"DATA_LOSS", 500}, {"UNAUTHENTICATED", 401},
}

// rpcCodeName is the name of a google.rpc.Code value; "" for any other
// number.
func rpcCodeName(code int64) string {
	if code < 0 || code >= int64(len(rpcCodes)) {
		return ""
	}
	return rpcCodes[code].name
}

// rpcHTTPStatus is the HTTP status a google.rpc.Code value maps to; 0 for
// any other number.
func rpcHTTPStatus(code int64) int {
	if code < 0 || code >= int64(len(rpcCodes)) {
		return 0
	}
	return rpcCodes[code].httpStatus
}

// httpCodeName is the name of the google.rpc.Code an HTTP status stands
// for: the one code.proto maps to it, the first where several do (400 is
// INVALID_ARGUMENT, 409 ABORTED, 500 INTERNAL), and for a status it maps
// to none, FAILED_PRECONDITION for another 4xx, INTERNAL for another 5xx
// and UNKNOWN otherwise.
func httpCodeName(httpStatus int) string {
	switch httpStatus {
	case 400:
		return "INVALID_ARGUMENT"
	case 409:
		return "ABORTED"
	case 500:
		return "INTERNAL"
	}
	for _, c := range rpcCodes[1:] {
		if c.httpStatus == httpStatus {
			return c.name
		}
	}
	switch {
	case httpStatus >= 500:
		return "INTERNAL"
	case httpStatus >= 400:
		return "FAILED_PRECONDITION"
	}
	return "UNKNOWN"
}

// Values that repeat from line to line, read without a copy each (see
// jsonscan.Scanner.StrOf): the finish reasons the API documents, and the
// model version, which most lines of a batch share.
var (
	finishReasons = []string{"STOP", "MAX_TOKENS", "SAFETY", "RECITATION", "LANGUAGE", "OTHER", "BLOCKLIST",
		"PROHIBITED_CONTENT", "SPII", "MALFORMED_FUNCTION_CALL", "IMAGE_SAFETY", "UNEXPECTED_TOOL_CALL", "FINISH_REASON_UNSPECIFIED"}
	models jsonscan.StrCache
)

// response is what Normalize reads of a GenerateContentResponse or an
// EmbedContentResponse.
type response struct {
	raw          []byte // the whole response, aliasing the line; nil when absent or null
	model        string
	text         []byte // the first candidate's text parts, concatenated
	hasText      bool
	finishReason *string
	blockReason  *string
	embedding    []byte // embedding.values, raw, aliasing the line
	usage        *providers.Usage
	calls        providers.ToolCalls // the first candidate's functionCall parts
	alias        bool                // a sole text part is kept undecoded in pending
	pending      providers.PendingText
}

// read reads a response; one that is not an object is kept raw only.
func (r *response) read(s *jsonscan.Scanner) error {
	if s.Null() {
		return nil
	}
	raw, err := s.RawObject(func(key []byte) error { return r.member(s, key) })
	r.raw = raw
	return err
}

func (r *response) member(s *jsonscan.Scanner, key []byte) error {
	var err error
	switch string(key) {
	case "modelVersion":
		r.model, err = s.StrCached(&models)
	case "candidates":
		err = s.Array(func(i int) error {
			if i > 0 {
				return s.Skip()
			}
			return s.Object(func(key []byte) error { return r.candidateMember(s, key) })
		})
	case "promptFeedback":
		err = s.Object(func(key []byte) error {
			if string(key) != "blockReason" {
				return s.Skip()
			}
			var err error
			r.blockReason, err = s.OptionalStr()
			return jsonscan.WrapKey(key, err)
		})
	case "usageMetadata":
		err = r.readUsage(s)
	case "embedding":
		err = s.Object(func(key []byte) error {
			if string(key) != "values" {
				return s.Skip()
			}
			var err error
			r.embedding, err = s.Raw()
			return jsonscan.WrapKey(key, err)
		})
	default:
		return s.Skip()
	}
	return jsonscan.WrapKey(key, err)
}

// candidateMember reads a member of the first candidate.
func (r *response) candidateMember(s *jsonscan.Scanner, key []byte) error {
	var err error
	switch string(key) {
	case "content":
		err = s.Object(func(key []byte) error {
			if string(key) != "parts" {
				return s.Skip()
			}
			return jsonscan.WrapKey(key, s.Array(func(int) error { return r.readPart(s) }))
		})
	case "finishReason":
		r.finishReason, err = s.OptionalStrOf(finishReasons)
	default:
		return s.Skip()
	}
	return jsonscan.WrapKey(key, err)
}

// readPart reads one part of the candidate's content, appending its text
// unless it is a thought. "thought" may follow "text", so the text is
// appended first and dropped again for a thought.
func (r *response) readPart(s *jsonscan.Scanner) error {
	mark := len(r.text)
	hasText, thought, verbatim := false, false, false
	var raw []byte
	err := s.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "text":
			if s.Peek() != '"' {
				return s.Skip()
			}
			hasText = true
			if r.alias {
				raw, verbatim, err = s.RawText()
				break
			}
			r.text, err = s.AppendStr(r.text[:mark])
		case "thought":
			thought = s.Peek() == 't'
			err = s.Skip()
		case "functionCall":
			err = r.readCall(s)
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(key, err)
	})
	if hasText && !thought {
		if raw != nil {
			r.text = r.pending.Add(r.text, raw, verbatim)
		}
		r.hasText = true
	} else {
		r.text = r.text[:mark]
	}
	return err
}

// readCall reads a functionCall part {"name","args","id"} as a tool call.
// Gemini's calls rarely have an id (genai types.go FunctionCall.ID, "If
// populated, the client to execute the function_call and return the
// response with the matching id"); their id in tool_calls is null then.
func (r *response) readCall(s *jsonscan.Scanner) error {
	var name string
	var id, args []byte
	err := s.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "name":
			name, err = s.Str()
		case "args":
			args, err = s.Raw()
		case "id":
			id, err = s.Raw()
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(key, err)
	})
	if err == nil {
		r.calls.Add(id, name, args, false)
	}
	return err
}

// readUsage reads usageMetadata (gemini-openapi.json UsageMetadata; genai
// types.go GenerateContentResponseUsageMetadata): promptTokenCount, which
// includes cachedContentTokenCount; candidatesTokenCount, which leaves out
// thoughtsTokenCount, billed as output too ("thinking tokens are billed as
// output", ai.google.dev/gemini-api/docs/thinking). The normalized output
// is their sum. Gemini's JSON leaves out counts that are zero (proto3 JSON
// mapping), so an absent cached or thoughts count is 0; cache writes are
// not a per-request charge (explicit caches are billed by storage time)
// and stay null.
func (r *response) readUsage(s *jsonscan.Scanner) error {
	if s.Null() {
		return nil
	}
	var prompt, candidates, cached, thoughts int64
	err := s.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "promptTokenCount":
			prompt, err = s.Int()
		case "candidatesTokenCount":
			candidates, err = s.Int()
		case "cachedContentTokenCount":
			cached, err = s.Int()
		case "thoughtsTokenCount":
			thoughts, err = s.Int()
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(key, err)
	})
	r.usage = providers.NewUsage(prompt, candidates+thoughts,
		providers.Count{N: cached, Known: true}, providers.Count{}, providers.Count{N: thoughts, Known: true})
	return err
}

// fill sets a succeeded result's text, finish reason, usage and
// embedding. A prompt that was blocked has no candidate; its block reason
// is the finish reason.
func (r *response) fill(res *providers.Result, own func([]byte) []byte) {
	r.pending.Set(res, r.text, r.hasText)
	res.FinishReason = r.finishReason
	if res.FinishReason == nil {
		res.FinishReason = r.blockReason
	}
	res.Usage = r.usage
	res.ToolCalls = r.calls.Raw()
	if r.embedding != nil {
		res.Embedding = own(r.embedding)
	}
}

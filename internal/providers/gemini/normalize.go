package gemini

import (
	"bytes"
	"errors"
	"fmt"

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
// result typed by its status. The line is read in one pass (see scanner)
// and may be reused once Normalize returns.
func (c *Client) Normalize(line []byte) (providers.Result, error) {
	var l resultLine
	s := scanner{data: line}
	err := s.object(func(key []byte) error { return l.member(&s, key) })
	if err == nil {
		err = s.end()
	}
	if err != nil {
		if isSyntaxError(err) {
			return providers.Result{}, fmt.Errorf("result line is not valid JSON: %w", err)
		}
		return providers.Result{}, fmt.Errorf("result line: %w", err)
	}
	if l.key == nil {
		return providers.Result{}, errors.New("result line has no key")
	}
	key := *l.key
	r := providers.Result{CustomID: key, Model: l.response.model}
	switch {
	case l.err != nil:
		r.Status, r.Error = providers.ResultErrored, l.err.result()
	case l.response.raw == nil:
		return providers.Result{}, fmt.Errorf("result line for %q has neither response nor error", key)
	default:
		r.Status = providers.ResultSucceeded
		l.response.fill(&r)
	}
	if l.response.raw != nil {
		r.Response = bytes.Clone(l.response.raw)
	}
	return r, nil
}

// resultLine is what Normalize reads of a line.
type resultLine struct {
	key      *string
	response response
	err      *status
}

// wrapKey names the member an error came from.
func wrapKey(key []byte, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", key, err)
}

func (l *resultLine) member(s *scanner, key []byte) error {
	var err error
	switch string(key) {
	case "key":
		l.key, err = s.optionalStr()
	case "metadata":
		err = s.object(func(key []byte) error {
			if string(key) != "key" {
				return s.skip()
			}
			var err error
			l.key, err = s.optionalStr()
			return wrapKey(key, err)
		})
	case "response":
		err = l.response.read(s)
	case "error":
		err = l.readStatus(s, true)
	case "status":
		err = l.readStatus(s, false)
	default:
		return s.skip()
	}
	return wrapKey(key, err)
}

// readStatus reads a google.rpc.Status: an error always for the "error"
// member, and for a "status" object unless it says OK.
func (l *resultLine) readStatus(s *scanner, always bool) error {
	if s.null() {
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

func (st *status) read(s *scanner) error {
	return s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "code":
			if s.null() {
				return nil
			}
			var n int64
			n, err = s.integer()
			st.code = &n
		case "message":
			st.message, err = s.str()
		case "status":
			st.status, err = s.str()
		default:
			return s.skip()
		}
		return wrapKey(key, err)
	})
}

// result describes the error in normalized form. Its type is the status
// name, else the name of its google.rpc.Code; its code is an HTTP status
// when it is one (100-599).
func (st *status) result() *providers.ResultError {
	e := &providers.ResultError{Type: st.status, Message: st.message}
	if st.code != nil {
		code := *st.code
		e.Code = code
		if code >= 100 && code <= 599 {
			e.HTTPStatus = int(code)
		}
		if e.Type == "" {
			e.Type = rpcCodeName(code)
		}
	}
	if e.Type == "" {
		e.Type = "error"
	}
	return e
}

// rpcCodeName is the name of a google.rpc.Code value; "" for any other
// number.
func rpcCodeName(code int64) string {
	names := [...]string{
		"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
		"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
		"ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
		"UNAUTHENTICATED",
	}
	if code < 0 || code >= int64(len(names)) {
		return ""
	}
	return names[code]
}

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
}

// read reads a response; one that is not an object is kept raw only.
func (r *response) read(s *scanner) error {
	if s.null() {
		return nil
	}
	c := s.peek()
	start := s.pos
	var err error
	if c == '{' {
		err = s.object(func(key []byte) error { return r.member(s, key) })
	} else {
		err = s.skip()
	}
	if err != nil {
		return err
	}
	r.raw = s.data[start:s.pos]
	return nil
}

func (r *response) member(s *scanner, key []byte) error {
	var err error
	switch string(key) {
	case "modelVersion":
		r.model, err = s.str()
	case "candidates":
		err = s.array(func(i int) error {
			if i > 0 {
				return s.skip()
			}
			return s.object(func(key []byte) error { return r.candidateMember(s, key) })
		})
	case "promptFeedback":
		err = s.object(func(key []byte) error {
			if string(key) != "blockReason" {
				return s.skip()
			}
			var err error
			r.blockReason, err = s.optionalStr()
			return wrapKey(key, err)
		})
	case "usageMetadata":
		err = r.readUsage(s)
	case "embedding":
		err = s.object(func(key []byte) error {
			if string(key) != "values" {
				return s.skip()
			}
			var err error
			r.embedding, err = s.raw()
			return wrapKey(key, err)
		})
	default:
		return s.skip()
	}
	return wrapKey(key, err)
}

// candidateMember reads a member of the first candidate.
func (r *response) candidateMember(s *scanner, key []byte) error {
	var err error
	switch string(key) {
	case "content":
		err = s.object(func(key []byte) error {
			if string(key) != "parts" {
				return s.skip()
			}
			return wrapKey(key, s.array(func(int) error { return r.readPart(s) }))
		})
	case "finishReason":
		r.finishReason, err = s.optionalStr()
	default:
		return s.skip()
	}
	return wrapKey(key, err)
}

// readPart reads one part of the candidate's content, appending its text
// unless it is a thought. "thought" may follow "text", so the text is
// appended first and dropped again for a thought.
func (r *response) readPart(s *scanner) error {
	mark := len(r.text)
	hasText, thought := false, false
	err := s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "text":
			if s.peek() != '"' {
				return s.skip()
			}
			hasText = true
			r.text, err = s.appendStr(r.text[:mark])
		case "thought":
			thought = s.peek() == 't'
			err = s.skip()
		default:
			return s.skip()
		}
		return wrapKey(key, err)
	})
	if hasText && !thought {
		r.hasText = true
	} else {
		r.text = r.text[:mark]
	}
	return err
}

// readUsage reads usageMetadata.
func (r *response) readUsage(s *scanner) error {
	if s.null() {
		return nil
	}
	u := &providers.Usage{}
	err := s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "promptTokenCount":
			u.InputTokens, err = s.integer()
		case "candidatesTokenCount":
			u.OutputTokens, err = s.integer()
		default:
			return s.skip()
		}
		return wrapKey(key, err)
	})
	r.usage = u
	return err
}

// fill sets a succeeded result's text, finish reason, usage and
// embedding. A prompt that was blocked has no candidate; its block reason
// is the finish reason.
func (r *response) fill(res *providers.Result) {
	if r.hasText {
		text := string(r.text)
		res.Text = &text
	}
	res.FinishReason = r.finishReason
	if res.FinishReason == nil {
		res.FinishReason = r.blockReason
	}
	res.Usage = r.usage
	if r.embedding != nil {
		res.Embedding = bytes.Clone(r.embedding)
	}
}

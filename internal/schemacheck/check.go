package schemacheck

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unsafe"

	"github.com/batchctl/batchctl/internal/jsonscan"
	"github.com/batchctl/batchctl/internal/providers"
)

// valid and invalid are what Result.Valid points to; never written.
var valid, invalid = true, false

// Check fills the parsed, valid and output_error keys of a succeeded
// result whose request asked for s (native: in the provider's own
// structured-output terms; see Extract). The answer is the result's text.
// A result that did not succeed is left as it is: all three stay null.
// A tool call whose arguments were not JSON (a string, as the normalizers
// keep them) makes the result invalid too, with or without a schema (see
// CheckToolCalls).
func Check(r *providers.Result, s *Schema, native bool) {
	if r.Status != providers.ResultSucceeded {
		return
	}
	if CheckToolCalls(r) {
		return
	}
	if s == nil {
		return
	}
	if r.Text == nil {
		if len(r.ToolCalls) > 0 && string(r.ToolCalls) != "null" {
			return // it called a tool instead of answering: nothing to check
		}
		fail(r, "", "the answer has no text to check against the schema")
		return
	}
	if doc, ok := quick(*r.Text, s); ok {
		r.Parsed, r.Valid, r.OutputError = doc, &valid, nil
		return
	}
	doc, v, err := Extract(*r.Text, native)
	if err != nil {
		fail(r, "", "the answer is not JSON: "+err.Error())
		return
	}
	r.Parsed = doc
	if path, msg, ok := s.Validate(v); !ok {
		fail(r, path, msg)
		return
	}
	r.Valid, r.OutputError = &valid, nil
}

// quick returns the answer, compact, when it is JSON alone that s
// certainly accepts (Schema.confirm); ok false says nothing.
func quick(text string, s *Schema) (doc []byte, ok bool) {
	trimmed := strings.TrimSpace(text)
	if s.fast == nil || len(trimmed) == 0 {
		return nil, false
	}
	// The answer's bytes are only read, here and in the line written:
	// Parsed shares them with the text instead of copying them.
	doc = unsafe.Slice(unsafe.StringData(trimmed), len(trimmed))
	if !s.confirm(doc) {
		return nil, false
	}
	if !isCompact(doc) {
		var buf bytes.Buffer
		buf.Grow(len(doc))
		if json.Compact(&buf, doc) != nil {
			return nil, false
		}
		doc = buf.Bytes()
	}
	return doc, true
}

// isCompact reports whether doc, valid JSON, has no white space outside
// its strings. Strings are skipped with IndexByte, which goes through
// long runs of text many bytes at a time.
func isCompact(doc []byte) bool {
	if !bytes.ContainsAny(doc, " \t\r\n") {
		return true
	}
	for i := 0; i < len(doc); {
		switch doc[i] {
		case ' ', '\t', '\r', '\n':
			return false
		case '"':
			end := stringEnd(doc, i+1)
			if end < 0 {
				return true // not JSON; the caller has checked it is
			}
			i = end + 1
		default:
			i++
		}
	}
	return true
}

// stringEnd returns the index of the quote that closes the string whose
// contents start at doc[from], or -1.
func stringEnd(doc []byte, from int) int {
	for {
		q := bytes.IndexByte(doc[from:], '"')
		if q < 0 {
			return -1
		}
		b := bytes.IndexByte(doc[from:from+q], '\\')
		if b < 0 {
			return from + q
		}
		from += b + 2 // past the escape and the byte it escapes
		if from > len(doc) {
			return -1
		}
	}
}

// CheckToolCalls marks r invalid when the arguments of one of its tool
// calls are a string: the arguments the model wrote were not JSON, and
// the normalizer kept them as they were. It reports whether it did.
func CheckToolCalls(r *providers.Result) bool {
	if len(r.ToolCalls) == 0 || r.ToolCalls[0] != '[' {
		return false
	}
	bad := -1
	s := jsonscan.New(r.ToolCalls)
	_ = s.Array(func(i int) error {
		return s.Object(func(key []byte) error {
			if bad < 0 && string(key) == "arguments" && s.Peek() == '"' {
				bad = i
			}
			return s.Skip()
		})
	})
	if bad < 0 {
		return false
	}
	fail(r, "/tool_calls/"+strconv.Itoa(bad)+"/arguments", "the tool call's arguments are not valid JSON")
	return true
}

// fail marks r invalid, with where and why.
func fail(r *providers.Result, path, message string) {
	r.Valid = &invalid
	r.OutputError = OutputError(path, message)
}

// OutputError is the output_error key: {"path","message"}.
func OutputError(path, message string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(struct {
		Path    string `json:"path"`
		Message string `json:"message"`
	}{path, message})
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

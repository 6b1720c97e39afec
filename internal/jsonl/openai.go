package jsonl

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// openAIEndpoints lists, for messages, the endpoints OpenAI accepts in a
// batch (providers.md A.6). isOpenAIEndpoint must agree with it.
const openAIEndpoints = "/v1/chat/completions, /v1/embeddings, /v1/responses, /v1/completions, " +
	"/v1/moderations, /v1/images/generations, /v1/images/edits, /v1/videos"

func isOpenAIEndpoint(url []byte) bool {
	switch string(url) {
	case "/v1/chat/completions", "/v1/embeddings", "/v1/responses", "/v1/completions",
		"/v1/moderations", "/v1/images/generations", "/v1/images/edits", "/v1/videos":
		return true
	}
	return false
}

// Summary describes a validated input.
type Summary struct {
	Requests int    // lines checked, valid or not (blank lines are not requests)
	Endpoint string // the endpoint every request targets
	Model    string // the model every request uses
	Bytes    int64  // the size of the requests as uploaded: each line plus '\n'
}

// OpenAIValidator checks the lines of an OpenAI batch input file one at a
// time, while the caller streams the file:
//
//	{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini",...}}
//
// Each line must be a JSON object whose custom_id is a non-empty string
// unique in the file, whose method is "POST", whose url is an endpoint
// OpenAI batches (the same on every line), and whose body is an object
// naming the model (the same on every line). The body is otherwise only
// checked to be valid JSON. Memory grows only with the set of custom_ids.
type OpenAIValidator struct {
	file         string
	ids          map[string]int // custom_id -> line of its first use
	endpointLine int            // where summary.Endpoint was first seen
	modelLine    int            // where summary.Model was first seen
	summary      Summary
	problems     problems
}

// NewOpenAIValidator returns a validator for the input named file, the name
// its problems are reported under.
func NewOpenAIValidator(file string) *OpenAIValidator {
	return &OpenAIValidator{file: file, ids: make(map[string]int)}
}

// openAIFields holds the raw JSON values of the members the validator
// checks; a member that is absent is nil.
type openAIFields struct {
	customID, method, url, body, model []byte
}

// Check validates b, the line numbered line, and records what later lines
// are compared with. It returns the line's custom_id when it is a non-empty
// string (even a duplicate), and whether the line passed every check. When
// a member appears twice in an object, the last one counts, as in most JSON
// decoders.
func (v *OpenAIValidator) Check(line int, b []byte) (customID string, ok bool) {
	v.summary.Requests++
	v.summary.Bytes += int64(len(b)) + 1
	before := v.problems.total

	f, kind, err := scanOpenAILine(b)
	if err != nil {
		v.syntaxProblem(line, err)
		return "", false
	}
	if kind != "object" {
		v.report(line, "", "line must be a JSON object, not "+kind)
		return "", false
	}
	customID = v.checkCustomID(line, f.customID)
	v.checkMethod(line, f.method)
	v.checkURL(line, f.url)
	v.checkBody(line, f.body, f.model)
	return customID, v.problems.total == before
}

// Finish ends the validation and summarises the input. The error is a
// *ValidationError when any line had a problem or there was no line at
// all; the summary is filled in either way.
func (v *OpenAIValidator) Finish() (Summary, error) {
	if v.summary.Requests == 0 {
		return v.summary, &ValidationError{Problems: []Problem{{File: v.file, Reason: "no requests"}}, Total: 1}
	}
	return v.summary, v.problems.err()
}

// scanOpenAILine validates b as JSON in one pass and picks out the members
// the validator checks, skipping everything else in the body.
func scanOpenAILine(b []byte) (f openAIFields, kind string, err error) {
	s := scanner{data: b}
	model := func(key []byte) (err error) {
		if string(key) == "model" {
			f.model, err = s.capture()
			return err
		}
		return s.value()
	}
	kind, err = s.document(func(key []byte) (err error) {
		switch string(key) {
		case "custom_id":
			f.customID, err = s.capture()
		case "method":
			f.method, err = s.capture()
		case "url":
			f.url, err = s.capture()
		case "body":
			f.model = nil // a repeated body replaces the earlier one
			f.body, err = s.captureObject(model)
		default:
			err = s.value()
		}
		return err
	})
	return f, kind, err
}

func (v *OpenAIValidator) checkCustomID(line int, raw []byte) string {
	id, ok := v.requireString(line, "custom_id", raw, "")
	if !ok {
		return ""
	}
	if first, dup := v.ids[string(id)]; dup {
		v.report(line, "custom_id", fmt.Sprintf("%s duplicates line %d", quote(string(id)), first))
		return string(id)
	}
	s := string(id)
	v.ids[s] = line
	return s
}

func (v *OpenAIValidator) checkMethod(line int, raw []byte) {
	method, ok := v.requireString(line, "method", raw, `"POST"`)
	if ok && string(method) != "POST" {
		v.report(line, "method", quote(string(method))+` is not allowed (want "POST")`)
	}
}

func (v *OpenAIValidator) checkURL(line int, raw []byte) {
	url, ok := v.requireString(line, "url", raw, "one of "+openAIEndpoints)
	switch {
	case !ok:
	case !isOpenAIEndpoint(url):
		v.report(line, "url", fmt.Sprintf("%s is not a batch endpoint (want one of %s)", quote(string(url)), openAIEndpoints))
	case v.summary.Endpoint == "":
		v.summary.Endpoint = string(url)
		v.endpointLine = line
	case string(url) != v.summary.Endpoint:
		v.report(line, "url", fmt.Sprintf("%s differs from %s on line %d (one endpoint per batch)",
			quote(string(url)), quote(v.summary.Endpoint), v.endpointLine))
	}
}

func (v *OpenAIValidator) checkBody(line int, body, rawModel []byte) {
	switch {
	case body == nil:
		v.report(line, "body", "missing")
		return
	case body[0] != '{':
		v.report(line, "body", "must be an object, not "+kindOf(body))
		return
	}
	model, ok := v.requireString(line, "body.model", rawModel, "")
	switch {
	case !ok:
	case v.summary.Model == "":
		v.summary.Model = string(model)
		v.modelLine = line
	case string(model) != v.summary.Model:
		v.report(line, "body.model", fmt.Sprintf("%s differs from %s on line %d (one model per file)",
			quote(string(model)), quote(v.summary.Model), v.modelLine))
	}
}

// requireString returns the contents of raw, the value of field, when it is
// a non-empty string, and reports a problem otherwise. want, when set, tells
// the user what to write when the field is missing.
func (v *OpenAIValidator) requireString(line int, field string, raw []byte, want string) ([]byte, bool) {
	switch {
	case raw == nil && want != "":
		v.report(line, field, "missing (want "+want+")")
	case raw == nil:
		v.report(line, field, "missing")
	case raw[0] != '"':
		v.report(line, field, "must be a string, not "+kindOf(raw))
	default:
		s, err := unquote(raw)
		switch {
		case err != nil:
			v.report(line, field, err.Error())
		case len(s) == 0:
			v.report(line, field, "must not be empty")
		default:
			return s, true
		}
	}
	return nil, false
}

// Report records a problem the caller found with a line, such as a size
// limit of the target provider, so it is listed with the others.
func (v *OpenAIValidator) Report(line int, field, reason string) { v.report(line, field, reason) }

func (v *OpenAIValidator) report(line int, field, reason string) {
	v.problems.add(Problem{File: v.file, Line: line, Field: field, Reason: reason})
}

// syntaxProblem reports a line that is not valid JSON, pointing at the
// offending byte.
func (v *OpenAIValidator) syntaxProblem(line int, err error) {
	p := Problem{File: v.file, Line: line, Reason: "invalid JSON: " + err.Error()}
	var se *syntaxError
	if errors.As(err, &se) && !se.atEnd {
		p.Column = se.offset + 1
	}
	v.problems.add(p)
}

// quote quotes a value from the input for a message, shortening long ones.
func quote(s string) string {
	const limit = 64
	if len(s) <= limit {
		return strconv.Quote(s)
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "..."
}

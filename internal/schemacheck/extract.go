package schemacheck

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Extract finds the answer's JSON in text and decodes it (see Decode). A provider that applied the
// schema natively (native) answers with JSON alone: the text, less the
// white space around it, must be one JSON value. Where the schema was only
// asked for in words or not at all, a model may wrap its JSON: then the
// first fenced block (```json ... ``` or ``` ... ```) is tried, and else the
// span from the first '{' or '[' to the last '}' or ']', so that code
// fences and prose around the JSON are tolerated. It returns the JSON,
// compact, and its value, or the reason the text holds none.
func Extract(text string, native bool) ([]byte, any, error) {
	trimmed := strings.TrimSpace(text)
	doc, v, err := parse(trimmed)
	if err == nil || native {
		return doc, v, err
	}
	if inner, ok := fenced(trimmed); ok {
		if doc, v, ferr := parse(inner); ferr == nil {
			return doc, v, nil
		}
	}
	if span, ok := bracketed(trimmed); ok {
		if doc, v, berr := parse(span); berr == nil {
			return doc, v, nil
		}
	}
	return nil, nil, err
}

// parse decodes s, one JSON value, and returns it without insignificant
// white space, and its value.
func parse(s string) ([]byte, any, error) {
	doc := []byte(s)
	v, err := Decode(doc)
	if err != nil {
		return nil, nil, err
	}
	if !isCompact(doc) {
		var buf bytes.Buffer
		buf.Grow(len(doc))
		if err := json.Compact(&buf, doc); err != nil {
			return nil, nil, err
		}
		doc = buf.Bytes()
	}
	return doc, v, nil
}

// fenced returns the contents of the first Markdown code fence in s.
func fenced(s string) (string, bool) {
	_, after, ok := strings.Cut(s, "```")
	if !ok {
		return "", false
	}
	// The info string (json, JSON, ...) runs to the end of the fence's line.
	nl := strings.IndexByte(after, '\n')
	if nl < 0 {
		return "", false
	}
	body, _, ok := strings.Cut(after[nl+1:], "```")
	return body, ok
}

// bracketed returns s from its first '{' or '[' to its last '}' or ']'.
func bracketed(s string) (string, bool) {
	start := strings.IndexAny(s, "{[")
	end := strings.LastIndexAny(s, "}]")
	if start < 0 || end < start {
		return "", false
	}
	return s[start : end+1], true
}

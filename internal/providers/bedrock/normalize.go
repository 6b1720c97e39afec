package bedrock

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/batchctl/batchctl/internal/jsonscan"
	"github.com/batchctl/batchctl/internal/providers"
)

// Normalize turns one record of a .jsonl.out file,
//
//	{"recordId":...,"modelInput":{...},"modelOutput":{...}}
//	{"recordId":...,"modelInput":{...},"error":{"errorCode":400,"errorMessage":"..."}}
//
// into a result (batch-inference-results.html, whose example gives
// errorCode as a number). A modelOutput is the InvokeModel answer of the
// model: for Anthropic models a Messages message, normalized as the
// anthropic provider normalizes one; for the other families their own
// answer (families.go).
func (c *Client) Normalize(line []byte) (providers.Result, error) {
	var id string
	var output, errObj []byte
	err := providers.ScanResultLine(line, func(s *jsonscan.Scanner, key []byte) error {
		var err error
		switch string(key) {
		case "recordId":
			id, err = s.Str()
		case "modelOutput":
			if !s.Null() {
				output, err = s.Raw()
			}
		case "error":
			if !s.Null() {
				errObj, err = s.Raw()
			}
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(key, err)
	})
	switch {
	case err != nil:
		return providers.Result{}, err
	case id == "":
		return providers.Result{}, errors.New("result line has no recordId")
	case output != nil:
		if read := familyOf(output); read != nil {
			return familyResult(id, output, read)
		}
		return c.norm.NormalizeMessage(id, output)
	case errObj != nil:
		return recordError(id, errObj)
	}
	return providers.Result{}, fmt.Errorf("result line for %q has neither modelOutput nor error", id)
}

// recordError is the errored result of a record Bedrock could not run.
func recordError(id string, raw []byte) (providers.Result, error) {
	var code int64
	var hasCode bool
	var message string
	s := jsonscan.New(raw)
	err := s.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "errorCode":
			code, err = s.Int()
			hasCode = err == nil
		case "errorMessage":
			message, err = s.Str()
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(key, err)
	})
	if err != nil {
		return providers.Result{}, fmt.Errorf("result line for %q: error: %w", id, err)
	}
	e := &providers.ResultError{Type: "error", Message: message}
	if message == "" {
		e.Message = "The record failed without an error message."
	}
	if hasCode {
		c := strconv.FormatInt(code, 10)
		e.Code = &c
		if code >= 400 && code <= 599 {
			status := int(code)
			e.HTTPStatus = &status
		}
	}
	return providers.Result{CustomID: id, Status: providers.ResultErrored, Error: e, Response: bytes.Clone(raw)}, nil
}

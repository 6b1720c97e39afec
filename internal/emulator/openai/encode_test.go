package openai

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// encodedByJSON is line as core.ContentFile.Add writes it.
func encodedByJSON(t *testing.T, line outputLine) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(line); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// checkOutputLine checks that appendOutputLine writes line as
// encoding/json does, when it writes it.
func checkOutputLine(t *testing.T, line outputLine) {
	t.Helper()
	got, ok := appendOutputLine([]byte("kept"), &line)
	if !ok {
		if _, chat := line.Response.Body.(*chatCompletion); chat {
			t.Fatalf("a chat completion was left to encoding/json: %+v", line)
		}
		return
	}
	if want := "kept" + encodedByJSON(t, line); string(got) != want {
		t.Fatalf("appendOutputLine wrote\n%s\nencoding/json writes\n%s", got, want)
	}
}

// TestOutputLinesOfRequests runs the scan seeds (and variants of their
// models and answers) as requests of a batch and checks each result line.
func TestOutputLinesOfRequests(t *testing.T) {
	executedAt := time.Unix(1_700_000_000, 0)
	lines := append([]string{
		`{"custom_id":"a<&>\u2028","method":"POST","url":"/v1/chat/completions","body":{"model":"o3-mini","messages":[{"role":"user","content":"think \"hard\" \\ \t\b\f\u0001 <&> \u2029"}]}}`,
		`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"fixed","messages":[{"role":"user","content":"hi"}]}}`,
		`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"[error] now"}]}}`,
		`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"[expire] now"}]}}`,
		`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"call it"}],"tools":[{"type":"function","function":{"name":"get","parameters":{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}}}],"tool_choice":"required"}}`,
	}, scanSeeds...)
	written := 0
	for _, raw := range lines {
		in, lerr := parseInputLine([]byte(raw), EndpointChat, nil)
		if lerr != nil {
			continue
		}
		ex := execute(EndpointChat, in.body)
		for _, expired := range []bool{false, true} {
			ol, _, ok := ex.resultLine("batch_x", 3, executedAt, in.customID, expired)
			if ok {
				checkOutputLine(t, ol)
				written++
			}
		}
	}
	if written < 10 {
		t.Fatalf("only %d result lines were checked", written)
	}
}

// outputLineOf builds an output line from fuzzed parts; shape picks the
// optional parts.
func outputLineOf(s1, s2, s3 string, n int64, shape uint8) outputLine {
	ol := outputLine{ID: s1, CustomID: s2}
	if shape&1 != 0 {
		ol.Error = &requestFailed{Code: s3, Message: s1 + s2}
	}
	if shape&2 == 0 {
		return ol
	}
	msg := chatMessage{Role: s3}
	if shape&4 != 0 {
		msg.Content = &s1
	}
	if shape&8 != 0 {
		msg.Refusal = &s2
	}
	if shape&16 != 0 {
		msg.Annotations = []string{}
		if shape&32 != 0 {
			msg.Annotations = append(msg.Annotations, s1, s3)
		}
	}
	if shape&32 != 0 {
		tc := chatToolCall{ID: s2, Type: s3}
		tc.Function.Name, tc.Function.Arguments = s1, s2+s3
		msg.ToolCalls = []chatToolCall{tc, tc}
	}
	choice := chatChoice{Index: int(n), Message: msg, FinishReason: s2}
	if shape&64 != 0 {
		choice.Logprobs = &struct{}{}
	}
	c := chatCompletion{ID: s1, Object: s2, Created: n, Model: s3, ServiceTier: s1,
		Usage: completionUsage{PromptTokens: n, CompletionTokens: -n, TotalTokens: n * 3}}
	if shape&128 != 0 {
		c.Choices = []chatChoice{choice, choice}
		c.Usage.PromptTokensDetails = &promptTokensDetails{CachedTokens: n, AudioTokens: 1}
		c.Usage.CompletionTokensDetails = &completionTokensDetails{ReasoningTokens: n, AudioTokens: 2, AcceptedPredictionTokens: 3, RejectedPredictionTokens: -4}
	}
	ol.Response = &lineResponse{StatusCode: int(n), RequestID: s3, Body: c}
	return ol
}

var outputLineSeeds = []string{"", "plain", `q"uote\back`, "ctl\x00\x01\b\f\n\r\t\x1f\x7f", "<html>&amp;", "\u2028\u2029", "bad \xff\xfe utf8 \xed\xa0\x80", "café 😀"}

func TestOutputLinesOfParts(t *testing.T) {
	for i, s := range outputLineSeeds {
		for shape := range 256 {
			checkOutputLine(t, outputLineOf(s, outputLineSeeds[(i+1)%len(outputLineSeeds)], s+"x", int64(i*shape-100), uint8(shape)))
		}
	}
	// Any other body is encoding/json's.
	if _, ok := appendOutputLine(nil, &outputLine{Response: &lineResponse{Body: errorBody{}}}); ok {
		t.Error("an error body was written by hand")
	}
}

func FuzzOutputLine(f *testing.F) {
	for i, s := range outputLineSeeds {
		f.Add(s, s, s, int64(i), uint8(255-i))
	}
	f.Fuzz(func(t *testing.T, s1, s2, s3 string, n int64, shape uint8) {
		checkOutputLine(t, outputLineOf(s1, s2, s3, n, shape))
	})
}

package jsonl

import (
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// FuzzScanTop checks the first pass of a Converter against encoding/json:
// it accepts the lines json.Valid accepts, except those with invalid UTF-8,
// duplicate keys or lone surrogates, and picks out of a line the members encoding/json decodes.
func FuzzScanTop(f *testing.F) {
	for _, seed := range []string{
		`{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[]}}`,
		`{"custom_id":"a\"b","custom_id":"second","body":{"model":1,"model":"last"}}`,
		`{"custom\u005fid":"escaped key","body":[{"model":"not here"}]}`,
		`{"body":{"model":"first"},"body":{"input":"x"}}`,
		`{"custom_id":"q1","params":{"model":"m","max_tokens":5,"messages":[],"stream":false}}`,
		`{"key":"k","request":{"contents":[],"content":{},"model":"models/x"}}`,
		`{"prompt":"p","messages":[],"input":"i","system":"s"}`,
		`[1,2,{"a":null}]`, `"\u00e9"`, `-1.5e-7`, `{"a":1,}`, `{"a" "b"}`, "\"\xff\"", `{"a":"\`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := NewConverter("fuzz.jsonl", ConvertOptions{Target: TargetOpenAI})
		kind, err := c.scanTop(data)
		if _, ok := errors.AsType[*jsonscan.StrictError](err); ok {
			return // jsonscan's fuzz test checks these
		}
		if want := json.Valid(data); (err == nil) != want {
			if err != nil && utf8.Valid(data) {
				t.Fatalf("scanTop rejects %q: %v", data, err)
			}
			if err == nil {
				t.Fatalf("scanTop accepts %q, encoding/json does not", data)
			}
		}
		if err != nil || kind != "object" {
			return
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(data, &top); err != nil {
			t.Fatal(err)
		}
		member := func(obj, key string) json.RawMessage {
			var m map[string]json.RawMessage
			if raw := top[obj]; len(raw) > 0 && raw[0] == '{' {
				if err := json.Unmarshal(raw, &m); err != nil {
					t.Fatal(err)
				}
			}
			return m[key]
		}
		tl := &c.top
		for _, m := range []struct {
			name      string
			got, want []byte
		}{
			{"custom_id", tl.customID, top["custom_id"]},
			{"method", tl.method, top["method"]},
			{"url", tl.url, top["url"]},
			{"body", tl.body, top["body"]},
			{"body.model", tl.bodyModel, member("body", "model")},
			{"params", tl.params, top["params"]},
			{"params.model", tl.paramsModel, member("params", "model")},
			{"params.max_tokens", tl.paramsMaxTokens, member("params", "max_tokens")},
			{"params.messages", tl.paramsMessages, member("params", "messages")},
			{"params.stream", tl.paramsStream, member("params", "stream")},
			{"key", tl.key, top["key"]},
			{"request", tl.request, top["request"]},
			{"request.model", tl.requestModel, member("request", "model")},
			{"request.contents", tl.requestContents, member("request", "contents")},
			{"request.content", tl.requestContent, member("request", "content")},
			{"messages", tl.messages, top["messages"]},
			{"prompt", tl.prompt, top["prompt"]},
			{"input", tl.input, top["input"]},
			{"system", tl.simple.system, top["system"]},
		} {
			if string(m.got) != string(m.want) {
				t.Errorf("%s of %q: got %q, want %q", m.name, data, m.got, m.want)
			}
		}
	})
}

package jsonl

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// scanErr validates data and returns the error as "column: message", with
// column 0 at the end of the input, or "" for valid JSON.
func scanErr(data string) string {
	s := scanner{data: []byte(data)}
	_, err := s.document(nil)
	var se *syntaxError
	switch {
	case err == nil:
		return ""
	case !errors.As(err, &se):
		return "not a syntaxError: " + err.Error()
	case se.atEnd:
		return "0: " + se.Error()
	default:
		return strconv.Itoa(se.offset+1) + ": " + se.Error()
	}
}

func TestScannerValid(t *testing.T) {
	valid := []string{
		`{}`, `[]`, `""`, `0`, `-0`, `1.5e10`, `-12.25E-3`, `1e+2`, `true`, `false`, `null`,
		` { "a" : [ 1 , 2.0 , "x" , null , { } , [ ] ] } `,
		"\t{\"a\":1}\r\n",
		`{"a":"\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00"}`,
		`{"a":"naïve – “quoted” 😀"}`,
		`{"a":"` + strings.Repeat("long plain text ", 100) + `"}`,
		`"\ud800"`, // a lone surrogate is valid JSON; decoders replace it
		strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth),
	}
	for _, data := range valid {
		if got := scanErr(data); got != "" {
			t.Errorf("scan %.40q: got error %q, want none", data, got)
		}
	}
}

func TestScannerErrors(t *testing.T) {
	tests := []struct {
		data string
		want string // column: message
	}{
		{`{"a":1`, `0: unexpected end of input`},
		{`{"a":"abc`, `0: unexpected end of input`},
		{`{"a":"abc\`, `0: unexpected end of input`},
		{`{"a":tru`, `0: unexpected end of input`},
		{`{"a":-`, `0: unexpected end of input`},
		{`{"a":1}{"b":2}`, `8: expected end of line after the JSON value, found '{'`},
		{`{"a":1 "b":2}`, `8: expected ',' or '}' after object member, found '"'`},
		{`{"a" 1}`, `6: expected ':' after object key, found '1'`},
		{`{a:1}`, `2: expected a string key or '}', found 'a'`},
		{`{"a":1,}`, `8: expected a string key, found '}'`},
		{`{“a”:1}`, `2: expected a string key or '}', found '“'`},
		{`[1,]`, `4: expected a value, found ']'`},
		{`[1 2]`, `4: expected ',' or ']' after array element, found '2'`},
		{`{"a":'x'}`, `6: expected a value, found '\''`},
		{`{"a":True}`, `6: expected a value, found 'T'`},
		{`{"a":tru}`, `9: expected literal true, found '}'`},
		{`{"a":nul,`, `9: expected literal null, found ','`},
		{`{"a":01}`, `7: expected ',' or '}' after object member, found '1'`},
		{`{"a":1.}`, `8: expected a digit after '.', found '}'`},
		{`{"a":1e}`, `8: expected a digit in exponent, found '}'`},
		{`{"a":-x}`, `7: expected a digit, found 'x'`},
		{`{"a":+1}`, `6: expected a value, found '+'`},
		{`{"a":NaN}`, `6: expected a value, found 'N'`},
		{"{\"a\":\"x\ty\"}", `8: control character '\t' in string (escape it)`},
		{"{\"a\":\"x\ny\"}", `8: control character '\n' in string (escape it)`},
		{`{"a":"\x"}`, `8: expected an escape character (one of "\/bfnrtu) after '\', found 'x'`},
		{`{"a":"\u12G4"}`, `11: expected a hexadecimal digit in \u escape, found 'G'`},
		{"{\"a\":\"ok\xffno\"}", `9: invalid UTF-8 in string`},
		{"{\"a\":\xc3}", `6: expected a value, found byte 0xc3`},
		{"\x00", `1: expected a value, found '\x00'`},
		{strings.Repeat("[", maxDepth+1), `10001: nesting deeper than 10000 levels`},
	}
	for _, tt := range tests {
		if got := scanErr(tt.data); got != tt.want {
			t.Errorf("scan %.40q:\n got %s\nwant %s", tt.data, got, tt.want)
		}
	}
}

func TestPlainPrefix(t *testing.T) {
	tests := []struct {
		data string
		want int
	}{
		{"", 0},
		{"1234567", 0},                          // shorter than a word
		{"12345678", 8},                         // one plain word
		{"1234567890abcdef!", 16},               // the tail is left to the byte loop
		{"abcdefgh\"bcdefgh", 8},                // a quote ends the run at its word
		{"abcdefg\\", 0},                        // backslash in the last byte
		{"\x1fabcdefg", 0},                      // control character
		{" abcdefg", 8},                         // space is the lowest plain byte
		{"naïve😀éé", 8},                         // non-ASCII bytes are plain
		{"\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f", 8}, // DEL is plain in JSON
	}
	for _, tt := range tests {
		if got := plainPrefix([]byte(tt.data)); got != tt.want {
			t.Errorf("plainPrefix(%q) = %d, want %d", tt.data, got, tt.want)
		}
	}
	// Each special byte in each position of a word must be caught.
	for _, special := range []byte{'"', '\\', 0x00, 0x1f} {
		for pos := range 8 {
			word := []byte("abcdefgh")
			word[pos] = special
			if got := plainPrefix(word); got != 0 {
				t.Errorf("plainPrefix(%q) = %d, want 0", word, got)
			}
		}
	}
}

// FuzzScanner checks the scanner against encoding/json: both accept the same
// texts, except that the scanner also rejects invalid UTF-8 in strings, and
// the members the first pass of a Converter picks out of a line are those
// encoding/json decodes.
func FuzzScanner(f *testing.F) {
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
		if want := json.Valid(data); (err == nil) != want {
			if err != nil && utf8.Valid(data) {
				t.Fatalf("scanner rejects %q: %v", data, err)
			}
			if err == nil {
				t.Fatalf("scanner accepts %q, encoding/json does not", data)
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

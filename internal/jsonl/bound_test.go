package jsonl

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// TestConvertAmbiguous covers lines that are valid JSON but that JSON
// parsers read differently: each is a problem naming the field.
func TestConvertAmbiguous(t *testing.T) {
	const lone = ` in string (write the character itself, or both halves of its surrogate pair)`
	tests := []struct {
		name, line, want string // want "" when the line converts
	}{
		{"duplicate top-level key", `{"custom_id":"a","prompt":"x","custom_id":"b"}`, `reqs.jsonl:1: duplicate key "custom_id"`},
		{"duplicate key in a message",
			`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"x","role":"system"}]}}`,
			`reqs.jsonl:1: body.messages[0]: duplicate key "role"`},
		{"duplicate key deep in a tool schema",
			`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{},"b":{},"a":{}}}}}]}}`,
			`reqs.jsonl:1: body.tools[0].function.parameters.properties: duplicate key "a"`},
		{"duplicate key spelled with an escape", `{"prompt":"x","pr\u006fmpt":"y"}`, `reqs.jsonl:1: duplicate key "prompt"`},
		{"lone surrogate in a prompt", `{"prompt":"x\ud800"}`, `reqs.jsonl:1: prompt: lone surrogate \ud800` + lone},
		{"lone surrogate in message content",
			`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"\udead"}]}}`,
			`reqs.jsonl:1: body.messages[0].content: lone surrogate \udead` + lone},
		{"valid surrogate pair", `{"prompt":"\ud83d\ude00"}`, ""},
		{"same key in sibling objects", `{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := convertLines(t, ConvertOptions{Target: TargetOpenAI, Defaults: Defaults{Model: "m"}}, tt.line)
			if res.err != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", res.err, tt.want)
			}
		})
	}
}

// endless is an input that never ends: start, then fill forever. It counts
// the bytes read.
type endless struct {
	start []byte
	fill  byte
	read  int64
}

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, e.start)
	e.start = e.start[n:]
	for i := n; i < len(p); i++ {
		p[i] = e.fill
	}
	e.read += int64(len(p))
	return len(p), nil
}

func TestReaderBound(t *testing.T) {
	check := NewConverter("in.jsonl", ConvertOptions{Target: TargetOpenAI}).CheckPrefix
	huge := `{"prompt":"` + strings.Repeat("x", 10*readBufferSize)
	tests := []struct {
		name     string
		in       *endless
		max      int64
		wantErr  string
		maxRead  int64 // bytes read at most before the error
		wantLine int
	}{
		{"NUL bytes", &endless{fill: 0}, 0, "line 1: invalid character '\\x00' looking for beginning of value at offset 0", 2 * readBufferSize, 1},
		{"garbage after a valid start", &endless{start: []byte(huge + `"}`), fill: 'x'}, 0,
			"line 1: invalid character 'x' after top-level value at offset 655373", 3 * int64(len(huge)), 1},
		{"garbage after valid lines", &endless{start: []byte("{}\n\n{}\n"), fill: 0xff}, 0,
			"line 4: invalid character 'ÿ' looking for beginning of value at offset 0", 2 * readBufferSize, 4},
		{"a byte order mark then garbage", &endless{start: []byte("\xEF\xBB\xBF{\"a\":1}"), fill: ' '}, 1 << 20, "line 1 is over the 1048576-byte limit", 1<<20 + readBufferSize, 1},
		{"a valid line past the limit", &endless{start: []byte(`{"prompt":"`), fill: 'x'}, 1 << 20, "line 1 is over the 1048576-byte limit", 1<<20 + readBufferSize, 1},
		{"invalid UTF-8 in a long string", &endless{start: []byte(huge + "\xc3("), fill: 'x'}, 0,
			"line 1: invalid UTF-8 in string at offset 655371", 3 * int64(len(huge)), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(tt.in)
			r.Bound(tt.max, check)
			var err error
			for err == nil {
				_, err = r.Next()
			}
			le, ok := errors.AsType[*LineError](err)
			if !ok || le.Error() != tt.wantErr || le.Line != tt.wantLine {
				t.Fatalf("got %v, want a *LineError %q", err, tt.wantErr)
			}
			if tt.in.read > tt.maxRead {
				t.Errorf("read %d bytes, want at most %d", tt.in.read, tt.maxRead)
			}
			if _, again := r.Next(); again != err {
				t.Errorf("Next after the error: %v", again)
			}
		})
	}
}

func TestReaderBoundKeepsValidLines(t *testing.T) {
	long := `{"prompt":"` + strings.Repeat("é", 3*readBufferSize) + `"}`
	input := "\xEF\xBB\xBF" + long + "\n{}\r\n" + long
	r := NewReader(strings.NewReader(input))
	r.Bound(int64(len(long)+1), NewConverter("in.jsonl", ConvertOptions{Target: TargetOpenAI}).CheckPrefix)
	var got []string
	for {
		b, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(b))
	}
	if len(got) != 3 || got[0] != long || got[1] != "{}" || got[2] != long {
		t.Errorf("got %d lines", len(got))
	}
}

// TestConverterStops covers the inputs a converter gives up on, so that
// reading ends: lines a Reader abandoned, and too many lines that are not
// JSON.
func TestConverterStops(t *testing.T) {
	tests := []struct {
		name  string
		text  bool
		input string
		max   int64
		want  string
	}{
		{"NUL bytes", false, "{\"prompt\":\"a\"}\n" + strings.Repeat("\x00", 3*readBufferSize), 0,
			"in.jsonl:2:1: invalid JSON: expected a value, found '\\x00'\n" +
				"in.jsonl:2: stopped reading here (its end was not read); the lines after it were not checked"},
		{"a line over the limit", false, `{"prompt":"` + strings.Repeat("x", 3*readBufferSize) + "\"}\n{}\n", 1000,
			"in.jsonl:1: line is over the 1000-byte limit of one batch\n" +
				"in.jsonl:1: stopped reading here (its end was not read); the lines after it were not checked"},
		{"a long text line that is not UTF-8", true, "ok\n" + strings.Repeat("é", readBufferSize) + "\xff" + strings.Repeat("x", 3*readBufferSize), 0,
			"in.jsonl:2:131073: invalid UTF-8\n" +
				"in.jsonl:2: stopped reading here (its end was not read); the lines after it were not checked"},
		{"lines of garbage", false, strings.Repeat("<html>\n", MaxProblems+5), 0,
			numbered("in.jsonl:%d:1: invalid JSON: expected a value, found '<'\n") +
				"in.jsonl:20: stopped reading here (20 lines are not JSON); the lines after it were not checked"},
		{"lines of text that is not UTF-8", true, strings.Repeat("\xff\n", MaxProblems+5), 0,
			numbered("in.jsonl:%d:1: invalid UTF-8\n") +
				"in.jsonl:20: stopped reading here (20 lines are not UTF-8 text); the lines after it were not checked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConverter("in.jsonl", ConvertOptions{Target: TargetOpenAI, TextInput: tt.text, Defaults: Defaults{Model: "m"}})
			r := NewReader(strings.NewReader(tt.input))
			r.Bound(tt.max, c.CheckPrefix)
			for !c.Stopped() {
				b, err := r.Next()
				if errors.Is(err, io.EOF) {
					t.Fatal("read to the end")
				}
				if le, ok := errors.AsType[*LineError](err); ok {
					c.Abandon(le)
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				c.Convert(r.Line(), b)
			}
			_, err := c.Finish()
			if got := err.Error(); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// numbered is format, with a line number, for lines 1 to MaxProblems.
func numbered(format string) string {
	var b strings.Builder
	for i := range MaxProblems {
		fmt.Fprintf(&b, format, i+1)
	}
	return b.String()
}

package jsonl

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// chatLine is a valid OpenAI batch line with the given custom_id.
func chatLine(id string) string {
	return `{"custom_id":"` + id + `","method":"POST","url":"/v1/chat/completions",` +
		`"body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}}`
}

// validate converts lines, numbered from 1, for TargetOpenAI without
// defaults, checks that the lines that pass come out unchanged, and returns
// the summary and the error text ("" for none).
func validate(t *testing.T, lines ...string) (Summary, string) {
	t.Helper()
	c := NewConverter("reqs.jsonl", ConvertOptions{Target: TargetOpenAI})
	for i, line := range lines {
		if out, _, ok := c.Convert(i+1, []byte(line)); ok && string(out) != line {
			t.Fatalf("line %d changed to %s", i+1, out)
		}
	}
	sum, err := c.Finish()
	if err == nil {
		return sum, ""
	}
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("Finish error is %T, want *ValidationError", err)
	}
	return sum, err.Error()
}

func TestPassThroughOpenAIProblems(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{
			name:  "valid",
			lines: []string{chatLine("q1"), chatLine("q2")},
		},
		{
			name:  "truncated JSON",
			lines: []string{`{"custom_id":"q1","method":"POST"`},
			want:  `reqs.jsonl:1: invalid JSON: unexpected end of input`,
		},
		{
			name:  "missing comma",
			lines: []string{`{"custom_id":"q1" "method":"POST"}`},
			want:  `reqs.jsonl:1:19: invalid JSON: expected ',' or '}' after object member, found '"'`,
		},
		{
			name:  "two objects on a line",
			lines: []string{chatLine("q1") + chatLine("q2")},
			want:  `reqs.jsonl:1:139: invalid JSON: expected end of line after the JSON value, found '{'`,
		},
		{
			name:  "array",
			lines: []string{`["q1"]`},
			want:  `reqs.jsonl:1: line must be a JSON object, not array`,
		},
		{
			name:  "string",
			lines: []string{`"q1"`},
			want:  `reqs.jsonl:1: line must be a JSON object, not string`,
		},
		{
			name:  "only a custom_id",
			lines: []string{`{"custom_id":"q1"}`},
			want:  "reqs.jsonl:1: cannot tell the shape: want custom_id+method+url+body, custom_id+params, key+request, or messages/prompt/input",
		},
		{
			name:  "only a method",
			lines: []string{`{"method":"POST"}`},
			want: `reqs.jsonl:1: custom_id: missing
reqs.jsonl:1: url: missing (want one of ` + openAIEndpoints + `)
reqs.jsonl:1: body: missing`,
		},
		{
			name:  "custom_id number",
			lines: []string{strings.Replace(chatLine("q1"), `"q1"`, `42`, 1)},
			want:  `reqs.jsonl:1: custom_id: must be a string, not number`,
		},
		{
			name:  "custom_id null",
			lines: []string{strings.Replace(chatLine("q1"), `"q1"`, `null`, 1)},
			want:  `reqs.jsonl:1: custom_id: must be a string, not null`,
		},
		{
			name:  "custom_id empty",
			lines: []string{chatLine("")},
			want:  `reqs.jsonl:1: custom_id: must not be empty`,
		},
		{
			name:  "custom_id key is case-sensitive",
			lines: []string{strings.Replace(chatLine("q1"), `"custom_id"`, `"Custom_ID"`, 1)},
			want:  `reqs.jsonl:1: custom_id: missing`,
		},
		{
			name:  "duplicate custom_id",
			lines: []string{chatLine("q1"), chatLine("q2"), chatLine("q1")},
			want:  `reqs.jsonl:3: custom_id: "q1" duplicates line 1`,
		},
		{
			name:  "duplicate custom_id spelled with an escape",
			lines: []string{chatLine("q1"), chatLine(`q\u0031`)},
			want:  `reqs.jsonl:2: custom_id: "q1" duplicates line 1`,
		},
		{
			name:  "custom_id of an invalid line still counts",
			lines: []string{strings.Replace(chatLine("q1"), "POST", "GET", 1), chatLine("q1")},
			want: `reqs.jsonl:1: method: "GET" is not allowed (want "POST")
reqs.jsonl:2: custom_id: "q1" duplicates line 1`,
		},
		{
			name:  "long values are shortened",
			lines: []string{chatLine(strings.Repeat("x", 70)), chatLine(strings.Repeat("x", 70))},
			want:  `reqs.jsonl:2: custom_id: "` + strings.Repeat("x", 64) + `"... duplicates line 1`,
		},
		{
			name:  "method lower case",
			lines: []string{strings.Replace(chatLine("q1"), "POST", "post", 1)},
			want:  `reqs.jsonl:1: method: "post" is not allowed (want "POST")`,
		},
		{
			name:  "method not a string",
			lines: []string{strings.Replace(chatLine("q1"), `"POST"`, `["POST"]`, 1)},
			want:  `reqs.jsonl:1: method: must be a string, not array`,
		},
		{
			name:  "url not an endpoint",
			lines: []string{strings.Replace(chatLine("q1"), "/v1/chat/completions", "/v1/chat/completion", 1)},
			want:  `reqs.jsonl:1: url: "/v1/chat/completion" is not a batch endpoint (want one of ` + openAIEndpoints + `)`,
		},
		{
			name:  "url with host",
			lines: []string{strings.Replace(chatLine("q1"), "/v1/chat", "https://api.openai.com/v1/chat", 1)},
			want:  `reqs.jsonl:1: url: "https://api.openai.com/v1/chat/completions" is not a batch endpoint (want one of ` + openAIEndpoints + `)`,
		},
		{
			name:  "url empty",
			lines: []string{strings.Replace(chatLine("q1"), "/v1/chat/completions", "", 1)},
			want:  `reqs.jsonl:1: url: must not be empty`,
		},
		{
			name: "mixed endpoints",
			lines: []string{
				chatLine("q1"), chatLine("q2"),
				`{"custom_id":"q3","method":"POST","url":"/v1/embeddings","body":{"model":"gpt-4o-mini","input":"x"}}`,
			},
			want: `reqs.jsonl:3: url: "/v1/embeddings" differs from "/v1/chat/completions" on line 1 (one endpoint per batch)`,
		},
		{
			name: "the first valid url sets the endpoint",
			lines: []string{
				strings.Replace(chatLine("q1"), "/v1/chat/completions", "/v2/chat", 1),
				strings.Replace(chatLine("q2"), "/v1/chat/completions", "/v1/responses", 1),
				chatLine("q3"),
			},
			want: `reqs.jsonl:1: url: "/v2/chat" is not a batch endpoint (want one of ` + openAIEndpoints + `)
reqs.jsonl:3: url: "/v1/chat/completions" differs from "/v1/responses" on line 2 (one endpoint per batch)`,
		},
		{
			name:  "body not an object",
			lines: []string{`{"custom_id":"q1","method":"POST","url":"/v1/embeddings","body":"gpt-4o-mini"}`},
			want:  `reqs.jsonl:1: body: must be an object, not string`,
		},
		{
			name:  "body null",
			lines: []string{`{"custom_id":"q1","method":"POST","url":"/v1/embeddings","body":null}`},
			want:  `reqs.jsonl:1: body: must be an object, not null`,
		},
		{
			name:  "model missing",
			lines: []string{`{"custom_id":"q1","method":"POST","url":"/v1/embeddings","body":{"input":"x"}}`},
			want:  `reqs.jsonl:1: body.model: missing (pass --model)`,
		},
		{
			name:  "model only nested deeper",
			lines: []string{`{"custom_id":"q1","method":"POST","url":"/v1/embeddings","body":{"input":{"model":"m"}},"model":"m"}`},
			want:  `reqs.jsonl:1: body.model: missing (pass --model)`,
		},
		{
			name:  "a repeated body",
			lines: []string{`{"custom_id":"q1","method":"POST","url":"/v1/embeddings","body":{"model":"m"},"body":{"input":"x"}}`},
			want:  `reqs.jsonl:1: duplicate key "body"`,
		},
		{
			name:  "model not a string",
			lines: []string{`{"custom_id":"q1","method":"POST","url":"/v1/embeddings","body":{"model":false}}`},
			want:  `reqs.jsonl:1: body.model: must be a string, not boolean`,
		},
		{
			name:  "model empty",
			lines: []string{`{"custom_id":"q1","method":"POST","url":"/v1/embeddings","body":{"model":""}}`},
			want:  `reqs.jsonl:1: body.model: must not be empty`,
		},
		{
			name:  "mixed models",
			lines: []string{chatLine("q1"), strings.Replace(chatLine("q2"), "gpt-4o-mini", "gpt-4o", 1)},
			want:  `reqs.jsonl:2: body.model: "gpt-4o" differs from "gpt-4o-mini" on line 1 (one model per file)`,
		},
		{
			name:  "no lines",
			lines: nil,
			want:  `reqs.jsonl: no requests`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := validate(t, tt.lines...)
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestPassThroughMediaEndpointsRefused(t *testing.T) {
	for _, endpoint := range []string{"/v1/images/generations", "/v1/images/edits", "/v1/videos"} {
		lines := []string{chatLine("q1"), strings.Replace(chatLine("q2"), "/v1/chat/completions", endpoint, 1)}
		_, got := validate(t, lines...)
		want := `reqs.jsonl:2: url: "` + endpoint + `" is not supported: batchctl cannot return image or video results (want one of ` + openAIEndpoints + `)`
		if got != want {
			t.Errorf("got:\n%s\nwant:\n%s", got, want)
		}
	}
}

func TestPassThroughOpenAIEndpoints(t *testing.T) {
	for _, endpoint := range strings.Split(openAIEndpoints, ", ") {
		line := strings.Replace(chatLine("q1"), "/v1/chat/completions", endpoint, 1)
		sum, err := validate(t, line)
		if err != "" || sum.Endpoint != endpoint {
			t.Errorf("endpoint %s: got endpoint %q, error %q", endpoint, sum.Endpoint, err)
		}
	}
}

func TestPassThroughOpenAIResult(t *testing.T) {
	c := NewConverter("reqs.jsonl", ConvertOptions{Target: TargetOpenAI})
	tests := []struct {
		line   string
		wantID string
		wantOK bool
	}{
		{chatLine("q1"), "q1", true},
		{chatLine("q2"), "q2", true},
		{chatLine("q1"), "q1", false},                                    // duplicate
		{strings.Replace(chatLine("q3"), "POST", "PUT", 1), "q3", false}, // other field wrong
		{strings.Replace(chatLine("q4"), `"q4"`, `4`, 1), "", false},     // unusable id
		{`{"custom_id":"q5"`, "", false},                                 // invalid JSON
		{`{"custom_id":"a\"b\u00e9","method":"POST"}`, `a"bé`, false},    // decoded id
		{" \t" + chatLine("q6") + " \t", "q6", true},                     // surrounding space
	}
	for i, tt := range tests {
		out, id, ok := c.Convert(i+1, []byte(tt.line))
		if id != tt.wantID || ok != tt.wantOK {
			t.Errorf("Convert(%d, %.40q) = %q, %v; want %q, %v", i+1, tt.line, id, ok, tt.wantID, tt.wantOK)
		}
		if ok && string(out) != tt.line {
			t.Errorf("Convert(%d, %.40q) changed the line to %q", i+1, tt.line, out)
		}
	}
}

func TestPassThroughOpenAISummary(t *testing.T) {
	lines := []string{chatLine("q1"), `{"broken`, chatLine("q3")}
	sum, err := validate(t, lines...)
	want := Summary{
		Requests: 3,
		Endpoint: "/v1/chat/completions",
		Kind:     KindChat,
		Model:    "gpt-4o-mini",
		Bytes:    int64(len(lines[0]) + len(lines[2]) + 2), // the lines that pass
	}
	if sum != want {
		t.Errorf("summary = %+v, want %+v", sum, want)
	}
	if wantErr := "reqs.jsonl:2: invalid JSON: unexpected end of input"; err != wantErr {
		t.Errorf("error = %q, want %q", err, wantErr)
	}
}

func TestPassThroughOpenAICap(t *testing.T) {
	lines := []string{chatLine("q0")}
	for range MaxProblems + 5 {
		lines = append(lines, chatLine("q0"))
	}
	c := NewConverter("reqs.jsonl", ConvertOptions{Target: TargetOpenAI})
	for i, line := range lines {
		c.Convert(i+1, []byte(line))
	}
	_, err := c.Finish()
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("Finish error = %v, want *ValidationError", err)
	}
	if len(verr.Problems) != MaxProblems || verr.Total != MaxProblems+5 {
		t.Fatalf("got %d problems, total %d; want %d, %d", len(verr.Problems), verr.Total, MaxProblems, MaxProblems+5)
	}
	var want strings.Builder
	for line := 2; line <= MaxProblems+1; line++ {
		fmt.Fprintf(&want, "reqs.jsonl:%d: custom_id: \"q0\" duplicates line 1\n", line)
	}
	want.WriteString("... and 5 more problems")
	if got := err.Error(); got != want.String() {
		t.Errorf("error text:\n%s\nwant:\n%s", got, want.String())
	}
}

// TestPassThroughOpenAIWithReader checks that problems name the line
// numbers of the file, counting blank lines.
func TestPassThroughOpenAIWithReader(t *testing.T) {
	input := chatLine("q1") + "\r\n\r\n   \n" + chatLine("q1") + "\n\n"
	r := NewReader(strings.NewReader(input))
	c := NewConverter("reqs.jsonl", ConvertOptions{Target: TargetOpenAI})
	for {
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		c.Convert(r.Line(), line)
	}
	sum, err := c.Finish()
	want := `reqs.jsonl:4: custom_id: "q1" duplicates line 1`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	if sum.Requests != 2 {
		t.Errorf("requests = %d, want 2", sum.Requests)
	}
}

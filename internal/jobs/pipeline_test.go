package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/anthropic"
	"github.com/batchctl/batchctl/internal/providers/gemini"
	"github.com/batchctl/batchctl/internal/providers/mistral"
	"github.com/batchctl/batchctl/internal/providers/openai"
	"github.com/batchctl/batchctl/internal/providers/openrouter"
	"github.com/batchctl/batchctl/internal/providers/retry"
	"github.com/batchctl/batchctl/internal/providers/xai"
)

// Texts that exercise the writing of answers: escapes as Python's
// json.dumps writes them (OpenAI), raw UTF-8 (the others), every escape
// JSON has, U+2028, surrogate pairs and lone halves, and invalid UTF-8.
var pipelineTexts = []string{
	`Paris.`, ``,
	`caf\u00e9 na\u00efve \u2014 printer\u2019s \u4e2d\u6587\n\nnext paragraph`,
	`café naïve — printer’s 中文`,
	`\"quoted\" C:\\path \/ \b\f\r\t \u0000\u001f \u0022\u005c\u002f <b>&amp;</b>`,
	`\u2028 \u2029 raw:   \ud83d\ude00 \ud83d lone \ude00 low \ud83d\u0041`,
	"invalid \xff\xfe UTF-8 \xc3 cut",
	strings.Repeat(`long answer \u00e9 `, 1<<12), // a line longer than the reader's 64 KiB buffer
}

// pipelineFile is a results file of provider's format: every outcome its
// normalizer knows, each text above, blank lines, CRLF line ends, a byte
// order mark, and no newline after the last line.
func pipelineFile(provider string) []byte {
	var lines []string
	for i, text := range pipelineTexts {
		id := fmt.Sprintf("q%d", i)
		switch provider {
		case "anthropic":
			lines = append(lines,
				`{"custom_id":"`+id+`","result":{"type":"succeeded","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"`+text+`"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":5}}}}`,
				`{"custom_id":"`+id+`b","result":{"type":"succeeded","message":{"model":"claude-x","content":[{"type":"text","text":"`+text+`"},{"type":"tool_use","id":"tu_1","name":"f","input":{"a":1}},{"text":"2nd","type":"text"}],"stop_reason":"tool_use","usage":{"input_tokens":3,"output_tokens":5}}}}`,
				`{"custom_id":"`+id+`c","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error","message":"`+text+`"}}}}`,
				`{"custom_id":"`+id+`d","result":{"type":"expired"}}`,
				`{"custom_id":"`+id+`f","result":{"type":"succeeded","message":{"content":[{"text":"`+text+`","type":"text"},{"type":"tool_use","id":"tu_2","name":"`+providers.OutputTool+`","input":{"answer":"`+text+`"}},{"type":"text","text":null}],"stop_reason":"tool_use"}}}`,
				`{"custom_id":"`+id+`e","result":{"type":"canceled"}}`)
		case "gemini":
			lines = append(lines,
				`{"key":"`+id+`","response":{"candidates":[{"content":{"parts":[{"text":"`+text+`"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":5},"modelVersion":"gemini-x"}}`,
				`{"response":{"candidates":[{"content":{"parts":[{"text":"a"},{"text":"`+text+`"},{"functionCall":{"name":"f","args":{"a":1}}}]},"finishReason":"MAX_TOKENS"}]},"metadata":{"key":"`+id+`b"}}`,
				`{"key":"`+id+`c","error":{"code":400,"message":"`+text+`","status":"INVALID_ARGUMENT"}}`,
				`{"key":"`+id+`d","response":{"embedding":{"values":[0.1,-2e-3,3]}}}`,
				`{"key":"`+id+`e","response":{"candidates":[{"content":{"parts":[{"text":"thinking","thought":true},{"text":"`+text+`"},{"thought":false,"text":"`+text+`"}]}},{"content":{"parts":[{"text":"second"}]}}]}}`)
		case "xai":
			lines = append(lines,
				`{"batch_request_id":"`+id+`","batch_result":{"response":{"chat_get_completion":{"model":"grok","choices":[{"message":{"content":"`+text+`"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1}}}}}`,
				`{"batch_request_id":"`+id+`b","batch_result":{"error":{"code":3,"message":"`+text+`"}}}`)
		default: // OpenAI's format, which Mistral, OpenRouter and the compatible services share
			lines = append(lines,
				`{"id": "batch_req_1", "custom_id": "`+id+`", "response": {"status_code": 200, "request_id": "r1", "body": {"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-x", "choices": [{"index": 0, "message": {"role": "assistant", "content": "`+text+`", "refusal": null}, "logprobs": null, "finish_reason": "stop"}], "usage": {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}}}, "error": null}`,
				`{"custom_id":"`+id+`b","response":{"status_code":200,"body":{"model":"gpt-x","choices":[{"message":{"content":[{"type":"text","text":"`+text+`"},{"type":"text","text":"!"}],"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},"finish_reason":"tool_calls"}]}}}`,
				`{"custom_id":"`+id+`c","response":{"status_code":200,"body":{"model":"gpt-x","choices":[{"message":{"content":"first","content":"`+text+`"}},{"message":{"content":"second choice"}}]}}}`,
				`{"custom_id":"`+id+`d","response":{"status_code":200,"body":{"object":"response","status":"completed","output":[{"type":"message","content":[{"type":"output_text","text":"`+text+`"}]}],"usage":{"input_tokens":1,"output_tokens":2}}}}`,
				`{"custom_id":"`+id+`e","response":{"status_code":429,"body":{"error":{"message":"`+text+`","type":"rate_limit","code":"rate_limit_exceeded"}}},"error":null}`,
				`{"custom_id":"`+id+`f","response":null,"error":{"code":"batch_expired","message":"`+text+`"}}`,
				`{"custom_id":"`+id+`g","response":{"status_code":200,"body":{"object":"list","data":[{"index":1,"embedding":[0.5]},{"index":0,"embedding":"AACAPw=="}],"model":"emb","usage":{"prompt_tokens":2}}}}`,
				`{"custom_id":"`+id+`h","response":{"status_code":200,"body":{"object":"list","data":[{"index":0,"embedding":[0.1,-0.2]}]}}}`)
		}
	}
	var b bytes.Buffer
	b.WriteString("\xEF\xBB\xBF")
	for i, l := range lines {
		b.WriteString(l)
		switch i % 4 {
		case 1:
			b.WriteString("\r\n")
		case 2:
			b.WriteString("\n  \t\n")
		default:
			b.WriteString("\n")
		}
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// pipelineProviders are a provider of each results format, and the
// OpenAI-compatible ones, as the registry hands them out (wrapped in the
// retry policy).
func pipelineProviders() map[string]providers.Provider {
	wrap := func(p providers.Provider) providers.Provider { return retry.Wrap(p, retry.Policy{}) }
	return map[string]providers.Provider{
		"openai":     wrap(openai.New(openai.Config{Name: "openai"})),
		"groq":       wrap(openai.New(openai.Config{Name: "groq"})),
		"anthropic":  wrap(anthropic.New(anthropic.Config{Name: "anthropic"})),
		"gemini":     wrap(gemini.New(gemini.Config{Name: "gemini"})),
		"mistral":    wrap(mistral.New(mistral.Config{Name: "mistral"})),
		"openrouter": wrap(openrouter.New(openrouter.Config{Name: "openrouter"})),
		"xai":        wrap(xai.New(xai.Config{Name: "xai"})),
	}
}

// pipelineFormat is the results format of a provider of pipelineProviders.
func pipelineFormat(name string) string {
	switch name {
	case "groq", "mistral", "openrouter":
		return "openai"
	}
	return name
}

// encodeLine is the Encoder of results: each result as a JSON line.
func encodeLine(dst []byte, r *providers.Result) ([]byte, error) {
	return append(r.AppendJSON(dst), '\n'), nil
}

// sequential is what FileResults gives, one line after the other: the
// output, the tally and the error.
func sequential(p providers.Provider, file []byte) (string, jobs.Tally, string) {
	var out []byte
	tally, err := jobs.FileResults(context.Background(), p, bytes.NewReader(file), "f.jsonl", func(r *providers.Result) error {
		var err error
		out, err = encodeLine(out, r)
		return err
	})
	return string(out), tally, errString(err)
}

// parallel is what EncodeFileResults gives.
func parallel(p providers.Provider, in io.Reader, workers int) (string, jobs.Tally, string) {
	var out bytes.Buffer
	enc, err := jobs.EncodeFileResults(context.Background(), p, in, "f.jsonl", workers, encodeLine, &out)
	return out.String(), enc.Tally, errString(err)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// checkSame checks that the pipeline writes what FileResults does, byte for
// byte, with the same tally and error, whatever the chunk size, the number
// of workers, and whether the input is a file or a stream read a byte at
// a time.
func checkSame(t *testing.T, p providers.Provider, file []byte) {
	t.Helper()
	want, wantTally, wantErr := sequential(p, file)
	path := filepath.Join(t.TempDir(), "f.jsonl")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1, 300, 64 << 10, 256 << 10} {
		restore := jobs.SetChunkSize(size)
		for _, workers := range []int{1, 3} {
			for _, input := range []string{"file", "stream"} {
				var in io.Reader = bytes.NewReader(file)
				switch input {
				case "file":
					f, err := os.Open(path)
					if err != nil {
						t.Fatal(err)
					}
					defer f.Close()
					in = f
				case "stream":
					in = iotest.OneByteReader(in)
					if size > 1 || workers > 1 {
						continue // a byte at a time is slow
					}
				}
				got, tally, err := parallel(p, in, workers)
				where := fmt.Sprintf("chunks of %d, %d workers, %s", size, workers, input)
				if got != want {
					t.Errorf("%s: output differs at byte %d:\ngot  %.300q\nwant %.300q", where, firstDiff(got, want), got[firstDiff(got, want):], want[firstDiff(got, want):])
				}
				if wantErr == "" && !reflect.DeepEqual(tally, wantTally) {
					t.Errorf("%s: tally %v, want %v", where, tally, wantTally)
				}
				if err != wantErr {
					t.Errorf("%s: error %q, want %q", where, err, wantErr)
				}
			}
		}
		restore()
	}
}

func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestEncodeFileResultsSameAsSequential(t *testing.T) {
	for name, p := range pipelineProviders() {
		file := pipelineFile(pipelineFormat(name))
		t.Run(name, func(t *testing.T) {
			want, _, wantErr := sequential(p, file)
			if wantErr != "" || strings.Count(want, "\n") < 2*len(pipelineTexts) {
				t.Fatalf("the %s file does not normalize whole: %q, %d lines", name, wantErr, strings.Count(want, "\n"))
			}
			checkSame(t, p, file)
		})
		t.Run(name+"/bad line", func(t *testing.T) {
			lines := bytes.Split(file, []byte("\n"))
			bad := append(bytes.Join(lines[:len(lines)/2], []byte("\n")), "\n{\"custom_id\":\"x\",\"response\":[}\n"...)
			checkSame(t, p, append(bad, bytes.Join(lines[len(lines)/2:], []byte("\n"))...))
			checkSame(t, p, append(file, "\nnot json"...))
		})
	}
}

// The output of a line that fails to encode is not written, nor anything
// after it; what came before is.
func TestEncodeFileResultsEncoderError(t *testing.T) {
	p := pipelineProviders()["openai"]
	file := pipelineFile("openai")
	defer jobs.SetChunkSize(300)()
	boom := errors.New("boom")
	var out bytes.Buffer
	n := 0
	_, err := jobs.EncodeFileResults(context.Background(), p, bytes.NewReader(file), "f.jsonl", 1, func(dst []byte, r *providers.Result) ([]byte, error) {
		if n++; n == 5 {
			return dst, boom
		}
		return encodeLine(dst, r)
	}, &out)
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want %v", err, boom)
	}
	want, _, _ := sequential(p, file)
	if lines := strings.SplitAfter(want, "\n"); out.String() != strings.Join(lines[:4], "") {
		t.Errorf("wrote %d lines, want the 4 before the failure", strings.Count(out.String(), "\n"))
	}
}

// A cancelled context ends the pipeline with its error.
func TestEncodeFileResultsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := jobs.EncodeFileResults(ctx, pipelineProviders()["openai"], bytes.NewReader(pipelineFile("openai")), "f.jsonl", 2, encodeLine, io.Discard)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func FuzzEncodeFileResults(f *testing.F) {
	for _, format := range []string{"openai", "anthropic", "gemini", "xai"} {
		f.Add(format, pipelineFile(format)[:4000])
	}
	f.Add("openai", []byte("{\"custom_id\":\"a\",\"error\":{\"code\":\"x\"}}\r\n\n{\"custom_id\":\"b\"}\n"))
	ps := pipelineProviders()
	f.Fuzz(func(t *testing.T, name string, file []byte) {
		p, ok := ps[name]
		if !ok {
			return
		}
		defer jobs.SetChunkSize(97)()
		want, wantTally, wantErr := sequential(p, file)
		got, tally, err := parallel(p, bytes.NewReader(file), 2)
		if got != want || err != wantErr || wantErr == "" && !reflect.DeepEqual(tally, wantTally) {
			t.Fatalf("pipeline: %q %v %q\nsequential: %q %v %q", got, tally, err, want, wantTally, wantErr)
		}
	})
}

// BenchmarkEncodeFileResults measures results normalization of an OpenAI
// chat output, one line after the other (FileResults) and through the
// pipeline, on one worker and on one per CPU (go test -cpu 1,2).
func BenchmarkEncodeFileResults(b *testing.B) {
	var file bytes.Buffer
	text := strings.Repeat(`The printing press spread through Europe after 1450 \u2014 within fifty years, printers in more than `+
		`two hundred cities (Venice, Paris, M\u00fcnchen) had produced millions of \"books\".\n\n`, 20)
	for i := 0; file.Len() < 8<<20; i++ {
		fmt.Fprintf(&file, `{"id": "batch_req_%d", "custom_id": "request-%07d", "response": {"status_code": 200, "request_id": "req_1", "body": `+
			`{"id": "chatcmpl-1", "object": "chat.completion", "created": 1750000000, "model": "gpt-4o-mini-2024-07-18", "choices": [{"index": 0, `+
			`"message": {"role": "assistant", "content": "%s", "refusal": null}, "logprobs": null, "finish_reason": "stop"}], `+
			`"usage": {"prompt_tokens": 812, "completion_tokens": 530, "total_tokens": 1342}}}, "error": null}`+"\n", i, i, text)
	}
	p := pipelineProviders()["openai"]
	b.Run("sequential", func(b *testing.B) {
		b.SetBytes(int64(file.Len()))
		b.ReportAllocs()
		var out []byte
		for b.Loop() {
			if _, err := jobs.FileResults(context.Background(), p, bytes.NewReader(file.Bytes()), "f", func(r *providers.Result) error {
				out = append(r.AppendJSON(out[:0]), '\n')
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, workers := range []int{1, 0} {
		b.Run(fmt.Sprintf("pipeline-%d-workers", workers), func(b *testing.B) {
			b.SetBytes(int64(file.Len()))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := jobs.EncodeFileResults(context.Background(), p, bytes.NewReader(file.Bytes()), "f", workers, encodeLine, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

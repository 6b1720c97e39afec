package shared

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/openai"
	"github.com/batchctl/batchctl/internal/schemacheck"
)

// OpenAI output lines as OpenAI writes them (spaces after separators): a
// success, an HTTP error and a request that expired.
const (
	okLine = `{"id": "batch_req_1", "custom_id": "q1", "response": {"status_code": 200, "request_id": "req_1", "body": ` +
		`{"id": "chatcmpl-1", "model": "gpt-4o-mini-2024-07-18", "choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris <b>&</b> \u2028 \"Lyon\"."}, "finish_reason": "stop"}], ` +
		`"usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}}}, "error": null}`
	httpErrLine = `{"id": "batch_req_2", "custom_id": "q2", "response": {"status_code": 429, "request_id": "req_2", "body": ` +
		`{"error": {"message": "Rate limit reached", "type": "rate_limit_error", "param": null, "code": "rate_limit_exceeded"}}}, "error": null}`
	expiredLine = `{"id": "batch_req_3", "custom_id": "q3", "response": null, "error": {"code": "batch_expired", "message": "This request could not be executed before the completion window expired."}}`
)

// The normalized lines of the above.
const (
	okResult = `{"custom_id":"q1","status":"succeeded","job":"","provider":"openai","batch_id":"","model":"gpt-4o-mini-2024-07-18",` +
		`"text":"Paris <b>&</b> \u2028 \"Lyon\".","embedding":null,"embeddings":null,"moderation":null,"tool_calls":null,"finish_reason":"stop","usage":{"input_tokens":12,"output_tokens":3,"cache_read_input_tokens":null,"cache_creation_input_tokens":null,"reasoning_tokens":null},"parsed":null,"valid":null,"output_error":null,"error":null,` +
		`"attempts":null,"response":{"id": "chatcmpl-1", "model": "gpt-4o-mini-2024-07-18", "choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris <b>&</b> \u2028 \"Lyon\"."}, "finish_reason": "stop"}], ` +
		`"usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}}}`
	httpErrResult = `{"custom_id":"q2","status":"errored","job":"","provider":"openai","batch_id":"","model":"","text":null,"embedding":null,"embeddings":null,"moderation":null,"tool_calls":null,"finish_reason":null,"usage":null,` +
		`"parsed":null,"valid":null,"output_error":null,"error":{"type":"rate_limit_error","message":"Rate limit reached","code":"rate_limit_exceeded","http_status":429},` +
		`"attempts":null,"response":{"error": {"message": "Rate limit reached", "type": "rate_limit_error", "param": null, "code": "rate_limit_exceeded"}}}`
	expiredResult = `{"custom_id":"q3","status":"expired","job":"","provider":"openai","batch_id":"","model":"","text":null,"embedding":null,"embeddings":null,"moderation":null,"tool_calls":null,"finish_reason":null,"usage":null,` +
		`"parsed":null,"valid":null,"output_error":null,"error":{"type":"batch_expired","message":"This request could not be executed before the completion window expired.","code":"batch_expired","http_status":null},"attempts":null,"response":null}`
)

func TestWriteFileResults(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		stdin    bool // pass the input on stdin with path "-"
		statuses []providers.ResultStatus
		output   bool // write to -o FILE
		want     string
		wantErr  string
	}{
		{
			name:  "all succeeded",
			input: okLine + "\n",
			want:  okResult + "\n",
		},
		{
			name:    "mixed, blank lines skipped",
			input:   okLine + "\n\n" + httpErrLine + "\r\n" + expiredLine,
			want:    okResult + "\n" + httpErrResult + "\n" + expiredResult + "\n",
			wantErr: "file in.jsonl: 1 succeeded, 1 errored, 1 expired of 3 requests",
		},
		{
			name:    "standard input",
			input:   expiredLine + "\n",
			stdin:   true,
			want:    expiredResult + "\n",
			wantErr: "file standard input: 1 expired of 1 request",
		},
		{
			name:     "status filter counts every result",
			input:    okLine + "\n" + httpErrLine + "\n" + expiredLine + "\n",
			statuses: []providers.ResultStatus{providers.ResultErrored, providers.ResultExpired},
			want:     httpErrResult + "\n" + expiredResult + "\n",
			wantErr:  "file in.jsonl: 1 succeeded, 1 errored, 1 expired of 3 requests",
		},
		{
			name:   "output file",
			input:  okLine + "\n",
			output: true,
			want:   okResult + "\n",
		},
		{
			name:    "a line the provider cannot read",
			input:   okLine + "\n" + `{"custom_id": "q2"}` + "\n",
			want:    okResult + "\n",
			wantErr: `in.jsonl:2: result line for "q2" has neither response nor error`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			ios, stdin, stdout, _ := iostreams.Test()
			path := "in.jsonl"
			if tt.stdin {
				stdin.WriteString(tt.input)
				path = "-"
			} else if err := os.WriteFile(path, []byte(tt.input), 0o600); err != nil {
				t.Fatal(err)
			}
			o := ResultsOptions{Statuses: tt.statuses}
			if tt.output {
				o.Output = filepath.Join(dir, "out.jsonl")
			}
			err := WriteFileResults(context.Background(), ios, openai.New(openai.Config{Name: "openai"}), path, o)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("error %v, want none", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			var partial *cmdutil.PartialError
			if err != nil && strings.HasPrefix(tt.wantErr, "file ") != errors.As(err, &partial) {
				t.Errorf("error %T: a PartialError (exit 3) only when the file was read", err)
			}
			got := stdout.String()
			if tt.output {
				if got != "" {
					t.Errorf("stdout %q with -o", got)
				}
				b, err := os.ReadFile(o.Output)
				if err != nil {
					t.Fatal(err)
				}
				got = string(b)
			}
			if got != tt.want {
				t.Errorf("wrote\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestWriteFileResultsMissingFile(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	err := WriteFileResults(context.Background(), ios, openai.New(openai.Config{Name: "openai"}), filepath.Join(t.TempDir(), "none.jsonl"), ResultsOptions{})
	var usage *cmdutil.UsageError
	if !errors.As(err, &usage) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v (%T), want a UsageError (exit 2) for a missing file", err, err)
	}
}

// fakeTimer is a timed flush scheduled by a lineWriter, fired by hand.
type fakeTimer struct {
	scheduled int
	fire      func()
	stopped   bool
}

func (ft *fakeTimer) after(_ time.Duration, f func()) func() bool {
	ft.scheduled++
	ft.fire = f
	return func() bool { ft.stopped = true; return true }
}

// failingWriter fails every write.
type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// lineOf is the line lineWriter writes for a result with custom_id id.
func lineOf(id string) string {
	return `{"custom_id":"` + id + `","status":"succeeded","job":"","provider":"","batch_id":"","model":"","text":null,` +
		`"embedding":null,"embeddings":null,"moderation":null,"tool_calls":null,"finish_reason":null,"usage":null,"parsed":null,"valid":null,"output_error":null,"error":null,"attempts":null,"response":null}` + "\n"
}

func TestLineWriter(t *testing.T) {
	a, b, c := lineOf("a"), lineOf("b"), lineOf("c")
	tests := []struct {
		name   string
		policy flushPolicy
		// what the output holds after each of two lines, and after the
		// timer fires
		afterLines   [2]string
		afterTimer   string
		wantSchedule int
	}{
		{"each line", flushEachLine, [2]string{a, a + b}, a + b, 0},
		{"when full", flushWhenFull, [2]string{"", ""}, "", 0},
		{"soon", flushSoon, [2]string{"", ""}, a + b, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			ft := &fakeTimer{}
			w := newLineWriter(&out, tt.policy)
			w.after = ft.after
			for i, id := range []string{"a", "b"} {
				if err := w.writeResult(&providers.Result{CustomID: id, Status: providers.ResultSucceeded}); err != nil {
					t.Fatal(err)
				}
				if out.String() != tt.afterLines[i] {
					t.Errorf("after line %d: output %q, want %q", i+1, out.String(), tt.afterLines[i])
				}
			}
			if ft.scheduled != tt.wantSchedule {
				t.Errorf("%d timed flushes scheduled, want %d", ft.scheduled, tt.wantSchedule)
			}
			if ft.fire != nil {
				ft.fire()
			}
			if out.String() != tt.afterTimer {
				t.Errorf("after the timer: output %q, want %q", out.String(), tt.afterTimer)
			}
			if err := w.writeResult(&providers.Result{CustomID: "c", Status: providers.ResultSucceeded}); err != nil {
				t.Fatal(err)
			}
			if tt.policy == flushSoon && ft.scheduled != 2 {
				t.Errorf("a line after a timed flush scheduled %d flushes in all, want 2", ft.scheduled)
			}
			if err := w.close(); err != nil {
				t.Fatal(err)
			}
			if out.String() != a+b+c {
				t.Errorf("after close: output %q, want %q", out.String(), a+b+c)
			}
			if tt.policy == flushSoon && !ft.stopped {
				t.Error("close left a timed flush scheduled")
			}
		})
	}
}

// TestLineWriterFull checks that a full buffer is written at once, in
// whole lines.
func TestLineWriterFull(t *testing.T) {
	var out strings.Builder
	w := newLineWriter(&out, flushWhenFull)
	text := strings.Repeat("x", 1000)
	var want strings.Builder
	for i := 0; out.Len() == 0; i++ {
		r := &providers.Result{CustomID: fmt.Sprint(i), Text: &text}
		if err := w.writeResult(r); err != nil {
			t.Fatal(err)
		}
		line := r.AppendJSON(nil)
		want.Write(append(line, '\n'))
	}
	if out.String() != want.String() || out.Len() < lineBufferSize || out.Len() > lineBufferSize+1100 {
		t.Errorf("wrote %d bytes when the buffer filled, want the %d bytes of the lines so far, at least %d", out.Len(), want.Len(), lineBufferSize)
	}
}

func TestLineWriterErrors(t *testing.T) {
	broken := errors.New("broken pipe")
	ft := &fakeTimer{}
	w := newLineWriter(failingWriter{broken}, flushSoon)
	w.after = ft.after
	tests := []struct {
		r       providers.Result
		wantErr string
	}{
		{providers.Result{CustomID: "nl", Response: []byte("{\n}")}, errNewlineInLine.Error()},
	}
	for _, tt := range tests {
		if err := w.writeResult(&tt.r); err == nil || err.Error() != tt.wantErr {
			t.Errorf("writeResult(%s): error %v, want %q", tt.r.CustomID, err, tt.wantErr)
		}
	}
	if err := w.writeResult(&providers.Result{CustomID: "a"}); err != nil {
		t.Fatal(err)
	}
	ft.fire()
	if err := w.writeResult(&providers.Result{CustomID: "b"}); !errors.Is(err, broken) {
		t.Errorf("write after a failed timed flush: error %v, want %v", err, broken)
	}
	if err := w.close(); !errors.Is(err, broken) {
		t.Errorf("close after a failed timed flush: error %v, want %v", err, broken)
	}
}

// benchChatLine is OpenAI chat output line i, of about 4 KB.
func benchChatLine(i int) string {
	text := strings.Repeat(`The printing press spread through Europe after 1450: within fifty years, printers in more than `+
		`two hundred cities had produced millions of books. Scholars \u2014 and the \"merely curious\" \u2014 could now own `+
		`texts that scribes had copied by hand for centuries.\n\n`, 16)
	return fmt.Sprintf(`{"id": "batch_req_%d", "custom_id": "request-%07d", "response": {"status_code": 200, "request_id": "req_%d", "body": `+
		`{"id": "chatcmpl-%d", "object": "chat.completion", "created": 1750000000, "model": "gpt-4o-mini-2024-07-18", `+
		`"choices": [{"index": 0, "message": {"role": "assistant", "content": "%s", "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "stop"}], `+
		`"usage": {"prompt_tokens": 812, "completion_tokens": 530, "total_tokens": 1342}, "service_tier": "default", "system_fingerprint": "fp_44709d6fcb"}}, "error": null}`,
		i, i, i, i, text)
}

// benchShortLine is OpenAI chat output line i with a one-word answer, as
// classification batches have: about 350 bytes.
func benchShortLine(i int) string {
	return fmt.Sprintf(`{"id": "batch_req_%d", "custom_id": "request-%07d", "response": {"status_code": 200, "request_id": "req_%d", "body": `+
		`{"id": "chatcmpl-%d", "model": "gpt-4o-mini-2024-07-18", "choices": [{"index": 0, "message": {"role": "assistant", "content": "Yes."}, `+
		`"finish_reason": "stop"}], "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}}}, "error": null}`, i, i, i, i)
}

// benchJSONLine is OpenAI chat output line i whose answer is a small JSON
// object following benchSchema, as extraction batches have (response_format
// json_schema): about 800 bytes.
func benchJSONLine(i int) string {
	sentiment := [...]string{"positive", "neutral", "negative"}[i%3]
	answer := fmt.Sprintf(`{\"sentiment\":\"%s\",\"score\":0.%02d,\"topics\":[\"printing\",\"Europe\",\"books\"],`+
		`\"summary\":\"The printing press spread through Europe after 1450 and made books cheap.\"}`, sentiment, i%100)
	return fmt.Sprintf(`{"id": "batch_req_%d", "custom_id": "request-%07d", "response": {"status_code": 200, "request_id": "req_%d", "body": `+
		`{"id": "chatcmpl-%d", "object": "chat.completion", "created": 1750000000, "model": "gpt-4o-mini-2024-07-18", `+
		`"choices": [{"index": 0, "message": {"role": "assistant", "content": "%s", "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "stop"}], `+
		`"usage": {"prompt_tokens": 812, "completion_tokens": 53, "total_tokens": 865}, "service_tier": "default", "system_fingerprint": "fp_44709d6fcb"}}, "error": null}`,
		i, i, i, i, answer)
}

// benchSchema is the schema of benchJSONLine's answers.
const benchSchema = `{"type":"object","properties":{"sentiment":{"enum":["positive","neutral","negative"]},` +
	`"score":{"type":"number","minimum":0,"maximum":1},"topics":{"type":"array","items":{"type":"string"},"maxItems":5},` +
	`"summary":{"type":"string","maxLength":200}},"required":["sentiment","score","topics","summary"],"additionalProperties":false}`

// benchEmbeddingLine is OpenAI embeddings output line i: a vector of 1536
// floats, about 20 KB.
func benchEmbeddingLine(i int) string {
	var v strings.Builder
	for k := range 1536 {
		if k > 0 {
			v.WriteString(", ")
		}
		fmt.Fprintf(&v, "%g", float32(k%97-48)*0.00061803)
	}
	return fmt.Sprintf(`{"id": "batch_req_%d", "custom_id": "emb-%07d", "response": {"status_code": 200, "request_id": "req_%d", "body": `+
		`{"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [%s]}], "model": "text-embedding-3-small", `+
		`"usage": {"prompt_tokens": 8, "total_tokens": 8}}}, "error": null}`, i, i, i, v.String())
}

// BenchmarkWriteFileResults is `batchctl results --from-file` on OpenAI
// output files, to a pipe: reading, normalizing, encoding and writing;
// json+schema checks the answers of json against a schema (--schema),
// which may add at most half to json's time (issue 17).
func BenchmarkWriteFileResults(b *testing.B) {
	for _, bb := range []struct {
		name  string
		lines int
		line  func(int) string
	}{
		{"chat", 2000, benchChatLine},
		{"short", 20000, benchShortLine},
		{"embeddings", 400, benchEmbeddingLine},
		{"json", 10000, benchJSONLine},
		{"json+schema", 10000, benchJSONLine},
	} {
		b.Run(bb.name, func(b *testing.B) {
			var sb strings.Builder
			for i := range bb.lines {
				sb.WriteString(bb.line(i))
				sb.WriteByte('\n')
			}
			path := filepath.Join(b.TempDir(), "output.jsonl")
			if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
				b.Fatal(err)
			}
			p := openai.New(openai.Config{Name: "openai"})
			ios, _, _, _ := iostreams.Test()
			ios.Out = io.Discard
			var o ResultsOptions
			if strings.HasSuffix(bb.name, "+schema") {
				s, err := schemacheck.Compile("schema.json", []byte(benchSchema))
				if err != nil {
					b.Fatal(err)
				}
				o.Schema = s
			}
			b.SetBytes(int64(sb.Len()))
			for b.Loop() {
				if err := WriteFileResults(b.Context(), ios, p, path, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestWriteResultsToSpecialFiles writes -o to files that are not regular
// ones: each must be written where it is, never renamed over. The devices
// are private copies of /dev/null and /dev/full (made with mknod, so root
// only): a regression must not replace the machine's own.
func TestWriteResultsToSpecialFiles(t *testing.T) {
	tests := []struct {
		name    string
		make    func(t *testing.T, path string)
		mode    os.FileMode // type of the node, kept after the write
		link    bool        // -o names a symlink to the node
		read    bool        // a reader takes what is written (a FIFO)
		wantErr string
	}{
		{name: "fifo", make: mkfifo, mode: os.ModeNamedPipe, read: true},
		{name: "symlink to a fifo", make: mkfifo, mode: os.ModeNamedPipe, link: true, read: true},
		{name: "null device", make: mkdev(1, 3), mode: os.ModeDevice | os.ModeCharDevice},
		{name: "full device", make: mkdev(1, 7), mode: os.ModeDevice | os.ModeCharDevice, wantErr: "no space left on device"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			node := filepath.Join(dir, "node")
			tt.make(t, node)
			out := node
			if tt.link {
				out = filepath.Join(dir, "link")
				if err := os.Symlink(node, out); err != nil {
					t.Fatal(err)
				}
			}
			in := filepath.Join(dir, "in.jsonl")
			if err := os.WriteFile(in, []byte(okLine+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			got := make(chan string, 1)
			if tt.read {
				go func() {
					b, _ := os.ReadFile(node)
					got <- string(b)
				}()
			}
			ios, _, _, _ := iostreams.Test()
			err := WriteFileResults(context.Background(), ios, openai.New(openai.Config{Name: "openai"}), in, ResultsOptions{Output: out})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("error %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
			}
			intact := true
			if fi, err := os.Lstat(node); err != nil || fi.Mode().Type() != tt.mode {
				t.Errorf("after the write the node is %v (%v), want type %v", fi.Mode(), err, tt.mode)
				intact = false
			}
			if fi, err := os.Lstat(out); tt.link && (err != nil || fi.Mode().Type() != os.ModeSymlink) {
				t.Errorf("after the write the link is %v (%v), want a symlink", fi.Mode(), err)
				intact = false
			}
			if tt.read {
				if !intact { // nobody wrote to the FIFO: end its reader
					if f, err := os.OpenFile(node, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
						f.Close()
					}
				}
				if s := <-got; intact && s != okResult+"\n" {
					t.Errorf("the reader got %q, want the result line", s)
				}
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".tmp") {
					t.Errorf("temp file %s left beside the output", e.Name())
				}
			}
		})
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
}

// mkdev makes a character device node of the given numbers (below 256,
// in Linux's encoding).
func mkdev(major, minor int) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		t.Helper()
		if runtime.GOOS != "linux" || os.Geteuid() != 0 {
			t.Skip("making a device node needs root on Linux")
		}
		if err := syscall.Mknod(path, syscall.S_IFCHR|0o600, major<<8|minor); err != nil {
			t.Skipf("mknod: %v", err)
		}
	}
}

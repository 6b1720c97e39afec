package e2e

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/emulator"
)

// line is a valid OpenAI batch line with the given id.
func line(id string) string {
	return `{"custom_id":"` + id + `","method":"POST","url":"/v1/chat/completions","body":{"model":"echo","messages":[{"role":"user","content":"hi"}]}}`
}

// TestMalformedInputs runs the real binary on a corpus of bad inputs: each
// must exit 2 with an error naming the file and line, and the provider
// (the emulator) must receive nothing. Edge cases that are not errors must
// be accepted.
func TestMalformedInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "batchctl")
	buildBatchctl(t, bin)
	emuDir := filepath.Join(dir, "emulator")
	h, err := emulator.New(emulator.Options{Dir: emuDir, APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	many := line("x1") + "\n" + line("x2") + "\n" + line("x3") + "\n"
	bad := []struct {
		name, input, args, want string
	}{
		{"truncated line", line("a") + "\n" + `{"custom_id":"b","method":"PO`, "", `in.jsonl:2: invalid JSON`},
		{"invalid UTF-8", line("a") + "\n" + "{\"prompt\":\"\xff\xfe\"}", "", `in.jsonl:2:`},
		{"array line", `[1,2]`, "", `in.jsonl:1: line must be a JSON object, not array`},
		{"bare string", `"hello"`, "", `in.jsonl:1: line must be a JSON object, not string`},
		{"bare number", `42`, "", `in.jsonl:1: line must be a JSON object`},
		{"null line", `null`, "", `in.jsonl:1: line must be a JSON object`},
		{"number as id", strings.Replace(line("a"), `"a"`, `7`, 1), "", `in.jsonl:1: custom_id:`},
		{"empty id", line(""), "", `in.jsonl:1: custom_id:`},
		{"duplicate ids far apart", line("a") + "\n" + many + line("b") + "\n" + line("a"), "", `in.jsonl:6: custom_id: "a" duplicates line 1`},
		{"unknown shape", `{"question":"hi"}`, "", `in.jsonl:1: cannot tell the shape`},
		{"empty object", `{}`, "", `in.jsonl:1: cannot tell the shape`},
		{"conflicting endpoints", line("a") + "\n" + strings.Replace(line("b"), "/v1/chat/completions", "/v1/embeddings", 1), "", `in.jsonl:2: url:`},
		{"not a batch endpoint", strings.Replace(line("a"), "/v1/chat/completions", "/v1/chat/completion", 1), "", `in.jsonl:1: url:`},
		{"GET method", strings.Replace(line("a"), `"POST"`, `"GET"`, 1), "", `in.jsonl:1: method:`},
		{"missing method", strings.Replace(line("a"), `"method":"POST",`, ``, 1), "", `in.jsonl:1: method: missing`},
		{"body not object", `{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":"x"}`, "", `in.jsonl:1: body: must be an object`},
		{"missing model", strings.Replace(line("a"), `"model":"echo",`, ``, 1), "", `in.jsonl:1: body.model: missing`},
		{"two models", line("a") + "\n" + strings.Replace(line("b"), `"echo"`, `"other"`, 1), "", `in.jsonl:2: body.model:`},
		{"line over the size limit", line("a") + "\n" + line(strings.Repeat("b", 600)), "--max-bytes 400", `in.jsonl:2: line is `},
		{"trailing garbage", line("a") + ` x`, "", `in.jsonl:1:132: invalid JSON: expected end of line after the JSON value, found 'x'`},
		{"two objects on a line", line("a") + line("b"), "", `in.jsonl:1:131: invalid JSON: expected end of line after the JSON value, found '{'`},
		{"unterminated string", `{"prompt":"hi}`, "", `in.jsonl:1: invalid JSON: unexpected end of input`},
		{"bad escape", `{"prompt":"a\qb"}`, "", `in.jsonl:1:14: invalid JSON: expected an escape character`},
		{"leading comma", `{,"prompt":"hi"}`, "", `in.jsonl:1:2: invalid JSON: expected a string key or '}', found ','`},
		{"anthropic bad id", `{"custom_id":"a b","params":{"model":"echo","max_tokens":5,"messages":[{"role":"user","content":"x"}]}}`, "--model anthropic/echo", `in.jsonl:1: custom_id:`},
		{"anthropic long id", `{"custom_id":"` + strings.Repeat("a", 65) + `","prompt":"x"}`, "--model anthropic/echo --max-tokens 5", `in.jsonl:1: custom_id:`},
		{"anthropic without max_tokens", `{"prompt":"x"}`, "--model anthropic/echo", `max_tokens`},
		{"embeddings to anthropic", `{"input":"x"}`, "--model anthropic/echo --max-tokens 5", `in.jsonl:1:`},
		{"tools across providers", `{"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function"}]}`, "--model gemini/echo", `in.jsonl:1: tools:`},
		{"http image to gemini", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"http://x/a.png"}}]}]}`, "--model gemini/echo", `in.jsonl:1:`},
		{"gemini key missing", `{"request":{"contents":[]}}`, "--model gemini/echo", `in.jsonl:1:`},
		{"no requests", "\n\n  \n", "", `in.jsonl: no requests`},
		{"duplicate key in a message", line("a") + "\n" + line("b") + "\n" + strings.Replace(line("c"), `"content":"hi"`, `"content":"hi","role":"system"`, 1), "",
			`in.jsonl:3: body.messages[0]: duplicate key "role"`},
		{"duplicate top-level key", `{"prompt":"a","custom_id":"x","prompt":"b"}`, "", `in.jsonl:1: duplicate key "prompt"`},
		{"duplicate key in a tool schema", strings.Replace(line("a"), `"messages"`, `"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","required":[],"required":["x"]}}}],"messages"`, 1), "",
			`in.jsonl:1: body.tools[0].function.parameters: duplicate key "required"`},
		{"duplicate key spelled with an escape", `{"prompt":"a","pr\u006fmpt":"b"}`, "", `in.jsonl:1: duplicate key "prompt"`},
		{"lone high surrogate", line("a") + "\n" + `{"prompt":"x\ud800"}`, "", `in.jsonl:2: prompt: lone surrogate \ud800 in string`},
		{"lone low surrogate in a message", strings.Replace(line("a"), `"hi"`, `"\udc00hi"`, 1), "", `in.jsonl:1: body.messages[0].content: lone surrogate \udc00 in string`},
		{"reversed surrogate pair", `{"prompt":"\ude00\ud83d"}`, "", `in.jsonl:1: prompt: lone surrogate \ude00`},
		{"NUL bytes", line("a") + "\n" + strings.Repeat("\x00", 200<<10), "", "in.jsonl:2:1: invalid JSON: expected a value, found '\\x00'\nin.jsonl:2: stopped reading here"},
		{"prompt flag not UTF-8", "", "--prompt ok --prompt caf\xe9!", `--prompt 2: invalid UTF-8 at byte 4`},
		{"input is a directory", "", "-f .", `reading input: .: is a directory`},
		{"zero max requests", line("a"), "--max-requests 0", `--max-requests must be at least 1`},
		{"negative max requests", line("a"), "--max-requests -3", `--max-requests must be at least 1`},
		{"zero max bytes", line("a"), "--max-bytes 0", `--max-bytes: invalid size "0"`},
		{"negative max bytes", line("a"), "--max-bytes -1KB", `--max-bytes: invalid size "-1KB"`},
	}
	if len(bad) < 30 {
		t.Fatalf("the corpus has %d inputs, want at least 30", len(bad))
	}
	env := append(os.Environ(), "BATCHCTL_HOME="+filepath.Join(dir, "home"), "OPENAI_BASE_URL="+srv.URL+"/v1",
		"OPENAI_API_KEY=k", "ANTHROPIC_BASE_URL="+srv.URL, "ANTHROPIC_API_KEY=k", "GOOGLE_GEMINI_BASE_URL="+srv.URL, "GEMINI_API_KEY=k", "NO_COLOR=1")
	run := func(t *testing.T, input, args string) (int, string) {
		t.Helper()
		in := filepath.Join(t.TempDir(), "in.jsonl")
		if err := os.WriteFile(in, []byte(input), 0o600); err != nil {
			t.Fatal(err)
		}
		argv := []string{"create", "--force"}
		if !strings.Contains(args, "--prompt") {
			argv = append(argv, "-f", "in.jsonl") // a later -f wins
		}
		if !strings.Contains(args, "--model") {
			argv = append(argv, "--provider", "openai")
		}
		argv = append(argv, strings.Fields(args)...)
		cmd := exec.Command(bin, argv...)
		cmd.Dir, cmd.Env = filepath.Dir(in), env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return cmd.ProcessState.ExitCode(), stderr.String()
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			code, stderr := run(t, tt.input, tt.args)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and %q", code, stderr, tt.want)
			}
		})
	}
	// the provider received nothing for any of them
	for _, proto := range []string{"openai", "anthropic", "gemini"} {
		entries, _ := filepath.Glob(filepath.Join(emuDir, proto, "*", "*"))
		if len(entries) > 0 {
			t.Errorf("the emulator stored %d %s objects after bad inputs: %v", len(entries), proto, entries)
		}
	}

	fifty := `{"custom_id":"big","prompt":"` + strings.Repeat("x", 50<<20) + `"}`
	good := []struct{ name, input string }{
		{"CRLF line endings", line("a") + "\r\n" + line("b") + "\r\n"},
		{"byte-order mark", "\ufeff" + line("a") + "\n"},
		{"blank lines skipped", "\n" + line("a") + "\n\n   \n" + line("b") + "\n"},
		{"last line without newline", line("a") + "\n" + line("b")},
		{"a 50 MB line within the limit", fifty},
		{"surrogate pairs", `{"prompt":"\ud83d\ude00 \uD83D\uDE00"}`},
		{"the same key in sibling objects", strings.Replace(line("a"), `"messages":[`, `"messages":[{"role":"user","content":"a"},`, 1)},
	}
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			code, stderr := run(t, tt.input, "--model openai/echo --dry-run")
			if code != 0 {
				t.Errorf("exit %d, stderr:\n%s", code, stderr)
			}
		})
	}
}

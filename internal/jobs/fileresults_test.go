package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/openai"
	"github.com/batchctl/batchctl/internal/store"
	"github.com/batchctl/batchctl/internal/store/sqlite"
)

func TestFileResults(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		stopAfter int // fn fails on this result (0: never)
		want      []string
		wantTally jobs.Tally
		wantErr   string
	}{
		{
			name: "every line, repeated ids included",
			input: `{"custom_id":"a1","status":"succeeded","model":"m1","text":"one","embedding":null,"embeddings":null,"moderation":null,"tool_calls":null,"finish_reason":"end_turn"}` + "\n\n" +
				`{"custom_id":"a1","status":"errored","error":{"type":"server_error","message":"again","code":null,"http_status":null}}` + "\n" +
				`{"custom_id":"a2","status":"expired","job":"elsewhere","batch_id":"batch_x"}`,
			want: []string{
				`a1 succeeded job="" provider=fake batch="" model=m1 finish=stop`,
				`a1 errored job="" provider=fake batch="" model= finish=<nil>`,
				`a2 expired job="" provider=fake batch="" model= finish=<nil>`,
			},
			wantTally: jobs.Tally{providers.ResultSucceeded: 1, providers.ResultErrored: 1, providers.ResultExpired: 1},
		},
		{
			name:      "a line the provider cannot read",
			input:     `{"custom_id":"a1","status":"succeeded"}` + "\n" + `{"status":"succeeded"}` + "\n",
			want:      []string{`a1 succeeded job="" provider=fake batch="" model= finish=<nil>`},
			wantTally: jobs.Tally{providers.ResultSucceeded: 1},
			wantErr:   "in.jsonl:2: fake: no custom_id",
		},
		{
			name:      "fn fails",
			input:     `{"custom_id":"a1","status":"succeeded"}` + "\n" + `{"custom_id":"a2","status":"succeeded"}` + "\n",
			stopAfter: 1,
			want:      []string{`a1 succeeded job="" provider=fake batch="" model= finish=<nil>`},
			wantTally: jobs.Tally{providers.ResultSucceeded: 1},
			wantErr:   "stop",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			tally, err := jobs.FileResults(context.Background(), newFakeProvider(), strings.NewReader(tt.input), "in.jsonl",
				func(r *providers.Result) error {
					finish := "<nil>"
					if r.FinishReason != nil {
						finish = *r.FinishReason
					}
					got = append(got, fmt.Sprintf("%s %s job=%q provider=%s batch=%q model=%s finish=%s",
						r.CustomID, r.Status, r.Job, r.Provider, r.BatchID, r.Model, finish))
					if len(got) == tt.stopAfter {
						return errors.New("stop")
					}
					return nil
				})
			if (err == nil && tt.wantErr != "") || (err != nil && err.Error() != tt.wantErr) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("results\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if !reflect.DeepEqual(tally, tt.wantTally) {
				t.Errorf("tally %v, want %v", tally, tt.wantTally)
			}
		})
	}
}

func TestFileResultsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := jobs.FileResults(ctx, newFakeProvider(), strings.NewReader(`{"custom_id":"a1","status":"succeeded"}`), "in.jsonl",
		func(*providers.Result) error { t.Error("a result after cancellation"); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want %v", err, context.Canceled)
	}
}

// benchOutputLine is an OpenAI chat output line of about 3 KB.
func benchOutputLine(id string) string {
	text := strings.Repeat(`The printing press spread through Europe after 1450: within fifty years, printers in more than `+
		`two hundred cities had produced millions of books.\n\n`, 20)
	return `{"id": "batch_req_` + id + `", "custom_id": "` + id + `", "response": {"status_code": 200, "request_id": "req_1", "body": ` +
		`{"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini-2024-07-18", "choices": [{"index": 0, ` +
		`"message": {"role": "assistant", "content": "` + text + `"}, "finish_reason": "stop"}], ` +
		`"usage": {"prompt_tokens": 812, "completion_tokens": 530, "total_tokens": 1342}}}, "error": null}`
}

// BenchmarkResults is Manager.Results on a registered, completed job of
// one OpenAI batch whose results file is on disk: 2000 requests, of which
// the provider returned 1990 (the other ten come out missing).
func BenchmarkResults(b *testing.B) {
	ctx := context.Background()
	home := b.TempDir()
	cfg := &config.Config{Home: home}
	s, err := sqlite.Open(ctx, filepath.Join(home, "batchctl.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	p := openai.New(openai.Config{Name: "openai"})
	m := jobs.NewManager(cfg, s)
	m.Now = time.Now
	m.Provider = func(string) (providers.Provider, error) { return p, nil }

	const requests, returned = 2000, 1990
	var in, out strings.Builder
	for i := range requests {
		id := fmt.Sprintf("request-%05d", i)
		fmt.Fprintf(&in, `{"custom_id":%q,"method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[]}}`+"\n", id)
		if i < returned {
			out.WriteString(benchOutputLine(id) + "\n")
		}
	}
	j := &store.Job{ID: "jbench", Provider: "openai", Model: "gpt-4o-mini", Requests: requests, Parts: []store.Part{{
		Index: 1, BatchID: "batch_1", Status: string(providers.StatusCompleted), Requests: requests, CompletedAt: time.Now(),
	}}}
	if err := s.CreateJob(ctx, j); err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(cfg.JobDir(j.ID), 0o700); err != nil {
		b.Fatal(err)
	}
	for path, data := range map[string]string{m.InputPath(j.ID, 1): in.String(), m.RawResultsPath(j.ID, 1): out.String()} {
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	job := &jobs.Job{Job: j, Registered: true}
	b.SetBytes(int64(out.Len()))
	for b.Loop() {
		tally, err := m.Results(ctx, job, func(*providers.Result) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		if tally.Total() != requests || tally[providers.ResultMissing] != requests-returned {
			b.Fatalf("tally %v", tally)
		}
	}
}

// xs reads as n bytes of 'x', made as they are read.
type xs struct{ n int64 }

func (r *xs) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), r.n))
	for i := range n {
		p[i] = 'x'
	}
	r.n -= int64(n)
	return n, nil
}

// TestFileResultsGiantLine reads a file whose second line is over the
// bound: it is refused by name and line, not buffered whole.
func TestFileResultsGiantLine(t *testing.T) {
	in := io.MultiReader(strings.NewReader(`{"custom_id":"a","status":"succeeded"}`+"\n"+`{"custom_id":"b","status":"succeeded","text":"`),
		&xs{n: jobs.MaxResultLine}, strings.NewReader(`"}`+"\n"))
	var got []string
	_, err := jobs.FileResults(context.Background(), newFakeProvider(), in, "big.jsonl", func(r *providers.Result) error {
		got = append(got, r.CustomID)
		return nil
	})
	want := "big.jsonl: result line 2 is longer than 64 MiB, the most batchctl accepts of one line"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	if !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("results %q before the error, want the first line's", got)
	}
}

package jobs_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/jsonl"
)

// stream is an input that never ends: start, then fill over and over. It
// counts the bytes it gave, and calls onRead before each read.
type stream struct {
	start, fill []byte
	read        int64
	onRead      func(n int)
	reads       int
}

func (s *stream) Read(p []byte) (int, error) {
	s.reads++
	if s.onRead != nil {
		s.onRead(s.reads)
	}
	n := copy(p, s.start)
	s.start = s.start[n:]
	for n < len(p) {
		n += copy(p[n:], s.fill)
	}
	s.read += int64(n)
	return n, nil
}

// TestPrepareEndlessInput covers inputs that never end: each must fail
// after reading little of them, naming the line, with nothing left behind.
func TestPrepareEndlessInput(t *testing.T) {
	const stopped = "; the lines after it were not checked"
	tests := []struct {
		name    string
		in      *stream
		want    string
		maxRead int64
	}{
		{"NUL bytes (/dev/zero)", &stream{fill: []byte{0}},
			"in.jsonl:1:1: invalid JSON: expected a value, found '\\x00'\nin.jsonl:1: stopped reading here (its end was not read)" + stopped, 1 << 20},
		{"lines of garbage (/dev/urandom)", &stream{fill: []byte("\x8f\x00\xd3\xff\n")},
			"in.jsonl:20: stopped reading here (20 lines are not JSON)" + stopped, 1 << 20},
		{"garbage without newlines", &stream{start: []byte(request("a1") + "\n"), fill: []byte(`{"custom_id":"x","body":{"a":[1,2,3}}`)},
			"in.jsonl:2:36: invalid JSON: expected ',' or ']' after array element, found '}'\nin.jsonl:2: stopped reading here (its end was not read)" + stopped, 1 << 20},
		{"one string past the batch size", &stream{start: []byte(request("a1") + "\n" + `{"prompt":"`), fill: []byte("abc")},
			"in.jsonl:2: line is over the 1048576-byte limit of one batch\nin.jsonl:2: stopped reading here (its end was not read)" + stopped, 2 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.m.Prepare(context.Background(), "job1", jobs.Spec{File: "in.jsonl", Input: tt.in, Profile: e.profile, Model: "m1"})
			verr, ok := errors.AsType[*jsonl.ValidationError](err)
			if !ok || !strings.HasSuffix(verr.Error(), tt.want) {
				t.Fatalf("Prepare error:\n%v\nwant a *jsonl.ValidationError ending in:\n%s", err, tt.want)
			}
			if tt.in.read > tt.maxRead {
				t.Errorf("read %d bytes, want at most %d", tt.in.read, tt.maxRead)
			}
			if _, err := os.Stat(e.m.Config.JobDir("job1")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the job directory was left behind: %v", err)
			}
		})
	}
}

// TestPrepareCanceled checks that Prepare ends when its context does,
// both while valid lines keep coming and while a read is blocked.
func TestPrepareCanceled(t *testing.T) {
	t.Run("endless valid lines", func(t *testing.T) {
		e := newEnv(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		in := &stream{fill: []byte(`{"prompt":"hi"}` + "\n"), onRead: func(n int) {
			if n == 10 {
				cancel()
			}
		}}
		e.profile.MaxRequests = 1 << 30 // one part, whatever the count
		_, err := e.m.Prepare(ctx, "job1", jobs.Spec{File: "in.jsonl", Input: in, Profile: e.profile, Model: "m1"})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Prepare error = %v, want context.Canceled", err)
		}
		if in.reads > 11 {
			t.Errorf("%d reads, want at most one after the cancel", in.reads)
		}
	})
	t.Run("blocked read", func(t *testing.T) {
		e := newEnv(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		blocked := make(chan struct{})
		never := make(chan struct{})
		defer close(never)
		in := &stream{onRead: func(int) {
			close(blocked)
			<-never
		}}
		go func() {
			<-blocked
			cancel()
		}()
		_, err := e.m.Prepare(ctx, "job1", jobs.Spec{File: "in.jsonl", Input: in, Profile: e.profile, Model: "m1"})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Prepare error = %v, want context.Canceled", err)
		}
	})
}

package create

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/iostreams"
)

func TestNewCmdCreate(t *testing.T) {
	tests := []struct {
		name    string
		args    string
		want    Options
		wantErr string
	}{
		{
			name: "file and model",
			args: "-f reqs.jsonl --model openai/gpt-4o-mini --name nightly --metadata a=1 --metadata b=2",
			want: Options{File: "reqs.jsonl", Model: "openai/gpt-4o-mini", Name: "nightly", Metadata: []string{"a=1", "b=2"}},
		},
		{
			name: "wait with timeout and output",
			args: "-f - -p emulator --wait --timeout 1h --interval 30s -o out.jsonl",
			want: Options{File: "-", Provider: "emulator", Wait: true, Timeout: time.Hour, Interval: 30 * time.Second, Output: "out.jsonl"},
		},
		{
			name: "dry run with limits",
			args: "-f x.jsonl -p openai --dry-run --max-requests 10 --max-bytes 1MB",
			want: Options{File: "x.jsonl", Provider: "openai", DryRun: true, MaxRequests: 10, MaxBytes: "1MB"},
		},
		{name: "no file", args: "--model openai/x", wantErr: "no input: pass -f FILE, -f - to read standard input, or --prompt TEXT"},
		{name: "dry run and wait", args: "-f x -p openai --dry-run --wait", wantErr: "--dry-run and --wait cannot be used together"},
		{name: "negative max requests", args: "-f x -p openai --max-requests -1", wantErr: "--max-requests must be at least 1"},
		{name: "zero max requests", args: "-f x -p openai --max-requests 0", wantErr: "--max-requests must be at least 1"},
		{name: "negative timeout", args: "-f x -p openai --wait --timeout -1s", wantErr: "--timeout must not be negative"},
		{name: "prompt not UTF-8", args: "--prompt ok --prompt caf\xe9s -p openai", wantErr: "--prompt 2: invalid UTF-8 at byte 4"},
		{name: "prompt with a cut character", args: "--prompt caf\xc3 -p openai", wantErr: "--prompt 1: invalid UTF-8 at byte 4"},
		{name: "zero interval", args: "-f x -p openai --interval 0s", wantErr: "--interval must be positive"},
		{name: "argument", args: "-f x extra", wantErr: `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios, Config: func() (*config.Config, error) { return nil, errors.New("unused") }}
			var got *Options
			cmd := NewCmdCreate(f, func(_ context.Context, o *Options) error { got = o; return nil })
			cmd.SetArgs(strings.Fields(tt.args))
			cmd.SetOut(ios.ErrOut)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tt.wantErr != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) || err.Error() != tt.wantErr {
					t.Fatalf("err = %v (%T), want FlagError %q", err, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			w := tt.want
			if got.File != w.File || got.Model != w.Model || got.Provider != w.Provider || got.Name != w.Name ||
				strings.Join(got.Metadata, ",") != strings.Join(w.Metadata, ",") || got.Wait != w.Wait ||
				got.Timeout != w.Timeout || got.Interval != w.Interval || got.Output != w.Output ||
				got.DryRun != w.DryRun || got.MaxRequests != w.MaxRequests || got.MaxBytes != w.MaxBytes {
				t.Errorf("options = %+v\nwant      %+v", *got, w)
			}
		})
	}
}

func TestParseMetadata(t *testing.T) {
	got, err := parseMetadata([]string{"team=search", "note=a=b", "empty="})
	if err != nil {
		t.Fatal(err)
	}
	if got["team"] != "search" || got["note"] != "a=b" || got["empty"] != "" || len(got) != 3 {
		t.Errorf("parseMetadata = %v", got)
	}
	for _, bad := range []string{"novalue", "=x", "batchctl_job=x"} {
		if _, err := parseMetadata([]string{bad}); err == nil {
			t.Errorf("parseMetadata(%q) succeeded", bad)
		}
	}
}

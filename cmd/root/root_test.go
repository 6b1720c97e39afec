package root

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/providers"
)

func TestExitCodeOf(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want cmdutil.ExitCode
	}{
		{"plain error", context.Background(), errors.New("boom"), cmdutil.ExitError},
		{"network", context.Background(), &net.OpError{Op: "dial", Err: errors.New("refused")}, cmdutil.ExitError},
		{"provider 500", context.Background(), &providers.HTTPError{StatusCode: 500}, cmdutil.ExitError},
		{"flag", context.Background(), cmdutil.FlagErrorf("bad flag"), cmdutil.ExitUsage},
		{"usage", context.Background(), &cmdutil.UsageError{Err: errors.New("x")}, cmdutil.ExitUsage},
		{"invalid input", context.Background(), fmt.Errorf("wrapped: %w", &jsonl.ValidationError{Total: 1}), cmdutil.ExitUsage},
		{"no such job", context.Background(), &jobs.NotFoundError{Ref: "x", Err: errors.New("x")}, cmdutil.ExitUsage},
		{"partial", context.Background(), &cmdutil.PartialError{}, cmdutil.ExitPartial},
		{"missing key", context.Background(), &providers.MissingKeyError{Profile: "openai"}, cmdutil.ExitAuth},
		{"auth error", context.Background(), &cmdutil.AuthError{Err: errors.New("x")}, cmdutil.ExitAuth},
		{"rejected key", context.Background(), fmt.Errorf("submitting: %w", &providers.HTTPError{StatusCode: 401}), cmdutil.ExitAuth},
		{"forbidden", context.Background(), &providers.HTTPError{StatusCode: 403}, cmdutil.ExitAuth},
		{"timeout", context.Background(), &cmdutil.TimeoutError{}, cmdutil.ExitTimeout},
		{"interrupted", canceled, fmt.Errorf("get: %w", context.Canceled), cmdutil.ExitInterrupted},
		{"canceled but not by us", context.Background(), context.Canceled, cmdutil.ExitError},
		{"silent", context.Background(), &cmdutil.SilentError{Code: 3}, cmdutil.ExitPartial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCodeOf(tt.ctx, tt.err); got != tt.want {
				t.Errorf("ExitCodeOf(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

package list

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/cmdutil/jsonfieldstest"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/store/sqlite"
)

// list --json prints jobs.View, pinned in cmd/status; list --remote --json
// prints remoteView.
func TestJSONFields(t *testing.T) {
	jsonfieldstest.Equal(t, remoteView{}, []string{
		"id", "status", "provider_status", "endpoint", "model",
		"counts", "counts.total", "counts.succeeded", "counts.failed",
		"created_at", "metadata",
	})
}

// "no jobs match" is a note on stderr: whether it is shown depends on
// stderr being a terminal, not stdout (list | wc -l on a terminal).
func TestNoneMatchNoteFollowsStderr(t *testing.T) {
	for _, tt := range []struct {
		stdoutTTY, stderrTTY bool
		want                 string
	}{
		{false, true, "no jobs match\n"},
		{true, false, ""},
	} {
		ios, _, stdout, stderr := iostreams.Test()
		ios.SetStdoutTTY(tt.stdoutTTY)
		ios.SetStderrTTY(tt.stderrTTY)
		reg, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "batchctl.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { reg.Close() })
		opts := &Options{
			IO:      ios,
			Manager: func() (*jobs.Manager, error) { return jobs.NewManager(&config.Config{}, reg), nil },
			Now:     time.Now,
			Limit:   50,
		}
		opts.Exporter = &cmdutil.Exporter{}
		if err := listRun(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
		if stdout.Len() != 0 || stderr.String() != tt.want {
			t.Errorf("stdout TTY %v, stderr TTY %v: stdout %q, stderr %q, want stderr %q", tt.stdoutTTY, tt.stderrTTY, stdout, stderr, tt.want)
		}
	}
}

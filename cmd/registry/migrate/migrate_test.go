package migrate

import (
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/jobs"
)

func TestRedact(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"/var/lib/batchctl/batchctl.db", "/var/lib/batchctl/batchctl.db"},
		{"relative/batchctl.db", "relative/batchctl.db"},
		{"postgres://bob:s3cret@db.example.com:5432/batchctl?sslmode=require", "postgres://bob:xxxxx@db.example.com:5432/batchctl?sslmode=require"},
		{"postgres://db.example.com/batchctl?user=bob&password=s3cret", "postgres://db.example.com/batchctl?password=xxxxx&user=bob"},
		{"postgres://bob@db.example.com/batchctl", "postgres://bob@db.example.com/batchctl"},
		{"postgres://db.example.com/batchctl", "postgres://db.example.com/batchctl"},
		{"postgres://bob:s3cret@db.example.com:port/x", "postgres://(unreadable URL)"},
	}
	for _, tt := range tests {
		if got := redact(tt.spec); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.spec, got, tt.want)
		}
	}
}

func TestProgress(t *testing.T) {
	var b strings.Builder
	report := progress(&b)
	var st jobs.CopyStats
	for i := range 2500 {
		if i%3 == 0 {
			st.Present++
		} else {
			st.Copied++
		}
		report(st)
	}
	want := "1,000 jobs so far: 666 copied, 334 already there\n2,000 jobs so far: 1,333 copied, 667 already there\n"
	if b.String() != want {
		t.Errorf("progress wrote\n%s\nwant\n%s", b.String(), want)
	}
}

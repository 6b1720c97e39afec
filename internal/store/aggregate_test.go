package store

import (
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

// t0 is the fixed time the tests measure from.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

func TestAggregate(t *testing.T) {
	parts := func(statuses ...string) []Part {
		ps := make([]Part, len(statuses))
		for i, s := range statuses {
			ps[i] = Part{Index: i + 1, Status: s}
		}
		return ps
	}
	tests := []struct {
		name         string
		parts        []Part
		wantStatus   string
		wantTerminal bool
	}{
		{"no parts", nil, "", false},
		{"not submitted", parts(""), "unsubmitted", false},
		{"one running", parts("in_progress"), "in_progress", false},
		{"least advanced wins", parts("finalizing", "in_progress", "validating"), "validating", false},
		{"an unsubmitted part makes the job unsubmitted", parts("in_progress", ""), "unsubmitted", false},
		{"in_progress before finalizing", parts("finalizing", "in_progress"), "in_progress", false},
		{"running beats terminal", parts("completed", "finalizing", "failed"), "finalizing", false},
		{"cancelling overrides", parts("validating", "cancelling", "in_progress"), "cancelling", false},
		{"cancelling with terminal", parts("completed", "cancelling"), "cancelling", false},
		{"paused below in_progress", parts("in_progress", "paused"), "paused", false},
		{"updating below in_progress", parts("in_progress", "updating"), "updating", false},
		{"validating below paused", parts("paused", "validating"), "validating", false},
		{"unknown is reported", parts("validating", "weird"), "weird", false},
		{"all completed", parts("completed", "completed"), "completed", true},
		{"any failed", parts("completed", "cancelled", "failed", "expired"), "failed", true},
		{"expired over cancelled", parts("cancelled", "expired", "completed"), "expired", true},
		{"cancelled", parts("completed", "cancelled"), "cancelled", true},
		{"single cancelled", parts("cancelled"), "cancelled", true},
		{"all queued", parts("queued", "queued"), "queued", false},
		{"queued while nothing runs", parts("completed", "queued"), "queued", false},
		{"a running part hides the queued ones", parts("queued", "in_progress", "queued"), "in_progress", false},
		{"an unsubmitted part beats queued", parts("queued", ""), "unsubmitted", false},
		{"queued parts cancelled", parts("completed", "cancelled"), "cancelled", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, _, terminal := Aggregate(tt.parts)
			if status != tt.wantStatus || terminal != tt.wantTerminal {
				t.Errorf("Aggregate = %q, terminal %v; want %q, %v", status, terminal, tt.wantStatus, tt.wantTerminal)
			}
		})
	}
}

func TestAggregateSums(t *testing.T) {
	parts := []Part{
		{Status: "completed", Counts: providers.Counts{Total: 10, Succeeded: 8, Failed: 2}, Usage: providers.Usage{InputTokens: 100, OutputTokens: 20}},
		{Status: "in_progress", Counts: providers.Counts{Total: 5, Succeeded: 1}, Usage: providers.Usage{InputTokens: 7, OutputTokens: 3}},
		{},
	}
	_, counts, usage, _ := Aggregate(parts)
	if want := (providers.Counts{Total: 15, Succeeded: 9, Failed: 2}); counts != want {
		t.Errorf("counts = %+v, want %+v", counts, want)
	}
	if want := (providers.Usage{InputTokens: 107, OutputTokens: 23}); usage != want {
		t.Errorf("usage = %+v, want %+v", usage, want)
	}
}

func TestCompletedAt(t *testing.T) {
	prev, now := t0.Add(time.Hour), t0.Add(2*time.Hour)
	done := []Part{{CompletedAt: t0.Add(time.Minute)}, {CompletedAt: t0.Add(3 * time.Minute)}, {}}
	tests := []struct {
		name     string
		parts    []Part
		terminal bool
		prev     time.Time
		want     time.Time
	}{
		{"running", done, false, prev, time.Time{}},
		{"latest part", done, true, prev, t0.Add(3 * time.Minute)},
		{"parts without times keep prev", []Part{{}}, true, prev, prev},
		{"first seen now", []Part{{}}, true, time.Time{}, now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CompletedAt(tt.parts, tt.terminal, tt.prev, now); !got.Equal(tt.want) {
				t.Errorf("completedAt = %v, want %v", got, tt.want)
			}
		})
	}
}

package jobs_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/store"
	"github.com/batchctl/batchctl/internal/store/sqlite"
)

// openStore opens a fresh SQLite registry in a temporary directory.
func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "batchctl.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestCopyRegistry copies more jobs than one page of the listing holds,
// from a registry into one that has some of them (and a learned budget of
// its own), and checks that the copy holds every job's record as the
// source does, counts right, and that a second copy does nothing.
func TestCopyRegistry(t *testing.T) {
	ctx := t.Context()
	from, to := openStore(t), openStore(t)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	const n = 1001 // two pages of the listing and one more job
	for i := range n {
		j := store.Job{ID: fmt.Sprintf("j%05d", i), CreatedAt: t0.Add(time.Duration(i%7) * time.Minute),
			Parts: []store.Part{{Index: 1, Status: "in_progress"}}}
		if err := from.CreateJob(ctx, &j); err != nil {
			t.Fatal(err)
		}
		if i%100 == 0 { // already there
			if err := to.CreateJob(ctx, &j); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, b := range []store.LearnedBudget{
		{Endpoint: "https://api.openai.com/v1", Model: "gpt-4o", Tokens: 9000, Refusals: 2, UpdatedAt: t0},
		{Endpoint: "https://api.openai.com/v1", Model: "gpt-4o-mini", Tokens: 7000, Refusals: 1, UpdatedAt: t0},
	} {
		if err := from.SetLearnedBudget(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	mine := store.LearnedBudget{Endpoint: "https://api.openai.com/v1", Model: "gpt-4o", Tokens: 5, Refusals: 9, UpdatedAt: t0}
	if err := to.SetLearnedBudget(ctx, mine); err != nil {
		t.Fatal(err)
	}

	var calls int
	var last jobs.CopyStats
	st, err := jobs.CopyRegistry(ctx, from, to, func(s jobs.CopyStats) { calls, last = calls+1, s })
	if err != nil {
		t.Fatal(err)
	}
	want := jobs.CopyStats{Copied: n - 11, Present: 11, Budgets: 1}
	if st != want || last != want || calls != n {
		t.Errorf("CopyRegistry = %+v, last progress %+v after %d calls; want %+v after %d", st, last, calls, want, n)
	}
	for i := range n {
		id := fmt.Sprintf("j%05d", i)
		src, err := from.ExportJob(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		dst, err := to.ExportJob(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(src, dst) {
			t.Fatalf("job %s copied as\n%+v\nwant\n%+v", id, dst, src)
		}
	}
	budgets, err := to.LearnedBudgets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(budgets) != 2 || budgets[0] != mine {
		t.Errorf("learned budgets of the copy = %+v; want its own for gpt-4o and the source's for gpt-4o-mini", budgets)
	}

	st, err = jobs.CopyRegistry(ctx, from, to, nil)
	if want := (jobs.CopyStats{Present: n}); err != nil || st != want {
		t.Errorf("second CopyRegistry = %+v, %v; want %+v", st, err, want)
	}
}

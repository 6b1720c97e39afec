package postgres

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/store"
)

// TestEachReadsWhatListReads checks that Each, walking the jobs a page at
// a time, gives the jobs List gives, in the same order, each with its own
// parts, across pages and under limits that end in, at and past a page.
func TestEachReadsWhatListReads(t *testing.T) {
	s := openTest(t)
	t0 := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	const jobs = 2*eachPage + 7
	for i := range jobs {
		// Several jobs share a creation time: ties are broken by id.
		j := store.Job{ID: fmt.Sprintf("j%04d", i), Name: fmt.Sprintf("n%d", i%2), CreatedAt: t0.Add(time.Duration(i/3) * time.Second)}
		for p := 1; p <= i%3; p++ {
			j.Parts = append(j.Parts, store.Part{Index: p, BatchID: fmt.Sprintf("b%d-%d", i, p), Status: "in_progress"})
		}
		if err := s.CreateJob(t.Context(), &j); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []store.Filter{{}, {Limit: 3}, {Limit: eachPage}, {Limit: eachPage + 1}, {Name: "n1"}, {Limit: jobs + 5}} {
		want, err := s.List(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		var got []*store.Job
		err = s.Each(t.Context(), f, true, func(j *store.Job) error {
			got = append(got, j)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(storeIDs(got), storeIDs(want)) {
			t.Fatalf("%+v: Each gives %d jobs, List %d (or another order)", f, len(got), len(want))
		}
		for i := range got {
			if g, w := batchIDs(got[i]), batchIDs(want[i]); !slices.Equal(g, w) {
				t.Fatalf("%+v: Each's %s has batches %v, List's %v", f, got[i].ID, g, w)
			}
		}
	}
}

func batchIDs(j *store.Job) []string {
	var ids []string
	for _, p := range j.Parts {
		ids = append(ids, p.BatchID)
	}
	return ids
}

package sqlite

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/store"
)

// TestEachReadsWhatListReads checks that Each, walking the jobs one at a
// time, gives the jobs List gives, in the same order, each with its own
// parts, for jobs with none, one and several parts, under a limit and a
// filter.
func TestEachReadsWhatListReads(t *testing.T) {
	s, _ := openTest(t)
	for i, parts := range []int{2, 0, 1, 3, 0, 1} {
		j := store.Job{ID: fmt.Sprintf("j%d", i), Name: fmt.Sprintf("n%d", i%2), Provider: "openai", Model: "m",
			Requests: 10, Status: "in_progress", CreatedAt: t0.Add(time.Duration(i%4) * time.Minute)}
		for p := 1; p <= parts; p++ {
			j.Parts = append(j.Parts, store.Part{Index: p, BatchID: fmt.Sprintf("b%d-%d", i, p), Requests: 10 / parts,
				Status: "in_progress", UsageKnown: p%2 == 0})
		}
		mustCreate(t, s, j)
	}
	for _, f := range []store.Filter{{}, {Limit: 3}, {Name: "n1"}, {Limit: 1}} {
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
		if !slices.Equal(jobIDs(got), jobIDs(want)) {
			t.Fatalf("%+v: Each gives %v, List %v", f, jobIDs(got), jobIDs(want))
		}
		for i := range got {
			g, w := got[i], want[i]
			if g.Name != w.Name || g.Status != w.Status || g.Requests != w.Requests || !g.CreatedAt.Equal(w.CreatedAt) ||
				len(g.Parts) != len(w.Parts) {
				t.Fatalf("%+v: Each's %s = %+v, List's %+v", f, g.ID, g, w)
			}
			for k := range g.Parts {
				if g.Parts[k].BatchID != w.Parts[k].BatchID || g.Parts[k].UsageKnown != w.Parts[k].UsageKnown {
					t.Fatalf("%+v: Each's %s part %d = %+v, List's %+v", f, g.ID, k, g.Parts[k], w.Parts[k])
				}
			}
		}
	}
}

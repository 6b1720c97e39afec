package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/store"
)

// Retry chains: Family, and what deleting a job does to them.

func testFamily(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	ctx := t.Context()
	// jroot ─┬─ jz1 ─┬─ jm3
	//        │       └─ jb3 (created with jm3: id breaks the tie)
	//        └─ ja2 ─── jc4
	// jother ── jkid, and jalone, are other families.
	for _, j := range []store.Job{
		{ID: "jroot", CreatedAt: t0, Parts: []store.Part{{Index: 1, BatchID: "batch_root", Status: "failed"}}},
		{ID: "jother", CreatedAt: t0.Add(30 * time.Minute)},
		{ID: "jz1", ParentID: "jroot", CreatedAt: t0.Add(1 * time.Hour), Parts: []store.Part{{Index: 1}, {Index: 2, BatchID: "batch_z1"}}},
		{ID: "ja2", ParentID: "jroot", CreatedAt: t0.Add(2 * time.Hour)},
		{ID: "jm3", ParentID: "jz1", CreatedAt: t0.Add(3 * time.Hour)},
		{ID: "jb3", ParentID: "jz1", CreatedAt: t0.Add(3 * time.Hour)},
		{ID: "jc4", ParentID: "ja2", CreatedAt: t0.Add(4 * time.Hour)},
		{ID: "jkid", ParentID: "jother", CreatedAt: t0.Add(5 * time.Hour)},
		{ID: "jalone", CreatedAt: t0.Add(6 * time.Hour)},
	} {
		mustCreate(t, s, j)
	}
	whole := []string{"jroot", "jz1", "ja2", "jb3", "jm3", "jc4"}
	tests := []struct {
		id   string
		want []string
	}{
		{"jroot", whole},
		{"jz1", whole},
		{"ja2", whole},
		{"jm3", whole},
		{"jb3", whole},
		{"jc4", whole},
		{"jother", []string{"jother", "jkid"}},
		{"jkid", []string{"jother", "jkid"}},
		{"jalone", []string{"jalone"}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			family, err := s.Family(ctx, tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if ids := jobIDs(family); !slices.Equal(ids, tt.want) {
				t.Errorf("Family(%s) = %v, want %v", tt.id, ids, tt.want)
			}
			for _, j := range family {
				if want := mustGet(t, s, j.ID); !reflect.DeepEqual(j, want) {
					t.Errorf("family member %+v, Get gives %+v", j, want)
				}
			}
		})
	}

	for _, id := range []string{"jnope", "jro", ""} {
		_, err := s.Family(ctx, id)
		if want := fmt.Sprintf("family of job %q: not found", id); !errors.Is(err, store.ErrNotFound) || err.Error() != want {
			t.Errorf("Family(%q): error = %v, want %q", id, err, want)
		}
	}
}

func testFamilyAfterDelete(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	ctx := t.Context()
	for _, j := range []store.Job{
		{ID: "ja", CreatedAt: t0},
		{ID: "jb", ParentID: "ja", CreatedAt: t0.Add(1 * time.Hour)},
		{ID: "jc", ParentID: "jb", CreatedAt: t0.Add(2 * time.Hour)},
		{ID: "jd", ParentID: "jb", CreatedAt: t0.Add(3 * time.Hour)},
		{ID: "je", ParentID: "ja", CreatedAt: t0.Add(4 * time.Hour)},
	} {
		mustCreate(t, s, j)
	}
	if err := s.Delete(ctx, "jb"); err != nil {
		t.Fatal(err)
	}
	// Each job that retried jb is now a root.
	for id, want := range map[string][]string{
		"ja": {"ja", "je"},
		"je": {"ja", "je"},
		"jc": {"jc"},
		"jd": {"jd"},
	} {
		family, err := s.Family(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ids := jobIDs(family); !slices.Equal(ids, want) {
			t.Errorf("Family(%s) = %v, want %v", id, ids, want)
		}
	}

	// Reusing the deleted id for a retry of jc makes a cycle jc -> jb -> jc,
	// and the new jb adopts jd.
	mustCreate(t, s, store.Job{ID: "jb", ParentID: "jc", CreatedAt: t0.Add(5 * time.Hour)})
	mustCreate(t, s, store.Job{ID: "jf", ParentID: "jb", CreatedAt: t0.Add(6 * time.Hour)})
	for _, id := range []string{"jb", "jc", "jd", "jf"} {
		family, err := s.Family(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ids, want := jobIDs(family), []string{"jc", "jd", "jb", "jf"}; !slices.Equal(ids, want) {
			t.Errorf("Family(%s) on a cycle = %v, want %v", id, ids, want)
		}
	}
}

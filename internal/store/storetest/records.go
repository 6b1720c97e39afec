package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/store"
)

// Copying a job from one registry to another: ExportJob and ImportJob.

// recordedJob records fullJob through ReserveJob (so that it holds its
// fingerprint's claim), with three create attempts, one settled, a part
// saved later and its results synced, and returns its export.
func recordedJob(t *testing.T, s jobs.Registry, c *clock) *store.Record {
	t.Helper()
	ctx := t.Context()
	mustCreate(t, s, store.Job{ID: "jparent"})
	j := fullJob()
	if held, err := s.ReserveJob(ctx, &j, func(*store.Job) bool { return true }); err != nil || held != nil {
		t.Fatalf("ReserveJob = %v, %v", held, err)
	}
	for _, part := range []int{1, 2, 2} {
		a := &store.Attempt{Job: j.ID, Part: part, Tag: "tag", StartedAt: t0, SettleAt: t0.Add(time.Minute)}
		if err := s.AddAttempt(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SettleAttempt(ctx, j.ID, 2, 1, "batch_b"); err != nil {
		t.Fatal(err)
	}
	c.now = t0.Add(time.Hour)
	p := j.Parts[0] // index 2
	p.Status, p.QueuedWhy, p.NotBefore, p.Tokens = "queued", "over budget", t0.Add(2*time.Hour), 1234
	if err := s.SavePart(ctx, j.ID, p); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSynced(ctx, j.ID, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	r, err := s.ExportJob(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func testExportJob(t *testing.T, open Opener) {
	s, c := openTest(t, open)
	r := recordedJob(t, s, c)
	if got := mustGet(t, s, "jfull1"); !reflect.DeepEqual(r.Job, *got) {
		t.Errorf("exported job\n%+v\nGet gives\n%+v", r.Job, *got)
	}
	wantAttempts := []store.Attempt{
		{Job: "jfull1", Part: 1, N: 1, Tag: "tag", StartedAt: t0, SettleAt: t0.Add(time.Minute)},
		{Job: "jfull1", Part: 2, N: 1, Tag: "tag", StartedAt: t0, SettleAt: t0.Add(time.Minute), BatchID: "batch_b", Settled: true},
		{Job: "jfull1", Part: 2, N: 2, Tag: "tag", StartedAt: t0, SettleAt: t0.Add(time.Minute)},
	}
	if !reflect.DeepEqual(r.Attempts, wantAttempts) {
		t.Errorf("exported attempts\n%+v\nwant\n%+v", r.Attempts, wantAttempts)
	}
	if want := []store.Claim{{Fingerprint: fullJob().Fingerprint, ClaimedAt: fullJob().CreatedAt.UTC()}}; !reflect.DeepEqual(r.Claims, want) {
		t.Errorf("exported claims %+v, want %+v", r.Claims, want)
	}
	if _, err := s.ExportJob(t.Context(), "jfull"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ExportJob of a prefix: error = %v, want not found (an exact id only)", err)
	}
}

func testImportJob(t *testing.T, open Opener) {
	s, c := openTest(t, open)
	ctx := t.Context()
	r := recordedJob(t, s, c)

	err := s.ImportJob(ctx, r)
	if !errors.Is(err, store.ErrExists) || err.Error() != `import job "jfull1": already exists` {
		t.Errorf("importing a job the registry has: error = %v, want already exists", err)
	}
	// Gone, with its parent: the copy is verbatim all the same.
	for _, id := range []string{"jfull1", "jparent"} {
		if err := s.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	c.now = t0.Add(10 * time.Hour)
	if err := s.ImportJob(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := s.ExportJob(ctx, "jfull1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("imported\n%+v\nexports as\n%+v", r, got)
	}
	// The imported claim is the claim: an identical create reuses the job.
	again := store.Job{ID: "jagain", Fingerprint: r.Job.Fingerprint}
	if held, err := s.ReserveJob(ctx, &again, func(*store.Job) bool { return true }); err != nil || held == nil || held.ID != "jfull1" {
		t.Errorf("ReserveJob after the import = %v, %v; want jfull1, the claim's holder", held, err)
	}
}

func testImportJobKeepsOtherClaims(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	ctx := t.Context()
	holder := store.Job{ID: "jholder", Fingerprint: "fp"}
	if _, err := s.ReserveJob(ctx, &holder, func(*store.Job) bool { return true }); err != nil {
		t.Fatal(err)
	}
	r := &store.Record{
		Job:    store.Job{ID: "jcopy", Fingerprint: "fp", CreatedAt: t0.Add(time.Hour), UpdatedAt: t0.Add(time.Hour)},
		Claims: []store.Claim{{Fingerprint: "fp", ClaimedAt: t0.Add(time.Hour)}},
	}
	if err := s.ImportJob(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := s.ExportJob(ctx, "jcopy")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Claims) != 0 {
		t.Errorf("imported job holds %+v; want the claim left to jholder", got.Claims)
	}
	again := store.Job{ID: "jagain", Fingerprint: "fp"}
	if held, err := s.ReserveJob(ctx, &again, func(*store.Job) bool { return true }); err != nil || held == nil || held.ID != "jholder" {
		t.Errorf("ReserveJob = %v, %v; want jholder", held, err)
	}
}

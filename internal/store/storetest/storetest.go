// Package storetest is the test suite every job registry backend must pass:
// what package jobs relies on of its Registry, checked the same way on each
// (SQLite, and any backend added under internal/store). A backend's tests
// call Run with a function that opens a fresh registry.
//
// The tests are grouped by area, one file each (jobs.go, updates.go,
// family.go, concurrency.go, claims.go, budgets.go, records.go); Run lists them all.
package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// Opener opens a fresh, empty registry for the test t, closed when t ends,
// whose clock for the times it fills in is now.
type Opener func(t *testing.T, now func() time.Time) jobs.Registry

// Run runs the whole suite on registries open returns, each test on its own.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"CreateJobRoundTrip", testCreateJobRoundTrip},
		{"CreateJobDefaults", testCreateJobDefaults},
		{"CreateJobTerminal", testCreateJobTerminal},
		{"CreateJobErrors", testCreateJobErrors},
		{"Delete", testDelete},
		{"DeleteUnknownJob", testDeleteUnknownJob},
		{"Get", testGet},
		{"GetErrors", testGetErrors},
		{"List", testList},
		{"JobIDs", testJobIDs},
		{"NewID", testNewID},
		{"FindByFingerprint", testFindByFingerprint},
		{"SavePart", testSavePart},
		{"SavePartRoundTrip", testSavePartRoundTrip},
		{"SavePartKeepsRecordedCost", testSavePartKeepsRecordedCost},
		{"SavePartWithoutCompletionTime", testSavePartWithoutCompletionTime},
		{"SavePartKeepsCompletionTime", testSavePartKeepsCompletionTime},
		{"SavePartKeepsJobFields", testSavePartKeepsJobFields},
		{"SavePartErrors", testSavePartErrors},
		{"SetSynced", testSetSynced},
		{"GoneParts", testGoneParts},
		{"Family", testFamily},
		{"FamilyAfterDelete", testFamilyAfterDelete},
		{"ConcurrentWriters", testConcurrentWriters},
		{"ReserveJobReplacesAJobNotReused", testReserveJobReplacesAJobNotReused},
		{"Attempts", testAttempts},
		{"LearnedBudgets", testLearnedBudgets},
		{"ExportJob", testExportJob},
		{"ImportJob", testImportJob},
		{"ImportJobKeepsOtherClaims", testImportJobKeepsOtherClaims},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// t0 is the fixed time tests start their clocks at.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

// clock is a settable test clock.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// openTest opens a fresh registry whose clock is the returned one,
// starting at t0.
func openTest(t *testing.T, open Opener) (jobs.Registry, *clock) {
	t.Helper()
	c := &clock{now: t0}
	return open(t, c.Now), c
}

func mustCreate(t testing.TB, s jobs.Registry, j store.Job) store.Job {
	t.Helper()
	if err := s.CreateJob(t.Context(), &j); err != nil {
		t.Fatal(err)
	}
	return j
}

// fullJob returns a job with every field set, its times in a zone other
// than UTC. Its parent is the job jparent.
func fullJob() store.Job {
	zone := time.FixedZone("CET", 3600)
	at := func(d time.Duration) time.Time { return t0.Add(d).In(zone) }
	return store.Job{
		ID:          "jfull1",
		Name:        "nightly eval",
		Provider:    "openai",
		Model:       "gpt-4o-mini",
		Endpoint:    "/v1/chat/completions",
		InputPath:   "-",
		InputSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Requests:    3,
		ParentID:    "jparent",
		Fingerprint: "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b",
		Target: store.Target{ProfileType: "openai", BaseURL: "http://127.0.0.1:8089/v1", AuthHeader: "bearer",
			APIKeyEnv: "OPENAI_API_KEY", CompletionWindow: "7d", Mode: "direct", Primer: true},
		User:      "alice",
		Host:      "ci-runner-3.example.com",
		Metadata:  map[string]string{"team": "research", "run": "7"},
		CreatedAt: at(-time.Hour),
		UpdatedAt: at(-time.Minute),
		SyncedAt:  at(-2 * time.Minute),
		Parts: []store.Part{
			{
				Index: 2, BatchID: "batch_b", Status: "in_progress", ProviderStatus: "in_progress",
				Counts: providers.Counts{Total: 1}, Requests: 1, Bytes: 512, InputFileID: "file-in2",
				Errors:    []providers.BatchError{},
				Raw:       []byte(`{"id":"batch_b"}`),
				CreatedAt: at(-50 * time.Minute), UpdatedAt: at(-40 * time.Minute),
			},
			{
				Index: 1, BatchID: "batch_a", Status: "completed", ProviderStatus: "completed",
				Counts:   providers.Counts{Total: 2, Succeeded: 1, Failed: 1},
				Usage:    providers.Usage{InputTokens: 120, OutputTokens: 34},
				Requests: 2, Bytes: 1 << 40, InputFileID: "file-in1", OutputFileID: "file-out1", ErrorFileID: "file-err1",
				Raw:       []byte(`{"id":"batch_a","status":"completed"}`),
				CreatedAt: at(-55 * time.Minute), UpdatedAt: at(-30 * time.Minute), CompletedAt: at(-31 * time.Minute),
			},
		},
	}
}

// inUTC returns j with every time in UTC, as the store returns it.
func inUTC(j store.Job) store.Job {
	j.CreatedAt, j.UpdatedAt, j.CompletedAt, j.SyncedAt = utc(j.CreatedAt), utc(j.UpdatedAt), utc(j.CompletedAt), utc(j.SyncedAt)
	j.Parts = slices.Clone(j.Parts)
	for i := range j.Parts {
		p := &j.Parts[i]
		p.CreatedAt, p.UpdatedAt, p.CompletedAt, p.GoneAt = utc(p.CreatedAt), utc(p.UpdatedAt), utc(p.CompletedAt), utc(p.GoneAt)
	}
	return j
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

// jobIDs returns the ids of jobs.
func jobIDs(jobs []*store.Job) []string {
	var ids []string
	for _, j := range jobs {
		ids = append(ids, j.ID)
	}
	return ids
}

func mustGet(t *testing.T, s jobs.Registry, ref string) *store.Job {
	t.Helper()
	j, err := s.Get(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

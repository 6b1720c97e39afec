package sqlite

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// benchJobs is the registry size of the DESIGN.md budget: status and list
// under 100 ms with 10,000 jobs.
const benchJobs = 10_000

// seed fills s, in one transaction, with benchJobs jobs: ids j00000,
// j00010, ..., j99990, 100 jobs per name, 1,000 per user, 500 per host, one part each except every
// tenth job, which was split in two, and a provider response of about
// 1 KiB per part, as an OpenAI batch object is.
func seed(b *testing.B, s *Store) {
	b.Helper()
	raw := []byte(`{"id":"batch_x","object":"batch","status":"completed","metadata":{"note":"` + strings.Repeat("x", 900) + `"}}`)
	err := s.write(b.Context(), func(tx *sql.Tx) error {
		for i := range benchJobs {
			j := store.Job{
				ID: fmt.Sprintf("j%05d", 10*i), Name: fmt.Sprintf("run-%d", i%100), Provider: "openai",
				Model: "gpt-4o-mini", Endpoint: "/v1/chat/completions", InputPath: "reqs.jsonl", Requests: 100,
				Metadata: map[string]string{"team": "research"}, User: fmt.Sprintf("user-%d", i%10), Host: fmt.Sprintf("host-%d", i%20),
				CreatedAt: t0.Add(time.Duration(i) * time.Second),
			}
			parts := 1
			if i%10 == 0 {
				parts = 2
			}
			for p := 1; p <= parts; p++ {
				j.Parts = append(j.Parts, store.Part{
					Index: p, BatchID: fmt.Sprintf("batch_%05d_%d", i, p), Status: string(providers.StatusCompleted),
					ProviderStatus: "completed", Counts: providers.Counts{Total: 50, Succeeded: 50},
					Requests: 50, Bytes: 40_000, InputFileID: "file-in", OutputFileID: "file-out",
					Raw: raw, CompletedAt: t0,
				})
			}
			rec := store.Prepare(j, t0)
			if err := insertJob(b.Context(), tx, &rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func BenchmarkList(b *testing.B) {
	s, _ := openTest(b)
	seed(b, s)
	for _, f := range []struct {
		name   string
		filter store.Filter
		want   int
	}{
		{"all", store.Filter{}, benchJobs},
		{"limit50", store.Filter{Limit: 50}, 50},
		{"name", store.Filter{Name: "run-7"}, benchJobs / 100},
		{"mine-limit50", store.Filter{User: "user-3", Limit: 50}, 50},
		{"host", store.Filter{Host: "host-7"}, benchJobs / 20},
		{"provider-status-since", store.Filter{Provider: "openai", Statuses: []string{"completed", "failed"}, Since: t0.Add(9000 * time.Second)}, 1000},
	} {
		b.Run(f.name, func(b *testing.B) {
			for b.Loop() {
				jobs, err := s.List(b.Context(), f.filter)
				if err != nil {
					b.Fatal(err)
				}
				if len(jobs) != f.want {
					b.Fatalf("%d jobs, want %d", len(jobs), f.want)
				}
			}
		})
	}
}

func BenchmarkGet(b *testing.B) {
	s, _ := openTest(b)
	seed(b, s)
	for _, ref := range []struct{ name, ref, want string }{
		{"id", "j04240", "j04240"},
		{"batch", "batch_00424_1", "j04240"},
		{"prefix", "j0424", "j04240"},
		{"name", "run-42", "j99420"},
	} {
		b.Run(ref.name, func(b *testing.B) {
			for b.Loop() {
				j, err := s.Get(b.Context(), ref.ref)
				if err != nil {
					b.Fatal(err)
				}
				if j.ID != ref.want {
					b.Fatalf("Get(%q) = %s, want %s", ref.ref, j.ID, ref.want)
				}
			}
		})
	}
}

// BenchmarkRetryLookups measures Family and FindByFingerprint on the
// seeded registry plus one retry chain of five jobs.
func BenchmarkRetryLookups(b *testing.B) {
	s, _ := openTest(b)
	seed(b, s)
	parent := ""
	for i := range 5 {
		j := mustCreate(b, s, store.Job{
			ID: fmt.Sprintf("jretry%d", i), ParentID: parent, Fingerprint: "fp-retry",
			CreatedAt: t0.Add(time.Duration(benchJobs+i) * time.Second), Parts: []store.Part{{Index: 1}},
		})
		parent = j.ID
	}
	b.Run("family", func(b *testing.B) {
		for b.Loop() {
			jobs, err := s.Family(b.Context(), "jretry2")
			if err != nil {
				b.Fatal(err)
			}
			if len(jobs) != 5 {
				b.Fatalf("%d jobs, want 5", len(jobs))
			}
		}
	})
	b.Run("fingerprint", func(b *testing.B) {
		for b.Loop() {
			j, err := s.FindByFingerprint(b.Context(), "fp-retry", t0)
			if err != nil {
				b.Fatal(err)
			}
			if j.ID != "jretry4" {
				b.Fatalf("FindByFingerprint = %s, want jretry4", j.ID)
			}
		}
	})
}

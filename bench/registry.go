package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/batchctl/batchctl/internal/cmdutil/factory"
	"github.com/batchctl/batchctl/internal/pgurl"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// seedRegistry records n finished jobs in the registry reg (a SQLite
// path or a PostgreSQL URL), as n runs of `batchctl create` would have
// left them: one OpenAI batch each (every tenth job split in two), with
// the batch object the provider returned, and exported by sync since. It
// returns the id of the job in the middle.
func seedRegistry(ctx context.Context, reg string, n int) (string, error) {
	s, closeReg, err := factory.OpenRegistry(ctx, reg)
	if err != nil {
		return "", err
	}
	defer closeReg()
	// A server takes several writers at once; SQLite one at a time.
	writers := 1
	if pgurl.Is(reg) {
		writers = 8
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(writers)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	raw := []byte(`{"id":"batch_x","object":"batch","endpoint":"/v1/chat/completions","status":"completed","metadata":{"note":"` +
		strings.Repeat("x", 800) + `"}}`)
	for i := range n {
		created := t0.Add(time.Duration(i) * time.Minute)
		j := &store.Job{
			ID: fmt.Sprintf("j%05d", i), Name: fmt.Sprintf("nightly-%d", i%100), Provider: "openai",
			Model: "gpt-4o-mini", Endpoint: "/v1/chat/completions", InputPath: "reqs.jsonl", Requests: 1000,
			Metadata: map[string]string{"team": "research"}, CreatedAt: created, UpdatedAt: created,
			SyncedAt: created.Add(2 * time.Hour), // exported by sync: it has nothing to do
		}
		parts := 1
		if i%10 == 0 {
			parts = 2
		}
		for p := 1; p <= parts; p++ {
			j.Parts = append(j.Parts, store.Part{
				Index: p, BatchID: fmt.Sprintf("batch_%05d_%d", i, p), Status: string(providers.StatusCompleted),
				ProviderStatus: "completed", Counts: providers.Counts{Total: 1000 / parts, Succeeded: 1000 / parts},
				Requests: 1000 / parts, Bytes: 4_000_000, InputFileID: "file-in", OutputFileID: "file-out",
				Raw: raw, CreatedAt: created, UpdatedAt: created, CompletedAt: created.Add(time.Hour),
			})
		}
		g.Go(func() error { return s.CreateJob(ctx, j) })
	}
	if err := g.Wait(); err != nil {
		return "", err
	}
	return fmt.Sprintf("j%05d", n/2), nil
}

package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/batchctl/batchctl/internal/store"
)

// CopyStats counts what CopyRegistry did.
type CopyStats struct {
	Copied  int // jobs copied
	Present int // jobs the destination had already, left as they were
	Budgets int // learned budgets copied
}

// copyPage is how many jobs CopyRegistry lists at a time.
const copyPage = 500

// CopyRegistry copies into to everything from holds that to lacks: each
// job with all the registry keeps of it (store.Record: parts, times,
// attempts, claims) as it is, and each learned budget of an endpoint and
// model to has none for. What to has already is left as it is. Each job
// is copied in one atomic step, so an interrupted copy leaves whole jobs
// only, and running it again copies the rest and nothing twice. The jobs
// are copied newest first; progress, when set, is told the counts after
// each one.
func CopyRegistry(ctx context.Context, from, to Registry, progress func(CopyStats)) (CopyStats, error) {
	var st CopyStats
	n, err := copyBudgets(ctx, from, to)
	if err != nil {
		return st, err
	}
	st.Budgets = n
	after := ""
	for {
		page, err := from.List(ctx, store.Filter{Limit: copyPage, After: after})
		if err != nil {
			return st, err
		}
		for _, j := range page {
			copied, err := copyJob(ctx, from, to, j.ID)
			if err != nil {
				return st, err
			}
			if copied {
				st.Copied++
				killPoint("copied")
			} else {
				st.Present++
			}
			if progress != nil {
				progress(st)
			}
		}
		if len(page) < copyPage {
			return st, nil
		}
		after = page[len(page)-1].ID
	}
}

// copyJob copies job id from one registry to the other unless the other
// has it, and reports whether it did. A job deleted from the source since
// it was listed is not copied.
func copyJob(ctx context.Context, from, to Registry, id string) (bool, error) {
	r, err := from.ExportJob(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	err = to.ImportJob(ctx, r)
	if errors.Is(err, store.ErrExists) {
		return false, nil
	}
	return err == nil, err
}

// copyBudgets copies the learned budgets to has none of for their
// endpoint and model, and returns how many.
func copyBudgets(ctx context.Context, from, to Registry) (int, error) {
	have, err := to.LearnedBudgets(ctx)
	if err != nil {
		return 0, err
	}
	type key struct{ endpoint, model string }
	present := make(map[key]bool, len(have))
	for _, b := range have {
		present[key{b.Endpoint, b.Model}] = true
	}
	budgets, err := from.LearnedBudgets(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range budgets {
		if present[key{b.Endpoint, b.Model}] {
			continue
		}
		if err := to.SetLearnedBudget(ctx, b); err != nil {
			return n, fmt.Errorf("copy learned budget: %w", err)
		}
		n++
	}
	return n, nil
}

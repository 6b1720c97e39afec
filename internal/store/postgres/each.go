package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/batchctl/batchctl/internal/store"
)

// eachPage is how many jobs Each reads at a time.
const eachPage = 500

// Each calls fn with each job f selects, newest first, reading them a page
// at a time so that memory does not grow with the jobs. A job has only
// what a listing shows (listedColumns: not its metadata, input or
// target), and its parts (without Raw) only withParts. An error fn returns
// stops the walk and is returned.
//
// Each page is read from one snapshot, and the walk continues after the
// last job it gave (keyset paging), holding no transaction open while fn
// runs: fn may be slow (a pager on the other end of stdout). A job created
// or deleted during the walk may so be missed or still given, as if the
// listing had been taken a little earlier or later; none is given twice.
func (s *Store) Each(ctx context.Context, f store.Filter, withParts bool, fn func(*store.Job) error) error {
	remaining := f.Limit // 0: no limit
	var after *store.Job
	for {
		q := pageQuery(f, after, remaining)
		page, err := s.page(ctx, q, withParts)
		if err != nil {
			return s.errorf("list jobs: %w", err)
		}
		for _, j := range page {
			if err := fn(j); err != nil {
				return err
			}
		}
		remaining -= len(page)
		if len(page) < q.limit || f.Limit > 0 && remaining == 0 {
			return nil
		}
		after = page[len(page)-1]
	}
}

// pageQuery selects the next page of the jobs f selects: those after job
// after in the newest-first order (nil: from the first), at most eachPage
// and, when f has a limit, at most remaining.
func pageQuery(f store.Filter, after *store.Job, remaining int) *jobQuery {
	q := filterQuery(f)
	q.limit = eachPage
	if f.Limit > 0 {
		q.limit = min(remaining, eachPage)
	}
	if after != nil {
		q.where("(created_at, id) < (" + q.arg(nanos{&after.CreatedAt}) + ", " + q.arg(after.ID) + ")")
	}
	return q
}

// page reads the listed columns of the jobs of q, with their parts only
// withParts, from one snapshot.
func (s *Store) page(ctx context.Context, q *jobQuery, withParts bool) ([]*store.Job, error) {
	var jobs []*store.Job
	err := s.read(ctx, func(tx pgx.Tx) error {
		text, args := q.sql(listedColumns)
		var err error
		if jobs, err = queryJobs(ctx, tx, text, args, scanListed); err != nil || !withParts || len(jobs) == 0 {
			return err
		}
		return attachParts(ctx, tx, jobs, false)
	})
	return jobs, err
}

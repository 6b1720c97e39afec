package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/batchctl/batchctl/internal/store"
)

// ExportJob returns everything the registry holds of job id, read from one
// snapshot: the job as Get returns it, with its parts' raw batches, every
// create attempt of its parts and the fingerprint claims it holds. An
// unknown id yields an error wrapping store.ErrNotFound.
func (s *Store) ExportJob(ctx context.Context, id string) (*store.Record, error) {
	var r *store.Record
	err := s.read(ctx, func(tx pgx.Tx) error {
		var err error
		r, err = exportJob(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, s.errorf("export job %q: %w", id, err)
	}
	return r, nil
}

// exportJob reads the record of job id in tx.
func exportJob(ctx context.Context, tx pgx.Tx, id string) (*store.Record, error) {
	q := &jobQuery{}
	q.where("id = " + q.arg(id))
	jobs, err := loadIn(ctx, tx, q, true)
	if err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return nil, store.ErrNotFound
	}
	r := &store.Record{Job: *jobs[0]}
	if r.Attempts, err = attemptsOf(ctx, tx, id); err != nil {
		return nil, err
	}
	if r.Claims, err = claimsOf(ctx, tx, id); err != nil {
		return nil, err
	}
	return r, nil
}

// attemptsOf returns every create attempt of job id, by part and number.
func attemptsOf(ctx context.Context, tx pgx.Tx, id string) ([]store.Attempt, error) {
	rows, err := tx.Query(ctx, `SELECT idx, attempt, tag, started_at, settle_at, batch_id, settled
		FROM create_attempts WHERE job_id = $1 ORDER BY idx, attempt`, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Attempt, error) {
		a := store.Attempt{Job: id}
		err := row.Scan(&a.Part, &a.N, &a.Tag, nanos{&a.StartedAt}, nanos{&a.SettleAt}, &a.BatchID, &a.Settled)
		return a, err
	})
}

// claimsOf returns the fingerprint claims job id holds, by fingerprint.
func claimsOf(ctx context.Context, tx pgx.Tx, id string) ([]store.Claim, error) {
	rows, err := tx.Query(ctx, `SELECT fingerprint, claimed_at FROM create_claims
		WHERE job_id = $1 ORDER BY fingerprint`, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Claim, error) {
		var c store.Claim
		err := row.Scan(&c.Fingerprint, nanos{&c.ClaimedAt})
		return c, err
	})
}

// ImportJob records r as it is, in one transaction: the job and its parts
// with their times, status and aggregates, the attempts and the claims.
// Its parent need not be a job. A claim on a fingerprint another job holds
// is left to that job. A taken id yields an error wrapping
// store.ErrExists, and nothing is recorded.
func (s *Store) ImportJob(ctx context.Context, r *store.Record) error {
	if r.Job.ID == "" {
		return errors.New("import job: empty id")
	}
	if err := store.CheckIndexes(r.Job.Parts); err != nil {
		return fmt.Errorf("import job %q: %w", r.Job.ID, err)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return importJob(ctx, tx, r) })
	if err != nil {
		return s.errorf("import job %q: %w", r.Job.ID, err)
	}
	return nil
}

// importJob writes record r in tx.
func importJob(ctx context.Context, tx pgx.Tx, r *store.Record) error {
	if err := insertRows(ctx, tx, &r.Job); err != nil {
		return err
	}
	for _, a := range r.Attempts {
		_, err := tx.Exec(ctx, `INSERT INTO create_attempts (job_id, idx, attempt, tag, started_at, settle_at, batch_id, settled)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			r.Job.ID, a.Part, a.N, a.Tag, a.StartedAt.UnixNano(), a.SettleAt.UnixNano(), a.BatchID, a.Settled)
		if err != nil {
			return fmt.Errorf("attempt %d of part %d: %w", a.N, a.Part, err)
		}
	}
	for _, c := range r.Claims {
		_, err := tx.Exec(ctx, `INSERT INTO create_claims (fingerprint, job_id, claimed_at) VALUES ($1, $2, $3)
			ON CONFLICT (fingerprint) DO NOTHING`, c.Fingerprint, r.Job.ID, nanos{&c.ClaimedAt})
		if err != nil {
			return fmt.Errorf("claim %q: %w", c.Fingerprint, err)
		}
	}
	return nil
}

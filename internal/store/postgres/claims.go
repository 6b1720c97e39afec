package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/batchctl/batchctl/internal/store"
)

// ReserveJob makes j the job doing the work of its Fingerprint, unless
// the job already holding that fingerprint is one reuse accepts: then it
// returns that job and records nothing. Otherwise it records j as
// CreateJob does and returns nil.
//
// The check and the record are one transaction holding the fingerprint's
// advisory lock (lockClaim) from before the check until it commits; each
// statement after the lock sees what the lock's previous holder committed
// (READ COMMITTED), so of several identical creates at once, on any
// number of machines, exactly one records a job and the others get it.
func (s *Store) ReserveJob(ctx context.Context, j *store.Job, reuse func(*store.Job) bool) (*store.Job, error) {
	if j.ID == "" || j.Fingerprint == "" {
		return nil, errors.New("reserve job: empty id or fingerprint")
	}
	if err := store.CheckIndexes(j.Parts); err != nil {
		return nil, fmt.Errorf("reserve job %q: %w", j.ID, err)
	}
	rec := store.Prepare(*j, s.now().UTC())
	var held *store.Job
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", lockClaim, rec.Fingerprint); err != nil {
			return fmt.Errorf("take the claim lock: %w", err)
		}
		prev, err := claimHolder(ctx, tx, rec.Fingerprint)
		if err != nil {
			return err
		}
		if prev != nil && reuse(prev) {
			held = prev
			return nil
		}
		if err := insertJob(ctx, tx, &rec); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO create_claims (fingerprint, job_id, claimed_at) VALUES ($1, $2, $3)
			ON CONFLICT (fingerprint) DO UPDATE SET job_id = excluded.job_id, claimed_at = excluded.claimed_at`,
			rec.Fingerprint, rec.ID, nanos{&rec.CreatedAt})
		return err
	})
	if err != nil {
		return nil, s.errorf("reserve job %q: %w", rec.ID, err)
	}
	if held == nil {
		*j = rec
	}
	return held, nil
}

// claimHolder returns the job holding fingerprint fp, with its parts, or
// nil. A registry copied from one whose jobs predate claims has none for
// them: the newest job with that fingerprint holds it then.
func claimHolder(ctx context.Context, tx pgx.Tx, fp string) (*store.Job, error) {
	jobs, err := queryJobs(ctx, tx, "SELECT "+jobColumns+` FROM jobs
		WHERE id = coalesce((SELECT job_id FROM create_claims WHERE fingerprint = $1),
			(SELECT id FROM jobs WHERE fingerprint = $1`+newestFirst+` LIMIT 1))`, []any{fp}, scanJob)
	if err != nil || len(jobs) == 0 {
		return nil, err
	}
	return jobs[0], attachParts(ctx, tx, jobs, true)
}

// AddAttempt records a as the next attempt of its part and sets a.N. The
// job's row lock (FOR NO KEY UPDATE) makes concurrent attempts of one job
// take their numbers one after the other.
func (s *Store) AddAttempt(ctx context.Context, a *store.Attempt) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM jobs WHERE id = $1 FOR NO KEY UPDATE", a.Job).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		var n int
		err = tx.QueryRow(ctx, `INSERT INTO create_attempts (job_id, idx, attempt, tag, started_at, settle_at, batch_id, settled)
			SELECT $1, $2, coalesce(max(attempt), 0) + 1, $3, $4, $5, $6, $7
			FROM create_attempts WHERE job_id = $1 AND idx = $2
			RETURNING attempt`,
			a.Job, a.Part, a.Tag, a.StartedAt.UnixNano(), a.SettleAt.UnixNano(), a.BatchID, a.Settled).Scan(&n)
		if err == nil {
			a.N = n
		}
		return err
	})
	if err != nil {
		return s.errorf("record create attempt of job %q part %d: %w", a.Job, a.Part, err)
	}
	return nil
}

// SettleAttempt marks attempt n of a part as settled: its outcome is
// known. batchID, when not empty, is the batch it made.
func (s *Store) SettleAttempt(ctx context.Context, jobID string, part, n int, batchID string) error {
	err := s.execOne(ctx, "UPDATE create_attempts SET settled = true, batch_id = $1 WHERE job_id = $2 AND idx = $3 AND attempt = $4",
		batchID, jobID, part, n)
	if err != nil {
		return s.errorf("settle create attempt %d of job %q part %d: %w", n, jobID, part, err)
	}
	return nil
}

// OpenAttempts returns the attempts of job jobID whose outcome is not
// known, by part and number.
func (s *Store) OpenAttempts(ctx context.Context, jobID string) ([]store.Attempt, error) {
	rows, err := s.pool.Query(ctx, `SELECT idx, attempt, tag, started_at, settle_at, batch_id
		FROM create_attempts WHERE job_id = $1 AND NOT settled ORDER BY idx, attempt`, jobID)
	if err != nil {
		return nil, s.errorf("open create attempts of job %q: %w", jobID, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Attempt, error) {
		a := store.Attempt{Job: jobID}
		err := row.Scan(&a.Part, &a.N, &a.Tag, nanos{&a.StartedAt}, nanos{&a.SettleAt}, &a.BatchID)
		return a, err
	})
	if err != nil {
		return nil, s.errorf("open create attempts of job %q: %w", jobID, err)
	}
	return out, nil
}

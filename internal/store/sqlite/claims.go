package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/batchctl/batchctl/internal/store"
)

// ReserveJob makes j the job doing the work of its Fingerprint, unless
// the job already holding that fingerprint is one reuse accepts: then it
// returns that job and records nothing. Otherwise it records j as
// CreateJob does and returns nil. The check and the record are one write
// transaction over the create_claims reservation, so of several identical
// creates at once exactly one records a job and the others get it.
func (s *Store) ReserveJob(ctx context.Context, j *store.Job, reuse func(*store.Job) bool) (*store.Job, error) {
	if j.ID == "" || j.Fingerprint == "" {
		return nil, errors.New("reserve job: empty id or fingerprint")
	}
	if err := store.CheckIndexes(j.Parts); err != nil {
		return nil, fmt.Errorf("reserve job %q: %w", j.ID, err)
	}
	rec := store.Prepare(*j, s.now().UTC())
	var held *store.Job
	err := s.write(ctx, func(tx *sql.Tx) error {
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
		_, err = tx.ExecContext(ctx, `INSERT INTO create_claims (fingerprint, job_id, claimed_at) VALUES (?, ?, ?)
			ON CONFLICT (fingerprint) DO UPDATE SET job_id = excluded.job_id, claimed_at = excluded.claimed_at`,
			rec.Fingerprint, rec.ID, rec.CreatedAt.UnixNano())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reserve job %q: %w", rec.ID, err)
	}
	if held == nil {
		*j = rec
	}
	return held, nil
}

// claimHolder returns the job holding fingerprint fp, with its parts, or
// nil. A registry from before claims existed has none: the newest job
// with that fingerprint holds it then.
func claimHolder(ctx context.Context, tx *sql.Tx, fp string) (*store.Job, error) {
	jobs, err := queryJobs(ctx, tx, "SELECT "+jobColumns+` FROM jobs
		WHERE id = coalesce((SELECT job_id FROM create_claims WHERE fingerprint = ?1),
			(SELECT id FROM jobs WHERE fingerprint = ?1`+newestFirst+` LIMIT 1))`, []any{fp})
	if err != nil || len(jobs) == 0 {
		return nil, err
	}
	j := jobs[0]
	err = queryParts(ctx, tx, "SELECT "+partColumns+" FROM parts WHERE job_id = ? ORDER BY idx", []any{j.ID},
		func(_ string, p store.Part) { j.Parts = append(j.Parts, p) })
	return j, err
}

// AddAttempt records a as the next attempt of its part and sets a.N.
func (s *Store) AddAttempt(ctx context.Context, a *store.Attempt) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var n int
		err := tx.QueryRowContext(ctx, "SELECT coalesce(max(attempt), 0) + 1 FROM create_attempts WHERE job_id = ? AND idx = ?",
			a.Job, a.Part).Scan(&n)
		if err != nil {
			return err
		}
		next := *a
		next.N = n
		if err := insertAttempt(ctx, tx, a.Job, next); err != nil {
			return err
		}
		a.N = n
		return nil
	})
	if err != nil {
		return fmt.Errorf("record create attempt of job %q part %d: %w", a.Job, a.Part, err)
	}
	return nil
}

// SettleAttempt marks attempt n of a part as settled: its outcome is
// known. batchID, when not empty, is the batch it made.
func (s *Store) SettleAttempt(ctx context.Context, jobID string, part, n int, batchID string) error {
	err := s.execOne(ctx, "UPDATE create_attempts SET settled = 1, batch_id = ? WHERE job_id = ? AND idx = ? AND attempt = ?",
		batchID, jobID, part, n)
	if err != nil {
		return fmt.Errorf("settle create attempt %d of job %q part %d: %w", n, jobID, part, err)
	}
	return nil
}

// OpenAttempts returns the attempts of job jobID whose outcome is not
// known, by part and number.
func (s *Store) OpenAttempts(ctx context.Context, jobID string) ([]store.Attempt, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT idx, attempt, tag, started_at, settle_at, batch_id
		FROM create_attempts WHERE job_id = ? AND settled = 0 ORDER BY idx, attempt`, jobID)
	if err != nil {
		return nil, fmt.Errorf("open create attempts of job %q: %w", jobID, err)
	}
	defer rows.Close()
	var out []store.Attempt
	for rows.Next() {
		a := store.Attempt{Job: jobID}
		if err := rows.Scan(intCol{&a.Part}, intCol{&a.N}, &a.Tag, timeCol{&a.StartedAt}, timeCol{&a.SettleAt}, &a.BatchID); err != nil {
			return nil, fmt.Errorf("open create attempts of job %q: %w", jobID, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

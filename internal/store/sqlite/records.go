package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/batchctl/batchctl/internal/store"
)

// ExportJob returns everything the registry holds of job id, read from one
// snapshot: the job as Get returns it, with its parts' raw batches, every
// create attempt of its parts and the fingerprint claims it holds. An
// unknown id yields an error wrapping store.ErrNotFound.
func (s *Store) ExportJob(ctx context.Context, id string) (*store.Record, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("export job %q: %w", id, err)
	}
	defer tx.Rollback()
	r, err := exportJob(ctx, tx, id)
	if err != nil {
		return nil, fmt.Errorf("export job %q: %w", id, err)
	}
	return r, nil
}

// exportJob reads the record of job id in tx.
func exportJob(ctx context.Context, tx *sql.Tx, id string) (*store.Record, error) {
	jobs, err := queryJobs(ctx, tx, "SELECT "+jobColumns+" FROM jobs WHERE id = ?", []any{id})
	if err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return nil, store.ErrNotFound
	}
	r := &store.Record{Job: *jobs[0]}
	err = queryParts(ctx, tx, "SELECT "+partColumns+" FROM parts WHERE job_id = ? ORDER BY idx", []any{id},
		func(_ string, p store.Part) { store.AddLoadedPart(&r.Job, p) })
	if err != nil {
		return nil, err
	}
	if r.Attempts, err = attemptsOf(ctx, tx, id); err != nil {
		return nil, err
	}
	if r.Claims, err = claimsOf(ctx, tx, id); err != nil {
		return nil, err
	}
	return r, nil
}

// attemptsOf returns every create attempt of job id, by part and number.
func attemptsOf(ctx context.Context, tx *sql.Tx, id string) ([]store.Attempt, error) {
	rows, err := tx.QueryContext(ctx, `SELECT idx, attempt, tag, started_at, settle_at, batch_id, settled
		FROM create_attempts WHERE job_id = ? ORDER BY idx, attempt`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Attempt
	for rows.Next() {
		a := store.Attempt{Job: id}
		if err := rows.Scan(intCol{&a.Part}, intCol{&a.N}, &a.Tag, timeCol{&a.StartedAt}, timeCol{&a.SettleAt},
			&a.BatchID, &a.Settled); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// claimsOf returns the fingerprint claims job id holds, by fingerprint.
func claimsOf(ctx context.Context, tx *sql.Tx, id string) ([]store.Claim, error) {
	rows, err := tx.QueryContext(ctx, `SELECT fingerprint, claimed_at FROM create_claims
		WHERE job_id = ? ORDER BY fingerprint`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Claim
	for rows.Next() {
		var c store.Claim
		if err := rows.Scan(&c.Fingerprint, timeCol{&c.ClaimedAt}); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ImportJob records r as it is, in one write transaction: the job and its
// parts with their times, status and aggregates, the attempts and the
// claims. Its parent need not be a job. A claim on a fingerprint another
// job holds is left to that job. A taken id yields an error wrapping
// store.ErrExists, and nothing is recorded.
func (s *Store) ImportJob(ctx context.Context, r *store.Record) error {
	if r.Job.ID == "" {
		return errors.New("import job: empty id")
	}
	if err := store.CheckIndexes(r.Job.Parts); err != nil {
		return fmt.Errorf("import job %q: %w", r.Job.ID, err)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := insertRows(ctx, tx, &r.Job); err != nil {
			return err
		}
		for _, a := range r.Attempts {
			if err := insertAttempt(ctx, tx, r.Job.ID, a); err != nil {
				return fmt.Errorf("attempt %d of part %d: %w", a.N, a.Part, err)
			}
		}
		for _, c := range r.Claims {
			_, err := tx.ExecContext(ctx, `INSERT INTO create_claims (fingerprint, job_id, claimed_at) VALUES (?, ?, ?)
				ON CONFLICT (fingerprint) DO NOTHING`, c.Fingerprint, r.Job.ID, c.ClaimedAt.UnixNano())
			if err != nil {
				return fmt.Errorf("claim %q: %w", c.Fingerprint, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import job %q: %w", r.Job.ID, err)
	}
	return nil
}

// insertAttempt inserts attempt a of job jobID as it is.
func insertAttempt(ctx context.Context, tx *sql.Tx, jobID string, a store.Attempt) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO create_attempts (job_id, idx, attempt, tag, started_at, settle_at, batch_id, settled)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, jobID, a.Part, a.N, a.Tag, a.StartedAt.UnixNano(), a.SettleAt.UnixNano(), a.BatchID, a.Settled)
	return err
}

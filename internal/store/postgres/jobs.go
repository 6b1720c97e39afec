package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/batchctl/batchctl/internal/store"
)

const jobColumns = `id, name, provider, model, endpoint, input_path, input_sha256, requests,
	status, total, succeeded, failed, input_tokens, output_tokens, metadata, parent_id, fingerprint,
	created_at, updated_at, completed_at, synced_at,
	profile_type, base_url, auth_header, api_key_env, completion_window, mode, enqueued_tokens, priority, primer,
	os_user, host`

// listedColumns are the columns of a job that a listing shows (Each).
const listedColumns = `id, name, provider, model, status, requests, total, succeeded, failed,
	input_tokens, output_tokens, created_at, updated_at, completed_at`

const partColumns = `job_id, idx, batch_id, status, provider_status, total, succeeded, failed,
	input_tokens, output_tokens, requests, bytes, input_file_id, output_file_id, error_file_id,
	errors, raw, created_at, updated_at, completed_at, usage_known, gone_at,
	tokens, queued_why, not_before,
	cache_read_tokens, cache_write_tokens, reasoning_tokens,
	cache_write_1h_tokens, cost_usd, cost_rates, price_source, price_date`

// partColumnsNoRaw are partColumns with NULL for raw, the largest column,
// which no listing uses.
var partColumnsNoRaw = strings.Replace(partColumns, "raw,", "NULL AS raw,", 1)

var insertJobSQL = `INSERT INTO jobs (` + jobColumns + `) VALUES (` + placeholders(32) + `)
	ON CONFLICT (id) DO NOTHING`

// upsertPartSQL replaces a part's row, but never a recorded cost
// (store.Part.Cost): the cost columns keep theirs once cost_usd is set.
var upsertPartSQL = `INSERT INTO parts (` + partColumns + `) VALUES (` + placeholders(33) + `)
	ON CONFLICT (job_id, idx) DO UPDATE SET ` +
	setExcluded(partColumns, "job_id", "idx", "cost_usd", "cost_rates", "price_source", "price_date") + `,
	cost_rates = CASE WHEN parts.cost_usd IS NULL THEN excluded.cost_rates ELSE parts.cost_rates END,
	price_source = CASE WHEN parts.cost_usd IS NULL THEN excluded.price_source ELSE parts.price_source END,
	price_date = CASE WHEN parts.cost_usd IS NULL THEN excluded.price_date ELSE parts.price_date END,
	cost_usd = COALESCE(parts.cost_usd, excluded.cost_usd)`

const updateAggregateSQL = `UPDATE jobs SET status = $1, total = $2, succeeded = $3, failed = $4,
	input_tokens = $5, output_tokens = $6, updated_at = $7, completed_at = $8
	WHERE id = $9`

// placeholders returns "$1, $2, ..., $n".
func placeholders(n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = "$" + strconv.Itoa(i+1)
	}
	return strings.Join(p, ", ")
}

// setExcluded returns "c = excluded.c, ..." for the columns but keys.
func setExcluded(columns string, keys ...string) string {
	var set []string
	for c := range strings.SplitSeq(columns, ",") {
		c = strings.TrimSpace(c)
		if !slices.Contains(keys, c) {
			set = append(set, c+" = excluded."+c)
		}
	}
	return strings.Join(set, ", ")
}

// CreateJob records j and its parts in one transaction. Zero CreatedAt and
// UpdatedAt times of the job and its parts are set to now; Status, Counts,
// Usage and CompletedAt are derived from the parts. On success j holds
// what was stored. A taken id yields an error wrapping store.ErrExists,
// and a ParentID that names no job an error wrapping store.ErrNotFound.
func (s *Store) CreateJob(ctx context.Context, j *store.Job) error {
	if j.ID == "" {
		return errors.New("create job: empty id")
	}
	if err := store.CheckIndexes(j.Parts); err != nil {
		return fmt.Errorf("create job %q: %w", j.ID, err)
	}
	rec := store.Prepare(*j, s.now().UTC())
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return insertJob(ctx, tx, &rec) })
	if err != nil {
		return s.errorf("create job %q: %w", rec.ID, err)
	}
	*j = rec
	return nil
}

// insertJob inserts the prepared job j and its parts, once its parent
// is known to be a job.
func insertJob(ctx context.Context, tx pgx.Tx, j *store.Job) error {
	if err := checkParent(ctx, tx, j.ParentID); err != nil {
		return err
	}
	return insertRows(ctx, tx, j)
}

// insertRows inserts job j and its parts as they are.
func insertRows(ctx context.Context, tx pgx.Tx, j *store.Job) error {
	args, err := jobArgs(j)
	if err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, insertJobSQL, args...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrExists
	}
	for _, p := range j.Parts {
		if err := upsertPart(ctx, tx, j.ID, &p); err != nil {
			return fmt.Errorf("part %d: %w", p.Index, err)
		}
	}
	return nil
}

// upsertPart inserts or replaces part p of job jobID.
func upsertPart(ctx context.Context, tx pgx.Tx, jobID string, p *store.Part) error {
	args, err := partArgs(jobID, p)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, upsertPartSQL, args...)
	return err
}

// checkParent reports a non-empty parent id that names no job, and keeps
// the parent from being deleted until tx ends (FOR KEY SHARE). Checked
// before the job is inserted, it also rejects a job that names itself.
func checkParent(ctx context.Context, tx pgx.Tx, parentID string) error {
	if parentID == "" {
		return nil
	}
	var one int
	err := tx.QueryRow(ctx, "SELECT 1 FROM jobs WHERE id = $1 FOR KEY SHARE", parentID).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("parent job %q %w", parentID, store.ErrNotFound)
	}
	return err
}

// SavePart inserts or replaces part p.Index of job jobID, then recomputes
// the job's Status, Counts, Usage and CompletedAt and sets its UpdatedAt
// to now, all in one transaction that holds the job's row lock, so that
// concurrent saves of one job's parts aggregate one after the other. A
// zero p.UpdatedAt is set to now; a zero p.CreatedAt keeps the part's
// stored creation time, or is set to now for a new part. A missing job
// yields an error wrapping store.ErrNotFound.
func (s *Store) SavePart(ctx context.Context, jobID string, p store.Part) error {
	if err := store.CheckIndexes([]store.Part{p}); err != nil {
		return fmt.Errorf("save part of job %q: %w", jobID, err)
	}
	now := s.now().UTC()
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = now
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var prev time.Time
		err := tx.QueryRow(ctx, "SELECT completed_at FROM jobs WHERE id = $1 FOR NO KEY UPDATE", jobID).Scan(nanos{&prev})
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		parts, err := partStates(ctx, tx, jobID)
		if err != nil {
			return err
		}
		parts = store.MergePart(parts, &p, now)
		if err := upsertPart(ctx, tx, jobID, &p); err != nil {
			return err
		}
		status, counts, usage, terminal := store.Aggregate(parts)
		done := store.CompletedAt(parts, terminal, prev, now)
		_, err = tx.Exec(ctx, updateAggregateSQL, status, counts.Total, counts.Succeeded, counts.Failed,
			usage.InputTokens, usage.OutputTokens, nanos{&now}, nanos{&done}, jobID)
		return err
	})
	if err != nil {
		return s.errorf("save part %d of job %q: %w", p.Index, jobID, err)
	}
	return nil
}

// partStates loads the fields of a job's parts that aggregation needs.
func partStates(ctx context.Context, tx pgx.Tx, jobID string) ([]store.Part, error) {
	rows, err := tx.Query(ctx, `SELECT idx, status, total, succeeded, failed,
		input_tokens, output_tokens, created_at, completed_at
		FROM parts WHERE job_id = $1 ORDER BY idx`, jobID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Part, error) {
		var p store.Part
		err := row.Scan(&p.Index, &p.Status, &p.Counts.Total, &p.Counts.Succeeded, &p.Counts.Failed,
			&p.Usage.InputTokens, &p.Usage.OutputTokens, nanos{&p.CreatedAt}, nanos{&p.CompletedAt})
		return p, err
	})
}

// Get returns the job ref names, with its parts. ref is tried, in order,
// as an exact job id, the exact provider batch id of a part, a unique
// prefix of job ids, and an exact job name (the newest job of that name
// wins). It returns an error wrapping store.ErrNotFound when nothing
// matches, and an *store.AmbiguousError when a batch id belongs to several
// jobs or a prefix matches several jobs and no name matches.
func (s *Store) Get(ctx context.Context, ref string) (*store.Job, error) {
	j, err := s.loadByID(ctx, ref)
	if err != nil || j != nil {
		return j, err
	}
	ids, err := s.resolve(ctx, ref)
	if err != nil {
		return nil, s.errorf("get job %q: %w", ref, err)
	}
	switch {
	case len(ids) > 1:
		return nil, &store.AmbiguousError{Ref: ref, Candidates: ids}
	case len(ids) == 1:
		if j, err := s.loadByID(ctx, ids[0]); err != nil || j != nil { // else deleted since it was resolved
			return j, err
		}
	}
	return nil, fmt.Errorf("job %q %w", ref, store.ErrNotFound)
}

// loadByID returns job id with its parts, or nil when there is none.
func (s *Store) loadByID(ctx context.Context, id string) (*store.Job, error) {
	q := &jobQuery{}
	q.where("id = " + q.arg(id))
	jobs, err := s.load(ctx, q, true)
	if err != nil {
		return nil, s.errorf("get job %q: %w", id, err)
	}
	if len(jobs) == 0 {
		return nil, nil
	}
	return jobs[0], nil
}

// resolve returns the ids of the jobs ref names when it is not a job id
// (see Get): one when it resolves, several when it is ambiguous, none
// when nothing matches.
func (s *Store) resolve(ctx context.Context, ref string) ([]string, error) {
	if ref == "" {
		return nil, nil
	}
	byBatch, err := s.column(ctx, "SELECT DISTINCT job_id FROM parts WHERE batch_id = $1 ORDER BY job_id", ref)
	if err != nil || len(byBatch) > 0 {
		return byBatch, err
	}
	byPrefix, err := s.column(ctx, "SELECT id FROM jobs WHERE id LIKE $1 ORDER BY id", likePrefix(ref))
	if err != nil || len(byPrefix) == 1 {
		return byPrefix, err
	}
	// An exact name beats an ambiguous prefix.
	byName, err := s.column(ctx, "SELECT id FROM jobs WHERE name = $1"+newestFirst+" LIMIT 1", ref)
	if err != nil || len(byName) > 0 {
		return byName, err
	}
	return byPrefix, nil
}

// List returns the jobs f selects, newest first, with their parts. The
// parts' Raw is left nil: it is the largest column and no listing uses
// it (Get and Family load it).
func (s *Store) List(ctx context.Context, f store.Filter) ([]*store.Job, error) {
	jobs, err := s.load(ctx, filterQuery(f), false)
	if err != nil {
		return nil, s.errorf("list jobs: %w", err)
	}
	return jobs, nil
}

// load returns the jobs q selects, newest first, with their parts (with
// their Raw only withRaw), read from one snapshot.
func (s *Store) load(ctx context.Context, q *jobQuery, withRaw bool) ([]*store.Job, error) {
	var jobs []*store.Job
	err := s.read(ctx, func(tx pgx.Tx) error {
		var err error
		jobs, err = loadIn(ctx, tx, q, withRaw)
		return err
	})
	return jobs, err
}

// loadIn returns the jobs q selects in tx, newest first, with their parts
// (with their Raw only withRaw).
func loadIn(ctx context.Context, tx pgx.Tx, q *jobQuery, withRaw bool) ([]*store.Job, error) {
	text, args := q.sql(jobColumns)
	jobs, err := queryJobs(ctx, tx, text, args, scanJob)
	if err != nil || len(jobs) == 0 {
		return nil, err
	}
	return jobs, attachParts(ctx, tx, jobs, withRaw)
}

// attachParts loads the parts of jobs into them, with their Raw only
// withRaw, and adds the parts' usage details to the jobs' usage (the jobs
// table keeps only the totals).
func attachParts(ctx context.Context, tx pgx.Tx, jobs []*store.Job, withRaw bool) error {
	byID := make(map[string]*store.Job, len(jobs))
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		byID[j.ID], ids[i] = j, j.ID
	}
	columns := partColumnsNoRaw
	if withRaw {
		columns = partColumns
	}
	rows, err := tx.Query(ctx, "SELECT "+columns+" FROM parts WHERE job_id = ANY($1) ORDER BY job_id, idx", ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		jobID, p, err := scanPart(rows)
		if err != nil {
			return err
		}
		store.AddLoadedPart(byID[jobID], p)
	}
	return rows.Err()
}

// queryJobs runs a query selecting jobs, each row read by scan.
func queryJobs(ctx context.Context, tx pgx.Tx, text string, args []any, scan func(pgxRow) (*store.Job, error)) ([]*store.Job, error) {
	rows, err := tx.Query(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (*store.Job, error) { return scan(row) })
}

// Delete removes job id and its parts. A missing job yields an error
// wrapping store.ErrNotFound.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := s.execOne(ctx, "DELETE FROM jobs WHERE id = $1", id); err != nil {
		return s.errorf("delete job %q: %w", id, err)
	}
	return nil
}

// familyCond selects the jobs of the retry chain of the job whose id is
// its one argument: that job and its ancestors through parent_id (up),
// then every descendant of those (down). UNION, unlike UNION ALL, adds no
// job twice, so a cycle, which only an id reused after a delete can make,
// ends.
const familyCond = `id IN (WITH RECURSIVE
	up(id, parent_id) AS (
		SELECT id, parent_id FROM jobs WHERE id = %s
		UNION SELECT j.id, j.parent_id FROM jobs j JOIN up ON j.id = up.parent_id),
	down(id) AS (
		SELECT id FROM up
		UNION SELECT j.id FROM jobs j JOIN down ON j.parent_id = down.id)
	SELECT id FROM down)`

// Family returns the retry chain of job id, with their parts, oldest first
// (ties broken by id): the root of the chain, which retries no job, and
// every job that retries it, directly or through other retries, whichever
// branch they are on. id is an exact job id. Deleting a job splits its
// chain: each job that retried it becomes a root. An unknown id yields an
// error wrapping store.ErrNotFound.
func (s *Store) Family(ctx context.Context, id string) ([]*store.Job, error) {
	q := &jobQuery{}
	q.where(fmt.Sprintf(familyCond, q.arg(id)))
	jobs, err := s.load(ctx, q, true)
	if err != nil {
		return nil, s.errorf("family of job %q: %w", id, err)
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("family of job %q: %w", id, store.ErrNotFound)
	}
	slices.Reverse(jobs) // load returns them newest first
	return jobs, nil
}

// FindByFingerprint returns the newest job, with its parts, whose
// Fingerprint is fp and which was created at or after since (any time when
// since is zero); ties are broken by the greater id. An empty fp matches no
// job. When no job matches, it returns an error wrapping store.ErrNotFound.
func (s *Store) FindByFingerprint(ctx context.Context, fp string, since time.Time) (*store.Job, error) {
	if fp == "" {
		return nil, fmt.Errorf("find job by fingerprint %q: %w", fp, store.ErrNotFound)
	}
	q := filterQuery(store.Filter{Since: since, Limit: 1})
	q.where("fingerprint = " + q.arg(fp))
	jobs, err := s.load(ctx, q, true)
	if err != nil {
		return nil, s.errorf("find job by fingerprint %q: %w", fp, err)
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("find job by fingerprint %q: %w", fp, store.ErrNotFound)
	}
	return jobs[0], nil
}

// SetSynced records t as the time sync exported the results of job id; a
// zero t marks them not exported. It changes nothing else, not even the
// job's UpdatedAt. A missing job yields an error wrapping store.ErrNotFound.
func (s *Store) SetSynced(ctx context.Context, id string, t time.Time) error {
	if err := s.execOne(ctx, "UPDATE jobs SET synced_at = $1 WHERE id = $2", nanos{&t}, id); err != nil {
		return s.errorf("set synced time of job %q: %w", id, err)
	}
	return nil
}

// JobIDs returns the job ids and job names that start with prefix, sorted
// and without repeats, for shell completion.
func (s *Store) JobIDs(ctx context.Context, prefix string) ([]string, error) {
	ids, err := s.column(ctx, `SELECT id FROM jobs WHERE id LIKE $1
		UNION SELECT name FROM jobs WHERE name <> '' AND name LIKE $1
		ORDER BY 1`, likePrefix(prefix))
	if err != nil {
		return nil, s.errorf("complete job ids: %w", err)
	}
	return ids, nil
}

// NewID returns a job id no job has yet: "j" and 5 random characters of
// [a-z0-9]. It does not reserve the id: CreateJob still reports
// store.ErrExists if another process takes it first.
func (s *Store) NewID(ctx context.Context) (string, error) {
	for range store.IDAttempts {
		id, err := store.RandomID(s.rand)
		if err != nil {
			return "", fmt.Errorf("new job id: %w", err)
		}
		taken, err := s.column(ctx, "SELECT id FROM jobs WHERE id = $1", id)
		if err != nil {
			return "", s.errorf("new job id: %w", err)
		}
		if len(taken) == 0 {
			return id, nil
		}
	}
	return "", fmt.Errorf("new job id: every one of %d random ids was taken", store.IDAttempts)
}

// read runs fn in a read-only transaction whose statements all see one
// snapshot (REPEATABLE READ).
func (s *Store) read(ctx context.Context, fn func(pgx.Tx) error) error {
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	return pgx.BeginTxFunc(ctx, s.pool, opts, fn)
}

// execOne runs a statement that changes one row, and returns
// store.ErrNotFound when it changes none.
func (s *Store) execOne(ctx context.Context, query string, args ...any) error {
	tag, err := s.pool.Exec(ctx, query, args...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// column runs a query selecting one text column and returns its values.
func (s *Store) column(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/store"
)

const jobColumns = `id, name, provider, model, endpoint, input_path, input_sha256, requests,
	status, total, succeeded, failed, input_tokens, output_tokens, metadata, parent_id, fingerprint,
	created_at, updated_at, completed_at, synced_at,
	profile_type, base_url, auth_header, api_key_env, completion_window, mode, enqueued_tokens, priority, primer,
	os_user, host`

const partColumns = `job_id, idx, batch_id, status, provider_status, total, succeeded, failed,
	input_tokens, output_tokens, requests, bytes, input_file_id, output_file_id, error_file_id,
	errors, raw, created_at, updated_at, completed_at, usage_known, gone_at,
	tokens, queued_why, not_before,
	cache_read_tokens, cache_write_tokens, reasoning_tokens,
	cache_write_1h_tokens, cost_usd, cost_rates, price_source, price_date`

const insertJobSQL = `INSERT INTO jobs (` + jobColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
		?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO NOTHING`

const upsertPartSQL = `INSERT INTO parts (` + partColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
		?, ?, ?, ?, ?)
	ON CONFLICT (job_id, idx) DO UPDATE SET
		batch_id = excluded.batch_id,
		status = excluded.status,
		provider_status = excluded.provider_status,
		total = excluded.total,
		succeeded = excluded.succeeded,
		failed = excluded.failed,
		input_tokens = excluded.input_tokens,
		output_tokens = excluded.output_tokens,
		requests = excluded.requests,
		bytes = excluded.bytes,
		input_file_id = excluded.input_file_id,
		output_file_id = excluded.output_file_id,
		error_file_id = excluded.error_file_id,
		errors = excluded.errors,
		raw = excluded.raw,
		created_at = excluded.created_at,
		updated_at = excluded.updated_at,
		completed_at = excluded.completed_at,
		usage_known = excluded.usage_known,
		gone_at = excluded.gone_at,
		tokens = excluded.tokens,
		queued_why = excluded.queued_why,
		not_before = excluded.not_before,
		cache_read_tokens = excluded.cache_read_tokens,
		cache_write_tokens = excluded.cache_write_tokens,
		reasoning_tokens = excluded.reasoning_tokens,
		cache_write_1h_tokens = excluded.cache_write_1h_tokens,
		-- a recorded cost is never rewritten (store.Part.Cost)
		cost_rates = CASE WHEN parts.cost_usd IS NULL THEN excluded.cost_rates ELSE parts.cost_rates END,
		price_source = CASE WHEN parts.cost_usd IS NULL THEN excluded.price_source ELSE parts.price_source END,
		price_date = CASE WHEN parts.cost_usd IS NULL THEN excluded.price_date ELSE parts.price_date END,
		cost_usd = COALESCE(parts.cost_usd, excluded.cost_usd)`

const updateAggregateSQL = `UPDATE jobs SET status = ?, total = ?, succeeded = ?, failed = ?,
	input_tokens = ?, output_tokens = ?, updated_at = ?, completed_at = ?
	WHERE id = ?`

// newestFirst orders jobs newest first, ties broken by id.
const newestFirst = ` ORDER BY created_at DESC, id DESC`

// CreateJob records j and its parts in one transaction. Zero CreatedAt and
// UpdatedAt times of the job and its parts are set to now; Status, Counts,
// Usage and CompletedAt are derived from the parts. On success j holds
// what was stored. A taken id yields an error wrapping store.ErrExists, and a
// ParentID that names no job an error wrapping store.ErrNotFound.
func (s *Store) CreateJob(ctx context.Context, j *store.Job) error {
	if j.ID == "" {
		return errors.New("create job: empty id")
	}
	if err := store.CheckIndexes(j.Parts); err != nil {
		return fmt.Errorf("create job %q: %w", j.ID, err)
	}
	rec := store.Prepare(*j, s.now().UTC())
	err := s.write(ctx, func(tx *sql.Tx) error { return insertJob(ctx, tx, &rec) })
	if err != nil {
		return fmt.Errorf("create job %q: %w", rec.ID, err)
	}
	*j = rec
	return nil
}

// insertJob inserts the prepared job j and its parts.
func insertJob(ctx context.Context, tx *sql.Tx, j *store.Job) error {
	if err := checkParent(ctx, tx, j.ParentID); err != nil {
		return err
	}
	return insertRows(ctx, tx, j)
}

// insertRows inserts the rows of job j and its parts as they are. A taken
// id yields store.ErrExists.
func insertRows(ctx context.Context, tx *sql.Tx, j *store.Job) error {
	args, err := jobArgs(j)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, insertJobSQL, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return store.ErrExists
	}
	for _, p := range j.Parts {
		args, err := partArgs(j.ID, &p)
		if err != nil {
			return fmt.Errorf("part %d: %w", p.Index, err)
		}
		if _, err := tx.ExecContext(ctx, upsertPartSQL, args...); err != nil {
			return fmt.Errorf("part %d: %w", p.Index, err)
		}
	}
	return nil
}

// checkParent reports a non-empty parent id that names no job. Checked
// before the job is inserted, it also rejects a job that names itself.
func checkParent(ctx context.Context, tx *sql.Tx, parentID string) error {
	if parentID == "" {
		return nil
	}
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM jobs WHERE id = ?", parentID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("parent job %q %w", parentID, store.ErrNotFound)
	}
	return err
}

// SavePart inserts or replaces part p.Index of job jobID, then recomputes
// the job's Status, Counts, Usage and CompletedAt and sets its UpdatedAt
// to now, all in one transaction. A zero p.UpdatedAt is set to now; a zero
// p.CreatedAt keeps the part's stored creation time, or is set to now for a
// new part. A missing job yields an error wrapping store.ErrNotFound.
func (s *Store) SavePart(ctx context.Context, jobID string, p store.Part) error {
	if err := store.CheckIndexes([]store.Part{p}); err != nil {
		return fmt.Errorf("save part of job %q: %w", jobID, err)
	}
	now := s.now().UTC()
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = now
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var prev time.Time
		err := tx.QueryRowContext(ctx, "SELECT completed_at FROM jobs WHERE id = ?", jobID).Scan(timeCol{&prev})
		if errors.Is(err, sql.ErrNoRows) {
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
		args, err := partArgs(jobID, &p)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, upsertPartSQL, args...); err != nil {
			return err
		}
		status, counts, usage, terminal := store.Aggregate(parts)
		done := store.CompletedAt(parts, terminal, prev, now)
		_, err = tx.ExecContext(ctx, updateAggregateSQL, status, counts.Total, counts.Succeeded, counts.Failed,
			usage.InputTokens, usage.OutputTokens, now.UnixNano(), nanos(done), jobID)
		return err
	})
	if err != nil {
		return fmt.Errorf("save part %d of job %q: %w", p.Index, jobID, err)
	}
	return nil
}

// partStates loads the fields of a job's parts that aggregation needs.
func partStates(ctx context.Context, tx *sql.Tx, jobID string) ([]store.Part, error) {
	rows, err := tx.QueryContext(ctx, `SELECT idx, status, total, succeeded, failed,
		input_tokens, output_tokens, created_at, completed_at
		FROM parts WHERE job_id = ? ORDER BY idx`, jobID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var parts []store.Part
	for rows.Next() {
		var p store.Part
		if err := rows.Scan(intCol{&p.Index}, &p.Status, intCol{&p.Counts.Total}, intCol{&p.Counts.Succeeded}, intCol{&p.Counts.Failed},
			int64Col{&p.Usage.InputTokens}, int64Col{&p.Usage.OutputTokens}, timeCol{&p.CreatedAt}, timeCol{&p.CompletedAt}); err != nil {
			return nil, err
		}
		parts = append(parts, p)
	}
	return parts, rows.Err()
}

// Get returns the job ref names, with its parts. ref is tried, in order, as
// an exact job id, the exact provider batch id of a part, a unique prefix
// of job ids, and an exact job name (the newest job of that name wins). It
// returns an error wrapping store.ErrNotFound when nothing matches, and an
// *store.AmbiguousError when a batch id belongs to several jobs or a prefix
// matches several jobs and no name matches.
func (s *Store) Get(ctx context.Context, ref string) (*store.Job, error) {
	ids, err := s.resolve(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("get job %q: %w", ref, err)
	}
	switch {
	case len(ids) > 1:
		return nil, &store.AmbiguousError{Ref: ref, Candidates: ids}
	case len(ids) == 1:
		jobs, err := s.load(ctx, jobQuery{where: "id = ?", args: []any{ids[0]}})
		if err != nil {
			return nil, fmt.Errorf("get job %q: %w", ids[0], err)
		}
		if len(jobs) == 1 { // else deleted since it was resolved
			return jobs[0], nil
		}
	}
	return nil, fmt.Errorf("job %q %w", ref, store.ErrNotFound)
}

// resolve returns the ids of the jobs ref names (see Get): one when it
// resolves, several when it is ambiguous, none when nothing matches.
func (s *Store) resolve(ctx context.Context, ref string) ([]string, error) {
	if ref == "" {
		return nil, nil
	}
	byID, err := s.column(ctx, "SELECT id FROM jobs WHERE id = ?", ref)
	if err != nil || len(byID) > 0 {
		return byID, err
	}
	byBatch, err := s.column(ctx, "SELECT DISTINCT job_id FROM parts WHERE batch_id = ? ORDER BY job_id", ref)
	if err != nil || len(byBatch) > 0 {
		return byBatch, err
	}
	byPrefix, err := s.column(ctx, "SELECT id FROM jobs WHERE id GLOB ? ORDER BY id", globPrefix(ref))
	if err != nil || len(byPrefix) == 1 {
		return byPrefix, err
	}
	// An exact name beats an ambiguous prefix.
	byName, err := s.column(ctx, "SELECT id FROM jobs WHERE name = ?"+newestFirst+" LIMIT 1", ref)
	if err != nil || len(byName) > 0 {
		return byName, err
	}
	return byPrefix, nil
}

// List returns the jobs f selects, newest first, with their parts. The
// parts' Raw is left nil: it is the largest column and no listing uses
// it (Get and Family load it).
func (s *Store) List(ctx context.Context, f store.Filter) ([]*store.Job, error) {
	q := filterQuery(f)
	q.noRaw = true
	jobs, err := s.load(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	return jobs, nil
}

// Each calls fn with each job f selects, newest first, read one at a time
// from one snapshot, so that memory does not grow with the jobs. A job has
// only what a listing shows (listedColumns: not its metadata, input or
// target), and its parts (without Raw) only withParts. An error fn returns
// stops the walk and is returned.
func (s *Store) Each(ctx context.Context, f store.Filter, withParts bool, fn func(*store.Job) error) error {
	q := filterQuery(f)
	limit := q.limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	args := append(slices.Clone(q.args), limit)
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("list jobs: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "SELECT "+listedColumns+" FROM jobs WHERE "+q.where+newestFirst+" LIMIT ?", args...)
	if err != nil {
		return fmt.Errorf("list jobs: %w", err)
	}
	defer rows.Close()
	var parts *partCursor
	if withParts {
		if parts, err = openPartCursor(ctx, tx, q, args); err != nil {
			return fmt.Errorf("list jobs: %w", err)
		}
		defer parts.rows.Close()
	}
	for rows.Next() {
		j, err := scanListed(rows)
		if err != nil {
			return fmt.Errorf("list jobs: %w", err)
		}
		if parts != nil {
			if j.Parts, err = parts.of(j.ID); err != nil {
				return fmt.Errorf("list jobs: %w", err)
			}
		}
		if err := fn(j); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list jobs: %w", err)
	}
	return nil
}

// partCursor reads the parts of the jobs a query selects in the order of
// the jobs (newest first), in step with them.
type partCursor struct {
	rows    *sql.Rows
	next    store.Part // read, and of the job nextJob
	nextJob string
	done    bool
}

// openPartCursor starts reading the parts of the jobs of q (with their
// LIMIT argument last in args), without Raw.
func openPartCursor(ctx context.Context, tx *sql.Tx, q jobQuery, args []any) (*partCursor, error) {
	columns := strings.Replace(partColumns, "raw,", "NULL AS raw,", 1)
	query := "SELECT " + columns + " FROM (SELECT id AS sel_id, created_at AS sel_created FROM jobs WHERE " + q.where +
		newestFirst + " LIMIT ?) JOIN parts ON parts.job_id = sel_id ORDER BY sel_created DESC, sel_id DESC, idx"
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	c := &partCursor{rows: rows}
	if err := c.advance(); err != nil {
		rows.Close()
		return nil, err
	}
	return c, nil
}

// advance reads the next part.
func (c *partCursor) advance() error {
	if !c.rows.Next() {
		c.done = true
		return c.rows.Err()
	}
	var err error
	c.nextJob, c.next, err = scanPart(c.rows)
	return err
}

// of returns the parts of job id, the next job in the order.
func (c *partCursor) of(id string) ([]store.Part, error) {
	var parts []store.Part
	for !c.done && c.nextJob == id {
		parts = append(parts, c.next)
		if err := c.advance(); err != nil {
			return nil, err
		}
	}
	return parts, nil
}

// jobQuery selects jobs: a WHERE condition over the jobs table with its
// arguments, and a limit (0 for none).
type jobQuery struct {
	where string
	args  []any
	limit int
	// noRaw leaves Part.Raw nil, saving the largest column when many jobs
	// are read.
	noRaw bool
}

// filterQuery returns the jobQuery of f.
func filterQuery(f store.Filter) jobQuery {
	q := jobQuery{limit: f.Limit}
	conds := []string{"true"}
	if f.Provider != "" {
		conds = append(conds, "provider = ?")
		q.args = append(q.args, f.Provider)
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, "status IN (?"+strings.Repeat(", ?", len(f.Statuses)-1)+")")
		for _, st := range f.Statuses {
			q.args = append(q.args, st)
		}
	}
	if f.Name != "" {
		conds = append(conds, "name = ?")
		q.args = append(q.args, f.Name)
	}
	if f.User != "" {
		conds = append(conds, "os_user = ?")
		q.args = append(q.args, f.User)
	}
	if f.Host != "" {
		conds = append(conds, "host = ?")
		q.args = append(q.args, f.Host)
	}
	if !f.Since.IsZero() {
		conds = append(conds, "created_at >= ?")
		q.args = append(q.args, f.Since.UnixNano())
	}
	if !f.Before.IsZero() {
		conds = append(conds, "created_at < ?")
		q.args = append(q.args, f.Before.UnixNano())
	}
	// A job is terminal exactly when it has a completion time (see
	// prepareJob and SavePart).
	if f.Terminal {
		conds = append(conds, "completed_at IS NOT NULL")
	}
	if f.NeedsSync {
		// The first term is the WHERE of the partial index
		// jobs_needing_sync, which SQLite uses only for a query that
		// states it (migration 0011). A job not ended whose unfinished
		// parts are all gone at the provider has nothing left to refresh.
		conds = append(conds, needingSync, `(synced_at IS NULL AND completed_at IS NOT NULL OR completed_at IS NULL AND (
			EXISTS (SELECT 1 FROM parts p WHERE p.job_id = jobs.id AND p.completed_at IS NULL AND p.gone_at IS NULL)
			OR NOT EXISTS (SELECT 1 FROM parts p WHERE p.job_id = jobs.id)))`)
	}
	// The newest-first order, continued: a range over jobs_by_created.
	if f.After != "" {
		conds = append(conds, "(created_at, id) < (SELECT created_at, id FROM jobs WHERE id = ?)")
		q.args = append(q.args, f.After)
	}
	q.where = strings.Join(conds, " AND ")
	return q
}

// needingSync is the WHERE clause of the index jobs_needing_sync, as the
// migration spells it.
const needingSync = "(completed_at IS NULL OR synced_at IS NULL)"

// load returns the jobs q selects, newest first, with their parts, read
// from one snapshot with two queries.
func (s *Store) load(ctx context.Context, q jobQuery) ([]*store.Job, error) {
	limit := q.limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	selected := "SELECT id FROM jobs WHERE " + q.where + newestFirst + " LIMIT ?"
	args := append(slices.Clone(q.args), limit)

	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	jobs, err := queryJobs(ctx, tx, "SELECT "+jobColumns+" FROM jobs WHERE "+q.where+newestFirst+" LIMIT ?", args)
	if err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return nil, nil
	}
	byID := make(map[string]*store.Job, len(jobs))
	for _, j := range jobs {
		byID[j.ID] = j
	}
	columns := partColumns
	if q.noRaw {
		columns = strings.Replace(columns, "raw,", "NULL AS raw,", 1)
	}
	err = queryParts(ctx, tx, "SELECT "+columns+" FROM parts WHERE job_id IN ("+selected+") ORDER BY job_id, idx", args,
		func(jobID string, p store.Part) {
			if j := byID[jobID]; j != nil {
				store.AddLoadedPart(j, p)
			}
		})
	if err != nil {
		return nil, err
	}
	return jobs, nil
}

// queryJobs runs a query selecting jobColumns.
func queryJobs(ctx context.Context, tx *sql.Tx, query string, args []any) ([]*store.Job, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var jobs []*store.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

// queryParts runs a query selecting partColumns and calls fn for each part.
func queryParts(ctx context.Context, tx *sql.Tx, query string, args []any, fn func(jobID string, p store.Part)) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		jobID, p, err := scanPart(rows)
		if err != nil {
			return err
		}
		fn(jobID, p)
	}
	return rows.Err()
}

// Delete removes job id and its parts. A missing job yields an error
// wrapping store.ErrNotFound.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := s.execOne(ctx, "DELETE FROM jobs WHERE id = ?", id); err != nil {
		return fmt.Errorf("delete job %q: %w", id, err)
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
		SELECT id, parent_id FROM jobs WHERE id = ?
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
	jobs, err := s.load(ctx, familyQuery(id))
	if err != nil {
		return nil, fmt.Errorf("family of job %q: %w", id, err)
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("family of job %q: %w", id, store.ErrNotFound)
	}
	slices.Reverse(jobs) // load returns them newest first
	return jobs, nil
}

// familyQuery selects the retry chain of job id.
func familyQuery(id string) jobQuery {
	return jobQuery{where: familyCond, args: []any{id}}
}

// fingerprintQuery selects the newest job with fingerprint fp created at
// or after since.
func fingerprintQuery(fp string, since time.Time) jobQuery {
	q := filterQuery(store.Filter{Since: since, Limit: 1})
	q.where += " AND fingerprint = ?"
	q.args = append(q.args, fp)
	return q
}

// FindByFingerprint returns the newest job, with its parts, whose
// Fingerprint is fp and which was created at or after since (any time when
// since is zero); ties are broken by the greater id. An empty fp matches no
// job. When no job matches, it returns an error wrapping store.ErrNotFound.
func (s *Store) FindByFingerprint(ctx context.Context, fp string, since time.Time) (*store.Job, error) {
	if fp == "" {
		return nil, fmt.Errorf("find job by fingerprint %q: %w", fp, store.ErrNotFound)
	}
	jobs, err := s.load(ctx, fingerprintQuery(fp, since))
	if err != nil {
		return nil, fmt.Errorf("find job by fingerprint %q: %w", fp, err)
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
	if err := s.execOne(ctx, "UPDATE jobs SET synced_at = ? WHERE id = ?", nanos(t), id); err != nil {
		return fmt.Errorf("set synced time of job %q: %w", id, err)
	}
	return nil
}

// JobIDs returns the job ids and job names that start with prefix, sorted
// and without repeats, for shell completion.
func (s *Store) JobIDs(ctx context.Context, prefix string) ([]string, error) {
	ids, err := s.column(ctx, `SELECT id FROM jobs WHERE id GLOB ?1
		UNION SELECT name FROM jobs WHERE name <> '' AND name GLOB ?1
		ORDER BY 1`, globPrefix(prefix))
	if err != nil {
		return nil, fmt.Errorf("complete job ids: %w", err)
	}
	return ids, nil
}

// NewID returns a job id no job has yet: "j" and 5 random characters of
// [a-z0-9]. It does not reserve the id: CreateJob still reports store.ErrExists
// if another process takes it first.
func (s *Store) NewID(ctx context.Context) (string, error) {
	for range store.IDAttempts {
		id, err := store.RandomID(s.rand)
		if err != nil {
			return "", fmt.Errorf("new job id: %w", err)
		}
		taken, err := s.column(ctx, "SELECT id FROM jobs WHERE id = ?", id)
		if err != nil {
			return "", fmt.Errorf("new job id: %w", err)
		}
		if len(taken) == 0 {
			return id, nil
		}
	}
	return "", fmt.Errorf("new job id: every one of %d random ids was taken", store.IDAttempts)
}

// write runs fn in a write transaction, which holds the database's write
// lock from its start, and commits when fn succeeds.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// execOne runs a statement that changes one row in a write transaction,
// and returns store.ErrNotFound when it changes none.
func (s *Store) execOne(ctx context.Context, query string, args ...any) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}

// column runs a query selecting one text column and returns its values.
func (s *Store) column(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// globPrefix returns a GLOB pattern matching the strings that start with
// prefix. GLOB is case-sensitive and, unlike LIKE, can use the index.
func globPrefix(prefix string) string {
	var b strings.Builder
	for _, r := range prefix {
		switch r {
		case '*', '?', '[':
			b.WriteByte('[')
			b.WriteRune(r)
			b.WriteByte(']')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('*')
	return b.String()
}

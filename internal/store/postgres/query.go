package postgres

import (
	"strconv"
	"strings"

	"github.com/batchctl/batchctl/internal/store"
)

// jobQuery selects jobs: a WHERE condition over the jobs table with its
// arguments ($1, $2, ... in order), and a limit (0 for none).
type jobQuery struct {
	conds []string
	args  []any
	limit int
}

// arg adds a query argument and returns its placeholder.
func (q *jobQuery) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// where adds a condition.
func (q *jobQuery) where(cond string) { q.conds = append(q.conds, cond) }

// sql returns the query selecting columns of q's jobs, newest first, and
// its arguments.
func (q *jobQuery) sql(columns string) (string, []any) {
	args := q.args
	text := "SELECT " + columns + " FROM jobs WHERE " + q.cond() + newestFirst
	if q.limit > 0 {
		args = append(args[:len(args):len(args)], q.limit)
		text += " LIMIT $" + strconv.Itoa(len(args))
	}
	return text, args
}

// cond returns the conditions of q joined, true for none.
func (q *jobQuery) cond() string {
	if len(q.conds) == 0 {
		return "true"
	}
	return strings.Join(q.conds, " AND ")
}

// newestFirst orders jobs newest first, ties broken by id (the index
// jobs_by_created).
const newestFirst = " ORDER BY created_at DESC, id DESC"

// needingSync is the WHERE clause of the partial index jobs_needing_sync,
// as the migration spells it: a query states it for the planner to
// consider the index.
const needingSync = "(completed_at IS NULL OR synced_at IS NULL)"

// filterQuery returns the jobQuery of f.
func filterQuery(f store.Filter) *jobQuery {
	q := &jobQuery{limit: f.Limit}
	if f.Provider != "" {
		q.where("provider = " + q.arg(f.Provider))
	}
	if len(f.Statuses) > 0 {
		q.where("status = ANY(" + q.arg(f.Statuses) + ")")
	}
	if f.Name != "" {
		q.where("name = " + q.arg(f.Name))
	}
	if f.User != "" {
		q.where("os_user = " + q.arg(f.User))
	}
	if f.Host != "" {
		q.where("host = " + q.arg(f.Host))
	}
	if !f.Since.IsZero() {
		q.where("created_at >= " + q.arg(f.Since.UnixNano()))
	}
	if !f.Before.IsZero() {
		q.where("created_at < " + q.arg(f.Before.UnixNano()))
	}
	// A job is terminal exactly when it has a completion time (see
	// store.Prepare and SavePart).
	if f.Terminal {
		q.where("completed_at IS NOT NULL")
	}
	if f.NeedsSync {
		// A job not ended whose unfinished parts are all gone at the
		// provider has nothing left to refresh.
		q.where(needingSync)
		q.where(`(synced_at IS NULL AND completed_at IS NOT NULL OR completed_at IS NULL AND (
			EXISTS (SELECT 1 FROM parts p WHERE p.job_id = jobs.id AND p.completed_at IS NULL AND p.gone_at IS NULL)
			OR NOT EXISTS (SELECT 1 FROM parts p WHERE p.job_id = jobs.id)))`)
	}
	// The newest-first order, continued: a range over jobs_by_created.
	if f.After != "" {
		q.where("(created_at, id) < (SELECT created_at, id FROM jobs WHERE id = " + q.arg(f.After) + ")")
	}
	return q
}

// likePrefix returns a LIKE pattern matching the strings that start with
// prefix. With the columns' "C" collation, the index serves it.
func likePrefix(prefix string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(prefix) + "%"
}

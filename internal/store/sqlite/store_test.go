package sqlite

import (
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// t0 is the fixed time tests start their clocks at.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

// clock is a settable test clock.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// openTest opens a fresh store in a temporary directory whose clock is
// the returned one, starting at t0.
func openTest(t testing.TB) (*Store, *clock) {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "batchctl.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := &clock{now: t0}
	s.now = c.Now
	return s, c
}

// openRaw opens the database at path without migrating it.
func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func userVersion(t *testing.T, db *sql.DB) int {
	t.Helper()
	v, err := schemaVersion(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// latestVersion is the schema version after the embedded migrations.
func latestVersion(t *testing.T) int {
	t.Helper()
	steps, err := store.LoadMigrations(embedded)
	if err != nil {
		t.Fatal(err)
	}
	return len(steps)
}

func perm(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestOpenCreatesPrivateFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "home", "batchctl")
	path := filepath.Join(dir, "batchctl.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CreateJob(t.Context(), &store.Job{ID: "j1", Parts: []store.Part{{Index: 1}}}); err != nil {
		t.Fatal(err)
	}
	want := map[string]fs.FileMode{
		filepath.Dir(dir): 0o700,
		dir:               0o700,
		path:              0o600,
		path + "-wal":     0o600,
		path + "-shm":     0o600,
	}
	for p, mode := range want {
		if got := perm(t, p); got != mode {
			t.Errorf("mode of %s = %v, want %v", p, got, mode)
		}
	}
}

func TestOpenTightensExistingFiles(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "batchctl.db")
	first, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	// Fill the WAL, then widen every file as another tool might have.
	if err := first.CreateJob(ctx, &store.Job{ID: "j1"}); err != nil {
		t.Fatal(err)
	}
	files := []string{path, path + "-wal", path + "-shm"}
	for _, f := range files {
		if err := os.Chmod(f, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	second, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	for _, f := range files {
		if got := perm(t, f); got != 0o600 {
			t.Errorf("mode of %s = %v, want 0600", f, got)
		}
	}
}

func TestOpenPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir?with#odd%chars")
	path := filepath.Join(dir, "batchctl.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CreateJob(t.Context(), &store.Job{ID: "j1"}); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 || entries[0].Name() != "batchctl.db" {
		t.Errorf("files in %s = %v, want batchctl.db first", dir, entries)
	}
}

func TestOpenSetsPragmasOnEveryConnection(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	// Hold several connections at once so that the pool opens new ones.
	for i := range 3 {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var journal string
		var timeout, fk int
		if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&journal); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if journal != "wal" || timeout != 10000 || fk != 1 {
			t.Errorf("connection %d: journal_mode=%s busy_timeout=%d foreign_keys=%d, want wal 10000 1", i, journal, timeout, fk)
		}
	}
}

func TestOpenMigratesFreshDatabase(t *testing.T) {
	s, _ := openTest(t)
	steps, err := store.LoadMigrations(embedded)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) == 0 {
		t.Fatal("no embedded migrations")
	}
	if got := userVersion(t, s.db); got != len(steps) {
		t.Errorf("user_version = %d, want %d", got, len(steps))
	}
}

func TestOpenKeepsExistingDatabase(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "batchctl.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateJob(ctx, &store.Job{ID: "j1", Name: "kept"}); err != nil {
		t.Fatal(err)
	}
	version := userVersion(t, s.db)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := userVersion(t, s.db); got != version {
		t.Errorf("user_version = %d after reopening, want %d", got, version)
	}
	j, err := s.Get(ctx, "j1")
	if err != nil {
		t.Fatal(err)
	}
	if j.Name != "kept" {
		t.Errorf("name = %q, want kept", j.Name)
	}
}

func TestOpenRejectsNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "batchctl.db")
	db := openRaw(t, path)
	if _, err := db.ExecContext(t.Context(), "PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("registry schema version 99 is newer than this batchctl supports (%d): upgrade batchctl", latestVersion(t))
	_, err := Open(t.Context(), path)
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("Open error = %v, want the newer-schema error", err)
	}
}

// TestOpenMigratesVersion1Database opens a registry that batchctl wrote
// with only migration 0001 and checks that its jobs get the defaults of
// the later columns.
func TestOpenMigratesVersion1Database(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "batchctl.db")
	db := openRaw(t, path)
	first, err := fs.ReadFile(embedded, "migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, fstest.MapFS{"migrations/0001_init.sql": {Data: first}}); err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO jobs (id, name, provider, model, endpoint, input_path, input_sha256, requests,
		status, total, succeeded, failed, input_tokens, output_tokens, metadata, created_at, updated_at, completed_at)
		VALUES ('jold', 'before', 'openai', 'gpt-4o-mini', '/v1/chat/completions', 'in.jsonl', 'abc', 2,
		'completed', 2, 2, 0, 10, 20, '{"k":"v"}', ?1, ?1, ?1)`, t0.UnixNano())
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO parts (job_id, idx, batch_id, status, provider_status, total, succeeded, failed,
		input_tokens, output_tokens, requests, bytes, input_file_id, output_file_id, error_file_id, errors, raw,
		created_at, updated_at, completed_at)
		VALUES ('jold', 1, 'batch_old', 'completed', 'completed', 2, 2, 0, 10, 20, 2, 300, 'file-in', 'file-out', '', 'null', NULL, ?1, ?1, ?1)`,
		t0.UnixNano())
	if err != nil {
		t.Fatal(err)
	}

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, want := userVersion(t, s.db), latestVersion(t); got != want {
		t.Errorf("user_version = %d, want %d", got, want)
	}
	want := &store.Job{
		ID: "jold", Name: "before", Provider: "openai", Model: "gpt-4o-mini", Endpoint: "/v1/chat/completions",
		InputPath: "in.jsonl", InputSHA256: "abc", Requests: 2, Status: "completed",
		Counts: providers.Counts{Total: 2, Succeeded: 2}, Usage: providers.Usage{InputTokens: 10, OutputTokens: 20},
		Metadata: map[string]string{"k": "v"}, CreatedAt: t0, UpdatedAt: t0, CompletedAt: t0,
		Parts: []store.Part{{
			Index: 1, BatchID: "batch_old", Status: "completed", ProviderStatus: "completed",
			Counts: providers.Counts{Total: 2, Succeeded: 2}, Usage: providers.Usage{InputTokens: 10, OutputTokens: 20},
			UsageKnown: true, // migration 0005: a part that holds tokens has known usage
			Requests:   2, Bytes: 300, InputFileID: "file-in", OutputFileID: "file-out",
			CreatedAt: t0, UpdatedAt: t0, CompletedAt: t0,
			Cost: nil, // migration 0013: recorded before batchctl kept costs, priced when shown
		}},
	}
	got, err := s.Get(ctx, "jold")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("migrated job = %+v, want %+v", got, want)
	}
	unsynced, err := s.List(ctx, store.Filter{NeedsSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(unsynced) != 1 || unsynced[0].ID != "jold" {
		t.Errorf("List(NeedsSync) = %v, want the migrated job", unsynced)
	}
	mustCreate(t, s, store.Job{ID: "jnew", ParentID: "jold", Fingerprint: "fp", CreatedAt: t0.Add(time.Hour)})
	family, err := s.Family(ctx, "jnew")
	if err != nil {
		t.Fatal(err)
	}
	if ids := jobIDs(family); !slices.Equal(ids, []string{"jold", "jnew"}) {
		t.Errorf("Family(jnew) = %v, want [jold jnew]", ids)
	}
}

// TestLookupsUseIndexes checks that the lookups of a single job or chain
// search an index rather than scan the jobs, and that sync scans only the
// index of the jobs needing it.
func TestLookupsUseIndexes(t *testing.T) {
	s, _ := openTest(t)
	tests := []struct {
		name string
		q    jobQuery
		want []string // in the query plan
	}{
		{"family", familyQuery("j1"), []string{"SEARCH j USING INDEX jobs_by_parent (parent_id=?)"}},
		{"fingerprint", fingerprintQuery("fp", time.Time{}), []string{"USING COVERING INDEX jobs_by_fingerprint (fingerprint=?)"}},
		{"fingerprint since", fingerprintQuery("fp", t0), []string{"USING COVERING INDEX jobs_by_fingerprint (fingerprint=? AND created_at>?)"}},
		// sync reads only the jobs it may have something to do with: with
		// none, it reads nothing (migration 0011)
		{"sync", filterQuery(store.Filter{NeedsSync: true}), []string{"SCAN jobs USING INDEX jobs_needing_sync"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := queryPlan(t, s.db, "SELECT id FROM jobs WHERE "+tt.q.where+newestFirst+" LIMIT -1", tt.q.args...)
			for _, w := range tt.want {
				if !strings.Contains(plan, w) {
					t.Errorf("plan does not contain %q:\n%s", w, plan)
				}
			}
			if fullScan.MatchString(plan) {
				t.Errorf("plan scans the jobs:\n%s", plan)
			}
		})
	}
}

// fullScan matches a query plan line that reads every job: a scan of the
// table or of an index of all of it (jobs_needing_sync, a partial index,
// holds only the jobs sync has to look at).
var fullScan = regexp.MustCompile(`(?m)^SCAN (jobs|j)($| USING (COVERING )?INDEX jobs_by_| USING [^I])`)

// queryPlan returns the details of the query plan of query, one a line.
func queryPlan(t *testing.T, db *sql.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMigrateAppliesOnlyNewSteps(t *testing.T) {
	ctx := t.Context()
	db := openRaw(t, filepath.Join(t.TempDir(), "x.db"))
	v1 := fstest.MapFS{
		"migrations/0001_things.sql": {Data: []byte("CREATE TABLE things (a TEXT NOT NULL);")},
	}
	if err := migrate(ctx, db, v1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO things (a) VALUES ('kept')"); err != nil {
		t.Fatal(err)
	}

	// Migration 1 would fail if it ran again: its table exists.
	v2 := fstest.MapFS{
		"migrations/0001_things.sql": v1["migrations/0001_things.sql"],
		"migrations/0002_more.sql": {Data: []byte(`ALTER TABLE things ADD COLUMN b TEXT NOT NULL DEFAULT 'new';
			CREATE INDEX things_by_b ON things (b);`)},
	}
	for range 2 { // the second run is a no-op
		if err := migrate(ctx, db, v2); err != nil {
			t.Fatal(err)
		}
	}
	if got := userVersion(t, db); got != 2 {
		t.Errorf("user_version = %d, want 2", got)
	}
	var a, b string
	if err := db.QueryRowContext(ctx, "SELECT a, b FROM things").Scan(&a, &b); err != nil {
		t.Fatal(err)
	}
	if a != "kept" || b != "new" {
		t.Errorf("row = %q, %q, want kept, new", a, b)
	}
}

func TestMigrateRollsBackFailedStep(t *testing.T) {
	ctx := t.Context()
	db := openRaw(t, filepath.Join(t.TempDir(), "x.db"))
	steps := fstest.MapFS{
		"migrations/0001_ok.sql":  {Data: []byte("CREATE TABLE ok (a);")},
		"migrations/0002_bad.sql": {Data: []byte("CREATE TABLE half (a); SELECT nope FROM missing;")},
	}
	err := migrate(ctx, db, steps)
	if err == nil || !strings.HasPrefix(err.Error(), "migration 2: ") || !strings.Contains(err.Error(), "no such table: missing") {
		t.Fatalf("migrate error = %v, want migration 2 to fail on the missing table", err)
	}
	if got := userVersion(t, db); got != 1 {
		t.Errorf("user_version = %d, want 1", got)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE name = 'half'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Error("table of the failed migration exists")
	}
}

func TestLoadMigrationsChecksNumbering(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  string
	}{
		{"gap", []string{"0001_a.sql", "0003_c.sql"}, "migration migrations/0003_c.sql: want number 0002"},
		{"not a number", []string{"0001_a.sql", "two_b.sql"}, "migration migrations/two_b.sql: want number 0002"},
		{"no zero", []string{"0000_a.sql"}, "migration migrations/0000_a.sql: want number 0001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, f := range tt.files {
				fsys["migrations/"+f] = &fstest.MapFile{Data: []byte("SELECT 1;")}
			}
			_, err := store.LoadMigrations(fsys)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestOpenMarksUnsubmittedJobs checks that migration 0004 reports a job
// recorded before it with a part that has no batch as unsubmitted, as
// Aggregate does now, and leaves the target of old jobs empty.
func TestOpenMarksUnsubmittedJobs(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "batchctl.db")
	db := openRaw(t, path)
	before := fstest.MapFS{}
	for _, name := range []string{"0001_init.sql", "0002_chains_fingerprints_sync.sql", "0003_create_claims_attempts.sql"} {
		b, err := fs.ReadFile(embedded, "migrations/"+name)
		if err != nil {
			t.Fatal(err)
		}
		before["migrations/"+name] = &fstest.MapFile{Data: b}
	}
	if err := migrate(ctx, db, before); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO jobs (id, name, provider, model, endpoint, input_path, input_sha256, requests, status, total, succeeded,
			failed, input_tokens, output_tokens, metadata, created_at, updated_at)
			VALUES ('jghost', '', 'azure', 'm', '/v1/chat/completions', 'in.jsonl', 'abc', 1, 'validating', 0, 0, 0, 0, 0, 'null', 1, 1),
			('jhalf', '', 'openai', 'm', '/v1/chat/completions', 'in.jsonl', 'abc', 2, 'validating', 0, 0, 0, 0, 0, 'null', 1, 1),
			('jstop', '', 'openai', 'm', '/v1/chat/completions', 'in.jsonl', 'abc', 2, 'cancelling', 0, 0, 0, 0, 0, 'null', 1, 1),
			('jrun', '', 'openai', 'm', '/v1/chat/completions', 'in.jsonl', 'abc', 1, 'in_progress', 0, 0, 0, 0, 0, 'null', 1, 1)`,
		`INSERT INTO parts (job_id, idx, batch_id, status, provider_status, total, succeeded, failed, input_tokens,
			output_tokens, requests, bytes, input_file_id, output_file_id, error_file_id, errors, created_at, updated_at)
			VALUES ('jghost', 1, '', '', '', 0, 0, 0, 0, 0, 1, 10, '', '', '', 'null', 1, 1),
			('jhalf', 1, 'batch_1', 'in_progress', 'in_progress', 0, 0, 0, 0, 0, 1, 10, '', '', '', 'null', 1, 1),
			('jhalf', 2, '', '', '', 0, 0, 0, 0, 0, 1, 10, '', '', '', 'null', 1, 1),
			('jstop', 1, 'batch_2', 'cancelling', 'cancelling', 0, 0, 0, 0, 0, 1, 10, '', '', '', 'null', 1, 1),
			('jstop', 2, '', '', '', 0, 0, 0, 0, 0, 1, 10, '', '', '', 'null', 1, 1),
			('jrun', 1, 'batch_3', 'in_progress', 'in_progress', 0, 0, 0, 0, 0, 1, 10, '', '', '', 'null', 1, 1)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for id, want := range map[string]string{"jghost": "unsubmitted", "jhalf": "unsubmitted", "jstop": "cancelling", "jrun": "in_progress"} {
		j, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != want {
			t.Errorf("job %s: status %q after migrating, want %q", id, j.Status, want)
		}
		if j.Target != (store.Target{}) {
			t.Errorf("job %s: target %+v after migrating, want none", id, j.Target)
		}
		if agg, _, _, _ := store.Aggregate(j.Parts); agg != j.Status {
			t.Errorf("job %s: migrated status %q, Aggregate says %q", id, j.Status, agg)
		}
	}
}

package postgres

import (
	"context"
	"fmt"
	"io/fs"
	neturl "net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/pgurl"
	"github.com/batchctl/batchctl/internal/store"
	"github.com/batchctl/batchctl/internal/store/postgres/pgtest"
	"github.com/batchctl/batchctl/internal/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// openTest opens a store on a fresh database.
func openTest(t testing.TB) *Store {
	t.Helper()
	return openURL(t, pgtest.URL(t))
}

// openURL opens a store on url, closed when t ends.
func openURL(t testing.TB, url string) *Store {
	t.Helper()
	s, err := Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestRegistry runs the suite every registry backend must pass.
func TestRegistry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) jobs.Registry {
		s := openTest(t)
		s.now = now
		return s
	})
}

// TestConcurrentStores has 20 stores, as 20 batchctl processes on several
// machines would, open one fresh database at once (each migrating it, or
// finding it migrated) and write to it at once.
func TestConcurrentStores(t *testing.T) {
	const workers, updates = 20, 5
	url := pgtest.URL(t)
	errs := runAll(workers, func(w int) error {
		s, err := Open(t.Context(), url)
		if err != nil {
			return err
		}
		defer s.Close()
		return storetest.WriteJob(t.Context(), s, fmt.Sprintf("j%02d", w), updates)
	})
	for _, err := range errs {
		t.Error(err)
	}
	list, err := openURL(t, url).List(t.Context(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != workers {
		t.Fatalf("%d jobs, want %d", len(list), workers)
	}
	for _, j := range list {
		if j.Status != "completed" || j.Counts.Succeeded != 2*updates || len(j.Parts) != 2 {
			t.Errorf("job %s: status %s, %d succeeded, %d parts; want completed, %d, 2",
				j.ID, j.Status, j.Counts.Succeeded, len(j.Parts), 2*updates)
		}
	}
}

// TestReserveJobAcrossStores has 20 stores reserve the same fingerprint at
// once, each with its own job: exactly one records its job, and every
// other gets that one.
func TestReserveJobAcrossStores(t *testing.T) {
	const workers = 20
	url := pgtest.URL(t)
	stores := openStores(t, url, workers)
	held := make([]string, workers)
	errs := runAll(workers, func(w int) error {
		j := &store.Job{ID: fmt.Sprintf("j%02d", w), Fingerprint: "fp", Parts: []store.Part{{Index: 1}}}
		prev, err := stores[w].ReserveJob(t.Context(), j, func(*store.Job) bool { return true })
		held[w] = j.ID
		if prev != nil {
			held[w] = prev.ID
		}
		return err
	})
	for _, err := range errs {
		t.Error(err)
	}
	if len(slices.Compact(slices.Sorted(slices.Values(held)))) != 1 {
		t.Errorf("the reservations went to %v, want one job", held)
	}
	list, err := stores[0].List(t.Context(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != held[0] {
		t.Errorf("jobs recorded: %v, want [%s]", storeIDs(list), held[0])
	}
}

// TestAddAttemptAcrossStores has 20 stores record an attempt of the same
// part at once: they get the numbers 1 to 20, each once.
func TestAddAttemptAcrossStores(t *testing.T) {
	const workers = 20
	url := pgtest.URL(t)
	stores := openStores(t, url, workers)
	if err := stores[0].CreateJob(t.Context(), &store.Job{ID: "j1", Parts: []store.Part{{Index: 1}}}); err != nil {
		t.Fatal(err)
	}
	numbers := make([]int, workers)
	errs := runAll(workers, func(w int) error {
		a := &store.Attempt{Job: "j1", Part: 1, Tag: "t", StartedAt: time.Now(), SettleAt: time.Now()}
		err := stores[w].AddAttempt(t.Context(), a)
		numbers[w] = a.N
		return err
	})
	for _, err := range errs {
		t.Error(err)
	}
	slices.Sort(numbers)
	for i, n := range numbers {
		if n != i+1 {
			t.Fatalf("attempt numbers %v, want 1 to %d", numbers, workers)
		}
	}
}

// openStores opens n stores on url, as n processes would.
func openStores(t *testing.T, url string, n int) []*Store {
	stores := make([]*Store, n)
	for i := range stores {
		stores[i] = openURL(t, url)
	}
	return stores
}

// runAll runs fn(0) to fn(n-1) at once and returns their errors.
func runAll(n int, fn func(w int) error) []error {
	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			<-start
			errs[w] = fn(w)
		})
	}
	close(start)
	wg.Wait()
	return slices.DeleteFunc(errs, func(err error) bool { return err == nil })
}

func storeIDs(list []*store.Job) []string {
	var ids []string
	for _, j := range list {
		ids = append(ids, j.ID)
	}
	return ids
}

// TestMigrationsRecorded checks that opening a fresh database records
// every migration in schema_migrations, and that opening it again applies
// none twice.
func TestMigrationsRecorded(t *testing.T) {
	url := pgtest.URL(t)
	openURL(t, url)
	s := openURL(t, url)
	steps, err := store.LoadMigrations(embedded)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.versions(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(steps) || got[0] != 1 || got[len(got)-1] != len(steps) {
		t.Errorf("schema_migrations holds %v, want 1 to %d", got, len(steps))
	}
}

// versions returns the versions schema_migrations records.
func (s *Store) versions(ctx context.Context) ([]int, error) {
	rows, err := s.pool.Query(ctx, "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		return nil, err
	}
	var out []int
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// TestMigrateRefusesNewerSchema checks that a batchctl that knows fewer
// migrations than the database has had refuses it rather than using it.
func TestMigrateRefusesNewerSchema(t *testing.T) {
	s := openTest(t)
	err := migrate(t.Context(), s.pool, fstest.MapFS{})
	if err == nil || !strings.Contains(err.Error(), "newer than this batchctl supports") {
		t.Errorf("migrate with fewer migrations = %v, want it refused", err)
	}
}

// TestFailedMigrationLeavesSchema checks that a migration that fails
// changes nothing: not the tables, not the recorded version.
func TestFailedMigrationLeavesSchema(t *testing.T) {
	s := openTest(t)
	steps := fstest.MapFS{}
	for i, name := range must(fs.Glob(embedded, "migrations/*.sql")) {
		steps[fmt.Sprintf("migrations/%04d_x.sql", i+1)] = &fstest.MapFile{Data: must(embedded.ReadFile(name))}
	}
	n := len(steps)
	steps[fmt.Sprintf("migrations/%04d_bad.sql", n+1)] = &fstest.MapFile{Data: []byte("CREATE TABLE extra (x int); SELECT nope;")}
	if err := migrate(t.Context(), s.pool, steps); err == nil {
		t.Fatal("a failing migration succeeded")
	}
	got, err := s.versions(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Errorf("versions after a failed migration: %v, want 1 to %d", got, n)
	}
	var tables int
	if err := s.pool.QueryRow(t.Context(), "SELECT count(*) FROM pg_tables WHERE tablename = 'extra'").Scan(&tables); err != nil || tables != 0 {
		t.Errorf("table of the failed migration: %d, %v; want none", tables, err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestSessionSettings checks the settings every session gets from the
// server's point of view, and that the URL's own win.
func TestSessionSettings(t *testing.T) {
	base := pgtest.URL(t)
	own, err := neturl.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := own.Query()
	q.Set("lock_timeout", "5s")
	q.Set("application_name", "nightly")
	own.RawQuery = q.Encode()
	tests := []struct {
		url  string
		want map[string]string
	}{
		{base, map[string]string{"lock_timeout": "30s", "statement_timeout": "1min", "tcp_keepalives_idle": "15", "application_name": "batchctl"}},
		{own.String(), map[string]string{"lock_timeout": "5s", "application_name": "nightly"}},
	}
	for _, tt := range tests {
		s := openURL(t, tt.url)
		for name, want := range tt.want {
			var got string
			if err := s.pool.QueryRow(t.Context(), "SELECT current_setting($1)", name).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s: %s = %q, want %q", pgurl.Redact(tt.url), name, got, want)
			}
		}
	}
}

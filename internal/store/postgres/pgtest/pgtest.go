// Package pgtest gives tests a throwaway PostgreSQL database.
//
// The server is the one BATCHCTL_TEST_POSTGRES names (a postgres:// URL
// of a role that may create databases), else a cluster of its own: the
// PostgreSQL binaries installed under /usr/lib/postgresql/VERSION/bin
// (Debian's postgresql package; the newest version wins) create one in a
// temporary directory (initdb) and serve it on a free loopback port,
// without fsync. Run as root, as CI does, the cluster belongs to and runs
// as the postgres OS user, since initdb and postgres refuse to run as root.
//
// A test binary starts at most one server, on first use, and stops it
// (the process it started, by pid) and removes its directory at the end:
// its TestMain calls Main. Each test gets a database of its own (URL),
// dropped when the test ends. A test is skipped, saying why, only when no
// server can be had.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable that points the tests at an existing server.
const EnvURL = "BATCHCTL_TEST_POSTGRES"

var (
	serverOnce sync.Once
	admin      string // URL of the server's maintenance database
	cluster    *local // the cluster this binary started, if any
	unusable   error  // why there is no server
	databases  atomic.Int64
)

// Main runs the tests of m and stops the cluster they started, if any,
// then exits with their code. Call it from TestMain.
func Main(m *testing.M) { os.Exit(M{m}.Run()) }

// M is a test binary's tests (a *testing.M) whose Run stops the cluster
// they started, if any: for a TestMain that hands its tests to another
// runner, such as testscript.Main.
type M struct{ Tests interface{ Run() int } }

// Run runs the tests, stops the cluster and returns the tests' exit code.
func (m M) Run() int {
	code := m.Tests.Run()
	if cluster != nil {
		if err := cluster.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
			code = max(code, 1)
		}
	}
	return code
}

// server returns the admin URL of the server, starting one if needed.
func server() (string, error) {
	serverOnce.Do(func() {
		if u := os.Getenv(EnvURL); u != "" {
			admin = u
			return
		}
		cluster, unusable = startLocal()
		if unusable == nil {
			admin = cluster.url
		}
	})
	return admin, unusable
}

// Available starts the server if needed and returns nil, or an
// *UnavailableError saying why there is none.
func Available() error {
	if _, err := server(); err != nil {
		return &UnavailableError{err}
	}
	return nil
}

// URL returns the URL of a new, empty database for t, dropped when t ends.
// It skips t when no server can be had.
func URL(t testing.TB) string {
	t.Helper()
	u, drop, err := NewDatabase(context.Background())
	if err != nil {
		if errors.As(err, new(*UnavailableError)) {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Error(err)
		}
	})
	return u
}

// UnavailableError says why no server could be had.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string {
	return "no PostgreSQL server for the tests: " + e.Err.Error()
}
func (e *UnavailableError) Unwrap() error { return e.Err }

// NewDatabase creates a new, empty database on the server and returns its
// URL and the function that drops it. The error is an *UnavailableError
// when no server can be had.
func NewDatabase(ctx context.Context) (dbURL string, drop func() error, err error) {
	base, err := server()
	if err != nil {
		return "", nil, &UnavailableError{err}
	}
	name := fmt.Sprintf("batchctl_test_%d_%d", os.Getpid(), databases.Add(1))
	if err := adminExec(ctx, base, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", EnvURL, err)
	}
	u.Path = "/" + name
	drop = func() error { return adminExec(context.Background(), base, "DROP DATABASE "+name+" WITH (FORCE)") }
	return u.String(), drop, nil
}

// adminExec runs one statement on the server's maintenance database.
func adminExec(ctx context.Context, base, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return fmt.Errorf("pgtest: connect: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("pgtest: %s: %w", sql, err)
	}
	return nil
}

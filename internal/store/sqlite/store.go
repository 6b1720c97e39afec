// Package sqlite keeps batchctl's job registry (the jobs, parts and
// aggregated status of package store) in a SQLite database (DESIGN.md
// sections 2, 5 and 7) through the pure-Go modernc.org/sqlite driver.
//
// Several batchctl processes may use one database at once (a cron sync and
// an interactive wait): the database runs in WAL mode, every connection
// waits up to a busy timeout for the write lock, and every write
// transaction takes that lock when it begins, so none fails half-way with
// SQLITE_BUSY.
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/batchctl/batchctl/internal/lockfile"
)

const (
	dirMode  fs.FileMode = 0o700
	fileMode fs.FileMode = 0o600

	// busyTimeout is how long a connection waits for another process's
	// write lock before giving up.
	busyTimeout = 10 * time.Second
)

// Store is the job registry. It is safe for concurrent use by several
// goroutines, and several processes may open the same file at once.
type Store struct {
	db   *sql.DB
	now  func() time.Time // clock for the times the store fills in
	rand io.Reader        // entropy for NewID
}

// Open opens the registry at path, creating the database and its parent
// directory when needed, and brings its schema up to date. The directory
// is created with mode 0700 and the database file is kept at mode 0600.
func Open(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open registry: %w", err)
	}
	if err := prepareFile(abs); err != nil {
		return nil, fmt.Errorf("open registry: %w", err)
	}
	// The first connection to a new database switches it to WAL mode, which
	// SQLite may refuse at once with SQLITE_BUSY, without waiting, while
	// another process does the same; so processes open the database and
	// bring its schema up to date one at a time.
	lock, err := lockfile.Wait(ctx, abs+".lock", busyTimeout)
	if errors.Is(err, lockfile.ErrLocked) {
		return nil, fmt.Errorf("open registry %s: another batchctl process has been opening it for %s", abs, busyTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("open registry: %w", err)
	}
	defer lock.Unlock()
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("open registry %s: %w", abs, err)
	}
	if err := migrate(ctx, db, embedded); err != nil {
		db.Close()
		return nil, fmt.Errorf("open registry %s: %w", abs, err)
	}
	return &Store{db: db, now: time.Now, rand: rand.Reader}, nil
}

// Close releases the database.
func (s *Store) Close() error {
	return s.db.Close()
}

// dsn is the driver's data source name for the database at the absolute
// path abs. The pragmas run on every new connection of the pool.
func dsn(abs string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// Write transactions take the write lock at BEGIN, where waiting on
	// the busy timeout is safe; a deferred transaction that upgrades
	// later fails at once with SQLITE_BUSY when another writer went first.
	q.Set("_txlock", "immediate")
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive path, which SQLite reads as file:/C:/...
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: p, RawQuery: q.Encode()}
	return u.String()
}

// prepareFile creates the parent directory of path (0700) and an empty
// database file (0600) unless they exist, and makes the database and its
// WAL files private whoever created them. SQLite gives the WAL files it
// creates the database file's mode.
func prepareFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), dirMode); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := ensureMode(p, fileMode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// ensureMode sets the permission bits of path to mode unless they already are.
func ensureMode(path string, mode fs.FileMode) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm() == mode {
		return nil
	}
	return os.Chmod(path, mode)
}

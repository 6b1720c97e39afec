package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/batchctl/batchctl/internal/store"
)

// embedded holds the schema migrations: migrations/NNNN_description.sql,
// numbered from 0001 without gaps and applied in that order (see
// store.LoadMigrations).
//
//go:embed migrations/*.sql
var embedded embed.FS

// migrate brings the schema of db up to the last migration in fsys (the
// embedded migrations, except in tests). The schema version is SQLite's
// user_version. Each migration runs in its own write transaction, which
// rechecks the version once it holds the write lock, so processes opening
// a fresh database at once apply each migration exactly once.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS) error {
	steps, err := store.LoadMigrations(fsys)
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	version, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	if version > len(steps) {
		return fmt.Errorf("registry schema version %d is newer than this batchctl supports (%d): upgrade batchctl", version, len(steps))
	}
	for i := version; i < len(steps); i++ {
		if err := applyMigration(ctx, db, i+1, steps[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	return nil
}

// applyMigration runs migration number n unless another process already has.
func applyMigration(ctx context.Context, db *sql.DB, n int, script string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version >= n {
		return nil
	}
	if _, err := tx.ExecContext(ctx, script); err != nil {
		return err
	}
	// PRAGMA takes no bound parameters; n is an integer.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", n)); err != nil {
		return err
	}
	return tx.Commit()
}

// schemaVersion returns the number of the last migration applied to db.
func schemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return version, nil
}

package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/batchctl/batchctl/internal/store"
)

// embedded holds the schema migrations: migrations/NNNN_description.sql,
// numbered from 0001 without gaps and applied in that order (see
// store.LoadMigrations). They are PostgreSQL's own set, not SQLite's.
//
//go:embed migrations/*.sql
var embedded embed.FS

// migrate brings the schema of the database up to the last migration in
// fsys (the embedded migrations, except in tests), in one transaction
// that holds the migration lock: processes opening a fresh database at
// once apply each migration exactly once, and a failed migration leaves
// the schema as it was (PostgreSQL's DDL is transactional). The
// schema_migrations table records each version applied and when.
func migrate(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS) error {
	steps, err := store.LoadMigrations(fsys)
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	conn, err := pool.Acquire(ctx) // the error says where it failed to connect
	if err != nil {
		return err
	}
	defer conn.Release()
	if current, err := upToDate(ctx, conn, len(steps)); err != nil || current {
		return err
	}
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		version, err := lockedVersion(ctx, tx)
		if err != nil {
			return err
		}
		if version > len(steps) {
			return fmt.Errorf("registry schema version %d is newer than this batchctl supports (%d): upgrade batchctl", version, len(steps))
		}
		for i := version; i < len(steps); i++ {
			if err := applyMigration(ctx, tx, i+1, steps[i]); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
		}
		return nil
	})
}

// undefinedTable is the SQLSTATE of a reference to a table that does not
// exist (PostgreSQL documentation, Appendix A: Error Codes).
const undefinedTable = "42P01"

// upToDate reports whether the schema is at version last, in one round
// trip without a lock, as it is for every command but the first after an
// upgrade. A database without schema_migrations is not up to date.
func upToDate(ctx context.Context, conn *pgxpool.Conn, last int) (bool, error) {
	var version int
	err := conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&version)
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == undefinedTable {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read schema version: %w", err)
	}
	return version == last, nil
}

// lockedVersion takes the migration lock for the rest of tx and returns
// the number of the last migration applied, creating the table that
// records them when the database has none.
func lockedVersion(ctx context.Context, tx pgx.Tx) (int, error) {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, 0)", lockMigrate); err != nil {
		return 0, fmt.Errorf("take the migration lock: %w", err)
	}
	_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER     NOT NULL PRIMARY KEY,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`)
	if err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	var version int
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&version); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return version, nil
}

// applyMigration runs migration number n and records it.
func applyMigration(ctx context.Context, tx pgx.Tx, n int, script string) error {
	if _, err := tx.Exec(ctx, script); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES ($1)", n)
	return err
}

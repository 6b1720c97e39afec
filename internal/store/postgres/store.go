// Package postgres keeps batchctl's job registry in a PostgreSQL database,
// for a team whose machines share one registry (issue 20). It mirrors
// package sqlite, the embedded default: the same schema (migrations), the
// same behaviour (the shared suite, storetest), another SQL dialect.
//
// It uses pgx's own interface through a pgxpool.Pool rather than
// database/sql: rows are scanned into Go values without database/sql's
// reflection, transactions take their isolation level and row locks
// directly, and the pool checks its connections' health before reuse.
//
// Exactly-once, across processes and machines, rests on:
//   - job ids: the primary key of jobs (CreateJob's INSERT ... ON CONFLICT
//     DO NOTHING reports a taken id as store.ErrExists);
//   - ReserveJob: a transaction-scoped advisory lock per fingerprint (see
//     locks.go), held from before the check to the commit of the record;
//   - SavePart and AddAttempt: the job's row, locked FOR NO KEY UPDATE,
//     so that one job's aggregates and attempt numbers change one
//     transaction at a time (the primary key of create_attempts stands
//     behind the numbering);
//   - reads of several statements (List, Get, Each) run in one READ ONLY
//     REPEATABLE READ transaction, one snapshot.
//
// Writes run at READ COMMITTED, PostgreSQL's default: each statement sees
// what committed before it began, so a statement after a lock sees what
// the lock's previous holder wrote.
package postgres

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/batchctl/batchctl/internal/pgurl"
)

// Connection defaults, each kept when the URL (or a PG* variable) sets its
// own: see Open.
const (
	// ConnectTimeout bounds connecting to the server, TLS included.
	ConnectTimeout = 10 * time.Second

	// keepAliveIdle, keepAliveInterval and keepAliveCount are the TCP
	// keepalive probes of every connection: a server that stopped
	// answering (a crashed machine, a cut network) is noticed within
	// keepAliveIdle + keepAliveCount×keepAliveInterval (30 s) of the
	// last traffic. The server probes a client the same way
	// (tcp_keepalives_* in sessionDefaults), which ends a dead client's
	// session and so releases the locks it held.
	keepAliveIdle     = 15 * time.Second
	keepAliveInterval = 5 * time.Second
	keepAliveCount    = 3
)

// sessionDefaults are the server settings of every session unless the URL
// sets them (as options=-c... or as a query parameter): no statement runs
// or waits for a lock forever, and a session that stalls inside a
// transaction releases what it holds.
var sessionDefaults = map[string]string{
	"application_name":                    "batchctl",
	"statement_timeout":                   "60s",
	"lock_timeout":                        "30s",
	"idle_in_transaction_session_timeout": "60s",
	"tcp_keepalives_idle":                 seconds(keepAliveIdle),
	"tcp_keepalives_interval":             seconds(keepAliveInterval),
	"tcp_keepalives_count":                strconv.Itoa(keepAliveCount),
}

// seconds writes d in whole seconds, as the tcp_keepalives_* settings take it.
func seconds(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }

// Store is the job registry on a PostgreSQL server. It is safe for
// concurrent use by several goroutines, processes and machines.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time // clock for the times the store fills in
	rand io.Reader        // entropy for NewID
	// secrets are what no error may show: the password of the URL (as
	// spelled and decoded), or of the environment or ~/.pgpass.
	secrets []string
}

// Open connects to the registry at url, a postgres:// or postgresql://
// URL (or a libpq key=value string), and brings its schema up to date.
// What the URL leaves out comes from the PG* variables and ~/.pgpass, as
// with psql. No error it returns shows the password.
func Open(ctx context.Context, url string) (*Store, error) {
	s := &Store{now: time.Now, rand: rand.Reader, secrets: pgurl.Passwords(url)}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, s.errorf("open registry %s: %w", pgurl.Redact(url), err)
	}
	s.secrets = append(s.secrets, cfg.ConnConfig.Password)
	configure(cfg)
	s.pool, err = pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, s.errorf("open registry %s: %w", pgurl.Redact(url), err)
	}
	if err := migrate(ctx, s.pool, embedded); err != nil {
		s.pool.Close()
		return nil, s.errorf("open registry %s: %w", pgurl.Redact(url), err)
	}
	return s, nil
}

// configure sets the connection defaults the URL left unset.
func configure(cfg *pgxpool.Config) {
	cc := cfg.ConnConfig
	if cc.ConnectTimeout == 0 {
		cc.ConnectTimeout = ConnectTimeout
	}
	dialer := &net.Dialer{KeepAliveConfig: net.KeepAliveConfig{
		Enable: true, Idle: keepAliveIdle, Interval: keepAliveInterval, Count: keepAliveCount,
	}}
	cc.DialFunc = dialer.DialContext
	// A batchctl command runs each statement once or a few times: one
	// round trip each, not a prepare and an execute. The arguments' types
	// come from their Go types (nanos is a BIGINT).
	cc.DefaultQueryExecMode = pgx.QueryExecModeExec
	cfg.AfterConnect = func(_ context.Context, conn *pgx.Conn) error {
		conn.TypeMap().RegisterDefaultPgType(nanos{}, "int8")
		return nil
	}
	for k, v := range sessionDefaults {
		if _, set := cc.RuntimeParams[k]; !set {
			cc.RuntimeParams[k] = v
		}
	}
}

// Close releases the connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// errorf is fmt.Errorf with the store's secrets taken out of the message.
func (s *Store) errorf(format string, args ...any) error {
	return redact(fmt.Errorf(format, args...), s.secrets...)
}

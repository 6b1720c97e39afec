package postgres

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/batchctl/batchctl/internal/jobs"
)

// CrashRelease bounds how long the lock of a holder that died stays
// taken. A holder's locks are session advisory locks, which the server
// releases when the session ends. A killed process's operating system
// closes its connections, which the server notices at once; a machine
// that crashed or was cut off answers no TCP keepalive probe, and the
// server ends its sessions after the probes of sessionDefaults:
// keepAliveIdle + keepAliveCount×keepAliveInterval = 30 s.
const CrashRelease = keepAliveIdle + keepAliveCount*keepAliveInterval

// Locker returns the Locker of the hosts that share this registry: the
// server's advisory locks (jobs.Manager uses it instead of lock files).
func (s *Store) Locker() jobs.Locker { return locker{s} }

// locker takes each lock on a connection of its own, outside the pool:
// advisory locks are reentrant within a session, and a jobs.Locker's are
// not, even for the same process. The lock lives as long as that
// connection: Unlock releases it and closes the connection.
type locker struct{ s *Store }

// TryLock implements jobs.Locker.
func (l locker) TryLock(ctx context.Context, name string) (jobs.Lock, error) {
	conn, err := l.connect(ctx)
	if err != nil {
		return nil, l.failed(ctx, name, err)
	}
	got, err := l.try(conn, name, "SELECT pg_try_advisory_lock($1, hashtext($2))")
	return l.held(ctx, conn, name, got, err)
}

// waitStep bounds each statement of a Wait: a wait is a series of
// pg_advisory_lock statements of at most this lock_timeout, so that ctx
// is looked at between them.
const waitStep = 250 * time.Millisecond

// Wait implements jobs.Locker. It never leaves a statement waiting on the
// server: one whose client has gone would still take the lock when it is
// released, and hold it until the server notices, so ctx is looked at
// only between statements, each bounded by lock_timeout (waitStep, or
// what is left of timeout), never by cancelling one.
func (l locker) Wait(ctx context.Context, name string, timeout time.Duration) (jobs.Lock, error) {
	conn, err := l.connect(ctx)
	if err != nil {
		return nil, l.failed(ctx, name, err)
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	step := time.Duration(0)
	for {
		if err := ctx.Err(); err != nil {
			conn.Close(context.Background())
			return nil, err
		}
		next := waitStep
		if !deadline.IsZero() {
			next = min(next, time.Until(deadline))
		}
		if d, ok := ctx.Deadline(); ok {
			next = min(next, max(time.Until(d), time.Millisecond))
		}
		if next <= 0 {
			conn.Close(context.Background())
			return nil, jobs.ErrLocked
		}
		if next != step {
			err := onServer(func(sctx context.Context) error {
				_, err := conn.Exec(sctx, "SELECT set_config('lock_timeout', $1, false)", milliseconds(next))
				return err
			})
			if err != nil {
				conn.Close(context.Background())
				return nil, l.failed(ctx, name, err)
			}
			step = next
		}
		got, err := l.try(conn, name, "SELECT true FROM pg_advisory_lock($1, hashtext($2))")
		if isLockTimeout(err) {
			continue
		}
		return l.held(ctx, conn, name, got, err)
	}
}

// try runs a query taking lock name on conn, which answers whether it got
// it. The statement is not tied to a caller's context (see Wait).
func (l locker) try(conn *pgx.Conn, name, query string) (bool, error) {
	var got bool
	err := onServer(func(sctx context.Context) error {
		return conn.QueryRow(sctx, query, lockNamed, name).Scan(&got)
	})
	return got, err
}

// held makes the outcome of taking lock name on conn a Locker's: the lock,
// or an error with conn closed. A lock taken after ctx ended is let go.
func (l locker) held(ctx context.Context, conn *pgx.Conn, name string, got bool, err error) (jobs.Lock, error) {
	if err != nil || !got {
		conn.Close(context.Background())
		if err == nil {
			return nil, jobs.ErrLocked
		}
		return nil, l.failed(ctx, name, err)
	}
	lock := &advisoryLock{conn: conn, name: name}
	if err := ctx.Err(); err != nil {
		return nil, errors.Join(err, lock.Unlock())
	}
	return lock, nil
}

// statementTimeout bounds a lock statement that the server does not end
// by itself (each waits at most waitStep): past it, the server is gone.
const statementTimeout = 30 * time.Second

// onServer runs a lock statement: not in the caller's context (see Wait),
// bounded by statementTimeout.
func onServer(statement func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), statementTimeout)
	defer cancel()
	return statement(ctx)
}

// connect opens a connection of the pool's configuration, with no
// statement timeout (a wait is bounded by its lock_timeout).
func (l locker) connect(ctx context.Context) (*pgx.Conn, error) {
	cfg := l.s.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["statement_timeout"] = "0"
	return pgx.ConnectConfig(ctx, cfg)
}

// isLockTimeout reports a wait that ran out (lock_not_available).
func isLockTimeout(err error) bool {
	pgErr, ok := errors.AsType[*pgconn.PgError](err)
	return ok && pgErr.Code == "55P03"
}

// failed turns the error of taking lock name into a Locker's: ctx's error
// once it ended, ErrLocked for a wait that ran out, else the error,
// without the registry's password.
func (l locker) failed(ctx context.Context, name string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if isLockTimeout(err) {
		return jobs.ErrLocked
	}
	return l.s.errorf("take lock %q: %w", name, err)
}

// milliseconds writes timeout as a lock_timeout, in whole milliseconds
// rounded up so that a wait never ends early; "0", no bound, for a
// timeout of 0 or less.
func milliseconds(timeout time.Duration) string {
	if timeout <= 0 {
		return "0"
	}
	return strconv.FormatInt(int64((timeout+time.Millisecond-1)/time.Millisecond), 10)
}

// advisoryLock is a held lock and the connection whose session holds it.
type advisoryLock struct {
	conn *pgx.Conn
	name string
}

// unlockTimeout bounds releasing a lock: the server is gone if it takes
// longer, and the lock with it.
const unlockTimeout = 10 * time.Second

// Unlock releases the lock, then closes its connection. The lock is
// released before the close returns, so the next holder can take it at
// once.
func (l *advisoryLock) Unlock() error {
	ctx, cancel := context.WithTimeout(context.Background(), unlockTimeout)
	defer cancel()
	_, err := l.conn.Exec(ctx, "SELECT pg_advisory_unlock($1, hashtext($2))", lockNamed, l.name)
	return errors.Join(err, l.conn.Close(ctx))
}

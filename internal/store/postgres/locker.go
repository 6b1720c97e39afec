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
	return l.lock(ctx, name, "SELECT pg_try_advisory_lock($1, hashtext($2))", nil)
}

// Wait implements jobs.Locker. The server bounds the wait (lock_timeout),
// and ctx ends it by cancelling the statement.
func (l locker) Wait(ctx context.Context, name string, timeout time.Duration) (jobs.Lock, error) {
	settings := map[string]string{"lock_timeout": milliseconds(timeout)}
	return l.lock(ctx, name, "SELECT true FROM pg_advisory_lock($1, hashtext($2))", settings)
}

// lock connects, with settings added to the session's, and takes lock
// name with query, which answers whether it got it.
func (l locker) lock(ctx context.Context, name, query string, settings map[string]string) (jobs.Lock, error) {
	conn, err := l.connect(ctx, settings)
	if err != nil {
		return nil, l.failed(ctx, name, err)
	}
	var got bool
	if err := conn.QueryRow(ctx, query, lockNamed, name).Scan(&got); err != nil || !got {
		conn.Close(context.Background())
		if err == nil {
			return nil, jobs.ErrLocked
		}
		return nil, l.failed(ctx, name, err)
	}
	return &advisoryLock{conn: conn, name: name}, nil
}

// connect opens a connection of the pool's configuration, with no
// statement timeout (a wait is bounded by its lock_timeout) and settings.
func (l locker) connect(ctx context.Context, settings map[string]string) (*pgx.Conn, error) {
	cfg := l.s.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["statement_timeout"] = "0"
	for k, v := range settings {
		cfg.RuntimeParams[k] = v
	}
	return pgx.ConnectConfig(ctx, cfg)
}

// failed turns the error of taking lock name into a Locker's: ctx's error
// once it ended, ErrLocked for a wait that ran out (lock_not_available),
// else the error, without the registry's password.
func (l locker) failed(ctx context.Context, name string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == "55P03" {
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

package jobs

import (
	"context"
	"errors"

	"github.com/batchctl/batchctl/internal/store"
)

// LockSyncRun takes the lock a sync holds while it runs, without waiting:
// ErrLocked says another sync holds it. With one machine's file locks it
// is SyncLock, one per home, so that an overlapping run leaves the work to
// the first. With a Locker that hosts share (a PostgreSQL registry) it is
// SyncLock/<host>: the syncs of several hosts run at once and split the
// jobs between them, each job's work under locks of its own (LockJobSync,
// and those of submitting and downloading).
func (m *Manager) LockSyncRun(ctx context.Context) (Lock, error) {
	return m.locker.TryLock(ctx, m.syncRunLockName())
}

// syncRunLockName is the name of LockSyncRun's lock.
func (m *Manager) syncRunLockName() string {
	if _, files := m.locker.(FileLocker); files {
		return SyncLock
	}
	return SyncLock + "/" + CurrentHost(m.Getenv)
}

// LockJobSync takes job j's sync lock without waiting, for the work of a
// sync on j that is to happen once whichever host runs it (refreshing it,
// saving its results, the --on-complete hook, marking it synced), and
// reloads j from the registry under it. It returns no lock and false when
// another sync holds the lock, or has done that work since j was read, or
// j was forgotten since.
func (m *Manager) LockJobSync(ctx context.Context, j *Job) (Lock, bool, error) {
	lock, err := m.lockJob(ctx, j.ID, "sync")
	if errors.Is(err, ErrLocked) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	fresh, err := m.reg.Get(ctx, j.ID)
	if err == nil && needsSync(fresh) {
		j.Job = fresh
		return lock, true, nil
	}
	if errors.Is(err, store.ErrNotFound) {
		err = nil
	}
	return nil, false, errors.Join(err, lock.Unlock())
}

// needsSync reports whether a sync still has work on j: it has not ended,
// or its results were not saved since (store.Filter.NeedsSync).
func needsSync(j *store.Job) bool { return j.CompletedAt.IsZero() || j.SyncedAt.IsZero() }

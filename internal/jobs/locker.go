package jobs

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/lockfile"
)

// A Locker takes named locks that exclude every other holder of the same
// name: other processes, other hosts where the implementation reaches them,
// and other callers in this process, even through the same Locker. A lock is
// released by Unlock or when its holder dies, however it dies.
//
// Names are stable, printable strings, so an implementation can map them to
// files or hash them to database lock keys: "job/<id>/<kind>" (jobLockName),
// "queue/<hash>" (queueLockName) and "sync" or "sync/<host>" (SyncLock,
// syncRunLockName).
type Locker interface {
	// TryLock takes the lock without waiting; ErrLocked says another
	// holder has it.
	TryLock(ctx context.Context, name string) (Lock, error)
	// Wait takes the lock, waiting while another holder has it: up to
	// timeout (then ErrLocked), or without bound when timeout is 0 or
	// less, and until ctx ends (then ctx's error).
	Wait(ctx context.Context, name string, timeout time.Duration) (Lock, error)
}

// Lock is a held lock.
type Lock interface {
	Unlock() error
}

// ErrLocked says another holder has the lock. It is lockfile.ErrLocked, so
// errors of either package match it.
var ErrLocked = lockfile.ErrLocked

// SyncLock is the name of the lock a sync holds while it runs, on one
// machine's file locks (see LockSyncRun).
const SyncLock = "sync"

// jobLockName names the lock of one kind of work on a job ("submit",
// "direct", "download-<part>").
func jobLockName(jobID, kind string) string { return "job/" + jobID + "/" + kind }

// FileLocker is the Locker of one machine: flock(2) locks on files in Dir,
// which the OS releases when the holder exits.
type FileLocker struct{ Dir string }

// TryLock implements Locker.
func (l FileLocker) TryLock(_ context.Context, name string) (Lock, error) {
	return fileLock(lockfile.TryLock(l.path(name)))
}

// Wait implements Locker.
func (l FileLocker) Wait(ctx context.Context, name string, timeout time.Duration) (Lock, error) {
	return fileLock(lockfile.Wait(ctx, l.path(name), timeout))
}

// fileLock turns lockfile's answer into a Locker's, keeping a nil lock nil.
func fileLock(l *lockfile.Lock, err error) (Lock, error) {
	if err != nil {
		return nil, err
	}
	return l, nil
}

// path is the file of lock name. The file names are those batchctl used
// before locks had names ("<job>.<kind>.lock", "queue-<hash>.lock",
// "sync.lock"), so that an upgraded binary and an older one sharing a home
// still exclude each other.
func (l FileLocker) path(name string) string {
	if rest, ok := strings.CutPrefix(name, "queue/"); ok {
		return filepath.Join(l.Dir, "queue-"+rest+".lock")
	}
	file := strings.TrimPrefix(name, "job/")
	return filepath.Join(l.Dir, strings.ReplaceAll(file, "/", ".")+".lock")
}

// lockerOf is the Locker reg supplies, if it supplies one (a registry shared
// by several hosts must), else file locks under cfg's home.
func lockerOf(reg Registry, home string) Locker {
	if r, ok := reg.(interface{ Locker() Locker }); ok {
		return r.Locker()
	}
	return FileLocker{Dir: filepath.Join(home, "locks")}
}

// Locker is the Locker of the Manager's jobs.
func (m *Manager) Locker() Locker { return m.locker }

// lockJob takes a job's lock for one kind of work without waiting, so that
// a live holder's work is never doubled and a dead one's lock is released.
func (m *Manager) lockJob(ctx context.Context, jobID, kind string) (Lock, error) {
	return m.locker.TryLock(ctx, jobLockName(jobID, kind))
}

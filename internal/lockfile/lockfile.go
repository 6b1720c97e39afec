// Package lockfile provides advisory, non-blocking file locks that the
// operating system releases when the holder exits, even by a crash or kill
// -9. batchctl uses them so only one process submits a job, downloads a part
// or runs sync at a time.
package lockfile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrLocked says another process holds the lock.
var ErrLocked = errors.New("locked by another process")

// Lock is a held lock; Unlock releases it.
type Lock struct{ f *os.File }

// TryLock takes the lock at path (created 0600, its directory 0700) without
// waiting. It returns ErrLocked when another process holds it.
func TryLock(path string) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// Unlock releases the lock. The file stays, so the next locker opens the
// same inode.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// Wait takes the lock at path like TryLock, waiting up to timeout (without
// bound when timeout is 0 or less) and until ctx ends while another process
// holds it; it returns ErrLocked when the wait ran out. It polls, at most
// 10ms apart.
func Wait(ctx context.Context, path string, timeout time.Duration) (*Lock, error) {
	deadline := time.Now().Add(timeout)
	pause := time.Millisecond
	for {
		l, err := TryLock(path)
		if !errors.Is(err, ErrLocked) {
			return l, err
		}
		wait := pause
		if timeout > 0 {
			left := time.Until(deadline)
			if left <= 0 {
				return nil, ErrLocked
			}
			wait = min(wait, left)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		pause = min(2*pause, 10*time.Millisecond)
	}
}

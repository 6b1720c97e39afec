// Package lockertest is the suite every jobs.Locker implementation must
// pass: the file locks of one machine as much as a database's locks shared
// by many.
//
// A backend's test calls HoldInChild first, then Run:
//
//	func TestFileLocker(t *testing.T) {
//		lockertest.HoldInChild(func() jobs.Locker { return jobs.FileLocker{Dir: os.Getenv("LOCKS")} })
//		dir := t.TempDir()
//		lockertest.Run(t, lockertest.Backend{
//			New: func(*testing.T) jobs.Locker { return jobs.FileLocker{Dir: dir} },
//			Env: []string{"LOCKS=" + dir},
//		})
//	}
//
// Run starts the test binary again, running that same test, to hold a lock
// in another process and kill it.
package lockertest

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/jobs"
)

// Backend is a Locker implementation under test.
type Backend struct {
	// New returns a Locker of the backend's one lock space; two of them
	// stand for two hosts.
	New func(t *testing.T) jobs.Locker
	// Env is the environment a child process needs to reach the same lock
	// space (a directory, a database URL), given to the backend's
	// HoldInChild.
	Env []string
	// CrashRelease bounds how long the lock of a killed holder may stay
	// taken; 0 means 10 seconds.
	CrashRelease time.Duration
}

// holdEnv names the lock a child process is to hold.
const holdEnv = "BATCHCTL_LOCKERTEST_HOLD"

// HoldInChild does nothing in the test process. In a child process Run
// started, it takes the lock the parent asked for with a Locker from
// newLocker, writes "held" to stdout and keeps the lock until it is killed
// (or its stdin ends); it exits 3 when it cannot take the lock.
func HoldInChild(newLocker func() jobs.Locker) {
	name := os.Getenv(holdEnv)
	if name == "" {
		return
	}
	if _, err := newLocker().TryLock(context.Background(), name); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(3)
	}
	os.Stdout.WriteString("held\n")
	io.Copy(io.Discard, os.Stdin) // blocks until the parent kills us
	os.Exit(0)
}

// Run runs the suite on backend b.
func Run(t *testing.T, b Backend) {
	if b.CrashRelease == 0 {
		b.CrashRelease = 10 * time.Second
	}
	test := t.Name()
	t.Run("TryLockExcludes", func(t *testing.T) { tryLockExcludes(t, b) })
	t.Run("WaitTimesOut", func(t *testing.T) { waitTimesOut(t, b) })
	t.Run("WaitGetsReleasedLock", func(t *testing.T) { waitGetsReleasedLock(t, b) })
	t.Run("WaitWithoutBound", func(t *testing.T) { waitWithoutBound(t, b) })
	t.Run("ContextEndsWait", func(t *testing.T) { contextEndsWait(t, b) })
	t.Run("Reacquire", func(t *testing.T) { reacquire(t, b) })
	t.Run("ManyHolders", func(t *testing.T) { manyHolders(t, b) })
	t.Run("OtherProcessAndItsCrash", func(t *testing.T) { otherProcessAndItsCrash(t, b, test) })
}

func mustLock(t *testing.T, l jobs.Locker, name string) jobs.Lock {
	t.Helper()
	lock, err := l.TryLock(t.Context(), name)
	if err != nil {
		t.Fatalf("TryLock(%q) = %v", name, err)
	}
	return lock
}

func mustUnlock(t *testing.T, lock jobs.Lock) {
	t.Helper()
	if err := lock.Unlock(); err != nil {
		t.Fatalf("Unlock = %v", err)
	}
}

func wantLocked(t *testing.T, l jobs.Locker, name, who string) {
	t.Helper()
	if lock, err := l.TryLock(t.Context(), name); !errors.Is(err, jobs.ErrLocked) {
		if err == nil {
			lock.Unlock()
		}
		t.Fatalf("TryLock(%q) by %s while held = %v, want ErrLocked", name, who, err)
	}
}

// tryLockExcludes: a held lock excludes another Locker and the holder's own
// Locker, not other names, and is free again once released.
func tryLockExcludes(t *testing.T, b Backend) {
	a, other := b.New(t), b.New(t)
	const name = "job/lockertest-excl/submit"
	held := mustLock(t, a, name)
	wantLocked(t, other, name, "another Locker")
	wantLocked(t, a, name, "the holder's Locker")
	mustUnlock(t, mustLock(t, other, "job/lockertest-excl/direct"))
	mustUnlock(t, held)
	mustUnlock(t, mustLock(t, other, name))
}

func waitTimesOut(t *testing.T, b Backend) {
	a, other := b.New(t), b.New(t)
	const name = "queue/0123456789abcdef"
	held := mustLock(t, a, name)
	defer held.Unlock()
	const timeout = 100 * time.Millisecond
	start := time.Now()
	if _, err := other.Wait(t.Context(), name, timeout); !errors.Is(err, jobs.ErrLocked) {
		t.Fatalf("Wait on a held lock = %v, want ErrLocked", err)
	}
	if waited := time.Since(start); waited < timeout {
		t.Errorf("Wait gave up after %s, before its timeout %s", waited, timeout)
	}
}

func waitGetsReleasedLock(t *testing.T, b Backend) {
	a, other := b.New(t), b.New(t)
	const name = "sync"
	held := mustLock(t, a, name)
	got := waitInBackground(t, other, name, time.Minute)
	time.Sleep(50 * time.Millisecond)
	mustUnlock(t, held)
	if err := <-got; err != nil {
		t.Fatalf("Wait after the holder let go = %v", err)
	}
}

// waitInBackground waits for name with l, releases it at once and sends
// the outcome.
func waitInBackground(t *testing.T, l jobs.Locker, name string, timeout time.Duration) <-chan error {
	got := make(chan error, 1)
	go func() {
		lock, err := l.Wait(t.Context(), name, timeout)
		if err == nil {
			err = lock.Unlock()
		}
		got <- err
	}()
	return got
}

func waitWithoutBound(t *testing.T, b Backend) {
	a, other := b.New(t), b.New(t)
	const name = "job/lockertest-nobound/download-1"
	held := mustLock(t, a, name)
	got := waitInBackground(t, other, name, 0)
	select {
	case err := <-got:
		t.Fatalf("Wait without bound returned while the lock was held: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	mustUnlock(t, held)
	if err := <-got; err != nil {
		t.Fatalf("Wait after the holder let go = %v", err)
	}
}

// contextEndsWait: an ended context ends a wait, before it starts and
// during it, and the waiter holds nothing afterwards.
func contextEndsWait(t *testing.T, b Backend) {
	a, other := b.New(t), b.New(t)
	const name = "job/lockertest-ctx/submit"
	held := mustLock(t, a, name)
	ended, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := other.Wait(ended, name, time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with its context ended = %v, want context.Canceled", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := other.Wait(ctx, name, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait whose context ran out = %v, want context.DeadlineExceeded", err)
	}
	mustUnlock(t, held)
	mustUnlock(t, mustLock(t, a, name))
}

func reacquire(t *testing.T, b Backend) {
	a := b.New(t)
	const name = "job/lockertest-again/submit"
	for range 3 {
		mustUnlock(t, mustLock(t, a, name))
	}
	lock, err := a.Wait(t.Context(), name, time.Second)
	if err != nil {
		t.Fatalf("Wait on a free lock = %v", err)
	}
	mustUnlock(t, lock)
}

// manyHolders has goroutines with Lockers of their own take one lock in
// turn: never two inside at once.
func manyHolders(t *testing.T, b Backend) {
	const name, holders, rounds = "queue/fedcba9876543210", 6, 10
	var inside, entries atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, holders)
	for range holders {
		l := b.New(t)
		wg.Go(func() {
			for range rounds {
				lock, err := l.Wait(t.Context(), name, time.Minute)
				if err != nil {
					errs <- err
					return
				}
				if inside.Add(1) != 1 {
					errs <- errors.New("two holders inside the lock at once")
				}
				entries.Add(1)
				time.Sleep(time.Millisecond)
				inside.Add(-1)
				if err := lock.Unlock(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := entries.Load(); n != holders*rounds {
		t.Fatalf("%d entries, want %d", n, holders*rounds)
	}
}

// otherProcessAndItsCrash has a child process hold a lock, which excludes
// this process, until the child is killed with SIGKILL: then the lock is
// free within b.CrashRelease.
func otherProcessAndItsCrash(t *testing.T, b Backend, test string) {
	const name = "job/lockertest-crash/submit"
	child := holdingChild(t, b, test, name)
	a := b.New(t)
	wantLocked(t, a, name, "this process")
	if _, err := a.Wait(t.Context(), name, 100*time.Millisecond); !errors.Is(err, jobs.ErrLocked) {
		t.Fatalf("Wait while another process holds the lock = %v, want ErrLocked", err)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	lock, err := a.Wait(t.Context(), name, b.CrashRelease)
	if err != nil {
		t.Fatalf("Wait after the holder was killed = %v, want the lock within %s", err, b.CrashRelease)
	}
	mustUnlock(t, lock)
}

// holdingChild starts the test binary running test, which holds name
// (see HoldInChild), and returns once it holds it.
func holdingChild(t *testing.T, b Backend, test, name string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(append(os.Environ(), b.Env...), holdEnv+"="+name)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close() })
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "held" {
		t.Fatalf("child holding %q said %q (%v)", name, line, err)
	}
	return cmd
}

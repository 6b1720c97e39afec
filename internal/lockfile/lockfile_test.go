package lockfile

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestTryLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.lock")
	l, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("lock file mode: %v %v", fi.Mode(), err)
	}
	if _, err := TryLock(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("second TryLock = %v, want ErrLocked", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	l2, err := TryLock(path)
	if err != nil {
		t.Fatalf("TryLock after Unlock = %v", err)
	}
	l2.Unlock()
}

// TestLockReleasedWhenHolderDies holds the lock in a child process that is
// then killed: the OS must release it. The child blocks reading its stdin,
// a pipe the parent keeps open, so it lives until it is killed (a child
// blocked on nothing would be ended by Go's deadlock detector, racing the
// parent's check).
func TestLockReleasedWhenHolderDies(t *testing.T) {
	if path := os.Getenv("LOCKFILE_HOLD"); path != "" {
		if _, err := TryLock(path); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("held\n")
		io.Copy(io.Discard, os.Stdin) // until the parent kills us or goes away
		os.Exit(0)
	}
	path := filepath.Join(t.TempDir(), "x.lock")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockReleasedWhenHolderDies$")
	cmd.Env = append(os.Environ(), "LOCKFILE_HOLD="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(out, buf); err != nil || string(buf) != "held\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child: %q %v", buf, err)
	}
	if _, err := TryLock(path); !errors.Is(err, ErrLocked) {
		t.Errorf("TryLock while the child holds it = %v", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	// The child must have died of our kill, not of its own accord, or the
	// check above proved nothing.
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(interface{ Signaled() bool }); ok && !ws.Signaled() && runtime.GOOS != "windows" {
		t.Fatalf("child ended by itself before it was killed: %v", err)
	}
	l, err := TryLock(path)
	if err != nil {
		t.Fatalf("TryLock after the holder died = %v", err)
	}
	l.Unlock()
}

func TestWait(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	held, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Wait(t.Context(), path, 20*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Fatalf("Wait on a held lock = %v, want ErrLocked once the wait ran out", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Wait(ctx, path, time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with its context ended = %v, want context.Canceled", err)
	}
	got := make(chan error, 1)
	go func() {
		l, err := Wait(t.Context(), path, time.Minute)
		if err == nil {
			err = l.Unlock()
		}
		got <- err
	}()
	if err := held.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("Wait after the holder let go = %v", err)
	}
}

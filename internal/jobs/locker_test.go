package jobs_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/jobs/lockertest"
	"github.com/batchctl/batchctl/internal/lockfile"
)

func TestFileLocker(t *testing.T) {
	lockertest.HoldInChild(func() jobs.Locker { return jobs.FileLocker{Dir: os.Getenv("LOCKERTEST_DIR")} })
	dir := t.TempDir()
	lockertest.Run(t, lockertest.Backend{
		New: func(*testing.T) jobs.Locker { return jobs.FileLocker{Dir: dir} },
		Env: []string{"LOCKERTEST_DIR=" + dir},
	})
}

// TestFileLockerKeepsFileNames: the lock files are those older binaries
// take, so both exclude each other while a home is upgraded.
func TestFileLockerKeepsFileNames(t *testing.T) {
	dir := t.TempDir()
	l := jobs.FileLocker{Dir: dir}
	for name, file := range map[string]string{
		"sync":                        "sync.lock",
		"job/20261207-abc/submit":     "20261207-abc.submit.lock",
		"job/20261207-abc/download-2": "20261207-abc.download-2.lock",
		"queue/0123456789abcdef":      "queue-0123456789abcdef.lock",
	} {
		old, err := lockfile.TryLock(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.TryLock(t.Context(), name); err != jobs.ErrLocked {
			t.Errorf("TryLock(%q) while an older binary holds %s = %v, want ErrLocked", name, file, err)
		}
		old.Unlock()
	}
}

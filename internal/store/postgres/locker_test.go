package postgres

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/jobs/lockertest"
	"github.com/batchctl/batchctl/internal/store/postgres/pgtest"
)

// lockerURLEnv gives the child process of the lockertest suite the
// database its parent locks in.
const lockerURLEnv = "BATCHCTL_LOCKERTEST_URL"

// TestLocker runs the suite every Locker must pass; each Locker has a
// store of its own, as on two hosts. A killed holder's lock must be free
// within the documented bound, with a margin for a loaded machine.
func TestLocker(t *testing.T) {
	lockertest.HoldInChild(func() jobs.Locker {
		s, err := Open(context.Background(), os.Getenv(lockerURLEnv))
		if err != nil {
			panic(err)
		}
		return s.Locker()
	})
	url := pgtest.URL(t)
	lockertest.Run(t, lockertest.Backend{
		New:          func(t *testing.T) jobs.Locker { return openURL(t, url).Locker() },
		Env:          []string{lockerURLEnv + "=" + url},
		CrashRelease: CrashRelease + 15*time.Second,
	})
}

func TestMilliseconds(t *testing.T) {
	for timeout, want := range map[time.Duration]string{
		-time.Second:                   "0",
		0:                              "0",
		time.Microsecond:               "1",
		100 * time.Millisecond:         "100",
		time.Minute + time.Microsecond: "60001",
	} {
		if got := milliseconds(timeout); got != want {
			t.Errorf("milliseconds(%s) = %q, want %q", timeout, got, want)
		}
	}
}

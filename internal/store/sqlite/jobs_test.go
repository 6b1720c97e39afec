package sqlite

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/store"
	"github.com/batchctl/batchctl/internal/store/storetest"
)

// TestRegistry runs the suite every registry backend must pass.
func TestRegistry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) jobs.Registry {
		s, err := Open(t.Context(), filepath.Join(t.TempDir(), "batchctl.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		s.now = now
		return s
	})
}

func mustCreate(t testing.TB, s *Store, j store.Job) store.Job {
	t.Helper()
	if err := s.CreateJob(t.Context(), &j); err != nil {
		t.Fatal(err)
	}
	return j
}

// jobIDs returns the ids of jobs.
func jobIDs(jobs []*store.Job) []string {
	var ids []string
	for _, j := range jobs {
		ids = append(ids, j.ID)
	}
	return ids
}

func TestDeleteRemovesParts(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	mustCreate(t, s, store.Job{ID: "j1", Parts: []store.Part{{Index: 1, BatchID: "batch_1"}}})
	if err := s.Delete(ctx, "j1"); err != nil {
		t.Fatal(err)
	}
	var parts int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM parts WHERE job_id = 'j1'").Scan(&parts); err != nil {
		t.Fatal(err)
	}
	if parts != 0 {
		t.Errorf("%d parts of the deleted job remain", parts)
	}
}

// endless repeats one byte forever.
type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

// TestNewIDEntropy checks how NewID turns random bytes into an id; the
// suite checks the ids it makes of real entropy.
func TestNewIDEntropy(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	mustCreate(t, s, store.Job{ID: "jaaaaa"})

	tests := []struct {
		name    string
		entropy io.Reader
		want    string
		wantErr string
	}{
		{"alphabet ends", bytes.NewReader([]byte{25, 26, 35, 36, 71, 0, 0, 0, 0, 0}), "jz09a9", ""},
		{"biased bytes skipped", bytes.NewReader([]byte{252, 255, 1, 2, 3, 4, 5, 0, 0, 0}), "jbcdef", ""},
		{"taken id retried", io.MultiReader(bytes.NewReader(make([]byte, 10)), endless(1)), "jbbbbb", ""},
		{"every id taken", endless(0), "", "new job id: every one of 20 random ids was taken"},
		{"no entropy", bytes.NewReader([]byte{1, 2}), "", "new job id: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.rand = tt.entropy
			id, err := s.NewID(ctx)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("NewID = %q, %v; want error %q", id, err, tt.wantErr)
				}
				return
			}
			if err != nil || id != tt.want {
				t.Errorf("NewID = %q, %v; want %q", id, err, tt.want)
			}
		})
	}
}

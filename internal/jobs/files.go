package jobs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/batchctl/batchctl/internal/objstore"
	"github.com/batchctl/batchctl/internal/providers"
)

// Files shares the files of jobs between the hosts of one registry that
// share no directory: the converted input kept for retry, the schemas of
// its requests and the downloaded results. Every file is read and written
// in the job's directory here; Files holds the copies other hosts fetch.
// (Hosts that share the job directories themselves, files: /shared/path,
// need none.)
type Files interface {
	// Share copies the file at path to the job's shared file name.
	Share(ctx context.Context, jobID, name, path string) error
	// FetchMissing copies every shared file of the job that dir lacks
	// into dir.
	FetchMissing(ctx context.Context, jobID, dir string) error
	// Remove deletes every shared file of the job.
	Remove(ctx context.Context, jobID string) error
}

// StoreFiles is Files under a prefix of an object store, one object a
// file: <prefix>/<job id>/<file name>.
type StoreFiles struct {
	Store  objstore.Store
	Prefix objstore.URL
}

// Share implements Files.
func (s StoreFiles) Share(ctx context.Context, jobID, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if err := s.Store.Put(ctx, s.Prefix.Join(jobID, name), f, fi.Size()); err != nil {
		return fmt.Errorf("sharing job %s's %s: %w", jobID, name, err)
	}
	return nil
}

// FetchMissing implements Files.
func (s StoreFiles) FetchMissing(ctx context.Context, jobID, dir string) error {
	var lacked []objstore.URL
	err := s.Store.List(ctx, s.Prefix.Join(jobID).Dir(), func(o objstore.Object) error {
		if missing(filepath.Join(dir, path.Base(o.URL.Key))) {
			lacked = append(lacked, o.URL)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("listing job %s's shared files: %w", jobID, err)
	}
	for _, u := range lacked {
		if err := s.fetch(ctx, u, filepath.Join(dir, path.Base(u.Key))); err != nil {
			return fmt.Errorf("fetching job %s's shared files: %w", jobID, err)
		}
	}
	return nil
}

// Remove implements Files.
func (s StoreFiles) Remove(ctx context.Context, jobID string) error {
	var shared []objstore.URL
	err := s.Store.List(ctx, s.Prefix.Join(jobID).Dir(), func(o objstore.Object) error {
		shared = append(shared, o.URL)
		return nil
	})
	for _, u := range shared {
		err = errors.Join(err, s.Store.Delete(ctx, u))
	}
	if err != nil {
		return fmt.Errorf("removing job %s's shared files: %w", jobID, err)
	}
	return nil
}

// fetch writes the object at u to dst, whole or not at all.
func (s StoreFiles) fetch(ctx context.Context, u objstore.URL, dst string) (err error) {
	r, err := s.Store.Get(ctx, u)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), filepath.Base(dst)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.ReadFrom(r); err != nil {
		return fmt.Errorf("reading %s: %w", u, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// share copies a job's file at path to its shared name, when the Manager
// shares files.
func (m *Manager) share(ctx context.Context, jobID, name, path string) error {
	if m.Files == nil {
		return nil
	}
	return m.Files.Share(ctx, jobID, name, path)
}

// shareJobDir shares every file of a job's directory: what create wrote.
func (m *Manager) shareJobDir(ctx context.Context, jobID string) error {
	if m.Files == nil {
		return nil
	}
	dir := m.Config.JobDir(jobID)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if err := m.Files.Share(ctx, jobID, e.Name(), filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// fetchJobDir brings what the job's directory here lacks from the shared
// copies, when the Manager shares files and the directory lacks a file the
// job needs.
func (m *Manager) fetchJobDir(ctx context.Context, j *Job) error {
	if m.Files == nil || !m.lacksFiles(j) {
		return nil
	}
	return m.Files.FetchMissing(ctx, j.ID, m.Config.JobDir(j.ID))
}

// lacksFiles reports whether the job's directory here lacks the input of a
// part or the results of a finished one.
func (m *Manager) lacksFiles(j *Job) bool {
	for _, part := range j.Parts {
		if !RemoteInput(part) && missing(m.InputPath(j.ID, part.Index)) {
			return true
		}
		if part.BatchID != "" && providers.Status(part.Status).Terminal() && missing(m.RawResultsPath(j.ID, part.Index)) {
			return true
		}
	}
	return false
}

// missing reports whether no file is at path.
func missing(path string) bool {
	_, err := os.Stat(path)
	return errors.Is(err, fs.ErrNotExist)
}

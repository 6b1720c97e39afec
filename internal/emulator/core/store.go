package core

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// AtomicFile is a file being written under a temporary name in its final
// directory. Commit renames it into place, so readers in this or any other
// process see either no file or the whole file. Files are created 0600.
type AtomicFile struct {
	f    *os.File
	W    *bufio.Writer
	path string
	done bool
}

func CreateAtomic(path string) (*AtomicFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return nil, err
	}
	return &AtomicFile{f: f, W: bufio.NewWriterSize(f, 64<<10), path: path}, nil
}

func (a *AtomicFile) Write(p []byte) (int, error) { return a.W.Write(p) }

// commit flushes the file and renames it to its final path.
func (a *AtomicFile) Commit() error {
	if a.done {
		return errors.New("atomic file already closed")
	}
	a.done = true
	err := a.W.Flush()
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	if err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("write %s: %w", a.path, err)
	}
	return nil
}

// abort removes the temporary file; it does nothing after commit.
func (a *AtomicFile) Abort() {
	if a.done {
		return
	}
	a.done = true
	a.f.Close()
	os.Remove(a.f.Name())
}

// WriteAtomic writes path through write, atomically.
func WriteAtomic(path string, write func(io.Writer) error) error {
	a, err := CreateAtomic(path)
	if err != nil {
		return err
	}
	defer a.Abort()
	if err := write(a); err != nil {
		return err
	}
	return a.Commit()
}

// WriteJSONFile stores v as JSON at path, atomically.
func WriteJSONFile(path string, v any) error {
	return WriteAtomic(path, func(w io.Writer) error { return json.NewEncoder(w).Encode(v) })
}

// ReadJSONFile decodes the JSON file at path into v. A missing file gives an
// error matching os.ErrNotExist.
func ReadJSONFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// ListIDs returns the ids of the records stored as ID+ext in dir, skipping
// temporary files.
func ListIDs(dir, ext string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ext) {
			continue
		}
		ids = append(ids, strings.TrimSuffix(name, ext))
	}
	return ids, nil
}

// LinkOrCopy makes dst a copy of src, as a hard link when the file system
// allows it (the contents are never modified in place).
func LinkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil || errors.Is(err, os.ErrExist) {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return WriteAtomic(dst, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

// FileExists reports whether path exists.
func FileExists(path string) (bool, error) {
	_, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// ErrStopLines ends forEachLine early without error.
var ErrStopLines = errors.New("stop reading lines")

// ForEachLine calls fn with each non-blank line of r (without surrounding
// white space) and its 1-based line number, until fn returns an error.
// fn may keep line: each is in memory of its own.
func ForEachLine(ctx context.Context, r io.Reader, fn func(lineNo int, line []byte) error) error {
	return forEachLine(ctx, r, false, fn)
}

// ForEachLineView is ForEachLine for an fn that keeps nothing of line once
// it returns: the lines are read into memory used again for the next, which
// spares allocating and copying each (a batch's input is read this way
// twice per request).
func ForEachLineView(ctx context.Context, r io.Reader, fn func(lineNo int, line []byte) error) error {
	return forEachLine(ctx, r, true, fn)
}

func forEachLine(ctx context.Context, r io.Reader, view bool, fn func(lineNo int, line []byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte // a line longer than br's buffer, gathered (view)
	for lineNo := 1; ; lineNo++ {
		var line []byte
		var err error
		if view {
			line, err = br.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				long = append(long[:0], line...)
				for errors.Is(err, bufio.ErrBufferFull) {
					line, err = br.ReadSlice('\n')
					long = append(long, line...)
				}
				line = long
			}
		} else {
			line, err = br.ReadBytes('\n')
		}
		if line = bytes.TrimSpace(line); len(line) > 0 {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			if ferr := fn(lineNo, line); ferr != nil {
				if errors.Is(ferr, ErrStopLines) {
					return nil
				}
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// LoadAll loads with load every record stored as ID.json in dir, newest
// first (by created, then by id). A record that gone says has vanished
// since it was listed (deleted meanwhile) is skipped; with gone nil, every
// error is returned.
func LoadAll[T any](dir string, load func(id string) (T, error), gone func(error) bool, created func(T) (time.Time, string)) ([]T, error) {
	ids, err := ListIDs(dir, ".json")
	if err != nil {
		return nil, err
	}
	recs := make([]T, 0, len(ids))
	for _, id := range ids {
		rec, err := load(id)
		if err != nil && gone != nil && gone(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	}
	slices.SortFunc(recs, func(x, y T) int {
		tx, idx := created(x)
		ty, idy := created(y)
		return cmp.Or(ty.Compare(tx), strings.Compare(idy, idx))
	})
	return recs, nil
}

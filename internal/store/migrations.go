package store

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// LoadMigrations reads a backend's schema migrations, the
// migrations/NNNN_description.sql files of fsys, in name order and checks
// that they are numbered 1, 2, 3, ... without gaps. The schema version
// after migration i (0-based) is i+1. A migration, once released, is never
// edited; a schema change is a new file.
func LoadMigrations(fsys fs.FS) ([]string, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	steps := make([]string, 0, len(names))
	for i, name := range names {
		num, _, _ := strings.Cut(path.Base(name), "_")
		if n, err := strconv.Atoi(num); err != nil || n != i+1 {
			return nil, fmt.Errorf("migration %s: want number %04d", name, i+1)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		steps = append(steps, string(b))
	}
	return steps, nil
}

package config

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/batchctl/batchctl/internal/pgurl"
)

// The registry setting (registry, BATCHCTL_REGISTRY) says where the job
// registry lives: the path of a SQLite database, or the URL of a
// PostgreSQL database that several machines share.

// resolveRegistry returns the registry a setting names: a PostgreSQL URL
// as is, a SQLite path made absolute (relative to home), or for no
// setting the default database in home.
func resolveRegistry(home, setting string) string {
	switch {
	case setting == "":
		return filepath.Join(home, "batchctl.db")
	case pgurl.Is(setting) || filepath.IsAbs(setting):
		return setting
	}
	return filepath.Join(home, setting)
}

// checkRegistry reports a registry setting that is a URL of another kind
// than PostgreSQL's.
func checkRegistry(value string) error {
	if scheme, _, ok := strings.Cut(value, "://"); ok && !pgurl.Is(value) {
		return fmt.Errorf("unsupported registry %q: want a path (SQLite) or a postgres:// URL", scheme+"://...")
	}
	if pgurl.Is(value) {
		if _, err := url.Parse(value); err != nil {
			return fmt.Errorf("invalid registry URL %s", pgurl.Redact(value))
		}
	}
	return nil
}

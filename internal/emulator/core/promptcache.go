package core

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// PromptCache is an emulated provider's prompt cache on disk: one file per
// entry, named by the hash of the cached prefix and holding its expiry, so
// that nothing is kept in memory and every process serving the emulator
// sees the same cache.
type PromptCache struct{ Dir string }

// Has reports whether the entry hash is in the cache at now.
func (c PromptCache) Has(hash string, now time.Time) bool {
	b, err := os.ReadFile(filepath.Join(c.Dir, hash))
	if err != nil {
		return false
	}
	expiry, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(b)))
	return err == nil && now.Before(expiry)
}

// Put writes the entry hash, to expire at expiry, unless it is in the
// cache at now already (read by the request that puts it, or written by
// another one).
func (c PromptCache) Put(hash string, now, expiry time.Time) error {
	if c.Has(hash, now) {
		return nil
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return err
	}
	text := expiry.UTC().Format(time.RFC3339Nano)
	return WriteAtomic(filepath.Join(c.Dir, hash), func(w io.Writer) error {
		_, err := io.WriteString(w, text)
		return err
	})
}

// HitSet is a set of the entry hashes a batch found in the cache.
func HitSet(hashes []string) map[string]bool {
	set := make(map[string]bool, len(hashes))
	for _, h := range hashes {
		set[h] = true
	}
	return set
}

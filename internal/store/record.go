package store

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

// This file is what every backend does to a job before and while it
// records it, so that they all fill in the same times and aggregates and
// draw ids the same way.

// Prepare returns a copy of j as CreateJob records it at time now: its
// parts sorted by index, the zero times of the job and its parts filled
// in, and its aggregated fields (Status, Counts, Usage, CompletedAt)
// derived from its parts.
func Prepare(j Job, now time.Time) Job {
	j.Parts = slices.Clone(j.Parts)
	for i := range j.Parts {
		p := &j.Parts[i]
		if p.CreatedAt.IsZero() {
			p.CreatedAt = now
		}
		if p.UpdatedAt.IsZero() {
			p.UpdatedAt = now
		}
	}
	slices.SortFunc(j.Parts, func(a, b Part) int { return cmp.Compare(a.Index, b.Index) })
	if j.CreatedAt.IsZero() {
		j.CreatedAt = now
	}
	if j.UpdatedAt.IsZero() {
		j.UpdatedAt = j.CreatedAt
	}
	var terminal bool
	j.Status, j.Counts, j.Usage, terminal = Aggregate(j.Parts)
	j.CompletedAt = CompletedAt(j.Parts, terminal, time.Time{}, now)
	return j
}

// CheckIndexes reports a part index that is not positive or is repeated.
func CheckIndexes(parts []Part) error {
	seen := make(map[int]bool, len(parts))
	for _, p := range parts {
		if p.Index < 1 {
			return fmt.Errorf("part index %d: must be at least 1", p.Index)
		}
		if seen[p.Index] {
			return fmt.Errorf("part index %d: repeated", p.Index)
		}
		seen[p.Index] = true
	}
	return nil
}

// MergePart puts p in place of the part of parts with its index, or adds
// it, as SavePart records it at time now. A zero p.CreatedAt becomes the
// replaced part's, or now.
func MergePart(parts []Part, p *Part, now time.Time) []Part {
	i := slices.IndexFunc(parts, func(q Part) bool { return q.Index == p.Index })
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
		if i >= 0 {
			p.CreatedAt = parts[i].CreatedAt
		}
	}
	if i >= 0 {
		parts[i] = *p
		return parts
	}
	return append(parts, *p)
}

// idAlphabet is the alphabet of the random part of job ids.
const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// IDAttempts bounds the random ids a backend's NewID draws before it gives up.
const IDAttempts = 20

// RandomID draws a job id from r: "j" and 5 characters of [a-z0-9],
// uniformly.
func RandomID(r io.Reader) (string, error) {
	const n = 5
	// Bytes at or above limit are dropped so that every character is equally likely.
	const limit = 256 - 256%len(idAlphabet)
	id := make([]byte, 1, 1+n)
	id[0] = 'j'
	buf := make([]byte, 2*n)
	for len(id) < 1+n {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		for _, b := range buf {
			if int(b) < limit && len(id) < 1+n {
				id = append(id, idAlphabet[int(b)%len(idAlphabet)])
			}
		}
	}
	return string(id), nil
}

// AddLoadedPart appends p, as a backend loaded it, to the parts of j and
// adds its usage details to j's: a backend's jobs table keeps the totals,
// the details are the parts'.
func AddLoadedPart(j *Job, p Part) {
	j.Parts = append(j.Parts, p)
	j.Usage.Add(&providers.Usage{CacheReadInputTokens: p.Usage.CacheReadInputTokens,
		CacheCreationInputTokens: p.Usage.CacheCreationInputTokens, ReasoningTokens: p.Usage.ReasoningTokens,
		CacheCreation1hInputTokens: p.Usage.CacheCreation1hInputTokens})
}

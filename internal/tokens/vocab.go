package tokens

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"

	"github.com/pkoukk/tiktoken-go-loader/assets"
)

// loadRanks reads the vocabulary of an encoding that
// github.com/pkoukk/tiktoken-go-loader compiles into the binary (the
// .tiktoken files OpenAI publishes: a base64 token and its rank a line).
// It reads the same file as that package's loader with a fraction of the
// garbage: the tokens are decoded into one string that the map's keys
// share, and the map is made at its size, which keeps the peak memory of
// a short run low.
func loadRanks(name string) (map[string]int, error) {
	data, err := assets.Assets.ReadFile(name + ".tiktoken")
	if err != nil {
		return nil, err
	}
	n := bytes.Count(data, []byte{'\n'})
	type entry struct{ start, end, rank int }
	entries := make([]entry, 0, n)
	arena := make([]byte, 0, len(data)*3/4/2)
	for line := 1; len(data) > 0; line++ {
		var l []byte
		l, data, _ = bytes.Cut(data, []byte{'\n'})
		if len(l) == 0 {
			continue
		}
		tok, rank, ok := bytes.Cut(l, []byte{' '})
		r, err := strconv.Atoi(string(rank))
		if !ok || err != nil {
			return nil, fmt.Errorf("%s.tiktoken line %d: want a token and its rank", name, line)
		}
		start := len(arena)
		if arena, err = base64.StdEncoding.AppendDecode(arena, tok); err != nil {
			return nil, fmt.Errorf("%s.tiktoken line %d: %w", name, line, err)
		}
		entries = append(entries, entry{start, len(arena), r})
	}
	all := string(arena)
	ranks := make(map[string]int, len(entries))
	for _, e := range entries {
		ranks[all[e.start:e.end]] = e.rank
	}
	return ranks, nil
}

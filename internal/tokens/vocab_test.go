package tokens

import (
	"maps"
	"testing"

	tiktokenloader "github.com/pkoukk/tiktoken-go-loader"
)

// TestLoadRanks checks loadRanks against the loader of
// pkoukk/tiktoken-go-loader on the same files.
func TestLoadRanks(t *testing.T) {
	for _, name := range []string{O200kBase, Cl100kBase} {
		got, err := loadRanks(name)
		if err != nil {
			t.Fatal(err)
		}
		want, err := tiktokenloader.NewOfflineLoader().LoadTiktokenBpe(name + ".tiktoken")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) < 100_000 || !maps.Equal(got, want) {
			t.Errorf("%s: %d ranks, differing from the %d of tiktoken-go-loader", name, len(got), len(want))
		}
	}
}

// TestEveryByteIsAToken checks what Encoding.piece takes for granted: a
// piece of one byte is one token.
func TestEveryByteIsAToken(t *testing.T) {
	for _, name := range []string{O200kBase, Cl100kBase} {
		ranks := GetEncoding(name).ranks
		for b := range 256 {
			if _, ok := ranks[string([]byte{byte(b)})]; !ok {
				t.Errorf("%s: byte %#x is not a token", name, b)
			}
		}
	}
}

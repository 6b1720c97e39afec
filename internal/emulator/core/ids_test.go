package core

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
)

// TestDerivedIDIsStable checks DerivedID against its definition: ids in
// stored result files must come out the same in every release.
func TestDerivedIDIsStable(t *testing.T) {
	for _, c := range []struct {
		prefix, seed string
		index        int
	}{
		{"batch_req_", "batch_abc", 0},
		{"req_", "batch_abc", 49999},
		{"chatcmpl-", strings.Repeat("s", 200), 7},
		{"", "", -1},
	} {
		sum := sha256.Sum256([]byte(c.prefix + "\x00" + c.seed + "\x00" + strconv.Itoa(c.index)))
		want := c.prefix + hex.EncodeToString(sum[:16])
		if got := DerivedID(c.prefix, c.seed, c.index); got != want {
			t.Errorf("DerivedID(%q, %q, %d) = %q, want %q", c.prefix, c.seed, c.index, got, want)
		}
	}
}

package core

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

const (
	idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	idLength   = 24
	// idReject is the first byte value that would make byte%len(idAlphabet)
	// favour some characters; such bytes are skipped.
	idReject = 256 - 256%len(idAlphabet)
)

// NewID returns prefix followed by idLength random alphanumeric characters
// from crypto/rand, e.g. "file-" + "k3J9...".
func NewID(prefix string) string {
	var b strings.Builder
	b.Grow(len(prefix) + idLength)
	b.WriteString(prefix)
	buf := make([]byte, idLength+idLength/2)
	for n := 0; n < idLength; {
		rand.Read(buf) // never fails (crypto/rand since Go 1.24)
		for _, c := range buf {
			if int(c) < idReject && n < idLength {
				b.WriteByte(idAlphabet[int(c)%len(idAlphabet)])
				n++
			}
		}
	}
	return b.String()
}

// DerivedID returns prefix followed by 32 hex digits derived from seed and
// index. Ids that must come out the same in every process that computes them
// (request ids in result files) are made this way from a random batch id.
func DerivedID(prefix, seed string, index int) string {
	var in [128]byte // the hashed text, on the stack for the usual ids
	b := append(append(append(append(in[:0], prefix...), 0), seed...), 0)
	sum := sha256.Sum256(strconv.AppendInt(b, int64(index), 10))
	var out [64]byte
	id := append(out[:0], prefix...)
	id = hex.AppendEncode(id, sum[:16])
	return string(id)
}

package core

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEmbedding(t *testing.T) {
	for _, dims := range []int{1, 8, 9, 3072} {
		v := Embedding("some text", dims)
		var sum float64
		for _, x := range v {
			sum += float64(x) * float64(x)
		}
		if len(v) != dims || math.Abs(sum-1) > 1e-5 {
			t.Errorf("embedding of %d dims: len %d, squared norm %v", dims, len(v), sum)
		}
	}
	// Pinned: users may rely on the vectors staying the same.
	if got, want := mustJSON(Embedding("hello", 3)), `[-0.679454,0.035392858,-0.7328639]`; got != want {
		t.Errorf("embedding(hello, 3) = %s, want %s", got, want)
	}
	if mustJSON(Embedding("hello", 8)) == mustJSON(Embedding("hello!", 8)) {
		t.Error("different texts got the same embedding")
	}
}

func TestFindMarker(t *testing.T) {
	tests := []struct {
		text string
		want Marker
	}{
		{"plain text", Marker{}},
		{"please [fail] now", Marker{Kind: MarkerFail, Status: 400, Text: "[fail]"}},
		{"[fail:503]", Marker{Kind: MarkerFail, Status: 503, Text: "[fail:503]"}},
		{"[fail:200] is no fault", Marker{}},
		{"[fail:42]", Marker{}},
		{"x [error] [fail]", Marker{Kind: MarkerError, Text: "[error]"}},
		{"[expire]", Marker{Kind: MarkerExpire, Text: "[expire]"}},
		{"[drop][fail]", Marker{Kind: MarkerDrop, Text: "[drop]"}},
		{"[FAIL]", Marker{}},
	}
	for _, tt := range tests {
		if got := FindMarker(tt.text); got != tt.want {
			t.Errorf("findMarker(%q) = %+v, want %+v", tt.text, got, tt.want)
		}
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// wordSeeds are texts whose words countWords must count as strings.Fields
// splits them.
var wordSeeds = []string{
	"", " ", "one", "two words", "  lead and trail  ", "tab\tnew\nline\vvt\fff\rcr",
	"nbsp\u00a0nel\u0085ideographic\u3000space", "café ünïcode", "bad \xff utf8\xfe", "\u2028sep\u2029",
}

func TestCountWordsIsFields(t *testing.T) {
	for _, s := range wordSeeds {
		if got, want := countWords(s), len(strings.Fields(s)); got != want {
			t.Errorf("countWords(%q) = %d, strings.Fields gives %d", s, got, want)
		}
	}
}

// TestSpaceBits checks the eight-byte space test against the table on
// every ASCII byte, at every place in a word and between every neighbour.
func TestSpaceBits(t *testing.T) {
	for c := range utf8.RuneSelf {
		for _, other := range []byte{'a', ' ', '\t', '\r', 0x7f, 0x08, 0x0e, 0x1f} {
			for at := range 8 {
				var w [8]byte
				for i := range w {
					w[i] = other
				}
				w[at] = byte(c)
				got := spaceBits(binary.LittleEndian.Uint64(w[:]))
				for i, b := range w {
					if want := uint64(asciiSpace[b]) << (8*i + 7); got&(0x80<<(8*i)) != want {
						t.Fatalf("spaceBits(%q): byte %d is %#x, want %#x", w, i, got&(0x80<<(8*i)), want)
					}
				}
			}
		}
	}
	for c := range utf8.RuneSelf {
		if got, want := asciiSpace[c] == 1, unicode.IsSpace(rune(c)); got != want {
			t.Errorf("asciiSpace[%#x] = %v, unicode.IsSpace says %v", c, got, want)
		}
	}
}

func FuzzCountWords(f *testing.F) {
	for _, s := range wordSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := countWords(s), len(strings.Fields(s)); got != want {
			t.Fatalf("countWords(%q) = %d, strings.Fields gives %d", s, got, want)
		}
	})
}

func BenchmarkCountWords(b *testing.B) {
	text := "type they however sermons be (about was spread movable that are press Venice scribes model."
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		countWords(text)
	}
}

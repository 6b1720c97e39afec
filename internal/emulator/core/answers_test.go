package core

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
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

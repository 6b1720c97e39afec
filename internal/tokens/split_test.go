package tokens

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// The published pre-tokenizer patterns, as tiktoken (openai_public.py)
// and github.com/pkoukk/tiktoken-go (encoding.go) write them; the
// splitters must cut text exactly where regexp2 running them does.
var regexpSplitters = map[string]*regexp2.Regexp{
	O200kBase: regexp2.MustCompile(strings.Join([]string{
		`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?`,
		`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?`,
		`\p{N}{1,3}`,
		` ?[^\s\p{L}\p{N}]+[\r\n/]*`,
		`\s*[\r\n]+`,
		`\s+(?!\S)`,
		`\s+`,
	}, "|"), regexp2.None),
	Cl100kBase: regexp2.MustCompile(`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`, regexp2.None),
}

var splitters = map[string]splitter{O200kBase: splitO200k, Cl100kBase: splitCl100k}

// regexpPieces splits s with regexp2, as pkoukk/tiktoken-go does.
func regexpPieces(re *regexp2.Regexp, s string) []string {
	runes := []rune(s)
	var pieces []string
	m, _ := re.FindRunesMatch(runes)
	for m != nil {
		pieces = append(pieces, string(runes[m.Index:m.Index+m.Length]))
		m, _ = re.FindNextMatch(m)
	}
	return pieces
}

func splitPieces(split splitter, s string) []string {
	var pieces []string
	for i := 0; i < len(s); {
		j := split(s, i)
		pieces = append(pieces, s[i:j])
		i = j
	}
	return pieces
}

// checkSplit reports where the splitter of an encoding and regexp2 differ.
func checkSplit(t *testing.T, enc, s string) bool {
	t.Helper()
	want := regexpPieces(regexpSplitters[enc], s)
	got := splitPieces(splitters[enc], s)
	if !slices.Equal(got, want) {
		t.Errorf("%s: %q\nsplit  %q\nregexp %q", enc, s, got, want)
		return false
	}
	return true
}

// splitCases are the corners of the patterns: marks before and inside
// words, titlecase and modifier letters, contractions in any case,
// whitespace runs with and without newlines before words and symbols,
// slashes after symbols, long numbers.
var splitCases = []string{
	"", "a", "Hello world", "HELLO", "HELLOworld", "helloWORLD", "HeLLo", "don't", "DON'T", "we'RE", "I'll've",
	"'s", "'S", "'re", "''s", " 's", "x'", "ǅungla", "ǈǋ", "ʰʰʰ", "ʰa", "Aʰ", "Aʰb", "AÀ", "\u0301", "e\u0301",
	"\u0301e", "A\u0301", " \u0301", "\u0301\u0301a", "ab\u0301c", "東京", "Ab東", "ﬁ", "ǲa",
	"  ", " ", "\n", "\r\n", "a\n\nb", "a  b", "a \t b", "a\t\tb", "  \n  x", " \n", "\n ", "x \n \n y", "\n \n",
	"!!", " !!", "!!/", "!!\n/", " !\n\n", "a/b", "//x", "...\r\n\r\nz", "\t!", "12345", "1234567", "१२३४",
	"½¼", "x²", "3.14", "$1,234", "😀😀", "👩‍💻", "🇫🇷", "\u00a0a", "\u2028x", "\u0085a", "a\u200bb",
	"İstanbul", "K\u212a", "ſ's", "'ſ", "'\u212a", "Straße", "ΣΑΣ", "a'S", "A'LL", "a'lL", "a'Ll's",
}

func TestSplitMatchesRegexp(t *testing.T) {
	for _, enc := range []string{O200kBase, Cl100kBase} {
		for _, s := range splitCases {
			checkSplit(t, enc, s)
		}
		r := rand.New(rand.NewPCG(3, 4))
		fails := 0
		for range 3000 {
			if !checkSplit(t, enc, corpusText(r, 1+r.IntN(40))) {
				if fails++; fails > 5 {
					t.FailNow()
				}
			}
		}
	}
}

// TestSplitRandomRunes compares the splitters with regexp2 on strings of
// random characters drawn from every plane and category, weighted to the
// classes the patterns tell apart.
func TestSplitRandomRunes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	pools := []string{" \t\n\r\v\f\u0085\u00a0\u2028\u3000", "aZ'sSrReEvVlLmMdDtT/!.,-_0123456789",
		"\u0301\u0903\u20dd\u02b0\u01c5\u01c8\u00aa\u2160\u00bd\u0660"}
	runeOf := func() rune {
		switch k := r.IntN(10); {
		case k < 6:
			p := []rune(pools[r.IntN(len(pools))])
			return p[r.IntN(len(p))]
		case k < 8:
			return rune(0x80 + r.IntN(0x2000))
		case k < 9:
			return rune(r.IntN(0x10000))
		default:
			return rune(0x10000 + r.IntN(0x20000))
		}
	}
	for _, enc := range []string{O200kBase, Cl100kBase} {
		fails := 0
		for range 20000 {
			var b strings.Builder
			for range 1 + r.IntN(12) {
				b.WriteRune(runeOf())
			}
			s := strings.ToValidUTF8(b.String(), "\uFFFD")
			if !checkSplit(t, enc, s) {
				if fails++; fails > 5 {
					t.FailNow()
				}
			}
		}
	}
}

// FuzzSplit compares the splitters with regexp2 on any valid text.
func FuzzSplit(f *testing.F) {
	for _, s := range splitCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		for _, enc := range []string{O200kBase, Cl100kBase} {
			checkSplit(t, enc, s)
		}
	})
}

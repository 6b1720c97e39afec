package tokens

import (
	"sync"
	"unicode"
	"unicode/utf8"
)

// A splitter cuts text into the pieces that byte-pair encoding merges
// within: it returns the end of the piece that starts at byte i of s.
//
// The two splitters below are a hand-written form of the published
// pre-tokenizer patterns of tiktoken's o200k_base and cl100k_base (the
// same patterns github.com/pkoukk/tiktoken-go runs with
// github.com/dlclark/regexp2), written for speed: the regular expression
// engine took 40% of the time of counting. They match what regexp2 matches
// with those patterns, character classes included (regexp2 reads \s as
// unicode.IsSpace and \p{..} with Go's unicode tables, as these do):
// TestSplitMatchesRegexp and FuzzSplit check it on the held-out corpus and
// random text.
type splitter func(s string, i int) int

// Character classes, as bits.
const (
	cLetter    = 1 << iota // \p{L}
	cNumber                // \p{N}
	cSpace                 // \s: unicode.IsSpace
	cUpperish              // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
	cLowerish              // [\p{Ll}\p{Lm}\p{Lo}\p{M}]
	cNewline               // \r or \n
	cSlashOrNL             // [\r\n/]
)

// classOf computes the classes of a rune from Go's unicode tables.
func classOf(r rune) uint8 {
	var c uint8
	switch {
	case unicode.Is(unicode.L, r):
		c |= cLetter
		switch {
		case unicode.Is(unicode.Lu, r), unicode.Is(unicode.Lt, r):
			c |= cUpperish
		case unicode.Is(unicode.Ll, r):
			c |= cLowerish
		case unicode.Is(unicode.Lm, r), unicode.Is(unicode.Lo, r):
			c |= cUpperish | cLowerish
		}
	case unicode.Is(unicode.N, r):
		c |= cNumber
	case unicode.Is(unicode.M, r):
		c |= cUpperish | cLowerish // a mark is in both classes of o200k_base
	}
	if unicode.IsSpace(r) {
		c |= cSpace
	}
	if r == '\r' || r == '\n' {
		c |= cNewline | cSlashOrNL
	}
	if r == '/' {
		c |= cSlashOrNL
	}
	return c
}

var (
	asciiClass [utf8.RuneSelf]uint8
	bmpOnce    sync.Once
	bmpClass   []uint8 // the classes of the basic multilingual plane
)

func init() {
	for r := range rune(utf8.RuneSelf) {
		asciiClass[r] = classOf(r)
	}
}

// runeAt decodes the rune at byte i of s, with its classes and width.
func runeAt(s string, i int) (rune, uint8, int) {
	if b := s[i]; b < utf8.RuneSelf {
		return rune(b), asciiClass[b], 1
	}
	r, w := utf8.DecodeRuneInString(s[i:])
	if r > 0xffff {
		return r, classOf(r), w
	}
	bmpOnce.Do(func() {
		bmpClass = make([]uint8, 0x10000)
		for r := range rune(0x10000) {
			bmpClass[r] = classOf(r)
		}
	})
	return r, bmpClass[r], w
}

// classAt is the classes of the rune at byte i of s; 0 past the end.
func classAt(s string, i int) (uint8, int) {
	if i >= len(s) {
		return 0, 0
	}
	_, c, w := runeAt(s, i)
	return c, w
}

// isOther is [^\s\p{L}\p{N}].
func isOther(c uint8) bool { return c&(cSpace|cLetter|cNumber) == 0 }

// isPrefix is [^\r\n\p{L}\p{N}]: the character a word may carry before
// it (a space, a quote, a mark).
func isPrefix(c uint8) bool { return c&(cNewline|cLetter|cNumber) == 0 }

// run returns the end of the run of characters of class want from byte i.
func run(s string, i int, want uint8) int {
	for i < len(s) {
		c, w := classAt(s, i)
		if c&want == 0 {
			break
		}
		i += w
	}
	return i
}

// contraction returns the end of (?i:'s|'t|'re|'ve|'m|'ll|'d) at byte i,
// or i. Case is folded as regexp2 folds it, with unicode.ToLower.
func contraction(s string, i int) int {
	if i >= len(s) || s[i] != '\'' {
		return i
	}
	lower := func(j int) (rune, int) {
		if j >= len(s) {
			return -1, 0
		}
		r, _, w := runeAt(s, j)
		return unicode.ToLower(r), w
	}
	r1, w1 := lower(i + 1)
	switch r1 {
	case 's', 't', 'm', 'd':
		return i + 1 + w1
	case 'r', 'v', 'l':
		want := map[rune]rune{'r': 'e', 'v': 'e', 'l': 'l'}[r1]
		if r2, w2 := lower(i + 1 + w1); r2 == want {
			return i + 1 + w1 + w2
		}
	}
	return i
}

// newlineRun matches \s*[\r\n]+ at i, whose whitespace run ends at end:
// it ends after the run's last \r or \n; ok is false when it holds none.
func newlineRun(s string, i, end int) (int, bool) {
	for j := end - 1; j >= i; j-- {
		if s[j] == '\r' || s[j] == '\n' {
			return j + 1, true
		}
	}
	return 0, false
}

// spaces matches \s*[\r\n]+|\s+(?!\S)|\s+ at i, a whitespace character.
func spaces(s string, i int) int {
	end := run(s, i, cSpace)
	if j, ok := newlineRun(s, i, end); ok {
		return j
	}
	if end == len(s) {
		return end
	}
	// \s+(?!\S): give back the last whitespace character, so that it
	// goes with the word after it, unless it is the only one.
	_, last := lastRune(s[i:end])
	if end-last > i {
		return end - last
	}
	return end
}

func lastRune(s string) (rune, int) { return utf8.DecodeLastRuneInString(s) }

// numbers matches \p{N}{1,3} at i.
func numbers(s string, i int) int {
	for k := 0; k < 3 && i < len(s); k++ {
		c, w := classAt(s, i)
		if c&cNumber == 0 {
			break
		}
		i += w
	}
	return i
}

// others matches ` ?[^\s\p{L}\p{N}]+` then the run of tail at i, or
// returns i.
func others(s string, i int, tail uint8) int {
	j := i
	if s[j] == ' ' {
		j++
	}
	c, w := classAt(s, j)
	if !isOther(c) || w == 0 {
		return i
	}
	for j < len(s) {
		c, w := classAt(s, j)
		if !isOther(c) {
			break
		}
		j += w
	}
	return run(s, j, tail)
}

// splitO200k is the pre-tokenizer of o200k_base:
//
//	[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
func splitO200k(s string, i int) int {
	c, w := classAt(s, i)
	// The first two alternatives each try with the prefix character, then
	// without it (a mark is both a prefix and a letter).
	prefixed := isPrefix(c)
	if prefixed {
		if j, ok := o200kLower(s, i+w); ok {
			return j
		}
	}
	if j, ok := o200kLower(s, i); ok {
		return j
	}
	if prefixed {
		if j := o200kUpper(s, i+w); j > i+w {
			return j
		}
	}
	if j := o200kUpper(s, i); j > i {
		return j
	}
	if c&cNumber != 0 {
		return numbers(s, i)
	}
	if j := others(s, i, cSlashOrNL); j > i {
		return j
	}
	if c&cSpace != 0 {
		return spaces(s, i)
	}
	return i + w // unreachable: every character starts some alternative
}

// o200kLower matches [U]*[L]+(?i:'s|...)? at i, where U is
// [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and L [\p{Ll}\p{Lm}\p{Lo}\p{M}].
func o200kLower(s string, i int) (int, bool) {
	// U* takes the longest run, then gives back characters until L+ can
	// start: just after the run, or at the run's last character in L
	// (then L+ is that one character: the next is in U only).
	end := run(s, i, cUpperish)
	if c, _ := classAt(s, end); c&cLowerish != 0 {
		return contraction(s, run(s, end, cLowerish)), true
	}
	for j := end; j > i; {
		_, w := lastRune(s[i:j])
		j -= w
		if c, _ := classAt(s, j); c&cLowerish != 0 {
			return contraction(s, j+w), true
		}
	}
	return 0, false
}

// o200kUpper matches [U]+[L]*(?i:'s|...)? at i, or returns i.
func o200kUpper(s string, i int) int {
	end := run(s, i, cUpperish)
	if end == i {
		return i
	}
	return contraction(s, run(s, end, cLowerish))
}

// splitCl100k is the pre-tokenizer of cl100k_base:
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}
//	| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
func splitCl100k(s string, i int) int {
	if j := contraction(s, i); j > i {
		return j
	}
	c, w := classAt(s, i)
	if c&cLetter != 0 {
		return run(s, i, cLetter)
	}
	if isPrefix(c) {
		if c2, _ := classAt(s, i+w); c2&cLetter != 0 {
			return run(s, i+w, cLetter)
		}
	}
	if c&cNumber != 0 {
		return numbers(s, i)
	}
	if j := others(s, i, cNewline); j > i {
		return j
	}
	if c&cSpace != 0 {
		return spaces(s, i)
	}
	return i + w
}

package jsonscan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// checkRawText reads doc with RawText and with RawStr and fails unless
// both read the same contents to the same offset, or fail with the same
// error; and unless a string RawText calls verbatim is the one
// encoding/json (without HTML escaping) writes for its decoded value,
// where one without \u and \/ escapes that it does not call verbatim is
// not.
func checkRawText(t *testing.T, doc []byte) {
	t.Helper()
	s, ref := New(doc), New(doc)
	got, verbatim, err := s.RawText()
	want, wantErr := ref.RawStr()
	if fmt.Sprint(err) != fmt.Sprint(wantErr) || !bytes.Equal(got, want) || s.pos != ref.pos {
		t.Fatalf("RawText(%q) = %q, %v at %d\nRawStr: %q, %v at %d", doc, got, err, s.pos, want, wantErr, ref.pos)
	}
	if err != nil {
		if verbatim {
			t.Fatalf("RawText(%q) failed, yet verbatim", doc)
		}
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(string(AppendDecoded(nil, got))); err != nil {
		t.Fatal(err)
	}
	same := bytes.Equal(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), append(append([]byte{'"'}, got...), '"'))
	switch {
	case verbatim && !same:
		t.Fatalf("RawText(%q) verbatim, but encoding/json writes %s", doc, buf.Bytes())
	case !verbatim && same && !bytes.Contains(got, []byte(`\u`)) && !bytes.Contains(got, []byte(`\/`)):
		t.Fatalf("RawText(%q) not verbatim, yet encoding/json writes it as it is", doc)
	}
}

func TestRawText(t *testing.T) {
	long := strings.Repeat("0123456789abcdef", 3)
	docs := []string{
		`""`, `"abc"`, `"a\"b\\c\b\f\n\r\t"`, `"a\/b"`, `"\u00e9"`, `"\u0001"`, `"\ud83d\ude00"`, `"\ud83d"`,
		"\"caf\xc3\xa9\"", "\"bad \xff utf8\"", "\"line\xe2\x80\xa8sep\"", "\"para\xe2\x80\xa9sep\"", "\"trunc \xe4\xb8\"",
		`"\x"`, `"\u12"`, `"\u12g4"`, "\"a\tb\"", "\"a\x00b\"", `"unterminated`, `"\`, `"ab\`, `7`, `null`, ``, `  "x"  `,
		`"` + long + `"`, `"` + long + `\"` + long + `"`, `"` + long + "\xc3\xa9" + long + `"`,
		`"` + long + "\x1f" + long + `"`, `"` + long, `"` + long + `\`, `"` + long + `\u00`,
		`"` + long + "\xe2\x80\xa8" + long + `"`, `"` + long + `\u2028` + long + `"`,
		`"` + long[:15] + `"` + long, `"` + long[:16] + `"`, `"` + long[:7] + `\n` + long[:9] + `"`,
	}
	for _, doc := range docs {
		checkRawText(t, []byte(doc))
	}
	// Each byte of interest at each offset of the sixteen-byte words.
	for i := range 40 {
		for _, c := range []string{`"`, `\\`, `\n`, `\u0041`, "\x01", "\xc3\xa9", "\xff", "\xe2\x80\xa9"} {
			checkRawText(t, []byte(`"`+long[:i%len(long)]+c+long+`"`))
		}
	}
}

// checkStrOf reads doc with StrOf, OptionalStrOf and StrCached (twice,
// so that the second read may come from the cache) and fails unless each
// reads what Str or OptionalStr reads, with the same error.
func checkStrOf(t *testing.T, doc []byte, known []string) {
	t.Helper()
	ref := New(doc)
	want, wantErr := ref.Str()
	ref = New(doc)
	wantOpt, _ := ref.OptionalStr()
	var cache StrCache
	for i, read := range []func(s *Scanner) (string, error){
		func(s *Scanner) (string, error) { return s.StrOf(known) },
		func(s *Scanner) (string, error) { return s.StrCached(&cache) },
		func(s *Scanner) (string, error) { return s.StrCached(&cache) },
	} {
		s := New(doc)
		got, err := read(&s)
		if got != want || fmt.Sprint(err) != fmt.Sprint(wantErr) || s.pos != ref.pos {
			t.Fatalf("read %d of %q = %q, %v at %d; Str: %q, %v at %d", i, doc, got, err, s.pos, want, wantErr, ref.pos)
		}
	}
	s := New(doc)
	gotOpt, err := s.OptionalStrOf(known)
	if (gotOpt == nil) != (wantOpt == nil) || gotOpt != nil && *gotOpt != *wantOpt || fmt.Sprint(err) != fmt.Sprint(wantErr) {
		t.Fatalf("OptionalStrOf(%q) = %v, %v; OptionalStr: %v, %v", doc, gotOpt, err, wantOpt, wantErr)
	}
}

func TestStrOf(t *testing.T) {
	known := []string{"STOP", "end_turn", ""}
	for _, doc := range []string{
		`"STOP"`, `"end_turn"`, `""`, `"\u0053TOP"`, `"STOPS"`, `"caf\u00e9"`, "\"bad \xff\"", `null`, `7`, `"open`, `  "STOP" `,
	} {
		checkStrOf(t, []byte(doc), known)
	}
	// A known value, or the one cached, is read without a copy.
	doc := []byte(`"end_turn"`)
	var cache StrCache
	if n := testing.AllocsPerRun(10, func() {
		s := New(doc)
		s.StrOf(known)
		s = New(doc)
		s.OptionalStrOf(known)
		s = New(doc)
		s.StrCached(&cache)
	}); n != 0 {
		t.Errorf("StrOf, OptionalStrOf and StrCached of a known value allocate %v times", n)
	}
}

// FuzzRawText checks RawText against RawStr and encoding/json, and
// StrOf, OptionalStrOf and StrCached against Str and OptionalStr, on any
// document.
func FuzzRawText(f *testing.F) {
	for _, seed := range fuzzSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkRawText(t, doc)
		checkStrOf(t, doc, []string{"STOP", "a", ""})
	})
}

// BenchmarkRawText reads the text of an answer: prose with escapes and a
// little non-ASCII text, with RawText and with RawStr.
func BenchmarkRawText(b *testing.B) {
	text := strings.Repeat(`The printing press reached Mainz around 1450 (Gutenberg); \"movable type\" made naïve copying obsolete, C:\\path and café.\n\n`, 40)
	doc := []byte(`"` + text + `"`)
	b.Run("RawText", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			s := New(doc)
			if _, _, err := s.RawText(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RawStr", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			s := New(doc)
			if _, err := s.RawStr(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

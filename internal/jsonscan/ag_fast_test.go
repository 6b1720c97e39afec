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

// FuzzRawText checks RawText against RawStr and encoding/json on any
// document.
func FuzzRawText(f *testing.F) {
	for _, seed := range fuzzSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkRawText(t, doc)
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

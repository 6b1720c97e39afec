package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// fuzzSeeds exercise every corner of the grammar and of string decoding,
// valid and not.
var fuzzSeeds = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `-1.5e+10`, `1E-2`, `12.0`, `9223372036854775808`,
	`01`, `-`, `1.`, `1e`, `.5`, `+1`, `1e+`, `tru`, `nul`, `nulll`,
	`{"a":1,"b":[1,2,{"c":null}],"d":"x"}`, `{"a":1,}`, `[1,]`, `{"a" 1}`, `{"a":1 "b":2}`,
	`{1:2}`, `[1 2]`, `{"a":[}`, ` { "a" : [ 1 , 2 ] } `, "\t[\r\n]\n", `[] []`, ``, ` `,
	`""`, `"abc"`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9\u4e2d"`, `"\ud83d\ude00"`,
	`"\ud83d"`, `"\ude00"`, `"\ud83dx"`, `"\ud83d\u0041"`, `"\ud83d\ud83d\ude00"`,
	`"\x"`, `"\u12"`, `"\u12g4"`, "\"a\tb\"", "\"a\x00b\"", `"unterminated`, `"\`,
	"\"caf\xc3\xa9\"", "\"bad \xff utf8\"", "\"trunc \xe4\xb8\"", "\"surrogate \xed\xa0\x80\"",
	`{"k\u0065y":"v"}`, "{\"k\xffy\":\"v\"}", `"\\u0041"`, `{"a":"b"}x`, `{“a”:1}`,
	`{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[]}}`,
	// Long enough for the eight-bytes-at-a-time path.
	`"0123456789abcdef0123456789abcdef"`, `"01234567\"9abcdef"`, `"0123456\\89abcdef"`,
	"\"012345\x1f789abcdef\"", "\"01234567\x7f\x80\xff\xfe abcdefgh\"", `"abcdefgh`,
	`"0123456789\u00e9abcdef\n\u12"`, `"01234567\ud83d\ude00\/\t"`,
	// Numbers long enough for the eight-digits-at-a-time path.
	`[0.0123456789, -0.98765432101, 12345678901234567, 1.0123456789e+0123456789]`,
	`[0.012345678,-0.0123456789,1e123456789]`, `[0.01234567a]`, `[-0.1234567.8]`, `[0.123456789`, `[1234567890123`,
}

// FuzzScanner checks the scanner against encoding/json on any input: it
// accepts what json.Valid accepts (and, when it disallows invalid UTF-8,
// only what is also valid UTF-8), finds the same syntax error at the same
// offset, reads the same tokens as a json.Decoder, and decodes strings as
// json.Unmarshal does. Quoting any valid UTF-8 text and reading it back
// gives the text.
func FuzzScanner(f *testing.F) {
	for _, seed := range fuzzSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkSyntax(t, doc)
		checkStrictUTF8(t, doc)
		checkPrefix(t, doc)
		checkStrict(t, doc)
		if json.Valid(doc) {
			checkTokens(t, doc)
			checkString(t, doc)
		}
		if utf8.Valid(doc) {
			checkQuote(t, doc)
		}
	})
}

// checkSyntax compares the verdict and error on doc with encoding/json's.
func checkSyntax(t *testing.T, doc []byte) {
	err := scan(doc, false)
	if valid := json.Valid(doc); valid != (err == nil) {
		t.Fatalf("scan %q: error %v, json.Valid %v", doc, err, valid)
	}
	var want *json.SyntaxError
	if !errors.As(json.Unmarshal(doc, new(json.RawMessage)), &want) {
		return
	}
	var got *SyntaxError
	if !errors.As(err, &got) {
		t.Fatalf("scan %q: error %v, want a *SyntaxError", doc, err)
	}
	// encoding/json reports the end of the input as an invalid space
	// after the last byte, when a value has begun, and otherwise says
	// "unexpected end of JSON input".
	wantAtEnd := want.Offset == int64(len(doc)) && strings.Contains(want.Error(), "invalid character ' '") && doc[len(doc)-1] != ' ' ||
		want.Error() == "unexpected end of JSON input"
	switch {
	case got.AtEnd != wantAtEnd:
		t.Fatalf("scan %q: %v, encoding/json %v at offset %d", doc, got, want, want.Offset)
	case got.AtEnd && got.Offset != len(doc):
		t.Fatalf("scan %q: %v, want offset %d", doc, got, len(doc))
	case got.AtEnd || got.problem == tooDeep:
	case got.Error() != fmt.Sprintf("%v at offset %d", want, want.Offset-1):
		t.Fatalf("scan %q: %v, encoding/json %v at offset %d", doc, got, want, want.Offset)
	}
}

// checkPrefix checks that Prefix accepts every prefix of a document the
// strict scan accepts, and finds the error the strict scan finds at a byte
// that is not its end.
func checkPrefix(t *testing.T, doc []byte) {
	strict := func(b []byte) Scanner {
		s := New(b)
		s.DisallowInvalidUTF8()
		s.DisallowLoneSurrogates()
		s.DisallowDuplicateKeys()
		return s
	}
	whole := strict(doc)
	err := whole.Skip()
	if err == nil {
		err = whole.End()
	}
	if se, ok := errors.AsType[*SyntaxError](err); ok && se.AtEnd {
		return
	}
	if err == nil {
		for n := range len(doc) {
			p := strict(doc[:n])
			if perr := p.Prefix(); perr != nil {
				t.Fatalf("Prefix of %q, cut from a valid document at %d: %v", doc[:n], n, perr)
			}
		}
		return
	}
	p := strict(doc)
	if perr := p.Prefix(); perr == nil || perr.Error() != err.Error() {
		t.Fatalf("Prefix of %q: %v, want %v", doc, perr, err)
	}
}

// checkStrict checks that a document the strict options reject is valid
// JSON up to the offset of the error, with a duplicate key or a lone
// surrogate escape there.
func checkStrict(t *testing.T, doc []byte) {
	err := scanStrict(doc)
	se, ok := errors.AsType[*StrictError](err)
	if !ok {
		return
	}
	at := doc[se.Offset:]
	before := New(doc[:se.Offset])
	switch {
	case before.Prefix() != nil:
		t.Fatalf("strict scan %q: %v, but it is not valid JSON before", doc, err)
	case strings.HasPrefix(se.Explain(), "duplicate key") && (len(at) == 0 || at[0] != '"'):
		t.Fatalf("strict scan %q: %v, not at a key", doc, err)
	case strings.HasPrefix(se.Explain(), "lone surrogate") && !utf16.IsSurrogate(hex4(at[2:])):
		t.Fatalf("strict scan %q: %v, not at a surrogate", doc, err)
	}
}

// checkStrictUTF8 checks that disallowing invalid UTF-8 rejects exactly the
// valid documents that are not valid UTF-8, at the first invalid byte.
func checkStrictUTF8(t *testing.T, doc []byte) {
	if !json.Valid(doc) {
		return
	}
	err := scan(doc, true)
	var se *SyntaxError
	switch {
	case utf8.Valid(doc) && err != nil:
		t.Fatalf("strict scan %q: %v", doc, err)
	case utf8.Valid(doc):
	case !errors.As(err, &se) || se.problem != invalidUTF8 || se.Offset != InvalidUTF8(doc):
		t.Fatalf("strict scan %q: %v, want invalid UTF-8 at offset %d", doc, err, InvalidUTF8(doc))
	}
}

// checkTokens compares the tokens a Scanner reads with those of a
// json.Decoder: delimiters, keys and strings decoded, numbers and
// literals as written.
func checkTokens(t *testing.T, doc []byte) {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var want []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decode %q: %v", doc, err)
		}
		want = append(want, fmt.Sprintf("%T %v", tok, tok))
	}
	s := New(doc)
	var got []string
	if err := readTokens(&s, &got); err != nil {
		t.Fatalf("read %q: %v", doc, err)
	}
	if g, w := strings.Join(got, "|"), strings.Join(want, "|"); g != w {
		t.Fatalf("tokens of %q:\n got %q\nwant %q", doc, g, w)
	}
}

// readTokens reads a value, appending its tokens as json.Decoder.Token
// would return them (with UseNumber) to toks.
func readTokens(s *Scanner, toks *[]string) error {
	add := func(tok any) { *toks = append(*toks, fmt.Sprintf("%T %v", tok, tok)) }
	switch c := s.Peek(); c {
	case '{':
		add(json.Delim('{'))
		err := s.Object(func(key []byte) error {
			add(string(key))
			return readTokens(s, toks)
		})
		add(json.Delim('}'))
		return err
	case '[':
		add(json.Delim('['))
		err := s.Array(func(int) error { return readTokens(s, toks) })
		add(json.Delim(']'))
		return err
	case '"':
		v, err := s.Str()
		add(v)
		return err
	case 'n':
		if !s.Null() {
			return errors.New("Null read nothing")
		}
		add(nil)
		return nil
	case 't', 'f':
		add(c == 't')
		return s.Skip()
	}
	raw, err := s.Raw()
	if err != nil {
		return err
	}
	if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		num := New(raw)
		if i, err := num.Int(); err != nil || i != n {
			return fmt.Errorf("Int of %s = %d, %v", raw, i, err)
		}
	}
	add(json.Number(raw))
	return nil
}

// checkString compares the ways to decode a string document with
// json.Unmarshal.
func checkString(t *testing.T, doc []byte) {
	var want string
	if json.Unmarshal(doc, &want) != nil || bytes.Equal(bytes.TrimSpace(doc), []byte("null")) {
		return
	}
	s := New(doc)
	appended, err := s.AppendStr([]byte("prefix:"))
	if err != nil || string(appended) != "prefix:"+want {
		t.Fatalf("AppendStr of %q = %q, %v; want %q", doc, appended, err, "prefix:"+want)
	}
	if got := Unquote(bytes.TrimSpace(doc)); string(got) != want {
		t.Fatalf("Unquote of %q = %q, want %q", doc, got, want)
	}
}

// checkQuote checks that text quoted by AppendQuote reads back as text.
func checkQuote(t *testing.T, text []byte) {
	quoted := AppendQuote(nil, text)
	var back string
	if err := json.Unmarshal(quoted, &back); err != nil || back != string(text) {
		t.Fatalf("AppendQuote(%q) = %s, which decodes to %q, %v", text, quoted, back, err)
	}
	s := New(quoted)
	s.DisallowInvalidUTF8()
	if got, err := s.Str(); err != nil || got != string(text) {
		t.Fatalf("Str of AppendQuote(%q) = %q, %v", text, got, err)
	}
}

package jsonscan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"testing"
)

// scan reads doc as one JSON document.
func scan(doc []byte, strictUTF8 bool) error {
	s := New(doc)
	if strictUTF8 {
		s.DisallowInvalidUTF8()
	}
	if err := s.Skip(); err != nil {
		return err
	}
	return s.End()
}

func TestValid(t *testing.T) {
	valid := []string{
		`{}`, `[]`, `""`, `0`, `-0`, `1.5e10`, `-12.25E-3`, `1e+2`, `true`, `false`, `null`,
		` { "a" : [ 1 , 2.0 , "x" , null , { } , [ ] ] } `,
		"\t{\"a\":1}\r\n",
		`{"a":"\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00"}`,
		`{"a":"naïve – “quoted” 😀"}`,
		`{"a":"` + strings.Repeat("long plain text ", 100) + `"}`,
		`"\ud800"`, // a lone surrogate is valid JSON; it decodes to U+FFFD
		strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth),
	}
	for _, doc := range valid {
		for _, strict := range []bool{false, true} {
			if err := scan([]byte(doc), strict); err != nil {
				t.Errorf("scan %.40q (strict UTF-8 %v): %v", doc, strict, err)
			}
		}
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		doc     string
		err     string // Error
		explain string // Explain
	}{
		{``, `unexpected end of input at offset 0`, `unexpected end of input`},
		{`{"a":[1,2`, `unexpected end of input at offset 9`, `unexpected end of input`},
		{`{"a":"abc`, `unexpected end of input at offset 9`, `unexpected end of input`},
		{`{"a":"abc\`, `unexpected end of input at offset 10`, `unexpected end of input`},
		{`"\u12`, `unexpected end of input at offset 5`, `unexpected end of input`},
		{`{"a":tru`, `unexpected end of input at offset 8`, `unexpected end of input`},
		{`{"a":-`, `unexpected end of input at offset 6`, `unexpected end of input`},
		{`<html>`, `invalid character '<' looking for beginning of value at offset 0`, `expected a value, found '<'`},
		{`{"a":1}{"b":2}`, `invalid character '{' after top-level value at offset 7`, `expected end of line after the JSON value, found '{'`},
		{`{"a":1 "b":2}`, `invalid character '"' after object key:value pair at offset 7`, `expected ',' or '}' after object member, found '"'`},
		{`{"a" 1}`, `invalid character '1' after object key at offset 5`, `expected ':' after object key, found '1'`},
		{`{a:1}`, `invalid character 'a' looking for beginning of object key string at offset 1`, `expected a string key or '}', found 'a'`},
		{`{"a":1,}`, `invalid character '}' looking for beginning of object key string at offset 7`, `expected a string key, found '}'`},
		{`{“a”:1}`, `invalid character 'â' looking for beginning of object key string at offset 1`, `expected a string key or '}', found '“'`},
		{`[1,]`, `invalid character ']' looking for beginning of value at offset 3`, `expected a value, found ']'`},
		{`[1 2]`, `invalid character '2' after array element at offset 3`, `expected ',' or ']' after array element, found '2'`},
		{`{"a":'x'}`, `invalid character '\'' looking for beginning of value at offset 5`, `expected a value, found '\''`},
		{`{"a":tru}`, `invalid character '}' in literal true (expecting 'e') at offset 8`, `expected literal true, found '}'`},
		{`{"a":nul,`, `invalid character ',' in literal null (expecting 'l') at offset 8`, `expected literal null, found ','`},
		{`{"a":01}`, `invalid character '1' after object key:value pair at offset 6`, `expected ',' or '}' after object member, found '1'`},
		{`{"a":1.}`, `invalid character '}' after decimal point in numeric literal at offset 7`, `expected a digit after '.', found '}'`},
		{`{"a":1e}`, `invalid character '}' in exponent of numeric literal at offset 7`, `expected a digit in exponent, found '}'`},
		{`{"a":-x}`, `invalid character 'x' in numeric literal at offset 6`, `expected a digit, found 'x'`},
		{`{"a":+1}`, `invalid character '+' looking for beginning of value at offset 5`, `expected a value, found '+'`},
		{"{\"a\":\"x\ty\"}", `invalid character '\t' in string literal at offset 7`, `control character '\t' in string (escape it)`},
		{`{"a":"\x"}`, `invalid character 'x' in string escape code at offset 7`, `expected an escape character (one of "\/bfnrtu) after '\', found 'x'`},
		{`{"a":"\u12G4"}`, `invalid character 'G' in \u hexadecimal character escape at offset 10`, `expected a hexadecimal digit in \u escape, found 'G'`},
		{"{\"a\":\xc3}", `invalid character 'Ã' looking for beginning of value at offset 5`, `expected a value, found byte 0xc3`},
		{"\x00", `invalid character '\x00' looking for beginning of value at offset 0`, `expected a value, found '\x00'`},
		{strings.Repeat("[", maxDepth+1), `exceeded max depth at offset 10000`, `nesting deeper than 10000 levels`},
	}
	for _, tt := range tests {
		for _, strict := range []bool{false, true} {
			var se *SyntaxError
			if err := scan([]byte(tt.doc), strict); !errors.As(err, &se) {
				t.Errorf("scan %.40q (strict UTF-8 %v): got %v, want a *SyntaxError", tt.doc, strict, err)
				continue
			}
			if se.Error() != tt.err || se.Explain() != tt.explain {
				t.Errorf("scan %.40q (strict UTF-8 %v):\n got %s | %s\nwant %s | %s", tt.doc, strict, se, se.Explain(), tt.err, tt.explain)
			}
			if wantAtEnd := strings.HasPrefix(tt.err, "unexpected end"); se.AtEnd != wantAtEnd || wantAtEnd && se.Offset != len(tt.doc) {
				t.Errorf("scan %.40q: AtEnd %v at offset %d", tt.doc, se.AtEnd, se.Offset)
			}
		}
	}
}

func TestInvalidUTF8(t *testing.T) {
	for _, doc := range []string{"\"ok\xffno\"", "{\"ok\xffno\":1}", "[\"ok\xffno\"]"} {
		if err := scan([]byte(doc), false); err != nil {
			t.Errorf("scan %q: %v", doc, err)
		}
		var se *SyntaxError
		err := scan([]byte(doc), true)
		if !errors.As(err, &se) || se.Offset != strings.IndexByte(doc, 0xff) || se.Explain() != "invalid UTF-8 in string" {
			t.Errorf("scan %q with DisallowInvalidUTF8: got %v", doc, err)
		}
	}
}

func TestTypeErrors(t *testing.T) {
	tests := []struct {
		doc  string
		read func(*Scanner) error
		want string
	}{
		{`5`, func(s *Scanner) error { _, err := s.Str(); return err }, "found number, want string"},
		{`"5"`, func(s *Scanner) error { _, err := s.Int(); return err }, "found string, want integer"},
		{`1.5`, func(s *Scanner) error { _, err := s.Int(); return err }, "found 1.5, want an integer"},
		{`99999999999999999999`, func(s *Scanner) error { _, err := s.Int(); return err }, "found 99999999999999999999, want an integer"},
		{`[]`, func(s *Scanner) error { return s.Object(func([]byte) error { return nil }) }, "found array, want object"},
		{`{}`, func(s *Scanner) error { return s.Array(func(int) error { return nil }) }, "found object, want array"},
		{`true`, func(s *Scanner) error { _, err := s.OptionalStr(); return err }, "found boolean, want string"},
		{`false`, func(s *Scanner) error { _, err := s.AppendStr(nil); return err }, "found boolean, want string"},
		// A value that is not valid JSON is a syntax error, not a type error.
		{`[1,}`, func(s *Scanner) error { _, err := s.Str(); return err }, "invalid character '}' looking for beginning of value at offset 3"},
	}
	for _, tt := range tests {
		s := New([]byte(tt.doc))
		if err := tt.read(&s); err == nil || err.Error() != tt.want {
			t.Errorf("read %s: error %v, want %s", tt.doc, err, tt.want)
		}
	}
}

// TestWalk reads a document with every method, checking what each returns
// and that null reads as an empty container or string.
func TestWalk(t *testing.T) {
	const doc = ` {"s":"a\"b" , "n":null, "o":{"k":[1,{"x":"y"}]} ,"esc\u0061ped":-12,` +
		`"list":[null,"é",true], "nil":null, "obj":{"k":"v"}, "arr":[1,2], "tail":"z"} `
	s := New([]byte(doc))
	var got []string
	add := func(format string, v ...any) { got = append(got, strings.TrimSpace(fmt.Sprintf(format, v...))) }
	err := s.Object(func(key []byte) error {
		switch string(key) {
		case "s":
			v, err := s.Str()
			add("s=%s", v)
			return err
		case "n":
			v, err := s.OptionalStr()
			add("n=%v", v)
			return err
		case "o":
			at := s.Offset()
			raw, err := s.RawObject(func(key []byte) error {
				raw, err := s.Raw()
				add("o.%s=%s", key, raw)
				return err
			})
			add("o at %d=%s", at, raw)
			return err
		case "escaped":
			v, err := s.Int()
			add("escaped=%d", v)
			return err
		case "list":
			return s.Array(func(i int) error {
				if s.Null() {
					add("list[%d] null", i)
					return nil
				}
				if s.Peek() == 't' {
					return s.Skip()
				}
				v, err := s.AppendStr([]byte("é is "))
				add("list[%d]=%s", i, v)
				return err
			})
		case "nil":
			return s.Object(func([]byte) error { return errors.New("member of null") })
		case "obj":
			return s.Array(func(int) error { return errors.New("element of an object") })
		default:
			raw, err := s.Raw()
			add("%s=%s", key, raw)
			return err
		}
	})
	if !strings.Contains(fmt.Sprint(err), "found object, want array") {
		t.Fatalf("got error %v, want found object, want array", err)
	}
	want := []string{`s=a"b`, `n=<nil>`, `o.k=[1,{"x":"y"}]`, `o at 29={"k":[1,{"x":"y"}]}`, `escaped=-12`,
		`list[0] null`, `list[1]=é is é`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got  %s\nwant %s", strings.Join(got, "|"), strings.Join(want, "|"))
	}
}

// TestHasSpecialByte tries every byte in every position of a word, among
// plain ASCII and among non-ASCII bytes.
func TestHasSpecialByte(t *testing.T) {
	for _, background := range []byte{'a', 0xff} {
		for pos := range 8 {
			for c := range 256 {
				word := bytes.Repeat([]byte{background}, 8)
				word[pos] = byte(c)
				want := c < 0x20 || c == '"' || c == '\\'
				if got := hasSpecialByte(binary.LittleEndian.Uint64(word)); got != want {
					t.Errorf("hasSpecialByte(%q) = %v, want %v", word, got, want)
				}
			}
		}
	}
}

// TestSpecialBytes checks that the lowest flag of specialBytes is on the
// first special byte of a word, whatever follows it: a string is read up
// to that byte, so a flag too low would end it early, and one too high
// would read past a quote.
func TestSpecialBytes(t *testing.T) {
	special := func(b byte) bool { return b < 0x20 || b == '"' || b == '\\' }
	for _, background := range []byte{'a', ' ', '!', 0x21, 0xff} {
		for pos := range 8 {
			for c := range 256 {
				for _, after := range []byte{0, ' ', '"', '\\', '#', ']', 0x80} {
					word := bytes.Repeat([]byte{background}, 8)
					word[pos] = byte(c)
					for j := pos + 1; j < 8; j++ {
						word[j] = after
					}
					checkFirstFlag(t, "special byte", word, special, specialBytes)
				}
			}
		}
	}
}

// TestNonDigits tries every byte in every position of a word of digits
// and of a word of other bytes: the lowest flag of nonDigits must be on
// the first byte that is not a digit.
func TestNonDigits(t *testing.T) {
	nonDigit := func(b byte) bool { return b < '0' || b > '9' }
	for _, background := range []byte{'0', '9', '5', '.', 0xb9, 0xff} {
		for pos := range 8 {
			for c := range 256 {
				word := bytes.Repeat([]byte{background}, 8)
				word[pos] = byte(c)
				checkFirstFlag(t, "non-digit", word, nonDigit, nonDigits)
			}
		}
	}
}

// checkFirstFlag checks that the lowest flag flags(word) sets is on the
// first byte of word that is, or at 8 when none is (no flag).
func checkFirstFlag(t *testing.T, what string, word []byte, is func(byte) bool, flags func(uint64) uint64) {
	t.Helper()
	want := 8
	for j, b := range word {
		if is(b) {
			want = j
			break
		}
	}
	got := 8
	if m := flags(binary.LittleEndian.Uint64(word)); m != 0 {
		got = bits.TrailingZeros64(m) >> 3
	}
	if got != want {
		t.Fatalf("first %s of %q at %d, want %d", what, word, got, want)
	}
}

func TestUnquote(t *testing.T) {
	tests := []struct{ quoted, want string }{
		{`""`, ``},
		{`"plain"`, `plain`},
		{`"a\"b\\c\/d\b\f\n\r\t"`, "a\"b\\c/d\b\f\n\r\t"},
		{`"\u00e9\ud83d\ude00"`, "é😀"},
		{`"\ud83d|\ude00"`, "\uFFFD|\uFFFD"},
		{"\"bad \xff\"", "bad \uFFFD"},
	}
	for _, tt := range tests {
		if got := string(Unquote([]byte(tt.quoted))); got != tt.want {
			t.Errorf("Unquote(%s) = %q, want %q", tt.quoted, got, tt.want)
		}
	}
	plain := []byte(`"plain"`)
	if got := Unquote(plain); &got[0] != &plain[1] {
		t.Error("Unquote copied a string with nothing to decode")
	}
}

func TestAppendQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"tab\tnl\ncr\r\x00\x1f", `"tab\tnl\ncr\r\u0000\u001f"`},
		{"é – 😀 \u2028 </script>", "\"é – 😀 \u2028 </script>\""},
		{strings.Repeat("0123456789abcdef", 4) + `"`, `"` + strings.Repeat("0123456789abcdef", 4) + `\""`},
	}
	for _, tt := range tests {
		if got := string(AppendQuote([]byte("x="), []byte(tt.in))); got != "x="+tt.want {
			t.Errorf("AppendQuote(%q) = %s, want x=%s", tt.in, got, tt.want)
		}
	}
}

func TestKindOf(t *testing.T) {
	for raw, want := range map[string]string{
		``: "nothing", `{}`: "object", `[]`: "array", `""`: "string", `-1`: "number",
		`true`: "boolean", `false`: "boolean", `null`: "null",
	} {
		if got := KindOf([]byte(raw)); got != want {
			t.Errorf("KindOf(%q) = %s, want %s", raw, got, want)
		}
	}
}

package gemini

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"
)

// scanSeeds are documents that exercise every corner of the grammar and of
// string decoding, valid and not.
var scanSeeds = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `-1.5e+10`, `1E-2`, `12.0`,
	`01`, `-`, `1.`, `1e`, `.5`, `+1`, `1e+`, `tru`, `nul`, `nulll`,
	`{"a":1,"b":[1,2,{"c":null}],"d":"x"}`, `{"a":1,}`, `[1,]`, `{"a" 1}`, `{"a":1 "b":2}`,
	`{1:2}`, `[1 2]`, `{"a":[}`, ` { "a" : [ 1 , 2 ] } `, "\t[\r\n]\n", `[] []`, ``, ` `,
	`""`, `"abc"`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9\u4e2d"`, `"\ud83d\ude00"`,
	`"\ud83d"`, `"\ude00"`, `"\ud83dx"`, `"\ud83d\u0041"`, `"\ud83d\ud83d\ude00"`,
	`"\x"`, `"\u12"`, `"\u12g4"`, "\"a\tb\"", "\"a\x00b\"", `"unterminated`, `"\`,
	"\"caf\xc3\xa9\"", "\"bad \xff utf8\"", "\"trunc \xe4\xb8\"", "\"surrogate \xed\xa0\x80\"",
	`{"k\u0065y":"v"}`, `"\\u0041"`, `{"a":"b"}x`,
	// Long enough for the eight-bytes-at-a-time path.
	`"0123456789abcdef0123456789abcdef"`, `"01234567\"9abcdef"`, `"0123456\\89abcdef"`,
	"\"012345\x1f789abcdef\"", "\"01234567\x7f\x80\xff\xfe abcdefgh\"", `"abcdefgh`,
}

// FuzzScanner checks the scanner against encoding/json: it accepts
// exactly the documents json.Valid accepts, and decodes strings exactly as
// json.Unmarshal does.
func FuzzScanner(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		s := scanner{data: doc}
		err := s.skip()
		if err == nil {
			err = s.end()
		}
		if valid := json.Valid(doc); valid != (err == nil) {
			t.Fatalf("scanner on %q: error %v, json.Valid %v", doc, err, valid)
		}
		var want string
		if json.Unmarshal(doc, &want) != nil || strings.TrimSpace(string(doc)) == "null" {
			return
		}
		s = scanner{data: doc}
		got, err := s.str()
		if err != nil || got != want {
			t.Fatalf("str of %q = %q, %v; json.Unmarshal says %q", doc, got, err, want)
		}
		s = scanner{data: doc}
		appended, err := s.appendStr([]byte("prefix:"))
		if err != nil || string(appended) != "prefix:"+want {
			t.Fatalf("appendStr of %q = %q, %v; want %q", doc, appended, err, "prefix:"+want)
		}
	})
}

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

func TestScannerErrors(t *testing.T) {
	tests := []struct {
		doc  string
		want string
	}{
		{`{"a":1,}`, `invalid character '}' looking for beginning of object key string at offset 7`},
		{`[1 2]`, `invalid character '2' after array element at offset 3`},
		{`{"a":tru}`, `invalid character '}' in literal true (expecting 'e') at offset 8`},
		{`"a` + "\x01" + `"`, `invalid character '\x01' in string literal at offset 2`},
		{`"\q"`, `invalid character 'q' in string escape code at offset 2`},
		{`-x`, `invalid character 'x' in numeric literal at offset 1`},
		{`1.e5`, `invalid character 'e' after decimal point in numeric literal at offset 2`},
		{`{"a":[1,2`, `unexpected end of input at offset 9`},
		{`{} x`, `invalid character 'x' after top-level value at offset 3`},
		{strings.Repeat("[", maxDepth+1), `exceeded max depth at offset 10000`},
	}
	for _, tt := range tests {
		t.Run(tt.doc, func(t *testing.T) {
			s := scanner{data: []byte(tt.doc)}
			err := s.skip()
			if err == nil {
				err = s.end()
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %s", err, tt.want)
			}
			if !isSyntaxError(err) {
				t.Errorf("%v is not a syntax error", err)
			}
		})
	}
}

func TestScannerTypeErrors(t *testing.T) {
	tests := []struct {
		doc  string
		read func(*scanner) error
		want string
	}{
		{`5`, func(s *scanner) error { _, err := s.str(); return err }, "found number, want string"},
		{`"5"`, func(s *scanner) error { _, err := s.integer(); return err }, "found string, want integer"},
		{`1.5`, func(s *scanner) error { _, err := s.integer(); return err }, "found 1.5, want an integer"},
		{`[]`, func(s *scanner) error { return s.object(func([]byte) error { return nil }) }, "found array, want object"},
		{`{}`, func(s *scanner) error { return s.array(func(int) error { return nil }) }, "found object, want array"},
		{`true`, func(s *scanner) error { _, err := s.optionalStr(); return err }, "found boolean, want string"},
		// A value that is not valid JSON is a syntax error, not a type error.
		{`[1,}`, func(s *scanner) error { _, err := s.str(); return err }, "invalid character '}' looking for beginning of value at offset 3"},
	}
	for _, tt := range tests {
		t.Run(tt.doc, func(t *testing.T) {
			err := tt.read(&scanner{data: []byte(tt.doc)})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %s", err, tt.want)
			}
		})
	}
}

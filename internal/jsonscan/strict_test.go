package jsonscan

import (
	"errors"
	"strings"
	"testing"
)

// scanStrict reads doc as one document, disallowing what DisallowLoneSurrogates and
// DisallowDuplicateKeys disallow.
func scanStrict(doc []byte) error {
	s := New(doc)
	s.DisallowLoneSurrogates()
	s.DisallowDuplicateKeys()
	if err := s.Skip(); err != nil {
		return err
	}
	return s.End()
}

func TestStrict(t *testing.T) {
	many := func(n int, last string) string {
		var b strings.Builder
		b.WriteString(`{`)
		for i := range n {
			b.WriteString(`"k` + strings.Repeat("x", i) + `":[{"k":1}],`)
		}
		return b.String() + `"` + last + `":0}`
	}
	tests := []struct {
		name, doc string
		explain   string // "" when the document is accepted
		offset    int
	}{
		{"distinct keys", `{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}`, "", 0},
		{"same key in sibling objects", `[{"role":"user"},{"role":"user"}]`, "", 0},
		{"duplicate top-level key", `{"a":1,"a":2}`, `duplicate key "a"`, 7},
		{"duplicate nested key", `{"body":{"messages":[{"role":"user","content":"x","role":"system"}]}}`, `duplicate key "role"`, 50},
		{"duplicate after a nested object", `{"a":{"a":{"b":1}},"b":2,"a":3}`, `duplicate key "a"`, 25},
		{"duplicate spelled with an escape", `{"role":1,"r\u006fle":2}`, `duplicate key "role"`, 10},
		{"keys differing only after decoding", `{"a\/b":1,"a/c":2}`, "", 0},
		{"many distinct keys", many(100, "z"), "", 0},
		{"duplicate in a large object", many(100, "kxxx"), `duplicate key "kxxx"`, len(many(100, "kxxx")) - len(`"kxxx":0}`)},
		{"duplicate of the first key in the map", many(linearKeys+1, "k"), `duplicate key "k"`, len(many(linearKeys+1, "k")) - len(`"k":0}`)},
		{"duplicate of the last key before the map", many(linearKeys, "k"+strings.Repeat("x", linearKeys-1)), `duplicate key "kxxxxxxxxxxxxxxx"`, len(many(linearKeys, "k")) - len(`"k":0}`)},
		{"valid surrogate pair", `{"a":"\ud83d\ude00 \uD83D\uDE00"}`, "", 0},
		{"lone high surrogate", `{"a":"x\ud800"}`, `lone surrogate \ud800 in string (write the character itself, or both halves of its surrogate pair)`, 7},
		{"lone low surrogate", `{"a":"\udc00\ud83d\ude00"}`, `lone surrogate \udc00 in string (write the character itself, or both halves of its surrogate pair)`, 6},
		{"high surrogate then a character", `["\uD83Dx"]`, `lone surrogate \uD83D in string (write the character itself, or both halves of its surrogate pair)`, 2},
		{"two high surrogates", `["\ud83d\ud83d"]`, `lone surrogate \ud83d in string (write the character itself, or both halves of its surrogate pair)`, 2},
		{"high surrogate then another escape", `["\ud83d\n"]`, `lone surrogate \ud83d in string (write the character itself, or both halves of its surrogate pair)`, 2},
		{"lone surrogate in a key", `{"\ud800":1}`, `lone surrogate \ud800 in string (write the character itself, or both halves of its surrogate pair)`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, strict := range []bool{false, true} {
				if err := scan([]byte(tt.doc), strict); err != nil {
					t.Fatalf("without the strict options: %v", err)
				}
			}
			err := scanStrict([]byte(tt.doc))
			if tt.explain == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			var se *StrictError
			if !errors.As(err, &se) || se.Explain() != tt.explain || se.Offset != tt.offset {
				t.Fatalf("got %v, want a *StrictError %q at offset %d", err, tt.explain, tt.offset)
			}
		})
	}
}

func TestPrefix(t *testing.T) {
	tests := []struct {
		doc    string
		err    string // "" when some continuation makes doc valid
		offset int
	}{
		{``, "", 0},
		{`   `, "", 0},
		{`{"prompt":"` + strings.Repeat("x", 1000), "", 0},
		{`{"a":[1,2,{"b":tr`, "", 0},
		{`{"a":12`, "", 0},
		{`{"a":1.`, "", 0},
		{`{"a":"\u12`, "", 0},
		{`{"a":"\ud83d`, "", 0},
		{`{"a":"\ud83d\`, "", 0},
		{`{"a":"\ud83d\ude`, "", 0},
		{"{\"a\":\"caf\xc3", "", 0}, // a character cut in half
		{`{"a":1}`, "", 0},
		{"\x00\x00\x00", "expected a value, found '\\x00'", 0},
		{"{\"a\":\"caf\xff" + strings.Repeat("x", 100), "invalid UTF-8 in string", 9},
		{`{"a":1}x`, "expected end of line after the JSON value, found 'x'", 7},
		{`{"a":[1,2}`, "expected ',' or ']' after array element, found '}'", 9},
		{`{"a":"\ud800"`, "lone surrogate \\ud800 in string (write the character itself, or both halves of its surrogate pair)", 6},
		{`{"a":1,"a"`, `duplicate key "a"`, 7},
	}
	for _, tt := range tests {
		s := New([]byte(tt.doc))
		s.DisallowInvalidUTF8()
		s.DisallowLoneSurrogates()
		s.DisallowDuplicateKeys()
		err := s.Prefix()
		var explain string
		var offset int
		var se *SyntaxError
		var ste *StrictError
		switch {
		case errors.As(err, &se):
			explain, offset = se.Explain(), se.Offset
		case errors.As(err, &ste):
			explain, offset = ste.Explain(), ste.Offset
		}
		if explain != tt.err || offset != tt.offset || (err == nil) != (tt.err == "") {
			t.Errorf("Prefix of %.40q: %v, want %q at offset %d", tt.doc, err, tt.err, tt.offset)
		}
	}
}

func TestPathTo(t *testing.T) {
	doc := `{"custom_id":"a","body":{"messages":[{"role":"user"},{"role":"user","content":"x\ud800","role":1}]},"x":[[1,[2]]]}`
	tests := []struct {
		at   string // the offset is that of the first occurrence of at
		want string
	}{
		{`"custom_id"`, ""},
		{`"a"`, "custom_id"},
		{`{"messages"`, "body"},
		{`"messages"`, "body"},
		{`{"role":"user"}`, "body.messages[0]"},
		{`"user"}`, "body.messages[0].role"},
		{`\ud800`, "body.messages[1].content"},
		{`"role":1`, "body.messages[1]"},
		{`2]`, "x[0][1][0]"},
	}
	for _, tt := range tests {
		if got := PathTo([]byte(doc), strings.Index(doc, tt.at)); got != tt.want {
			t.Errorf("PathTo at %s = %q, want %q", tt.at, got, tt.want)
		}
	}
}

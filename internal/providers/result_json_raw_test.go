package providers

import (
	"testing"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// rawStringCases are JSON strings (quotes included) whose text
// appendRawJSONString must write as appendJSONString writes it decoded.
var rawStringCases = []string{
	`""`, `"plain ascii words, more than eight bytes long"`,
	`"caf\u00e9 na\u00efve \u2014 printer\u2019s \u4e2d\u6587"`, // as Python's json.dumps writes
	`"café naïve — printer’s 中文"`,
	`"\"quoted\" C:\\path \/ slash"`,
	`"\b\f\n\r\t \u0000\u0001\u001f\u007f"`,
	`"\u0022\u005c\u002f\u000a\u0008\u000c\u000d\u0009 \u0041\u003c"`,
	`"\u2028 and \u2029, raw:  and  "`,
	`"\ud83d\ude00 pair, \ud83d lone high, \ude00 lone low, \ud83d\u0041 high then not low"`,
	"\"invalid \xff\xfe UTF-8 \xc3 cut, \xed\xa0\x80 surrogate bytes\"",
	`"<b>bold</b> & ampersand"`,
	`"12345678\\12345678\u00e912345678"`,
	// A byte that needs a look at each place in a word, and two-byte
	// characters, valid and not, across words.
	`"1\n345678 12\u00e95678 123\/5678 1234\"678 12345\\78 123456\t8 1234567\u2028"`,
	"\"1\xc3\xa9345678 12\xc3\xa95678 1234567\xc3\xa9 1234567\xc3 \xc1\xbf345678 \xc3\xc3\xa9\"",
}

func TestAppendRawJSONString(t *testing.T) {
	for _, c := range rawStringCases {
		checkRawJSONString(t, []byte(c))
	}
}

func FuzzAppendRawJSONString(f *testing.F) {
	for _, c := range rawStringCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		s := jsonscan.New(doc)
		if s.Peek() != '"' {
			return
		}
		if _, err := s.RawStr(); err != nil || s.End() != nil {
			return
		}
		checkRawJSONString(t, doc)
	})
}

// checkRawJSONString checks appendRawJSONString on the JSON string doc
// against decoding it and encoding it again.
func checkRawJSONString(t *testing.T, doc []byte) {
	t.Helper()
	s := jsonscan.New(doc)
	raw, err := s.RawStr()
	if err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	s2 := jsonscan.New(doc)
	text, err := s2.Str()
	if err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	want := appendJSONString([]byte("x"), text)
	if got := appendRawJSONString([]byte("x"), raw); string(got) != string(want) {
		t.Errorf("%s:\ngot  %s\nwant %s", doc, got, want)
	}
	r := Result{TextRaw: raw}
	r.DecodeText()
	if r.Text == nil || *r.Text != text || r.TextRaw != nil {
		t.Errorf("%s: DecodeText gives %v, want %q", doc, r.Text, text)
	}
	// A verbatim text read by RawText stays raw for AppendJSON to copy:
	// the line is the one of the decoded text.
	s3 := jsonscan.New(doc)
	contents, verbatim, err := s3.RawText()
	if err != nil {
		t.Fatalf("%s: RawText: %v", doc, err)
	}
	r = Result{TextRaw: contents, TextVerbatim: verbatim}
	r.DecodeText()
	if r.Text == nil || *r.Text != text || (r.TextRaw != nil) != verbatim {
		t.Errorf("%s: DecodeText of RawText (verbatim %v) gives %v and raw %q, want %q", doc, verbatim, r.Text, r.TextRaw, text)
	}
	decoded := Result{Text: &text}
	if got, want := r.AppendJSON(nil), decoded.AppendJSON(nil); string(got) != string(want) {
		t.Errorf("%s: AppendJSON after DecodeText:\ngot  %s\nwant %s", doc, got, want)
	}
}

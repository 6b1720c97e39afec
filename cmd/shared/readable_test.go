package shared

import (
	"bytes"
	"testing"

	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/providers"
)

func TestReadableWriter(t *testing.T) {
	text := func(s string) *string { return &s }
	tests := []struct {
		name string
		r    providers.Result
		want string
	}{
		{"text and tokens", providers.Result{CustomID: "q1", Status: "succeeded", Text: text("Paris."), Usage: &providers.Usage{InputTokens: 12, OutputTokens: 3}},
			"q1  succeeded  Paris.  12→3 tokens\n"},
		{"escape sequences and tabs do not reach the terminal", providers.Result{CustomID: "q\x1b[2J", Status: "succeeded", Text: text("a\tb\x1b]0;title\x07c")},
			"q [2J  succeeded  a b ]0;titl…\n"},
		{"the first line only", providers.Result{CustomID: "q", Status: "succeeded", Text: text("one\ntwo")},
			"q  succeeded  one …\n"},
		{"wide characters are cut by cells", providers.Result{CustomID: "q", Status: "succeeded", Text: text("日本語の長い答えはここで切られます")},
			"q  succeeded  日本語の長い答…\n"},
		{"an error", providers.Result{CustomID: "q", Status: "expired", Error: &providers.ResultError{Type: "expired", Message: "late"}},
			"q  expired    expired: late\n"},
		{"an embedding", providers.Result{CustomID: "q", Status: "succeeded", Embedding: []byte("[0.1]")},
			"q  succeeded  (embedding)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			var out bytes.Buffer
			rw := newReadableWriter(ios, &out)
			rw.width = 30
			if err := rw.writeResult(&tt.r); err != nil {
				t.Fatal(err)
			}
			if got := out.String(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

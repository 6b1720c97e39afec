package providers

import "github.com/batchctl/batchctl/internal/jsonscan"

// PendingText keeps the text of an answer's first text part undecoded,
// as its line spells it (see Result.TextRaw), for a normalizer that
// aliases its line: an answer of one text part, the usual one, is then
// written without being decoded. Parts that follow it are joined to it
// undecoded while all of them are verbatim (see Result.TextVerbatim);
// another part, or any other text, decodes it first (Flush) so that the
// parts keep their order.
type PendingText struct {
	raw      []byte
	pending  bool
	verbatim bool // raw is written as it is (see Result.TextVerbatim)
	joined   bool // raw is a copy, of parts joined
}

// Add adds the undecoded text raw of a part to text, the decoded text of
// the parts before it, and returns text. verbatim is what
// jsonscan.Scanner.RawText said of raw.
func (p *PendingText) Add(text, raw []byte, verbatim bool) []byte {
	switch {
	case !p.pending && len(text) == 0:
		p.raw, p.pending, p.verbatim = raw, true, verbatim
		return text
	case p.pending && p.verbatim && verbatim:
		// Verbatim parts are valid UTF-8 without \u escapes, so one
		// after the other they spell the text of both, verbatim too.
		if !p.joined {
			p.raw, p.joined = append(make([]byte, 0, 2*(len(p.raw)+len(raw))), p.raw...), true
		}
		p.raw = append(p.raw, raw...)
		return text
	}
	return jsonscan.AppendDecoded(p.Flush(text), raw)
}

// Flush decodes the pending text into text, which must be empty while
// one is pending, and returns text.
func (p *PendingText) Flush(text []byte) []byte {
	if !p.pending {
		return text
	}
	p.pending = false
	return jsonscan.AppendDecoded(text, p.raw)
}

// Set sets r's text: the pending one undecoded, else text (when has).
func (p *PendingText) Set(r *Result, text []byte, has bool) {
	switch {
	case p.pending:
		r.TextRaw, r.TextVerbatim = p.raw, p.verbatim
	case has:
		s := string(text)
		r.Text = &s
	}
}

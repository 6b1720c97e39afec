package main

import (
	"math/rand/v2"
	"strconv"
)

// proseInput is the input of the estimate row: OpenAI chat requests whose
// user text is generated prose with the word statistics of natural text
// (see appendRealisticProse), so that a tokenizer's memo of words does not
// see the few dozen words of chatInput again and again.
var proseInput = dataset{name: "openai-chat-prose-input.jsonl", line: proseInputLine}

// proseInputLine is a chat request: a shared system prompt, as batch jobs
// have, and a user message of 500 to 8000 bytes of prose.
func proseInputLine(b []byte, i int, r *rand.Rand) []byte {
	b = appendCustomID(append(b, `{"custom_id":"`...), "request", i)
	b = append(b, `","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[`...)
	b = append(b, `{"role":"system","content":"You are a careful editor. Summarise the text you are given in three short paragraphs, keep names and figures, and say which claims need a source."},{"role":"user","content":"`...)
	b = appendRealisticProse(b, 500+r.IntN(7500), r)
	return append(b, `"}],"max_tokens":1024,"temperature":0.2}}`...)
}

// The vocabulary of appendRealisticProse: word ranks follow Zipf's law
// (exponent 1.2 over proseVocabulary ranks), the commonest being real
// English words and the rest pseudo-words made of syllables, many split
// into several tokens. A 20 MB file holds about 265,000 distinct words
// (with their punctuation) in 3.4 million, where English prose of that
// length has about 100,000: harder on a memo of words than real text.
const proseVocabulary = 400_000

var (
	commonWords = []string{
		"the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by",
		"on", "not", "he", "I", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an",
		"had", "they", "you", "were", "their", "one", "all", "we", "can", "her", "has", "there", "been",
		"if", "more", "when", "will", "would", "who", "so", "no", "she", "other", "its", "may", "these",
		"about", "into", "than", "them", "only", "some", "could", "time", "two", "what", "out", "new",
		"first", "also", "people", "after", "like", "over", "between", "years", "many", "should",
		"however", "because", "through", "report", "market", "data", "system", "company", "government",
		"don't", "it's", "we're", "they've", "I'll", "can't",
	}
	syllables = []string{
		"ba", "con", "ter", "pro", "li", "ment", "ra", "tion", "de", "ver", "sta", "mi", "ous", "ing",
		"ca", "al", "re", "ble", "ex", "ful", "ness", "tri", "or", "an", "po", "gen", "ly", "ic", "ur",
		"sen", "dis", "ma", "ro", "ty", "ist", "um", "pa", "ther", "ac", "qu", "el", "vi", "nor", "sh",
	}
	// foreignWords are words of other scripts; a paragraph in one now and
	// then, as in multilingual data.
	foreignWords = []string{
		"данные", "отчёт", "рынок", "компания", "исследование", "数据", "报告", "市场", "公司", "研究",
		"データ", "報告書", "市場", "会社", "Straße", "Qualität", "über", "año", "información", "análisis",
		"ευρώ", "δεδομένα", "🙂", "👍🏽", "€", "±", "→", "—",
	}
	punctuation = []string{",", ",", ",", ";", ":", " —", " (see below)", "'s"}
)

// proseWord returns the word of a rank.
func proseWord(b []byte, rank int) []byte {
	if rank < len(commonWords) {
		return append(b, commonWords[rank]...)
	}
	n := rank - len(commonWords)
	for {
		b = append(b, syllables[n%len(syllables)]...)
		n /= len(syllables)
		if n == 0 {
			return b
		}
		n--
	}
}

// appendRealisticProse appends about n bytes of prose as the inside of a
// JSON string written with raw UTF-8: Zipf-distributed words, capitals
// after a full stop, punctuation, numbers and amounts, quoted phrases,
// paragraphs, a line of a list, and now and then a paragraph of another
// script.
func appendRealisticProse(b []byte, n int, r *rand.Rand) []byte {
	zipf := rand.NewZipf(r, 1.2, 2, proseVocabulary-1)
	start := len(b)
	capital := true
	foreign := false
	for len(b)-start < n {
		if len(b) > start {
			b = append(b, ' ')
		}
		switch k := r.IntN(100); {
		case foreign:
			b = append(b, foreignWords[r.IntN(len(foreignWords))]...)
		case k < 3:
			b = strconv.AppendInt(b, int64(r.IntN(3000)), 10)
		case k < 4:
			b = append(b, '$')
			b = strconv.AppendFloat(b, float64(r.IntN(1_000_000))/100, 'f', 2, 64)
		case k < 5:
			b = append(b, `\"`...)
			b = proseWord(b, int(zipf.Uint64()))
			b = append(b, `\"`...)
		default:
			i := len(b)
			b = proseWord(b, int(zipf.Uint64()))
			if capital && b[i] >= 'a' && b[i] <= 'z' {
				b[i] -= 'a' - 'A'
			}
		}
		capital = false
		switch k := r.IntN(100); {
		case k < 7:
			b = append(b, punctuation[r.IntN(len(punctuation))]...)
		case k < 13:
			b, capital = append(b, '.'), true
			switch p := r.IntN(20); {
			case p == 0:
				b, foreign = append(b, `\n\n`...), r.IntN(8) == 0
			case p == 1:
				b, foreign = append(b, `\n- `...), false
			}
		}
	}
	return append(b, '.')
}

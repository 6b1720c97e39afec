package tokens

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"strings"
)

// The corpus of the held-out check (tokcheck_test.go): OpenAI chat batch
// lines of text in many scripts, with names, images of known and unknown
// size, and tools, for models of both encodings. It is generated from a
// seed so that a failure can be reproduced.

var corpusModels = []string{"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-5", "o3", "gpt-4", "gpt-3.5-turbo", "gpt-4-turbo"}

// corpusWords mixes scripts, numbers, code, punctuation and whitespace,
// where BPE splitting rules differ most.
var corpusWords = []string{
	"the", "quick", "brown", "fox", "Hello", "world", "don't", "I'm", "we'll", "they've",
	"Größe", "straße", "naïve", "café", "Ærø", "żółć", "Привет", "мир", "Ελλάδα",
	"東京", "日本語のテキスト", "中文分词", "한국어", "ภาษาไทย", "مرحبا", "שלום", "हिन्दी",
	"😀", "👩‍💻", "🇫🇷", "✓", "—", "…", "«quoted»", "$1,234.56", "3.14159", "2026-12-06",
	"12345678901", "func(x int) error {", "}", "<div class=\"a\">", "x += 1;", "SELECT * FROM t",
	"  ", "\n", "\n\n", "\t", "   \n  ", "'s", "'RE", "<|endoftext|>", "http://example.com/a?b=c",
}

func corpusText(r *rand.Rand, words int) string {
	var b strings.Builder
	for i := range words {
		w := corpusWords[r.IntN(len(corpusWords))]
		if i > 0 && r.IntN(3) > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// corpusPNG is a PNG of a random size up to 3000x3000: its signature and
// header chunk only, which is all a size reader reads.
func corpusPNG(r *rand.Rand) string {
	return pngHeader(1+r.IntN(3000), 1+r.IntN(3000))
}

// pngHeader is a data: URL of a PNG's signature and header chunk.
func pngHeader(w, h int) string {
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 8, 0, 0, 0, 0) // 8-bit grayscale
	b := []byte("\x89PNG\r\n\x1a\n")
	b = binary.BigEndian.AppendUint32(b, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b = append(b, chunk...)
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(chunk))
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b)
}

func corpusTools(r *rand.Rand) []any {
	var tools []any
	for i := range 1 + r.IntN(3) {
		props := map[string]any{}
		for j := range r.IntN(4) {
			p := map[string]any{"type": []string{"string", "integer", "number", "boolean"}[r.IntN(4)],
				"description": corpusText(r, 1+r.IntN(8)) + "."}
			if r.IntN(3) == 0 {
				p["type"] = "string"
				p["enum"] = []string{"celsius", "fahrenheit", corpusText(r, 1)}
			}
			props[fmt.Sprintf("arg_%d", j)] = p
		}
		tools = append(tools, map[string]any{"type": "function", "function": map[string]any{
			"name":        fmt.Sprintf("tool_%d", i),
			"description": corpusText(r, 2+r.IntN(10)) + ".",
			"parameters":  map[string]any{"type": "object", "properties": props},
		}})
	}
	return tools
}

// corpusLine is one request line: a few messages of text or parts.
func corpusLine(r *rand.Rand, i int) []byte {
	model := corpusModels[r.IntN(len(corpusModels))]
	var msgs []any
	if r.IntN(2) == 0 {
		msgs = append(msgs, map[string]any{"role": "system", "content": corpusText(r, 5+r.IntN(40))})
	}
	for turn := range 1 + r.IntN(4) {
		role := []string{"user", "assistant"}[turn%2]
		m := map[string]any{"role": role, "content": corpusText(r, 1+r.IntN(120))}
		if r.IntN(8) == 0 {
			m["name"] = fmt.Sprintf("name_%d", r.IntN(100))
		}
		if role == "user" && r.IntN(4) == 0 {
			parts := []any{map[string]any{"type": "text", "text": corpusText(r, 1+r.IntN(30))}}
			for range 1 + r.IntN(2) {
				img := map[string]any{"url": corpusPNG(r)}
				switch r.IntN(4) {
				case 0:
					img["url"] = "https://example.com/cat.jpg"
				case 1:
					img["detail"] = "low"
				}
				parts = append(parts, map[string]any{"type": "image_url", "image_url": img})
			}
			m["content"] = parts
		}
		msgs = append(msgs, m)
	}
	body := map[string]any{"model": model, "messages": msgs}
	if r.IntN(4) == 0 {
		body["tools"] = corpusTools(r)
	}
	line, _ := json.Marshal(map[string]any{
		"custom_id": fmt.Sprintf("line-%d", i), "method": "POST", "url": "/v1/chat/completions", "body": body,
	})
	return line
}

// corpus returns n lines from seed.
func corpus(seed uint64, n int) [][]byte {
	r := rand.New(rand.NewPCG(seed, 14))
	lines := make([][]byte, n)
	for i := range lines {
		lines[i] = corpusLine(r, i)
	}
	return lines
}

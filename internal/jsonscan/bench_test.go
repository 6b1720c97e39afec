package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"
)

// benchDoc is a realistic chat completion result line of about 1.5 KB:
// mostly prose in strings, with escapes and a little non-ASCII text.
var benchDoc = func() []byte {
	text := strings.Repeat("The printing press reached Mainz around 1450 (Gutenberg); "+
		"\"movable type\" made naïve copying obsolete.\n", 12)
	doc, err := json.Marshal(map[string]any{
		"id":        "batch_req_123",
		"custom_id": "request-0000001",
		"response": map[string]any{
			"status_code": 200,
			"body": map[string]any{
				"model":   "gpt-4o-mini",
				"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": text}, "finish_reason": "stop"}},
				"usage":   map[string]any{"prompt_tokens": 120, "completion_tokens": 300},
			},
		},
		"error": nil,
	})
	if err != nil {
		panic(err)
	}
	return doc
}()

// BenchmarkScan validates a document, with and without checking UTF-8,
// against json.Valid.
func BenchmarkScan(b *testing.B) {
	for _, strict := range []bool{false, true} {
		name := "scanner"
		if strict {
			name += "-strict-utf8"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(benchDoc)))
			b.ReportAllocs()
			for b.Loop() {
				if err := scan(benchDoc, strict); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("json.Valid", func(b *testing.B) {
		b.SetBytes(int64(len(benchDoc)))
		for b.Loop() {
			if !json.Valid(benchDoc) {
				b.Fatal("invalid")
			}
		}
	})
}

// BenchmarkStrict measures what refusing duplicate keys and lone
// surrogates costs, on benchDoc and on a document of many small objects
// (chat messages), where checking keys weighs most.
func BenchmarkStrict(b *testing.B) {
	messages := []byte(`{"messages":[` + strings.Repeat(`{"role":"user","content":"Capital of France?","name":"x"},`, 200) + `{}]}`)
	for _, doc := range []struct {
		name string
		data []byte
	}{{"result", benchDoc}, {"messages", messages}} {
		for _, strict := range []bool{false, true} {
			name := doc.name
			if strict {
				name += "-unique-keys-no-lone-surrogates"
			}
			b.Run(name, func(b *testing.B) {
				b.SetBytes(int64(len(doc.data)))
				b.ReportAllocs()
				var s Scanner
				s.DisallowInvalidUTF8()
				if strict {
					s.DisallowDuplicateKeys()
					s.DisallowLoneSurrogates()
				}
				for b.Loop() {
					s.Reset(doc.data)
					if err := s.Skip(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkRead picks the custom_id, status code and message content out
// of a result line, against json.Unmarshal into structs.
func BenchmarkRead(b *testing.B) {
	b.Run("scanner", func(b *testing.B) {
		b.SetBytes(int64(len(benchDoc)))
		b.ReportAllocs()
		for b.Loop() {
			var id, content string
			var status int64
			s := New(benchDoc)
			err := s.Object(func(key []byte) (err error) {
				switch string(key) {
				case "custom_id":
					id, err = s.Str()
				case "response":
					err = s.Object(func(key []byte) (err error) {
						switch string(key) {
						case "status_code":
							status, err = s.Int()
						case "body":
							err = s.Object(func(key []byte) error {
								if string(key) != "choices" {
									return s.Skip()
								}
								return s.Array(func(int) error {
									return s.Object(func(key []byte) error {
										if string(key) != "message" {
											return s.Skip()
										}
										return s.Object(func(key []byte) (err error) {
											if string(key) != "content" {
												return s.Skip()
											}
											content, err = s.Str()
											return err
										})
									})
								})
							})
						default:
							err = s.Skip()
						}
						return err
					})
				default:
					err = s.Skip()
				}
				return err
			})
			if err == nil {
				err = s.End()
			}
			if err != nil || id == "" || status != 200 || content == "" {
				b.Fatal(id, status, err)
			}
		}
	})
	b.Run("json.Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(benchDoc)))
		b.ReportAllocs()
		for b.Loop() {
			var line struct {
				CustomID string `json:"custom_id"`
				Response struct {
					StatusCode int64 `json:"status_code"`
					Body       struct {
						Choices []struct {
							Message struct {
								Content string `json:"content"`
							} `json:"message"`
						} `json:"choices"`
					} `json:"body"`
				} `json:"response"`
			}
			if err := json.Unmarshal(benchDoc, &line); err != nil || line.CustomID == "" {
				b.Fatal(err)
			}
		}
	})
}

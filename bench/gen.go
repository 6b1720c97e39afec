package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
)

// A dataset is one generated file: the lines of a provider's own format,
// drawn from a fixed seed so every run writes the same bytes.
type dataset struct {
	name     string // file name in the work directory
	provider string // --provider of `batchctl results --from-file`; "" for an input file
	// jq is the jq program that extracts what batchctl normalizes
	// (custom_id, status, text or embedding, usage) from a line.
	jq string
	// line appends line i (0-based), without its newline, to b.
	line func(b []byte, i int, r *rand.Rand) []byte
}

// The jq programs users would otherwise script, one per result format.
const (
	jqOpenAIChat = `{custom_id, status: (if .error != null then "errored" elif .response.status_code == 200 then "succeeded" else "errored" end), ` +
		`text: .response.body.choices[0].message.content, usage: .response.body.usage}`
	jqOpenAIEmbeddings = `{custom_id, status: (if .error != null then "errored" elif .response.status_code == 200 then "succeeded" else "errored" end), ` +
		`embedding: .response.body.data[0].embedding, usage: .response.body.usage}`
	jqAnthropic = `{custom_id, status: .result.type, text: ([.result.message.content[]? | select(.type == "text") | .text] | join("")), ` +
		`usage: .result.message.usage}`
	jqGemini = `{custom_id: .key, status: (if .error != null then "errored" else "succeeded" end), ` +
		`text: ([.response.candidates[0].content.parts[]? | .text // empty] | join("")), usage: .response.usageMetadata}`
)

var (
	openaiChat       = dataset{name: "openai-chat-output.jsonl", provider: "openai", jq: jqOpenAIChat, line: openaiChatLine}
	openaiEmbeddings = dataset{name: "openai-embeddings-output.jsonl", provider: "openai", jq: jqOpenAIEmbeddings, line: openaiEmbeddingLine}
	anthropicResults = dataset{name: "anthropic-results.jsonl", provider: "anthropic", jq: jqAnthropic, line: anthropicLine}
	geminiResults    = dataset{name: "gemini-results.jsonl", provider: "gemini", jq: jqGemini, line: geminiLine}
	chatInput        = dataset{name: "openai-chat-input.jsonl", line: chatInputLine}
	openaiStructured = dataset{name: "openai-structured-output.jsonl", provider: "openai", jq: jqOpenAIChat, line: openaiStructuredLine}
)

// generate writes the dataset's lines to path until the next one would take
// the file past size bytes, and returns the file's size and line count.
// The lines come in order from one generator with a fixed seed, so a
// smaller file is a prefix of a larger one.
func generate(path string, d dataset, size int64) (written int64, lines int, err error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, 0, err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(0x62617463, 0x68637472)) // "batc" "hctr"
	var b []byte
	for ; ; lines++ {
		b = append(d.line(b[:0], lines, r), '\n')
		if written+int64(len(b)) > size {
			break
		}
		if _, err := w.Write(b); err != nil {
			return 0, 0, err
		}
		written += int64(len(b))
	}
	return written, lines, w.Flush()
}

// words make up the generated prose. Each has its spelling inside a JSON
// string as Python's json.dumps writes it (ASCII only, as in OpenAI's
// files) and as raw UTF-8 (as the other providers write it).
var words = func() [][2]string {
	plain := []string{
		"the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by",
		"on", "not", "this", "are", "or", "from", "at", "which", "but", "have", "an", "they", "more",
		"model", "batch", "request", "answer", "result", "printing", "press", "Europe", "Gutenberg",
		"Mainz", "movable", "type", "books", "scholars", "printers", "paper", "ink", "century",
		"spread", "cities", "Venice", "Paris", "London", "reading", "literacy", "market", "cost",
		"copies", "manuscripts", "scribes", "sermons", "pamphlets", "science", "letters", "trade",
		"however", "therefore", "although", "quickly", "slowly", "widely", "roughly", "1450", "1500",
		"20", "million", "volumes", "(about", "half)", "key", "dates:", "first;", "second,", "finally",
	}
	special := [][2]string{
		{`caf\u00e9`, "café"}, {`na\u00efve`, "naïve"}, {`\u2014`, "—"}, {`printer\u2019s`, "printer’s"},
		{`\"quoted\"`, `\"quoted\"`}, {`M\u00fcnchen`, "München"}, {`r\u00e9sum\u00e9`, "résumé"},
		{`\u4e2d\u6587`, "中文"}, {`C:\\path`, `C:\\path`}, {`<b>bold</b>`, `<b>bold</b>`},
	}
	out := make([][2]string, 0, len(plain)+len(special))
	for _, w := range plain {
		out = append(out, [2]string{w, w})
	}
	return append(out, special...)
}()

// appendProse appends about n bytes of prose, as the inside of a JSON
// string: sentences in paragraphs separated by an escaped blank line.
func appendProse(b []byte, n int, ascii bool, r *rand.Rand) []byte {
	form := 1
	if ascii {
		form = 0
	}
	start := len(b)
	for sentence := 0; len(b)-start < n; sentence++ {
		if sentence > 0 {
			if r.IntN(6) == 0 {
				b = append(b, `\n\n`...)
			} else {
				b = append(b, ' ')
			}
		}
		for k, count := 0, 6+r.IntN(15); k < count; k++ {
			if k > 0 {
				b = append(b, ' ')
			}
			b = append(b, pickWord(r)[form]...)
		}
		b = append(b, '.')
	}
	return b
}

// pickWord picks a word, the plain ones more often.
func pickWord(r *rand.Rand) [2]string {
	if r.IntN(40) == 0 {
		return words[len(words)-10+r.IntN(10)]
	}
	return words[r.IntN(len(words)-10)]
}

// appendHex appends n random lowercase hex digits.
func appendHex(b []byte, n int, r *rand.Rand) []byte {
	const digits = "0123456789abcdef"
	for range n {
		b = append(b, digits[r.IntN(16)])
	}
	return b
}

// appendID appends a prefix and n random alphanumerics, like OpenAI's and
// Anthropic's object ids.
func appendID(b []byte, prefix string, n int, r *rand.Rand) []byte {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b = append(b, prefix...)
	for range n {
		b = append(b, chars[r.IntN(len(chars))])
	}
	return b
}

// appendCustomID appends the id of request i.
func appendCustomID(b []byte, prefix string, i int) []byte {
	return fmt.Appendf(b, "%s-%07d", prefix, i)
}

// outcome picks what happened to a request: 96 in 100 succeed.
func outcome(r *rand.Rand) int { return r.IntN(100) }

// openaiChatLine is a line of an OpenAI chat completions output or error
// file, as OpenAI writes it (spaces after separators, non-ASCII escaped):
// mostly successes of 200 to 8000 bytes of text, some HTTP errors (400,
// 429, 500) and some requests that expired.
func openaiChatLine(b []byte, i int, r *rand.Rand) []byte {
	b = appendID(append(b, `{"id": "`...), "batch_req_", 32, r)
	b = appendCustomID(append(b, `", "custom_id": "`...), "request", i)
	o := outcome(r)
	if o == 99 {
		return append(b, `", "response": null, "error": {"code": "batch_expired", "message": "This request could not be executed before the completion window expired."}}`...)
	}
	status, errType, errCode, message := 200, "", "", ""
	switch o {
	case 96:
		status, errType, errCode, message = 400, "invalid_request_error", "context_length_exceeded",
			"This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages."
	case 97:
		status, errType, errCode, message = 429, "rate_limit_error", "rate_limit_exceeded", "Rate limit reached for gpt-4o-mini in organization org-abc on tokens per min (TPM): Limit 200000."
	case 98:
		status, errType, errCode, message = 500, "server_error", "", "The server had an error while processing your request. Sorry about that!"
	}
	b = strconv.AppendInt(append(b, `", "response": {"status_code": `...), int64(status), 10)
	b = appendHex(append(b, `, "request_id": "`...), 32, r)
	if status != 200 {
		b = append(append(b, `", "body": {"error": {"message": "`...), message...)
		b = append(append(b, `", "type": "`...), errType...)
		b = append(b, `", "param": null, "code": `...)
		if errCode == "" {
			b = append(b, "null"...)
		} else {
			b = append(append(append(b, '"'), errCode...), '"')
		}
		return append(b, `}}}, "error": null}`...)
	}
	b = appendID(append(b, `", "body": {"id": "`...), "chatcmpl-", 29, r)
	b = strconv.AppendInt(append(b, `", "object": "chat.completion", "created": `...), 1750000000+int64(i), 10)
	b = append(b, `, "model": "gpt-4o-mini-2024-07-18", "choices": [{"index": 0, "message": {"role": "assistant", "content": "`...)
	b = appendProse(b, 200+r.IntN(7800), true, r)
	finish := "stop"
	if r.IntN(20) == 0 {
		finish = "length"
	}
	b = append(append(b, `", "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "`...), finish...)
	prompt, completion := 20+r.IntN(2000), 50+r.IntN(2000)
	b = strconv.AppendInt(append(b, `"}], "usage": {"prompt_tokens": `...), int64(prompt), 10)
	b = strconv.AppendInt(append(b, `, "completion_tokens": `...), int64(completion), 10)
	b = strconv.AppendInt(append(b, `, "total_tokens": `...), int64(prompt+completion), 10)
	b = append(b, `, "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0}, "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}, "service_tier": "default", "system_fingerprint": "fp_`...)
	b = appendHex(b, 10, r)
	return append(b, `"}}, "error": null}`...)
}

// embeddingDims is the length of a text-embedding-3-small vector.
const embeddingDims = 1536

// openaiEmbeddingLine is a line of an OpenAI embeddings output file: a
// 1536-float vector (about 20 KB), or now and then a 400 error.
func openaiEmbeddingLine(b []byte, i int, r *rand.Rand) []byte {
	b = appendID(append(b, `{"id": "`...), "batch_req_", 32, r)
	b = appendCustomID(append(b, `", "custom_id": "`...), "emb", i)
	if outcome(r) >= 98 {
		b = appendHex(append(b, `", "response": {"status_code": 400, "request_id": "`...), 32, r)
		return append(b, `", "body": {"error": {"message": "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", "type": "invalid_request_error", "param": null, "code": null}}}, "error": null}`...)
	}
	b = appendHex(append(b, `", "response": {"status_code": 200, "request_id": "`...), 32, r)
	b = append(b, `", "body": {"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [`...)
	for k := range embeddingDims {
		if k > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendFloat(b, float64(float32(r.NormFloat64()*0.025)), 'g', -1, 32)
	}
	tokens := int64(5 + r.IntN(500))
	b = strconv.AppendInt(append(b, `]}], "model": "text-embedding-3-small", "usage": {"prompt_tokens": `...), tokens, 10)
	b = strconv.AppendInt(append(b, `, "total_tokens": `...), tokens, 10)
	return append(b, `}}}, "error": null}`...)
}

// anthropicLine is a line of a Message Batches results stream: mostly
// succeeded messages, some errored, expired and canceled requests.
func anthropicLine(b []byte, i int, r *rand.Rand) []byte {
	b = appendCustomID(append(b, `{"custom_id":"`...), "request", i)
	switch outcome(r) {
	case 96, 97:
		b = append(b, `","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5-20250929"},"request_id":"`...)
		return append(appendID(b, "req_", 24, r), `"}}}`...)
	case 98:
		return append(b, `","result":{"type":"expired"}}`...)
	case 99:
		return append(b, `","result":{"type":"canceled"}}`...)
	}
	b = appendID(append(b, `","result":{"type":"succeeded","message":{"id":"`...), "msg_01", 22, r)
	b = append(b, `","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"`...)
	b = appendProse(b, 200+r.IntN(7800), false, r)
	stop := "end_turn"
	if r.IntN(20) == 0 {
		stop = "max_tokens"
	}
	b = append(append(b, `"}],"stop_reason":"`...), stop...)
	b = strconv.AppendInt(append(b, `","stop_sequence":null,"usage":{"input_tokens":`...), int64(20+r.IntN(2000)), 10)
	b = append(b, `,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":`...)
	b = strconv.AppendInt(b, int64(50+r.IntN(2000)), 10)
	return append(b, `,"service_tier":"batch"}}}}`...)
}

// geminiLine is a line of a Gemini batch responses file: mostly
// GenerateContentResponses, some per-request errors.
func geminiLine(b []byte, i int, r *rand.Rand) []byte {
	b = appendCustomID(append(b, `{"key":"`...), "request", i)
	if outcome(r) >= 97 {
		return append(b, `","error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}`...)
	}
	b = append(b, `","response":{"candidates":[{"content":{"parts":[{"text":"`...)
	b = appendProse(b, 200+r.IntN(7800), false, r)
	finish := "STOP"
	if r.IntN(20) == 0 {
		finish = "MAX_TOKENS"
	}
	b = append(append(b, `"}],"role":"model"},"finishReason":"`...), finish...)
	prompt, candidates := 20+r.IntN(2000), 50+r.IntN(2000)
	b = strconv.AppendInt(append(b, `","index":0}],"usageMetadata":{"promptTokenCount":`...), int64(prompt), 10)
	b = strconv.AppendInt(append(b, `,"candidatesTokenCount":`...), int64(candidates), 10)
	b = strconv.AppendInt(append(b, `,"totalTokenCount":`...), int64(prompt+candidates), 10)
	b = strconv.AppendInt(append(b, `,"promptTokensDetails":[{"modality":"TEXT","tokenCount":`...), int64(prompt), 10)
	b = appendID(append(b, `}]},"modelVersion":"gemini-2.5-flash","responseId":"`...), "", 22, r)
	return append(b, `"}}`...)
}

// chatInputLine is a line of an OpenAI chat completions batch input: a
// system prompt and a user prompt of 1000 to 7000 bytes, so that a 200 MB
// file holds under 50,000 requests, one OpenAI batch.
func chatInputLine(b []byte, i int, r *rand.Rand) []byte {
	b = appendCustomID(append(b, `{"custom_id":"`...), "request", i)
	b = append(b, `","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[`...)
	b = append(b, `{"role":"system","content":"You are a careful historian. Answer in three short paragraphs."},{"role":"user","content":"Summarise this passage:\n\n`...)
	b = appendProse(b, 1000+r.IntN(6000), false, r)
	return append(b, `"}],"max_tokens":1024,"temperature":0.2}}`...)
}

// reviewSchema is the JSON Schema of the answers of openaiStructuredLine:
// a review classified, the common extraction case.
const reviewSchema = `{"type":"object","properties":{` +
	`"sentiment":{"enum":["positive","neutral","negative"]},` +
	`"score":{"type":"number","minimum":0,"maximum":1},` +
	`"topics":{"type":"array","items":{"type":"string"},"maxItems":5},` +
	`"summary":{"type":"string","maxLength":200}},` +
	`"required":["sentiment","score","topics","summary"],"additionalProperties":false}`

// openaiStructuredLine is a line of an OpenAI chat completions output
// whose request asked for JSON (response_format json_schema): the answer
// is a small JSON object, as a string, that follows reviewSchema (1 in 50
// does not: a score above 1), with the usage and ids of a real line.
func openaiStructuredLine(b []byte, i int, r *rand.Rand) []byte {
	b = appendID(append(b, `{"id": "`...), "batch_req_", 32, r)
	b = appendCustomID(append(b, `", "custom_id": "`...), "review", i)
	b = appendHex(append(b, `", "response": {"status_code": 200, "request_id": "`...), 32, r)
	b = appendID(append(b, `", "body": {"id": "`...), "chatcmpl-", 29, r)
	b = strconv.AppendInt(append(b, `", "object": "chat.completion", "created": `...), 1750000000+int64(i), 10)
	b = append(b, `, "model": "gpt-4o-mini-2024-07-18", "choices": [{"index": 0, "message": {"role": "assistant", "content": "`...)
	sentiments := [...]string{"positive", "neutral", "negative"}
	b = append(append(b, `{\"sentiment\":\"`...), sentiments[r.IntN(3)]...)
	score := r.Float64()
	if r.IntN(50) == 0 {
		score += 1
	}
	b = strconv.AppendFloat(append(b, `\",\"score\":`...), float64(int(score*100))/100, 'f', -1, 64)
	b = append(b, `,\"topics\":[`...)
	for k, n := 0, 1+r.IntN(4); k < n; k++ {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, `\"`...), words[r.IntN(len(words)-10)][0]...), `\"`...)
	}
	// The summary is plain words: a string inside a string would need its
	// escapes escaped again.
	b = append(b, `],\"summary\":\"`...)
	for k, n := 0, 6+r.IntN(15); k < n; k++ {
		if k > 0 {
			b = append(b, ' ')
		}
		b = append(b, words[r.IntN(len(words)-10)][0]...)
	}
	b = append(b, `\"}", "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "stop"}]`...)
	prompt, completion := 200+r.IntN(2000), 30+r.IntN(60)
	b = strconv.AppendInt(append(b, `, "usage": {"prompt_tokens": `...), int64(prompt), 10)
	b = strconv.AppendInt(append(b, `, "completion_tokens": `...), int64(completion), 10)
	b = strconv.AppendInt(append(b, `, "total_tokens": `...), int64(prompt+completion), 10)
	b = append(b, `, "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0}, "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}, "service_tier": "default", "system_fingerprint": "fp_`...)
	b = appendHex(b, 10, r)
	return append(b, `"}}, "error": null}`...)
}

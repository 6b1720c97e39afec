package hostile

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
)

// contentPath is where the OpenAI protocol serves a file's content: the
// results of a batch (its output and error files).
const contentPath = "GET /v1/files/{id}/content"

// GiantLine serves every OpenAI result file as one line of size bytes
// that parses as a result of request "a" once whole. The line is made as
// it is sent, never held: size may be far larger than memory.
func GiantLine(size int64) Tamper {
	return OnPath(contentPath, func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		head := []byte(`{"id":"batch_req_giant","custom_id":"a","response":{"status_code":200,"body":{"pad":"`)
		tail := []byte(`"}},"error":null}` + "\n")
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		if _, err := w.Write(head); err != nil {
			return
		}
		pad := bytes.Repeat([]byte("x"), 64<<10)
		for left := size - int64(len(head)+len(tail)); left > 0; {
			n := min(left, int64(len(pad)))
			if _, err := w.Write(pad[:n]); err != nil {
				return // the client gave up
			}
			left -= n
		}
		w.Write(tail)
	})
}

// EndlessLines serves every OpenAI result file as the same valid result
// line of request "a", repeated until the client stops reading.
func EndlessLines() Tamper {
	return OnPath(contentPath, func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		line := []byte(`{"id":"batch_req_again","custom_id":"a","response":{"status_code":200,"body":{"choices":[{"message":{"role":"assistant","content":"again"},"finish_reason":"stop"}]}},"error":null}` + "\n")
		chunk := bytes.Repeat(line, (64<<10)/len(line))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
}

// RewriteResults serves every OpenAI result file as edit makes it of the
// emulator's own lines (each without its newline).
func RewriteResults(edit func(lines [][]byte) [][]byte) Tamper {
	return OnPath(contentPath, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			copyResponse(w, rec)
			return
		}
		lines := bytes.Split(bytes.TrimSuffix(rec.Body.Bytes(), []byte("\n")), []byte("\n"))
		var out bytes.Buffer
		for _, l := range edit(lines) {
			out.Write(l)
			out.WriteByte('\n')
		}
		w.Header().Set("Content-Type", rec.Header().Get("Content-Type"))
		w.Write(out.Bytes())
	})
}

// ExtraIDs adds, after the emulator's lines, a copy of its first line for
// each of ids: results for requests that were never submitted.
func ExtraIDs(ids ...string) Tamper {
	return RewriteResults(func(lines [][]byte) [][]byte {
		for _, id := range ids {
			lines = append(lines, WithID(lines[0], id))
		}
		return lines
	})
}

// Repeats adds, after the emulator's lines, a second line for each id
// that says the request failed with a 500: a repeat that must not win.
func Repeats() Tamper {
	return RewriteResults(func(lines [][]byte) [][]byte {
		for _, l := range lines {
			lines = append(lines, failed(l))
		}
		return lines
	})
}

// RepeatFirst serves the emulator's first line followed by n repeats of
// it that say the request failed, and nothing for the other requests:
// as many lines as requests, perhaps, but not one per request.
func RepeatFirst(n int) Tamper {
	return RewriteResults(func(lines [][]byte) [][]byte {
		out := [][]byte{lines[0]}
		for range n {
			out = append(out, failed(lines[0]))
		}
		return out
	})
}

// failed is a result line changed to say its request failed with a 500.
func failed(line []byte) []byte {
	return edit(line, func(v map[string]any) {
		v["response"] = map[string]any{"status_code": 500, "body": map[string]any{"error": map[string]any{"message": "repeat", "type": "server_error"}}}
	})
}

// WithID is a result line with its custom_id replaced by id.
func WithID(line []byte, id string) []byte {
	return edit(line, func(v map[string]any) { v["custom_id"] = id })
}

// edit decodes a JSON object, lets f change it and encodes it again.
func edit(raw []byte, f func(map[string]any)) []byte {
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		panic("hostile: not a JSON object: " + err.Error())
	}
	f(v)
	out, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return out
}

// copyResponse passes on a recorded answer as it is.
func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	io.Copy(w, rec.Body)
}

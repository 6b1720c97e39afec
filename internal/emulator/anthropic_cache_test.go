package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// cachedRequest is a request whose system prompt of words words is marked
// cacheable with ttl.
func cachedRequest(customID string, words int, ttl, prompt string) string {
	system := strings.TrimSpace(strings.Repeat("lorem ", words))
	b, _ := json.Marshal(map[string]any{
		"custom_id": customID,
		"params": map[string]any{
			"model": "echo", "max_tokens": 64,
			"system":   []map[string]any{{"type": "text", "text": system, "cache_control": map[string]string{"type": "ephemeral", "ttl": ttl}}},
			"messages": []map[string]string{{"role": "user", "content": prompt}},
		},
	})
	return string(b)
}

// cacheUsage reads the usage of every succeeded result of a batch:
// "id:input/read/written/written1h".
func (e *testEnv) cacheUsage(id string) string {
	e.t.Helper()
	r := e.anthropicDo(http.MethodGet, "/v1/messages/batches/"+id+"/results", "", nil)
	var out []string
	for line := range strings.Lines(string(r.body)) {
		var l struct {
			CustomID string `json:"custom_id"`
			Result   struct {
				Message struct {
					Usage usageJSON `json:"usage"`
				} `json:"message"`
			} `json:"result"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			e.t.Fatalf("results line %q: %v", line, err)
		}
		out = append(out, l.CustomID+":"+l.Result.Message.Usage.String())
	}
	return strings.Join(out, " ")
}

type usageJSON struct {
	Input         int64 `json:"input_tokens"`
	Read          int64 `json:"cache_read_input_tokens"`
	Written       int64 `json:"cache_creation_input_tokens"`
	CacheCreation struct {
		FiveMin int64 `json:"ephemeral_5m_input_tokens"`
		OneHour int64 `json:"ephemeral_1h_input_tokens"`
	} `json:"cache_creation"`
}

func (u usageJSON) String() string {
	b, _ := json.Marshal([]int64{u.Input, u.Read, u.Written, u.CacheCreation.FiveMin, u.CacheCreation.OneHour})
	return string(b)
}

// TestAnthropicPromptCache checks the emulator's prompt cache: requests of
// one batch do not see each other's writes, a batch created after one
// that wrote a prefix ended reads it, entries expire with their ttl, and a
// prefix shorter than 1024 tokens is not cached.
func TestAnthropicPromptCache(t *testing.T) {
	env := newTestEnv(t, Options{Duration: 10 * time.Second})
	cold := env.anthropicCreate(cachedRequest("a", 1100, "1h", "one"), cachedRequest("b", 1100, "1h", "two"))
	env.clock.set(5 * time.Second)
	early := env.anthropicCreate(cachedRequest("c", 1100, "1h", "three")) // before the cold batch ended
	short := env.anthropicCreate(cachedRequest("s", 1000, "1h", "four"), cachedRequest("t", 1000, "1h", "five"))

	env.clock.set(10 * time.Second)
	// [input, read, written, written 5m, written 1h]
	if got, want := env.cacheUsage(cold.ID), `a:[1,0,1100,0,1100] b:[1,0,1100,0,1100]`; got != want {
		t.Errorf("one batch: %s, want %s (neither sees the other's write)", got, want)
	}
	warm := env.anthropicCreate(cachedRequest("d", 1100, "1h", "six"), cachedRequest("e", 1100, "5m", "seven"))
	env.clock.set(20 * time.Second)
	if got, want := env.cacheUsage(warm.ID), `d:[1,1100,0,0,0] e:[1,1100,0,0,0]`; got != want {
		t.Errorf("after the writer ended: %s, want %s", got, want)
	}
	if got, want := env.cacheUsage(early.ID), `c:[1,0,1100,0,1100]`; got != want {
		t.Errorf("created before the writer ended: %s, want %s", got, want)
	}
	if got, want := env.cacheUsage(short.ID), `s:[1001,0,0,0,0] t:[1001,0,0,0,0]`; got != want {
		t.Errorf("short prefix: %s, want %s", got, want)
	}

	// a synchronous call reads what the batches wrote, and an hour later
	// the entry is gone
	var msg struct {
		Usage usageJSON `json:"usage"`
	}
	params := func(ttl string) string {
		var req struct {
			Params json.RawMessage `json:"params"`
		}
		json.Unmarshal([]byte(cachedRequest("x", 1100, ttl, "eight")), &req)
		return string(req.Params)
	}
	r := env.anthropicDo(http.MethodPost, "/v1/messages", params("5m"), nil)
	r.decode(t, &msg)
	if got, want := msg.Usage.String(), `[1,1100,0,0,0]`; got != want {
		t.Errorf("sync call: %s, want %s", got, want)
	}
	env.clock.set(2 * time.Hour)
	r = env.anthropicDo(http.MethodPost, "/v1/messages", params("5m"), nil)
	r.decode(t, &msg)
	if got, want := msg.Usage.String(), `[1,0,1100,1100,0]`; got != want {
		t.Errorf("sync call after the ttl: %s, want %s", got, want)
	}
}

package cacheprime

import (
	"testing"
)

func TestPrefix(t *testing.T) {
	tool := `{"name":"lookup","description":"Looks a word up.","input_schema":{"type":"object"}}`
	tests := []struct {
		name   string
		lines  []string
		blocks int
		marked bool
		ends   string
		// marked is what Mark makes of the first line; "" when the
		// line stays as it is
		want string
	}{
		{
			name: "tools and system shared",
			lines: []string{
				`{"custom_id":"a","params":{"model":"claude-sonnet-4-5","max_tokens":9,"tools":[` + tool + `],"system":"Be brief.","messages":[{"role":"user","content":"one"}]}}`,
				`{"custom_id":"b","params":{"model":"claude-sonnet-4-5","max_tokens":9,"tools":[` + tool + `],"system":"Be brief.","messages":[{"role":"user","content":"two"}]}}`,
			},
			blocks: 2, ends: "the system prompt",
			want: `{"custom_id":"a","params":{"model":"claude-sonnet-4-5","max_tokens":9,"tools":[` + tool + `],"system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral","ttl":"1h"}}],"messages":[{"role":"user","content":"one"}]}}`,
		},
		{
			name: "differing system keeps the tools",
			lines: []string{
				`{"custom_id":"a","params":{"model":"m","max_tokens":9,"tools":[` + tool + `],"system":"Be brief.","messages":[{"role":"user","content":"one"}]}}`,
				`{"custom_id":"b","params":{"model":"m","max_tokens":9,"tools":[` + tool + `],"system":"Be long.","messages":[{"role":"user","content":"one"}]}}`,
			},
			blocks: 1, ends: "the tools",
			want: `{"custom_id":"a","params":{"model":"m","max_tokens":9,"tools":[{"name":"lookup","description":"Looks a word up.","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral","ttl":"1h"}}],"system":"Be brief.","messages":[{"role":"user","content":"one"}]}}`,
		},
		{
			name: "differing system and no tools share nothing",
			lines: []string{
				`{"custom_id":"a","params":{"model":"m","max_tokens":9,"system":"Be brief.","messages":[{"role":"user","content":"one"}]}}`,
				`{"custom_id":"b","params":{"model":"m","max_tokens":9,"system":"Be long.","messages":[{"role":"user","content":"one"}]}}`,
			},
			blocks: 0,
		},
		{
			name: "leading turns shared",
			lines: []string{
				`{"custom_id":"a","params":{"model":"m","max_tokens":9,"system":[{"type":"text","text":"S"}],"messages":[{"role":"user","content":[{"type":"text","text":"doc"},{"type":"text","text":"q1"}]}]}}`,
				`{"custom_id":"b","params":{"model":"m","max_tokens":9,"system":[{"type":"text","text":"S"}],"messages":[{"role":"user","content":[{"type":"text","text":"doc"},{"type":"text","text":"q2"}]}]}}`,
			},
			blocks: 2, ends: "message 1",
			want: `{"custom_id":"a","params":{"model":"m","max_tokens":9,"system":[{"type":"text","text":"S"}],"messages":[{"role":"user","content":[{"type":"text","text":"doc","cache_control":{"type":"ephemeral","ttl":"1h"}},{"type":"text","text":"q1"}]}]}}`,
		},
		{
			name: "same text in another role is not shared",
			lines: []string{
				`{"custom_id":"a","params":{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"x"}]}}`,
				`{"custom_id":"b","params":{"model":"m","max_tokens":9,"messages":[{"role":"assistant","content":"hi"},{"role":"user","content":"x"}]}}`,
			},
			blocks: 0,
		},
		{
			name: "another tool_choice keeps only the tools",
			lines: []string{
				`{"custom_id":"a","params":{"model":"m","max_tokens":9,"tools":[` + tool + `],"tool_choice":{"type":"auto"},"system":"S","messages":[{"role":"user","content":"q"}]}}`,
				`{"custom_id":"b","params":{"model":"m","max_tokens":9,"tools":[` + tool + `],"tool_choice":{"type":"any"},"system":"S","messages":[{"role":"user","content":"q"}]}}`,
			},
			blocks: 1, ends: "the tools",
		},
		{
			name: "another thinking budget keeps the system prompt",
			lines: []string{
				`{"custom_id":"a","params":{"model":"m","max_tokens":9,"thinking":{"type":"enabled","budget_tokens":1024},"system":"S","messages":[{"role":"user","content":"doc"},{"role":"user","content":"a"}]}}`,
				`{"custom_id":"b","params":{"model":"m","max_tokens":9,"thinking":{"type":"enabled","budget_tokens":2048},"system":"S","messages":[{"role":"user","content":"doc"},{"role":"user","content":"b"}]}}`,
			},
			blocks: 1, ends: "the system prompt",
		},
		{
			name: "lines already carrying cache_control",
			lines: []string{
				`{"custom_id":"a","params":{"model":"m","max_tokens":9,"system":[{"type":"text","text":"S","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"one"}]}}`,
				`{"custom_id":"b","params":{"model":"m","max_tokens":9,"system":[{"type":"text","text":"S","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"two"}]}}`,
			},
			blocks: 1, marked: true, ends: "the system prompt",
		},
		{
			name: "one line only",
			lines: []string{
				`{"custom_id":"a","params":{"model":"m","max_tokens":9,"system":"S","messages":[{"role":"user","content":"one"}]}}`,
			},
			blocks: 0,
		},
		{
			name: "a thinking block cannot carry the mark",
			lines: []string{
				`{"custom_id":"a","params":{"model":"m","max_tokens":9,"system":"S","messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"x"}]},{"role":"user","content":"a"}]}}`,
				`{"custom_id":"b","params":{"model":"m","max_tokens":9,"system":"S","messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"x"}]},{"role":"user","content":"b"}]}}`,
			},
			blocks: 2, ends: "message 1",
			want: `{"custom_id":"a","params":{"model":"m","max_tokens":9,"system":"S","messages":[{"role":"user","content":[{"type":"text","text":"q","cache_control":{"type":"ephemeral","ttl":"1h"}}]},{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"x"}]},{"role":"user","content":"a"}]}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f Finder
			for _, l := range tt.lines {
				if err := f.Add([]byte(l)); err != nil {
					t.Fatal(err)
				}
			}
			p := f.Result()
			if p.Requests != len(tt.lines) || p.Blocks != tt.blocks || p.Marked != tt.marked || p.Ends != tt.ends {
				t.Fatalf("got %d requests, %d blocks, marked %v, ends %q; want %d, %d, %v, %q",
					p.Requests, p.Blocks, p.Marked, p.Ends, len(tt.lines), tt.blocks, tt.marked, tt.ends)
			}
			if tt.blocks > 0 && p.Tokens == 0 {
				t.Errorf("a shared prefix of %d blocks counts 0 tokens", p.Blocks)
			}
			if tt.want == "" {
				return
			}
			got, err := Mark([]byte(tt.lines[0]), p, "1h")
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Mark:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestPrefixTokensCountTools(t *testing.T) {
	var f Finder
	for _, l := range []string{
		`{"params":{"model":"m","tools":[{"name":"t","input_schema":{}}],"messages":[{"role":"user","content":"a"}]}}`,
		`{"params":{"model":"m","tools":[{"name":"t","input_schema":{}}],"messages":[{"role":"user","content":"b"}]}}`,
	} {
		if err := f.Add([]byte(l)); err != nil {
			t.Fatal(err)
		}
	}
	if p := f.Result(); p.Tokens <= toolOverhead {
		t.Errorf("tools prefix counts %d tokens, want more than the %d of the tool system prompt", p.Tokens, toolOverhead)
	}
}

func TestMinTokens(t *testing.T) {
	for model, want := range map[string]int{
		"claude-sonnet-4-5":         1024,
		"claude-opus-4-1-20250805":  1024,
		"claude-haiku-4-5-20251001": 4096,
		"claude-opus-4-5":           4096,
		"claude-3-5-haiku-20241022": 2048,
		"claude-3-haiku-20240307":   2048,
		"echo":                      1024,
	} {
		if got := MinTokens(model); got != want {
			t.Errorf("MinTokens(%q) = %d, want %d", model, got, want)
		}
	}
}

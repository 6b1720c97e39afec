package estimate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/prices"
)

func writeParts(t *testing.T, parts ...string) []string {
	t.Helper()
	var paths []string
	for i, p := range parts {
		path := filepath.Join(t.TempDir(), "part-"+string(rune('1'+i))+".jsonl")
		if err := os.WriteFile(path, []byte(p), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	return paths
}

// line is an OpenAI chat line of 3 + 1 + 1 + 3 = 8 input tokens ("hi").
func line(model, max string) string {
	l := `{"custom_id":"x","method":"POST","url":"/v1/chat/completions","body":{"model":"` + model + `","messages":[{"role":"user","content":"hi"}]`
	if max != "" {
		l += `,"max_tokens":` + max
	}
	return l + "}}\n"
}

func TestRunPricesEachModelAndPart(t *testing.T) {
	parts := writeParts(t,
		strings.Repeat(line("gpt-4o-mini", "1000"), 3),
		line("gpt-4o-mini", "")+line("gpt-4o-mini-2024-07-18", "10"))
	rep, err := Run(Input{Target: jsonl.TargetOpenAI, Provider: "openai", Model: "gpt-4o-mini", Parts: parts, Prices: prices.Builtin()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requests != 5 || rep.InputTokens != 40 || rep.Counting != "exact" {
		t.Errorf("requests %d, input %d, %s", rep.Requests, rep.InputTokens, rep.Counting)
	}
	// 3×1000 + 16,384 (the model's maximum) + 10
	if rep.OutputTokensMax == nil || *rep.OutputTokensMax != 19394 {
		t.Fatalf("output max %v, want 19394", rep.OutputTokensMax)
	}
	// 40 input tokens at $0.075/M, 19,394 output at $0.30/M
	if want := 0.000003 + 0.005818; rep.Batch.Min != 0.000003 || *rep.Batch.Max != 0.005821 {
		t.Errorf("batch cost %v … %v, want 0.000003 … %v", rep.Batch.Min, *rep.Batch.Max, want)
	}
	if len(rep.Parts) != 2 || rep.Parts[0].Requests != 3 || *rep.Parts[1].OutputTokensMax != 16394 {
		t.Errorf("parts %+v", rep.Parts)
	}
	if got := rep.DrivenBy(); got != "the model's maximum output 16,384 on 1 request, max_tokens 1,000 on 3 requests, …" {
		t.Errorf("DrivenBy() = %q", got)
	}
}

func TestCheckMaxCost(t *testing.T) {
	parts := writeParts(t, strings.Repeat(line("gpt-4o", "4096"), 10))
	rep, err := Run(Input{Target: jsonl.TargetOpenAI, Provider: "openai", Parts: parts, Prices: prices.Builtin()})
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.CheckMaxCost(1, "--max-cost"); err != nil {
		t.Errorf("under the cap: %v", err)
	}
	err = rep.CheckMaxCost(0.1, "--max-cost")
	want := "--max-cost $0.1000: the job may cost up to $0.2049 (80 input tokens, up to 40,960 output tokens: max_tokens 4,096 on 10 requests); nothing was sent"
	if err == nil || err.Error() != want {
		t.Errorf("over the cap: %v\nwant %s", err, want)
	}
	if err := rep.CheckMaxCost(0, "--max-cost"); err != nil {
		t.Errorf("no cap: %v", err)
	}

	unpriced, err := Run(Input{Target: jsonl.TargetOpenAI, Provider: "openai", Parts: writeParts(t, line("my-model", "5")), Prices: prices.Builtin()})
	if err != nil {
		t.Fatal(err)
	}
	if unpriced.Batch != nil || len(unpriced.Unpriced) != 1 {
		t.Errorf("a model without a price got a cost: %+v", unpriced.Batch)
	}
	if err := unpriced.CheckMaxCost(100, "--max-cost"); err == nil || !strings.Contains(err.Error(), "no price for openai/my-model") {
		t.Errorf("unpriced: %v", err)
	}
}

func TestMoney(t *testing.T) {
	for v, want := range map[float64]string{0: "$0", 0.000003: "$0.000003", 0.0025: "$0.0025", 0.01: "$0.0100", 1.999: "$2.00", 1234.5: "$1,234.50"} {
		if got := Money(v); got != want {
			t.Errorf("Money(%v) = %s, want %s", v, got, want)
		}
	}
}

// TestCacheAdjust checks what a prefix marked cacheable changes in a cost,
// against figures worked out by hand: 1,000 prefix tokens on 3 requests at
// input 2, cached 0.2, 5-minute write 2.5, 1-hour write 4 (per million).
func TestCacheAdjust(t *testing.T) {
	rates := prices.InputRates{Plain: 2, CacheRead: 0.2, CacheWrite: 2.5, CacheWrite1h: 4}
	tests := []struct {
		name       string
		cache      Cache
		n, writers int
		lo, hi     float64
	}{
		// one writes: 1000 × 0.5; two read: 2 × 1000 × −1.8; all write: 3 × 1000 × 0.5
		{"5m", Cache{Tokens: 1000}, 3, 1, 0.0005 - 0.0036, 0.0015},
		// one writes: 1000 × 2; two read as above; all write: 3 × 1000 × 2
		{"1h", Cache{Tokens: 1000, OneHour: true}, 3, 1, 0.002 - 0.0036, 0.006},
		// a part after the primer's only reads, at least
		{"no writer", Cache{Tokens: 1000, OneHour: true}, 2, 0, -0.0036, 0.004},
		{"no prefix", Cache{}, 3, 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, hi := tt.cache.adjust(rates, tt.n, tt.writers)
			if micro(lo) != micro(tt.lo) || micro(hi) != micro(tt.hi) {
				t.Errorf("adjust = %v, %v; want %v, %v", lo, hi, tt.lo, tt.hi)
			}
		})
	}
}

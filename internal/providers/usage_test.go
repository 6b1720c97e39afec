package providers

import (
	"encoding/json"
	"testing"
)

// TestUsageAdd checks the sum of usages: a detail count is known in the
// sum once any part reports it, and stays null when none does.
func TestUsageAdd(t *testing.T) {
	var sum Usage
	sum.Add(NewUsage(10, 5, Count{N: 4, Known: true}, Count{}, Count{}))
	sum.Add(nil)
	sum.Add(NewUsage(7, 3, Count{N: 2, Known: true}, Count{}, Count{N: 0, Known: true}))
	got, _ := json.Marshal(sum)
	want := `{"input_tokens":17,"output_tokens":8,"cache_read_input_tokens":6,"cache_creation_input_tokens":null,"reasoning_tokens":0}`
	if string(got) != want {
		t.Errorf("sum = %s, want %s", got, want)
	}
	// The sum's counts are its own: adding to it leaves the parts as they were.
	part := NewUsage(1, 1, Count{N: 1, Known: true}, Count{}, Count{})
	var s2 Usage
	s2.Add(part)
	s2.Add(part)
	if *part.CacheReadInputTokens != 1 || *s2.CacheReadInputTokens != 2 {
		t.Errorf("part %d, sum %d; want 1 and 2", *part.CacheReadInputTokens, *s2.CacheReadInputTokens)
	}
}

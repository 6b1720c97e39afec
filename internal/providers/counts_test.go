package providers

import "testing"

func TestCountsClamp(t *testing.T) {
	tests := []struct {
		name     string
		in       Counts
		requests int
		want     Counts
		ok       bool
	}{
		{"within bounds", Counts{Total: 5, Succeeded: 3, Failed: 1}, 5, Counts{Total: 5, Succeeded: 3, Failed: 1}, true},
		{"total not yet known", Counts{}, 5, Counts{}, true},
		{"negative succeeded", Counts{Total: 5, Succeeded: -100000000000, Failed: 2}, 5, Counts{Total: 5, Failed: 2}, false},
		{"negative total", Counts{Total: -3}, 5, Counts{}, false},
		{"above the requests", Counts{Total: 100000000000, Succeeded: 100000000000}, 5, Counts{Total: 5, Succeeded: 5}, false},
		{"succeeded and failed over the total", Counts{Total: 5, Succeeded: 4, Failed: 4}, 5, Counts{Total: 5, Succeeded: 4, Failed: 1}, false},
		{"requests unknown: the provider's total bounds", Counts{Total: 3, Succeeded: 7, Failed: -1}, -1, Counts{Total: 3, Succeeded: 3}, false},
		{"requests unknown, negative total", Counts{Total: -1, Succeeded: 1}, -1, Counts{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.in.Clamp(tt.requests)
			if got != tt.want || ok != tt.ok {
				t.Errorf("%+v.Clamp(%d) = %+v, %v; want %+v, %v", tt.in, tt.requests, got, ok, tt.want, tt.ok)
			}
		})
	}
}

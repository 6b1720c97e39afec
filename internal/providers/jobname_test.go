package providers

import (
	"maps"
	"testing"
)

func TestJobName(t *testing.T) {
	tests := []struct {
		md   map[string]string
		want string
	}{
		{map[string]string{MetaJob: "j7k2m9"}, "batchctl-j7k2m9-abc123"},
		{map[string]string{MetaJob: "j7k2m9", MetaPart: "2/3"}, "batchctl-j7k2m9-2of3-abc123"},
		{nil, "batchctl-abc123"},
	}
	for _, tt := range tests {
		name := JobName(tt.md, "abc123")
		if name != tt.want {
			t.Errorf("JobName(%v) = %q, want %q", tt.md, name, tt.want)
		}
		if got := JobNameMetadata(name); !maps.Equal(got, tt.md) {
			t.Errorf("JobNameMetadata(%q) = %v, want %v", name, got, tt.md)
		}
	}
	for _, other := range []string{"my-job", "batchctl", "batchctl-j1-0of2-x", "batchctl-j_1-x"} {
		if md := JobNameMetadata(other); md != nil {
			t.Errorf("JobNameMetadata(%q) = %v, want nil", other, md)
		}
	}
}

func TestRandomSuffix(t *testing.T) {
	for range 100 {
		if s := RandomSuffix(); len(s) != 6 || !isLowerAlnum(s) {
			t.Fatalf("RandomSuffix() = %q, want 6 lowercase letters and digits", s)
		}
	}
}

func isLowerAlnum(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

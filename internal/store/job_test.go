package store

import (
	"fmt"
	"testing"
)

func TestAmbiguousErrorMessage(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{2, `"j" matches 2 jobs: j00, j01`},
		{10, `"j" matches 10 jobs: j00, j01, j02, j03, j04, j05, j06, j07, j08, j09`},
		{13, `"j" matches 13 jobs: j00, j01, j02, j03, j04, j05, j06, j07, j08, j09 and 3 more`},
	}
	for _, tt := range tests {
		var ids []string
		for i := range tt.n {
			ids = append(ids, fmt.Sprintf("j%02d", i))
		}
		if got := (&AmbiguousError{Ref: "j", Candidates: ids}).Error(); got != tt.want {
			t.Errorf("%d candidates: %q, want %q", tt.n, got, tt.want)
		}
	}
}

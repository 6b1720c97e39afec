package jobs

import (
	"strings"
	"testing"
)

func TestBoundedLines(t *testing.T) {
	tests := []struct {
		name    string
		writes  []string
		written string // what reached the file
		wantErr string
	}{
		{"lines at the bound", []string{"1234\n", "abcd\n"}, "1234\nabcd\n", ""},
		{"a last line without newline", []string{"1234\nab"}, "1234\nab", ""},
		{"a line over the bound", []string{"1234\n12345\n"}, "", "result line 2 is longer than 4 bytes, the most batchctl accepts of one line"},
		{"a line over the bound across writes", []string{"12", "34", "5"}, "1234", "result line 1 is longer than 4 bytes, the most batchctl accepts of one line"},
		{"a line ended by a later write", []string{"1234", "\n1"}, "1234\n1", ""},
		{"the total at the bound", []string{"1234\n1234\n", "1234\n1234\n"}, "1234\n1234\n1234\n1234\n", ""},
		{"the total over the bound", []string{"1234\n1234\n", "1234\n1234\n", "\n"}, "1234\n1234\n1234\n1234\n", "the results are larger than 20 bytes, the most 5 requests can return (4 bytes of one line each)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			b := &boundedLines{w: &out, maxLine: 4, maxTotal: 20, requests: 5}
			var err error
			for _, w := range tt.writes {
				if _, err = b.Write([]byte(w)); err != nil {
					break
				}
			}
			if got := errString(err); got != tt.wantErr {
				t.Errorf("error %q, want %q", got, tt.wantErr)
			}
			if out.String() != tt.written {
				t.Errorf("wrote %q, want %q", out.String(), tt.written)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

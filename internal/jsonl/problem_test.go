package jsonl

import (
	"errors"
	"testing"
)

func TestProblemError(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "reqs.jsonl", Line: 3, Field: "custom_id", Reason: "missing"}, "reqs.jsonl:3: custom_id: missing"},
		{Problem{File: "reqs.jsonl", Line: 9, Reason: "invalid JSON: unexpected end of input"}, "reqs.jsonl:9: invalid JSON: unexpected end of input"},
		{Problem{File: "reqs.jsonl", Line: 9, Column: 17, Reason: "invalid JSON: x"}, "reqs.jsonl:9:17: invalid JSON: x"},
		{Problem{File: "<stdin>", Reason: "no requests"}, "<stdin>: no requests"},
		{Problem{File: "a.jsonl", Column: 4, Reason: "r"}, "a.jsonl: r"}, // a column needs a line
	}
	for _, tt := range tests {
		if got := tt.p.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestValidationError(t *testing.T) {
	p1 := Problem{File: "f", Line: 1, Reason: "one"}
	p2 := Problem{File: "f", Line: 2, Reason: "two"}
	tests := []struct {
		name string
		err  ValidationError
		want string
	}{
		{"one", ValidationError{[]Problem{p1}, 1, ""}, "f:1: one"},
		{"all listed", ValidationError{[]Problem{p1, p2}, 2, ""}, "f:1: one\nf:2: two"},
		{"one more", ValidationError{[]Problem{p1, p2}, 3, ""}, "f:1: one\nf:2: two\n... and 1 more problem"},
		{"more", ValidationError{[]Problem{p1, p2}, 12, ""}, "f:1: one\nf:2: two\n... and 10 more problems"},
		{"stopped", ValidationError{[]Problem{p1, p2}, 3, "f:2: stopped reading here"}, "f:1: one\nf:2: two\n... and 1 more problem\nf:2: stopped reading here"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestProblemsCap(t *testing.T) {
	var ps problems
	if err := ps.err(); err != nil {
		t.Fatalf("no problems: got %v, want nil", err)
	}
	for i := range MaxProblems + 3 {
		ps.add(Problem{File: "f", Line: i + 1, Reason: "bad"})
	}
	var verr *ValidationError
	if !errors.As(ps.err(), &verr) {
		t.Fatalf("got %T, want *ValidationError", ps.err())
	}
	if len(verr.Problems) != MaxProblems || verr.Total != MaxProblems+3 {
		t.Errorf("got %d problems, total %d; want %d, %d", len(verr.Problems), verr.Total, MaxProblems, MaxProblems+3)
	}
	if last := verr.Problems[MaxProblems-1]; last.Line != MaxProblems {
		t.Errorf("last kept problem is line %d, want %d (the first ones are kept)", last.Line, MaxProblems)
	}
}

package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/store"
)

// testLearnedBudgets checks that learned budgets are kept per endpoint and
// model, replaced by a later one, and removed by a zero one.
func testLearnedBudgets(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	ctx := t.Context()
	if got, err := s.LearnedBudgets(ctx); err != nil || len(got) != 0 {
		t.Fatalf("LearnedBudgets of a new registry = %v, %v; want none", got, err)
	}
	a := store.LearnedBudget{Endpoint: "https://api.openai.com/v1", Model: "gpt-4o", Tokens: 80_000, Refusals: 1, UpdatedAt: t0}
	b := store.LearnedBudget{Endpoint: "https://api.openai.com/v1", Model: "ft:gpt-4o-mini:org::x", Tokens: 5, Refusals: 2, UpdatedAt: t0}
	for _, lb := range []store.LearnedBudget{a, b} {
		if err := s.SetLearnedBudget(ctx, lb); err != nil {
			t.Fatal(err)
		}
	}
	a.Tokens, a.Refusals, a.UpdatedAt = 88_000, 1, t0.Add(time.Minute)
	if err := s.SetLearnedBudget(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, err := s.LearnedBudgets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.LearnedBudget{b, a}; !reflect.DeepEqual(got, want) {
		t.Errorf("LearnedBudgets = %+v, want %+v (by endpoint, then model)", got, want)
	}
	b.Tokens = 0
	if err := s.SetLearnedBudget(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got, err := s.LearnedBudgets(ctx); err != nil || len(got) != 1 || got[0].Model != "gpt-4o" {
		t.Errorf("after removing one: %+v, %v; want gpt-4o's alone", got, err)
	}
}

package config

import (
	"errors"
	"fmt"
)

// AnyModel is the model of a budget that holds for every model without
// one of its own.
const AnyModel = "*"

// Budget caps what a profile may have enqueued at once at the provider for
// one model (or AnyModel): tokens for most protocols, requests for
// Anthropic, whose batch queue limit counts requests.
type Budget struct {
	Model  string
	Amount int64
}

// fileBudget is one entry of providers.<name>.enqueued_tokens, a list
// because model names hold dots, slashes and colons that keys cannot.
type fileBudget struct {
	Model    string `mapstructure:"model"`
	Tokens   int64  `mapstructure:"tokens"`
	Requests int64  `mapstructure:"requests"`
}

// BudgetUnit is what a profile's budgets count: "requests" for the
// Anthropic protocol, "tokens" for the others.
func BudgetUnit(profileType string) string {
	if profileType == TypeAnthropic {
		return "requests"
	}
	return "tokens"
}

// parseBudgets checks the enqueued_tokens entries of a profile of type typ.
func parseBudgets(typ string, list []fileBudget) ([]Budget, error) {
	unit := BudgetUnit(typ)
	seen := map[string]bool{}
	var out []Budget
	for i, fb := range list {
		where := fmt.Sprintf("enqueued_tokens[%d]", i)
		amount, other := fb.Tokens, fb.Requests
		if unit == "requests" {
			amount, other = fb.Requests, fb.Tokens
		}
		switch {
		case fb.Model == "":
			return nil, fmt.Errorf("%s: model is required (a model name, or \"*\" for every other model)", where)
		case seen[fb.Model]:
			return nil, fmt.Errorf("%s: model %q is listed twice", where, fb.Model)
		case other != 0 && unit == "requests":
			return nil, fmt.Errorf("%s: the %s protocol counts requests in its batch queue: write requests: N, not tokens", where, typ)
		case other != 0:
			return nil, fmt.Errorf("%s: the %s protocol counts enqueued tokens: write tokens: N, not requests", where, typ)
		case amount <= 0:
			return nil, errors.New(where + ": " + unit + " must be a positive number")
		}
		seen[fb.Model] = true
		out = append(out, Budget{Model: fb.Model, Amount: amount})
	}
	return out, nil
}

// BudgetFor returns the enqueued budget of model on this profile, in its
// unit (see BudgetUnit): the entry of that model, else the "*" entry, else
// 0 (none configured).
func (p *Profile) BudgetFor(model string) int64 {
	var any int64
	for _, b := range p.EnqueuedBudgets {
		switch b.Model {
		case model:
			return b.Amount
		case AnyModel:
			any = b.Amount
		}
	}
	return any
}

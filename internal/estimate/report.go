package estimate

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/numfmt"
	"github.com/batchctl/batchctl/internal/prices"
)

// ForPlan is the Input of a prepared job, priced by table.
func ForPlan(m *jobs.Manager, plan *jobs.Plan, profile *config.Profile, table *prices.Table) Input {
	in := Input{Target: jobs.TargetOf(profile), Provider: profile.Name, Model: plan.Model, Prices: table, Direct: profile.Direct(),
		Cache: Cache{Tokens: plan.CachePrefix, OneHour: plan.CacheTTL == "1h"}}
	for i := range plan.Parts {
		in.Parts = append(in.Parts, m.InputPath(plan.JobID, i+1))
	}
	return in
}

// Write prints the report as "name<TAB>value" lines, like create
// --dry-run's plan.
func (r *Report) Write(w io.Writer) {
	counting := "exact"
	if r.CountedBy == "provider" {
		counting = "exact, counted by " + r.Provider + "'s token-count endpoint"
	} else if r.Counting != "exact" {
		counting = "approximate, error " + *r.ErrorBound
	}
	if r.Estimated > 0 {
		if r.Counting == "exact" {
			counting = "exact for text"
		}
		counting += "; images or tools in " + plural(r.Estimated, "request") + " estimated by the provider's published rules"
	}
	fmt.Fprintf(w, "input tokens\t%s (%s)\n", numfmt.Thousands(r.InputTokens), counting)
	fmt.Fprintf(w, "output tokens\t%s\n", r.outputText(r.total()))
	if len(r.Unpriced) > 0 {
		fmt.Fprintf(w, "cost\tunknown: no price for %s (add it to %s in BATCHCTL_HOME)\n", r.unpricedNames(), prices.FileName)
	} else if r.Direct {
		fmt.Fprintf(w, "cost\t%s (a direct job: synchronous prices; as a batch %s)\n", rangeText(r.Sync), rangeText(r.Batch))
	} else {
		fmt.Fprintf(w, "batch cost\t%s\n", rangeText(r.Batch))
		saving := ""
		if r.Sync.Max != nil && r.Batch.Max != nil {
			saving = fmt.Sprintf(" (batch saves %s … %s)", Money(r.Sync.Min-r.Batch.Min), Money(*r.Sync.Max-*r.Batch.Max))
		}
		fmt.Fprintf(w, "sync cost\t%s%s\n", rangeText(r.Sync), saving)
	}
	if r.CachePrefixTokens > 0 {
		fmt.Fprintf(w, "cache\tabout %s prefix tokens marked cacheable: written once (at the %s write rate) and read by the other requests at least, written by every request at most\n",
			numfmt.Thousands(r.CachePrefixTokens), map[bool]string{true: "1-hour", false: "5-minute"}[r.CacheOneHour])
	}
	if len(r.Unpriced) == 0 && len(r.Unconfirmed) > 0 {
		fmt.Fprintf(w, "prices\tunconfirmed for %s: built-in figures not checked against the provider's page (batchctl prices; %s in BATCHCTL_HOME overrides them)\n",
			r.names(r.Unconfirmed), prices.FileName)
	}
	if len(r.Parts) > 1 {
		for i, p := range r.Parts {
			cost := ""
			if p.Batch != nil {
				cost = ", batch cost " + rangeText(p.Batch)
			}
			fmt.Fprintf(w, "part %d\t%s, %s input tokens, output %s%s\n", i+1, plural(p.Requests, "request"),
				numfmt.Thousands(p.InputTokens), outputRange(p), cost)
		}
	}
}

func (r *Report) unpricedNames() string { return r.names(r.Unpriced) }

// names lists models as provider/model.
func (r *Report) names(models []string) string {
	names := make([]string, len(models))
	for i, m := range models {
		names[i] = r.Provider + "/" + m
	}
	return strings.Join(names, ", ")
}

func (r *Report) outputText(c Count) string {
	if c.OutputTokensMax == nil {
		return fmt.Sprintf("0 … no bound: %s set no max_tokens and the model's maximum output is not in the price table",
			plural(r.Unbounded, "request"))
	}
	if d := r.DrivenBy(); d != "" {
		return outputRange(c) + " (" + d + ")"
	}
	return outputRange(c)
}

func outputRange(c Count) string {
	if c.OutputTokensMax == nil {
		return "0 … no bound"
	}
	return "0 … " + numfmt.Thousands(*c.OutputTokensMax)
}

// DrivenBy says what sets the upper bound: the two ceilings that weigh
// most, "max_tokens 4,096 on 10,000 requests".
func (r *Report) DrivenBy() string {
	var parts []string
	for i, d := range r.Drivers {
		if i == 2 {
			parts = append(parts, "…")
			break
		}
		what := "max_tokens " + numfmt.Thousands(int64(d.Ceiling))
		if d.From != "max_tokens" {
			what = "the model's maximum output " + numfmt.Thousands(int64(d.Ceiling))
		}
		parts = append(parts, what+" on "+plural(d.Requests, "request"))
	}
	return strings.Join(parts, ", ")
}

func rangeText(r *Range) string {
	if r.Max == nil {
		return Money(r.Min) + " … no bound"
	}
	return Money(r.Min) + " … " + Money(*r.Max)
}

// Money formats USD: cents from a dollar up, four decimals from a cent,
// up to six below (the smallest amount estimates are rounded to).
func Money(v float64) string {
	switch {
	case v >= 1:
		cents := int64(math.Round(v * 100))
		return fmt.Sprintf("$%s.%02d", numfmt.Thousands(cents/100), cents%100)
	case v >= 0.01:
		return fmt.Sprintf("$%.4f", v)
	}
	if v == 0 {
		return "$0"
	}
	return "$" + strings.TrimRight(fmt.Sprintf("%.6f", v), "0")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return numfmt.Thousands(int64(n)) + " " + what + "s"
}

// CheckMaxCost refuses a job whose upper bound at the job's rate (batch
// prices; synchronous prices for a direct job) is over max USD, or cannot be known: a model without a price, requests
// without an output ceiling. It returns nil when max is 0 (no cap). from
// names where the cap was set ("--max-cost", "max_cost in FILE").
func (r *Report) CheckMaxCost(max float64, from string) error {
	if max <= 0 {
		return nil
	}
	cap := from + " " + Money(max)
	cost := r.Batch
	if r.Direct {
		cost = r.Sync
	}
	switch {
	case len(r.Unpriced) > 0:
		return fmt.Errorf("%s: the cost cannot be bounded: no price for %s (add it to %s in BATCHCTL_HOME); nothing was sent",
			cap, r.unpricedNames(), prices.FileName)
	case cost.Max == nil:
		return fmt.Errorf("%s: the cost has no upper bound: %s set no max_tokens and the model's maximum output is not in the price table (pass --max-tokens); nothing was sent",
			cap, plural(r.Unbounded, "request"))
	case *cost.Max > max:
		return fmt.Errorf("%s: the job may cost up to %s (%s input tokens, up to %s output tokens: %s); nothing was sent",
			cap, Money(*cost.Max), numfmt.Thousands(r.InputTokens), numfmt.Thousands(*r.OutputTokensMax), r.DrivenBy())
	}
	return nil
}

package jobs

import (
	"cmp"
	"math"

	"github.com/batchctl/batchctl/internal/prices"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// The bases of a job's cost (Bill.Basis, "cost_basis" in JSON).
const (
	// BasisRecorded: every part's cost was recorded when its usage became
	// final, at the prices of that day.
	BasisRecorded = "recorded"
	// BasisCurrentPrices: some part has no recorded cost (the job has not
	// ended, was recorded before batchctl kept costs, or its model had no
	// price when it ended), and is priced at today's table.
	BasisCurrentPrices = "current_prices"
)

// Bill is what a job cost and what that figure rests on.
type Bill struct {
	// USD is nil while the cost is unknown: the usage is not known yet,
	// or a part not recorded has no price today. It is never 0 for that.
	USD *float64
	// Basis is BasisRecorded or BasisCurrentPrices; "" when USD is nil.
	Basis string
}

// Bill is what the job cost: the sum of its parts' recorded costs, and for
// a part without one, its usage at the rates of t (nil: none).
func (j *Job) Bill(t *prices.Table) Bill {
	if j.KnownUsage() == nil {
		return Bill{}
	}
	var usd float64
	basis := BasisRecorded
	for _, p := range j.Parts {
		c := p.Cost
		if c == nil {
			if c = j.costAt(t, p.Usage); c == nil {
				return Bill{}
			}
			basis = BasisCurrentPrices
		}
		usd += c.USD
	}
	usd = math.Round(usd*1e9) / 1e9
	return Bill{USD: &usd, Basis: basis}
}

// costAt is what usage u of the job costs at the rates of t: the Batch API
// rates for a batch job, the synchronous ones for a direct job; nil when t
// is nil or has no price for the job's model.
func (j *Job) costAt(t *prices.Table, u providers.Usage) *store.Cost {
	if t == nil {
		return nil
	}
	r, ok := t.Lookup(j.Provider, j.Model)
	if !ok {
		return nil
	}
	rates := store.RatesBatch
	if j.Direct() {
		rates = store.RatesSync
	}
	return &store.Cost{USD: r.Cost(u, rates == store.RatesBatch), Rates: rates,
		PriceSource: cmp.Or(r.Source, r.Origin), PriceDate: r.Date}
}

// priceFinal prices part, once, when its usage has become final: it has
// ended and its usage is known. The cost is recorded with the part (see
// store.Part.Cost), so a later change of prices leaves it as it was. A part
// whose model has no price, or whose price table cannot be read, is left
// without one: its cost is worked out when shown (BasisCurrentPrices).
func (m *Manager) priceFinal(j *Job, part *store.Part) {
	if part.Cost != nil || !part.UsageKnown || !providers.Status(part.Status).Terminal() {
		return
	}
	t, err := m.Prices()
	if err != nil {
		return
	}
	part.Cost = j.costAt(t, part.Usage)
}

// Prices returns the price table of the Manager's home (the built-in one
// with BATCHCTL_HOME/prices.yaml on top), read once.
func (m *Manager) Prices() (*prices.Table, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.prices == nil {
		t, err := prices.Load(m.Config.Home)
		if err != nil {
			return nil, err
		}
		m.prices = t
	}
	return m.prices, nil
}

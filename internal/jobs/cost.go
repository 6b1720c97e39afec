package jobs

import (
	"github.com/batchctl/batchctl/internal/prices"
)

// KnownCost is what the job cost in USD, from its recorded token usage
// (see KnownUsage) at the rates of t: the Batch API rates for a batch
// job, the synchronous ones for a direct job. It is nil while the usage is
// unknown and when t has no price for the job's model: an unknown cost is
// never 0. The cost follows the table, so a price corrected in
// prices.yaml corrects the bills of past jobs too.
func (j *Job) KnownCost(t *prices.Table) *float64 {
	u := j.KnownUsage()
	if u == nil || t == nil {
		return nil
	}
	usd, ok := t.Cost(j.Provider, j.Model, *u, !j.Direct())
	if !ok {
		return nil
	}
	return &usd
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

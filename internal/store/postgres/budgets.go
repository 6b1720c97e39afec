package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/batchctl/batchctl/internal/store"
)

// LearnedBudgets returns every learned budget, by endpoint and model.
func (s *Store) LearnedBudgets(ctx context.Context) ([]store.LearnedBudget, error) {
	rows, err := s.pool.Query(ctx, `SELECT endpoint, model, tokens, refusals, updated_at
		FROM learned_budgets ORDER BY endpoint, model`)
	if err != nil {
		return nil, s.errorf("learned budgets: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.LearnedBudget, error) {
		var b store.LearnedBudget
		err := row.Scan(&b.Endpoint, &b.Model, &b.Tokens, &b.Refusals, nanos{&b.UpdatedAt})
		return b, err
	})
	if err != nil {
		return nil, s.errorf("learned budgets: %w", err)
	}
	return out, nil
}

// SetLearnedBudget records b as the learned budget of its endpoint and
// model; a b.Tokens of 0 removes it.
func (s *Store) SetLearnedBudget(ctx context.Context, b store.LearnedBudget) error {
	var err error
	if b.Tokens <= 0 {
		_, err = s.pool.Exec(ctx, "DELETE FROM learned_budgets WHERE endpoint = $1 AND model = $2", b.Endpoint, b.Model)
	} else {
		_, err = s.pool.Exec(ctx, `INSERT INTO learned_budgets (endpoint, model, tokens, refusals, updated_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (endpoint, model) DO UPDATE SET tokens = excluded.tokens,
				refusals = excluded.refusals, updated_at = excluded.updated_at`,
			b.Endpoint, b.Model, b.Tokens, b.Refusals, b.UpdatedAt.UnixNano())
	}
	if err != nil {
		return s.errorf("record the learned budget of %s at %s: %w", b.Model, b.Endpoint, err)
	}
	return nil
}

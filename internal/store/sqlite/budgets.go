package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/batchctl/batchctl/internal/store"
)

// LearnedBudgets returns every learned budget, by endpoint and model.
func (s *Store) LearnedBudgets(ctx context.Context) ([]store.LearnedBudget, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT endpoint, model, tokens, refusals, updated_at
		FROM learned_budgets ORDER BY endpoint, model`)
	if err != nil {
		return nil, fmt.Errorf("learned budgets: %w", err)
	}
	defer rows.Close()
	var out []store.LearnedBudget
	for rows.Next() {
		var b store.LearnedBudget
		if err := rows.Scan(&b.Endpoint, &b.Model, int64Col{&b.Tokens}, intCol{&b.Refusals}, timeCol{&b.UpdatedAt}); err != nil {
			return nil, fmt.Errorf("learned budgets: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// SetLearnedBudget records b as the learned budget of its endpoint and
// model; a b.Tokens of 0 removes it.
func (s *Store) SetLearnedBudget(ctx context.Context, b store.LearnedBudget) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if b.Tokens <= 0 {
			_, err := tx.ExecContext(ctx, "DELETE FROM learned_budgets WHERE endpoint = ? AND model = ?", b.Endpoint, b.Model)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO learned_budgets (endpoint, model, tokens, refusals, updated_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (endpoint, model) DO UPDATE SET tokens = excluded.tokens,
				refusals = excluded.refusals, updated_at = excluded.updated_at`,
			b.Endpoint, b.Model, b.Tokens, b.Refusals, b.UpdatedAt.UnixNano())
		return err
	})
	if err != nil {
		return fmt.Errorf("record the learned budget of %s at %s: %w", b.Model, b.Endpoint, err)
	}
	return nil
}

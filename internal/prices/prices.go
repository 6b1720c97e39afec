// Package prices is batchctl's table of model prices: an embedded table
// (prices.yaml beside this file, each row with its source and date),
// overridden and extended by prices.yaml in BATCHCTL_HOME, and the rules
// that match a model name as requests spell it (dated snapshots, -latest
// aliases, a "models/" prefix) to a row.
package prices

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed prices.yaml
var embedded []byte

// FileName is the user's table in BATCHCTL_HOME.
const FileName = "prices.yaml"

// Row is the price of one model at one provider, in USD per million tokens.
type Row struct {
	Provider    string  `yaml:"provider" json:"provider"`
	Model       string  `yaml:"model" json:"model"`
	Input       float64 `yaml:"input" json:"input"`
	Output      float64 `yaml:"output" json:"output"`
	CachedInput float64 `yaml:"cached_input" json:"cached_input"`
	// CacheWrite is the rate of input tokens written to a prompt cache
	// (Anthropic: 1.25 times the input rate, for 5-minute writes); 0 where
	// writing costs what input does. CacheWrite1h is the rate of those
	// written to a one-hour cache (Anthropic: 2 times the input rate); 0
	// where they cost what CacheWrite says.
	CacheWrite   float64 `yaml:"cache_write" json:"cache_write"`
	CacheWrite1h float64 `yaml:"cache_write_1h" json:"cache_write_1h"`
	BatchInput   float64 `yaml:"batch_input" json:"batch_input"`
	BatchOutput  float64 `yaml:"batch_output" json:"batch_output"`
	// MaxOutput is the most output tokens (reasoning included) one request
	// may produce; 0 for models that produce none (embeddings).
	MaxOutput int    `yaml:"max_output" json:"max_output"`
	Source    string `yaml:"source" json:"source"`
	Date      string `yaml:"date" json:"date"`
	// Confirmed is false for a row whose figures could not be checked
	// against the provider's own page.
	Confirmed bool `yaml:"confirmed" json:"confirmed"`
	// Origin is "built-in" or the path of the user's file.
	Origin string `yaml:"-" json:"origin"`
}

// entry is a row as written in a file: every field but model optional, so
// that a user entry can change one figure of a built-in row.
type entry struct {
	Provider     string   `yaml:"provider"`
	Model        string   `yaml:"model"`
	Input        *float64 `yaml:"input"`
	Output       *float64 `yaml:"output"`
	CachedInput  *float64 `yaml:"cached_input"`
	CacheWrite   *float64 `yaml:"cache_write"`
	CacheWrite1h *float64 `yaml:"cache_write_1h"`
	BatchInput   *float64 `yaml:"batch_input"`
	BatchOutput  *float64 `yaml:"batch_output"`
	MaxOutput    *int     `yaml:"max_output"`
	Source       *string  `yaml:"source"`
	Date         *string  `yaml:"date"`
	Confirmed    *bool    `yaml:"confirmed"`
}

// Table is a set of rows, looked up by provider and model.
type Table struct {
	rows []Row
}

// Rows returns the rows sorted by provider, then model.
func (t *Table) Rows() []Row { return t.rows }

// Builtin returns the embedded table alone.
func Builtin() *Table {
	t, err := parse(embedded, "built-in", nil)
	if err != nil {
		panic("the embedded price table: " + err.Error())
	}
	return t
}

// Load returns the embedded table with the entries of home/prices.yaml, if
// that file exists, applied on top: an entry whose provider and model
// match a row changes the figures it gives, any other entry is a new row.
// An entry without a provider applies to every row of its model.
func Load(home string) (*Table, error) {
	t := Builtin()
	path := filepath.Join(home, FileName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return nil, err
	}
	return parse(b, path, t.rows)
}

func parse(b []byte, origin string, base []Row) (*Table, error) {
	var entries []entry
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true) // a misspelt field is an error, not a price of 0
	if err := dec.Decode(&entries); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: want a list of entries, each with a model: field: %w", origin, err)
	}
	rows := append([]Row(nil), base...)
	for i, e := range entries {
		if e.Model == "" {
			return nil, fmt.Errorf("%s: entry %d: no model", origin, i+1)
		}
		matched := false
		for j := range rows {
			if rows[j].Model == e.Model && (e.Provider == "" || e.Provider == rows[j].Provider) {
				e.apply(&rows[j], origin)
				matched = true
			}
		}
		if matched {
			continue
		}
		if e.Provider == "" {
			return nil, fmt.Errorf("%s: entry %d (model %s): no provider, and no row of that model to change", origin, i+1, e.Model)
		}
		if e.Input == nil {
			return nil, fmt.Errorf("%s: entry %d (model %s): a new model needs at least input:", origin, i+1, e.Model)
		}
		r := Row{Provider: e.Provider, Model: e.Model}
		e.apply(&r, origin)
		if e.BatchInput == nil {
			r.BatchInput = r.Input
		}
		if e.BatchOutput == nil {
			r.BatchOutput = r.Output
		}
		rows = append(rows, r)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Provider != rows[j].Provider {
			return rows[i].Provider < rows[j].Provider
		}
		return rows[i].Model < rows[j].Model
	})
	return &Table{rows: rows}, nil
}

func (e *entry) apply(r *Row, origin string) {
	setF := func(dst *float64, src *float64) {
		if src != nil {
			*dst = *src
		}
	}
	setF(&r.Input, e.Input)
	setF(&r.Output, e.Output)
	setF(&r.CachedInput, e.CachedInput)
	setF(&r.CacheWrite, e.CacheWrite)
	setF(&r.CacheWrite1h, e.CacheWrite1h)
	setF(&r.BatchInput, e.BatchInput)
	setF(&r.BatchOutput, e.BatchOutput)
	if e.MaxOutput != nil {
		r.MaxOutput = *e.MaxOutput
	}
	if e.Source != nil {
		r.Source = *e.Source
	}
	if e.Date != nil {
		r.Date = *e.Date
	}
	// A user's own figures are taken as confirmed unless the entry says not.
	r.Confirmed = origin != "built-in"
	if e.Confirmed != nil {
		r.Confirmed = *e.Confirmed
	}
	r.Origin = origin
}

// snapshot matches the suffixes that name a dated snapshot or an alias of
// a model: gpt-4o-2024-08-06, claude-sonnet-4-5-20250929,
// claude-3-5-haiku-latest, gemini-2.0-flash-001, claude-opus-4-1@20250805
// (Vertex AI spelling).
var snapshot = regexp.MustCompile(`(-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8}|-latest|-\d{3})$`)

// Lookup finds the row of a model at a provider. It tries, in order: the
// name as given (without a Gemini "models/" prefix); the name without a
// snapshot suffix (see snapshot); and that name with "-0" added, as
// Anthropic names claude-sonnet-4-20250514 claude-sonnet-4-0. It returns
// the row and false when no row matches: a model without a price is never
// priced at 0.
func (t *Table) Lookup(provider, model string) (Row, bool) {
	model = strings.TrimPrefix(model, "models/")
	for _, name := range candidates(model) {
		for _, r := range t.rows {
			if r.Provider == provider && r.Model == name {
				return r, true
			}
		}
	}
	return Row{}, false
}

func candidates(model string) []string {
	names := []string{model}
	if base := snapshot.ReplaceAllString(model, ""); base != model {
		names = append(names, base)
		model = base
	}
	return append(names, model+"-0")
}

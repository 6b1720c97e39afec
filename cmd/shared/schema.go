package shared

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/schemacheck"
)

// ReadSchema reads and compiles a --schema file and returns its bytes,
// compact; nil for no file. A file that cannot be read or is not a JSON
// Schema is a usage error (exit 2) naming the file and the problem.
func ReadSchema(path string) ([]byte, error) {
	doc, _, err := loadSchema(path)
	return doc, err
}

// LoadSchema is ReadSchema for checking: the compiled schema.
func LoadSchema(path string) (*schemacheck.Schema, error) {
	_, s, err := loadSchema(path)
	return s, err
}

func loadSchema(path string) ([]byte, *schemacheck.Schema, error) {
	if path == "" {
		return nil, nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, &cmdutil.UsageError{Err: fmt.Errorf("--schema: %w", err)}
	}
	s, err := schemacheck.Compile(path, b)
	if err != nil {
		return nil, nil, &cmdutil.UsageError{Err: fmt.Errorf("--schema %s: %v", path, err)}
	}
	var compacted bytes.Buffer
	if err := json.Compact(&compacted, b); err != nil {
		return nil, nil, &cmdutil.UsageError{Err: fmt.Errorf("--schema %s: %v", path, err)}
	}
	return compacted.Bytes(), s, nil
}

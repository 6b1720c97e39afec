package providers

import (
	"errors"
	"fmt"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// ScanResultLine reads one provider result line, which must be a single
// JSON object, handing each member to member in one pass. Its errors read
// the same for every provider: "result line is not valid JSON: ..." or
// "result line: ...".
func ScanResultLine(line []byte, member func(s *jsonscan.Scanner, key []byte) error) error {
	s := jsonscan.New(line)
	err := s.Object(func(key []byte) error { return member(&s, key) })
	if err == nil {
		err = s.End()
	}
	switch {
	case err == nil:
		return nil
	case errors.As(err, new(*jsonscan.SyntaxError)):
		return fmt.Errorf("result line is not valid JSON: %w", err)
	}
	return fmt.Errorf("result line: %w", err)
}

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

// AppendTypedText reads a content block {"type":...,"text":...} and, when
// its type is want, appends its text to dst (ok true); any other block
// leaves dst as it was. "type" may come after "text".
func AppendTypedText(s *jsonscan.Scanner, dst []byte, want string) (out []byte, ok bool, err error) {
	var typ string
	mark := len(dst)
	err = s.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "type":
			typ, err = s.Str()
		case "text":
			dst, err = s.AppendStr(dst[:mark])
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(key, err)
	})
	if typ != want {
		return dst[:mark], false, err
	}
	return dst, true, err
}

package schemacheck

import (
	"encoding/json"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// Decode reads one JSON document into the values the validator takes:
// map[string]any, []any, string, json.Number, bool and nil. It is
// encoding/json's Unmarshal into any with UseNumber (a repeated key keeps
// its last value), in one pass over the bytes with the project's scanner,
// which is what keeps checking an answer cheap next to normalizing its line.
func Decode(doc []byte) (any, error) {
	s := jsonscan.New(doc)
	v, err := decodeValue(&s)
	if err == nil {
		err = s.End()
	}
	return v, err
}

func decodeValue(s *jsonscan.Scanner) (any, error) {
	switch s.Peek() {
	case '{':
		obj := map[string]any{}
		err := s.Object(func(key []byte) error {
			v, err := decodeValue(s)
			obj[string(key)] = v
			return err
		})
		return obj, err
	case '[':
		arr := []any{}
		err := s.Array(func(int) error {
			v, err := decodeValue(s)
			arr = append(arr, v)
			return err
		})
		return arr, err
	case '"':
		return s.Str()
	case 't', 'f', 'n':
		raw, err := s.Raw()
		if err != nil {
			return nil, err
		}
		switch raw[0] {
		case 't':
			return true, nil
		case 'f':
			return false, nil
		}
		return nil, nil
	}
	raw, err := s.Raw() // a number, or not a value at all
	return json.Number(raw), err
}

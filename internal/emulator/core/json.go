package core

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
)

// WriteJSON sends v as a JSON response. HTML characters are not escaped, as
// in the real APIs' answers.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	EncodeJSON(w, v)
}

// EncodeJSON writes v as one line of JSON (with its newline).
func EncodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// StrPtr returns a pointer to s, for nullable JSON strings.
func StrPtr(s string) *string { return &s }

// JSONTypeName names the JSON type that decodes into t.
func JSONTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct, reflect.Pointer:
		return "an object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a different type"
}

// MessageText returns the text of message content: a string, or the text
// fields of its parts concatenated. ok is false for any other JSON.
func MessageText(content json.RawMessage) (text string, ok bool) {
	if len(content) == 0 || string(content) == "null" {
		return "", true
	}
	if json.Unmarshal(content, &text) == nil {
		return text, true
	}
	var parts []struct {
		Text *string `json:"text"`
	}
	if json.Unmarshal(content, &parts) != nil {
		return "", false
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Text != nil {
			b.WriteString(*p.Text)
		}
	}
	return b.String(), true
}

// MarshalOrdered encodes a JSON object whose members keep their order
// (encoding/json would sort a map's keys): values[i] is keys[i]'s.
func MarshalOrdered(keys []string, values []any) ([]byte, error) {
	b := []byte{'{'}
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(keys[i])
		val, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), val...)
	}
	return append(b, '}'), nil
}

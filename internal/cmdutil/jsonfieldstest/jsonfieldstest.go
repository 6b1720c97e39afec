// Package jsonfieldstest helps commands pin the JSON they print: a test
// lists the exact keys of its output type, so a renamed, removed or added
// field fails the test instead of breaking scripts silently.
package jsonfieldstest

import (
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Fields returns the JSON keys of v's type in the order encoding/json
// writes them. Keys of nested objects (structs, also inside pointers and
// slices) follow their parent as "parent.key". Maps and types with their own
// JSON encoding (time.Time) are leaves.
func Fields(v any) []string {
	return fields(reflect.TypeOf(v), "")
}

// Equal fails t unless the JSON keys of v are exactly want, in order.
func Equal(t testing.TB, v any, want []string) {
	t.Helper()
	got := Fields(v)
	if slices.Equal(got, want) {
		return
	}
	t.Errorf("JSON fields of %T changed; they are a documented contract: add, never rename or remove\n"+
		"new: %s\ngone: %s\ngot: %s", v, missing(got, want), missing(want, got), strings.Join(got, " "))
}

// missing lists the keys of a that are not in b ("-" for none).
func missing(a, b []string) string {
	var out []string
	for _, k := range a {
		if !slices.Contains(b, k) {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, " ")
}

func fields(t reflect.Type, prefix string) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || ownEncoding(t) {
		return nil
	}
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported() && !f.Anonymous:
			continue
		case f.Anonymous && name == "":
			out = append(out, fields(f.Type, prefix)...) // embedded: promoted fields
			continue
		case name == "":
			name = f.Name
		}
		out = append(out, prefix+name)
		out = append(out, fields(f.Type, prefix+name+".")...)
	}
	return out
}

// ownEncoding reports whether t (or *t) encodes itself, as time.Time does.
func ownEncoding(t reflect.Type) bool {
	for _, i := range []reflect.Type{reflect.TypeFor[json.Marshaler](), reflect.TypeFor[encoding.TextMarshaler]()} {
		if t.Implements(i) || reflect.PointerTo(t).Implements(i) {
			return true
		}
	}
	return false
}

package core

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MinimalInstance returns the smallest JSON value that validates against
// schema, a JSON Schema, for the subset the emulator answers: type (one or
// a list; the first listed wins), const, enum (the first value),
// properties and required (an object holds its required members, in the
// order required lists them), items, prefixItems and minItems, minimum,
// maximum and exclusiveMinimum / exclusiveMaximum, multipleOf, minLength
// and maxLength, anyOf and oneOf (the first branch), allOf of object
// schemas, and $ref to "#", "#/$defs/..." or "#/definitions/...".
// Annotations (title, description, default, examples, format, ...) and
// the keywords that only forbid (additionalProperties, maxItems, ...) are
// ignored. A string holds fill (cut to maxLength and padded with "x" to
// minLength), so answers can echo the prompt.
//
// Keywords whose instances it cannot make are refused with an error naming
// the keyword and where it is: pattern, patternProperties, not, if / then /
// else, dependentSchemas, dependentRequired, contains, propertyNames,
// unevaluated*, and $ref to anything but the schema's own definitions.
// Emulator handlers use it for tool-call arguments and structured outputs.
func MinimalInstance(schema []byte, fill string) ([]byte, error) {
	var root any
	d := json.NewDecoder(bytes.NewReader(schema))
	d.UseNumber()
	if err := d.Decode(&root); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	g := instanceMaker{root: root, fill: fill}
	var out bytes.Buffer
	if err := g.make(&out, root, "#", 0); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// refusedKeywords are the keywords MinimalInstance does not satisfy.
var refusedKeywords = []string{
	"pattern", "patternProperties", "not", "if", "then", "else", "dependentSchemas",
	"dependentRequired", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems",
}

type instanceMaker struct {
	root any
	fill string
}

// make writes an instance of s, the schema at path, to out.
func (g *instanceMaker) make(out *bytes.Buffer, s any, path string, depth int) error {
	if depth > 64 {
		return fmt.Errorf("schema %s: nested too deep (a recursive $ref?)", path)
	}
	switch v := s.(type) {
	case bool:
		if !v {
			return fmt.Errorf("schema %s: false accepts nothing", path)
		}
		out.WriteString("null")
		return nil
	case map[string]any:
		return g.makeObject(out, v, path, depth)
	}
	return fmt.Errorf("schema %s: must be an object or a boolean", path)
}

func (g *instanceMaker) makeObject(out *bytes.Buffer, s map[string]any, path string, depth int) error {
	for _, k := range refusedKeywords {
		if _, ok := s[k]; ok {
			return fmt.Errorf("schema %s: %q is not supported by the emulator", path, k)
		}
	}
	if ref, ok := s["$ref"].(string); ok {
		target, err := g.resolve(ref, path)
		if err != nil {
			return err
		}
		return g.make(out, target, ref, depth+1)
	}
	if c, ok := s["const"]; ok {
		return writeJSON(out, c)
	}
	if e, ok := s["enum"].([]any); ok && len(e) > 0 {
		return writeJSON(out, e[0])
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		if branches, ok := s[k].([]any); ok && len(branches) > 0 {
			return g.make(out, branches[0], path+"/"+k+"/0", depth+1)
		}
	}
	if all, ok := s["allOf"].([]any); ok && len(all) > 0 {
		merged, err := mergeAllOf(s, all, path)
		if err != nil {
			return err
		}
		return g.makeObject(out, merged, path, depth+1)
	}
	switch typeOf(s) {
	case "object":
		return g.makeMembers(out, s, path, depth)
	case "array":
		return g.makeArray(out, s, path, depth)
	case "string":
		writeString(out, g.fill, s)
		return nil
	case "integer":
		return writeNumber(out, s, true, path)
	case "number":
		return writeNumber(out, s, false, path)
	case "boolean":
		out.WriteString("false")
		return nil
	case "null":
		out.WriteString("null")
		return nil
	}
	return fmt.Errorf("schema %s: unknown type %v", path, s["type"])
}

// typeOf is the type an instance of s is made as: its type, or the first
// of its types, or what its keywords imply.
func typeOf(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		if len(t) > 0 {
			if first, ok := t[0].(string); ok {
				return first
			}
		}
	}
	switch {
	case s["properties"] != nil || s["required"] != nil:
		return "object"
	case s["items"] != nil || s["prefixItems"] != nil:
		return "array"
	case s["minLength"] != nil || s["maxLength"] != nil:
		return "string"
	case s["minimum"] != nil || s["maximum"] != nil:
		return "number"
	}
	return "null"
}

func (g *instanceMaker) makeMembers(out *bytes.Buffer, s map[string]any, path string, depth int) error {
	props, _ := s["properties"].(map[string]any)
	required, _ := s["required"].([]any)
	out.WriteByte('{')
	for i, r := range required {
		name, ok := r.(string)
		if !ok {
			return fmt.Errorf("schema %s/required/%d: must be a string", path, i)
		}
		if i > 0 {
			out.WriteByte(',')
		}
		writeJSON(out, name) //nolint:errcheck // a string always encodes
		out.WriteByte(':')
		sub, ok := props[name]
		if !ok {
			sub = true // any value will do
		}
		if err := g.make(out, sub, path+"/properties/"+name, depth+1); err != nil {
			return err
		}
	}
	out.WriteByte('}')
	return nil
}

func (g *instanceMaker) makeArray(out *bytes.Buffer, s map[string]any, path string, depth int) error {
	prefix, _ := s["prefixItems"].([]any)
	n := len(prefix)
	if m, ok := intOf(s["minItems"]); ok && m > n {
		n = m
	}
	out.WriteByte('[')
	for i := range n {
		if i > 0 {
			out.WriteByte(',')
		}
		var sub any = true
		at := path + "/items"
		if i < len(prefix) {
			sub, at = prefix[i], path+"/prefixItems/"+strconv.Itoa(i)
		} else if items, ok := s["items"]; ok {
			sub = items
		}
		if err := g.make(out, sub, at, depth+1); err != nil {
			return err
		}
	}
	out.WriteByte(']')
	return nil
}

// resolve finds the schema a local $ref names.
func (g *instanceMaker) resolve(ref, path string) (any, error) {
	if ref == "#" {
		return g.root, nil
	}
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("schema %s: $ref %q is not supported by the emulator (only refs within the schema)", path, ref)
	}
	node := g.root
	for _, seg := range strings.Split(rest, "/") {
		seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
		m, ok := node.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("schema %s: $ref %q names nothing", path, ref)
		}
		if node, ok = m[seg]; !ok {
			return nil, fmt.Errorf("schema %s: $ref %q names nothing", path, ref)
		}
	}
	return node, nil
}

// mergeAllOf folds the object schemas of allOf into one: their
// properties, required members and type.
func mergeAllOf(s map[string]any, all []any, path string) (map[string]any, error) {
	merged := map[string]any{}
	props := map[string]any{}
	var required []any
	for i, sub := range append([]any{s}, all...) {
		m, ok := sub.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("schema %s/allOf/%d: must be an object", path, i-1)
		}
		for k, v := range m {
			switch k {
			case "allOf":
			case "properties":
				pm, _ := v.(map[string]any)
				for name, p := range pm {
					props[name] = p
				}
			case "required":
				r, _ := v.([]any)
				required = append(required, r...)
			default:
				merged[k] = v
			}
		}
	}
	merged["properties"], merged["required"] = props, required
	return merged, nil
}

// writeString writes fill, fitted to minLength and maxLength.
func writeString(out *bytes.Buffer, fill string, s map[string]any) {
	r := []rune(fill)
	if most, ok := intOf(s["maxLength"]); ok && len(r) > most {
		r = r[:most]
	}
	if least, ok := intOf(s["minLength"]); ok {
		for len(r) < least {
			r = append(r, 'x')
		}
	}
	writeJSON(out, string(r)) //nolint:errcheck // a string always encodes
}

// writeNumber writes the number nearest 0 within the schema's bounds, a
// multiple of multipleOf when it sets one.
func writeNumber(out *bytes.Buffer, s map[string]any, integer bool, path string) error {
	lo, hi := math.Inf(-1), math.Inf(1)
	if v, ok := floatOf(s["minimum"]); ok {
		lo = v
	}
	if v, ok := floatOf(s["maximum"]); ok {
		hi = v
	}
	step := 0.0
	if integer {
		step = 1
	}
	if v, ok := floatOf(s["multipleOf"]); ok && v > 0 {
		step = v
	}
	if v, ok := floatOf(s["exclusiveMinimum"]); ok {
		lo = math.Max(lo, nextAbove(v, step))
	}
	if v, ok := floatOf(s["exclusiveMaximum"]); ok {
		hi = math.Min(hi, -nextAbove(-v, step))
	}
	x := 0.0
	switch {
	case lo > 0:
		x = lo
	case hi < 0:
		x = hi
	}
	if step > 0 {
		if x >= 0 {
			x = math.Ceil(x/step) * step
		} else {
			x = math.Floor(x/step) * step
		}
	}
	if x < lo || x > hi {
		return fmt.Errorf("schema %s: no number fits its bounds", path)
	}
	out.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	return nil
}

// nextAbove is the smallest number above v: v+step, or a little above v
// when step is 0.
func nextAbove(v, step float64) float64 {
	if step > 0 {
		return math.Floor(v/step)*step + step
	}
	return v + math.Max(math.Abs(v)*1e-9, 1e-9)
}

func floatOf(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func intOf(v any) (int, bool) {
	f, ok := floatOf(v)
	return int(f), ok && f >= 0
}

func writeJSON(out *bytes.Buffer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	out.Write(b)
	return nil
}

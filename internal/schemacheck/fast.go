package schemacheck

import (
	"math/big"
	"strconv"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// The library validates a decoded value, which costs several times what
// normalizing a result line does; checking must add at most half to it
// (issue 17). So the schemas of the common extraction case get a quick
// confirmation first: a fastNode tree built from the library's own
// compiled schema, for a subset of keywords (type, enum of strings,
// properties, required, additionalProperties false, items, minItems,
// maxItems, minLength, maxLength, minimum, maximum, exclusiveMinimum,
// exclusiveMaximum), walks the answer's bytes once without building
// values. It only ever confirms: an answer it cannot vouch for (one that
// breaks a rule, or sits where float rounding could matter, or a schema
// with any other keyword) goes to the library, which decides and says
// why. suite_test.go holds it to the JSON Schema Test Suite: it never
// confirms an instance the suite calls invalid.
type fastNode struct {
	types      uint8 // allowed kinds (kindObject, ...); 0 allows any
	enum       []string
	props      map[string]*fastNode
	required   []string
	closed     bool // additionalProperties: false
	items      *fastNode
	minItems   int
	maxItems   int // -1 for none
	minLength  int
	maxLength  int // -1 for none
	min, max   *bound
	anyAllowed bool // the schema true, or {}
}

// bound is a numeric bound, exact as a float64.
type bound struct {
	v         float64
	exclusive bool
}

const (
	kindNull uint8 = 1 << iota
	kindBool
	kindNumber
	kindInteger
	kindString
	kindArray
	kindObject
)

var kindOfType = map[string]uint8{
	"null": kindNull, "boolean": kindBool, "number": kindNumber | kindInteger, "integer": kindInteger,
	"string": kindString, "array": kindArray, "object": kindObject,
}

// buildFast returns the fastNode of s, or nil when s uses a keyword it
// does not take.
func buildFast(s *jsonschema.Schema, depth int) *fastNode {
	if depth > 32 || s == nil {
		return nil
	}
	if s.Bool != nil {
		if *s.Bool {
			return &fastNode{anyAllowed: true, maxItems: -1, maxLength: -1}
		}
		return nil
	}
	if s.Ref != nil || s.RecursiveRef != nil || s.DynamicRef != nil || s.Const != nil || s.Not != nil ||
		len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) > 0 || s.If != nil || s.Then != nil || s.Else != nil ||
		s.MaxProperties != nil || s.MinProperties != nil || s.PropertyNames != nil || len(s.PatternProperties) > 0 ||
		len(s.Dependencies)+len(s.DependentRequired)+len(s.DependentSchemas) > 0 || s.UnevaluatedProperties != nil ||
		s.UniqueItems || s.Contains != nil || s.MinContains != nil || s.MaxContains != nil || s.AdditionalItems != nil ||
		len(s.PrefixItems) > 0 || s.UnevaluatedItems != nil || s.Pattern != nil || s.ContentEncoding != nil ||
		s.ContentMediaType != nil || s.ContentSchema != nil || s.MultipleOf != nil || len(s.Extensions) > 0 {
		return nil
	}
	n := &fastNode{maxItems: -1, maxLength: -1, required: s.Required}
	if s.Types != nil {
		for _, t := range s.Types.ToStrings() {
			n.types |= kindOfType[t]
		}
	}
	if s.Enum != nil {
		n.enum = make([]string, 0, len(s.Enum.Values)) // non-nil: an empty enum allows nothing
		for _, v := range s.Enum.Values {
			str, ok := v.(string)
			if !ok {
				return nil
			}
			n.enum = append(n.enum, str)
		}
	}
	if len(s.Properties) > 0 {
		n.props = make(map[string]*fastNode, len(s.Properties))
		for name, ps := range s.Properties {
			if n.props[name] = buildFast(ps, depth+1); n.props[name] == nil {
				return nil
			}
		}
	}
	switch ap := s.AdditionalProperties.(type) {
	case nil:
	case bool:
		n.closed = !ap
	default:
		return nil
	}
	items := s.Items2020
	switch it := s.Items.(type) {
	case nil:
	case *jsonschema.Schema:
		items = it
	default:
		return nil
	}
	if items != nil {
		if n.items = buildFast(items, depth+1); n.items == nil {
			return nil
		}
	}
	var ok bool
	if n.minItems, ok = intOr(s.MinItems, 0); !ok {
		return nil
	}
	n.maxItems, _ = intOr(s.MaxItems, -1)
	n.minLength, _ = intOr(s.MinLength, 0)
	n.maxLength, _ = intOr(s.MaxLength, -1)
	if n.min, ok = boundOf(s.Minimum, s.ExclusiveMinimum); !ok {
		return nil
	}
	if n.max, ok = boundOf(s.Maximum, s.ExclusiveMaximum); !ok {
		return nil
	}
	return n
}

func intOr(p *int, def int) (int, bool) {
	if p == nil {
		return def, true
	}
	return *p, true
}

// boundOf takes one of an inclusive and an exclusive bound, when it is
// exact as a float64.
func boundOf(inclusive, exclusive *big.Rat) (*bound, bool) {
	switch {
	case inclusive != nil && exclusive != nil:
		return nil, false
	case inclusive != nil:
		v, exact := inclusive.Float64()
		return &bound{v: v}, exact
	case exclusive != nil:
		v, exact := exclusive.Float64()
		return &bound{v: v, exclusive: true}, exact
	}
	return nil, true
}

// fastChecker walks one answer.
type fastChecker struct {
	s   jsonscan.Scanner
	buf []byte
}

// confirm reports whether doc is one JSON value that n certainly accepts.
func (c *fastChecker) confirm(n *fastNode, doc []byte) bool {
	c.s.Reset(doc)
	return c.value(n) && c.s.End() == nil
}

func (c *fastChecker) value(n *fastNode) bool {
	if n.anyAllowed {
		return c.s.Skip() == nil
	}
	switch c.s.Peek() {
	case '{':
		return n.allows(kindObject) && n.enum == nil && c.object(n)
	case '[':
		return n.allows(kindArray) && n.enum == nil && c.array(n)
	case '"':
		return n.allows(kindString) && c.str(n)
	case 't', 'f':
		return n.allows(kindBool) && n.enum == nil && c.s.Skip() == nil
	case 'n':
		return n.allows(kindNull) && n.enum == nil && c.s.Skip() == nil
	}
	return n.enum == nil && c.number(n)
}

func (n *fastNode) allows(k uint8) bool { return n.types == 0 || n.types&k != 0 }

func (c *fastChecker) object(n *fastNode) bool {
	var seen uint64
	if len(n.required) > 64 {
		return false
	}
	ok := true
	err := c.s.Object(func(key []byte) error {
		for i, r := range n.required {
			if r == string(key) {
				seen |= 1 << i
			}
		}
		ps, known := n.props[string(key)]
		switch {
		case !known && n.closed:
			ok = false
			return errStop
		case !known:
			return c.s.Skip()
		}
		if !c.value(ps) {
			ok = false
			return errStop
		}
		return nil
	})
	return ok && err == nil && seen == 1<<len(n.required)-1
}

func (c *fastChecker) array(n *fastNode) bool {
	count, ok := 0, true
	err := c.s.Array(func(int) error {
		count++
		if n.items == nil {
			return c.s.Skip()
		}
		if !c.value(n.items) {
			ok = false
			return errStop
		}
		return nil
	})
	return ok && err == nil && count >= n.minItems && (n.maxItems < 0 || count <= n.maxItems)
}

func (c *fastChecker) str(n *fastNode) bool {
	var err error
	if c.buf, err = c.s.AppendStr(c.buf[:0]); err != nil {
		return false
	}
	if n.enum != nil {
		found := false
		for _, e := range n.enum {
			if e == string(c.buf) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if n.minLength > 0 || n.maxLength >= 0 {
		l := utf8.RuneCount(c.buf)
		return l >= n.minLength && (n.maxLength < 0 || l <= n.maxLength)
	}
	return true
}

func (c *fastChecker) number(n *fastNode) bool {
	raw, err := c.s.Raw()
	if err != nil {
		return false
	}
	integral := true
	for _, b := range raw {
		if b == '.' || b == 'e' || b == 'E' {
			integral = false // 1.0 is an integer too: the library decides
			break
		}
	}
	switch {
	case integral && !n.allows(kindInteger):
		return false
	case !integral && !n.allows(kindNumber):
		return false
	}
	if n.min == nil && n.max == nil {
		return true
	}
	v, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || len(raw) > 15 { // past 15 digits, rounding could cross a bound
		return false
	}
	// Equal to a bound as a float64 is for the library to decide.
	return (n.min == nil || v > n.min.v) && (n.max == nil || v < n.max.v)
}

// errStop ends a walk early.
var errStop = stopErr{}

type stopErr struct{}

func (stopErr) Error() string { return "stop" }

package jsonl

import "strconv"

// loc names a member or an array element of a line in problems, as a path
// such as body.messages[2].content. Parsers build locs on the stack as they
// descend and format one only when they report a problem, so converting a
// valid line spends nothing on names.
type loc struct {
	up    *loc
	name  string // "" for an array element
	index int
}

// root is the top-level member name; root("") is the line itself.
func root(name string) loc { return loc{name: name} }

// key is the member name of the object at l.
func (l *loc) key(name string) loc { return loc{up: l, name: name} }

// elem is element i of the array at l.
func (l *loc) elem(i int) loc { return loc{up: l, index: i} }

// String formats l as a path.
func (l *loc) String() string { return string(l.appendTo(nil)) }

// child formats the path of member name of the object at l.
func (l *loc) child(name []byte) string {
	b := l.appendTo(nil)
	if len(b) > 0 {
		b = append(b, '.')
	}
	return string(append(b, name...))
}

// appendTo appends the path of l to b. It walks up from l once per
// segment rather than keeping pointers, so that no loc escapes to the heap.
func (l *loc) appendTo(b []byte) []byte {
	depth := 0
	for p := l.up; p != nil; p = p.up {
		depth++
	}
	for ; depth >= 0; depth-- {
		p := l
		for range depth {
			p = p.up
		}
		switch {
		case p.name == "" && p.up != nil:
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(p.index), 10)
			b = append(b, ']')
		case p.name != "":
			if len(b) > 0 {
				b = append(b, '.')
			}
			b = append(b, p.name...)
		}
	}
	return b
}

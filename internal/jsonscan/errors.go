package jsonscan

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// SyntaxError says where and why a document is not valid JSON. Error words
// it as encoding/json does; Explain words it for a person to fix.
type SyntaxError struct {
	Offset int  // of the offending byte; the length of the document when AtEnd
	AtEnd  bool // the document ended in the middle of a value

	problem  problem
	char     string // the offending character: one rune, or one byte that is not UTF-8
	literal  string // for wantLiteral, the literal being read
	expected byte   // for wantLiteral, the byte it has instead of char
}

// problem is what the grammar wanted where the document went wrong.
type problem uint8

const (
	wantValue problem = iota
	wantFirstKey
	wantKey
	wantColon
	wantMemberEnd
	wantElemEnd
	wantEnd
	wantLiteral
	wantDigit
	wantFraction
	wantExponent
	wantEscape
	wantHex
	controlChar
	invalidUTF8
	tooDeep
)

// Error returns the message encoding/json gives for the problem (in most
// cases; it words the end of the input differently) and the offset, such
// as "invalid character '}' after array element at offset 7".
func (e *SyntaxError) Error() string {
	var msg string
	switch {
	case e.AtEnd:
		msg = "unexpected end of input"
	case e.problem == invalidUTF8:
		msg = "invalid UTF-8 in string"
	case e.problem == tooDeep:
		msg = "exceeded max depth"
	case e.problem == wantLiteral:
		msg = fmt.Sprintf("invalid character %q in literal %s (expecting %q)", e.char[0], e.literal, e.expected)
	default:
		where, _ := e.problem.words()
		msg = fmt.Sprintf("invalid character %q %s", e.char[0], where)
	}
	return msg + " at offset " + strconv.Itoa(e.Offset)
}

// Explain says what is wrong in the words of someone who writes JSON Lines
// by hand, without the position, which the caller shows in its own terms:
// "expected ',' or ']' after array element, found '}'". Typographic quotes
// pasted from a word processor show as themselves.
func (e *SyntaxError) Explain() string {
	switch {
	case e.AtEnd:
		return "unexpected end of input"
	case e.problem == invalidUTF8:
		return "invalid UTF-8 in string"
	case e.problem == tooDeep:
		return "nesting deeper than " + strconv.Itoa(maxDepth) + " levels"
	case e.problem == controlChar:
		return "control character " + describe(e.char) + " in string (escape it)"
	case e.problem == wantLiteral:
		return "expected literal " + e.literal + ", found " + describe(e.char)
	}
	_, want := e.problem.words()
	return "expected " + want + ", found " + describe(e.char)
}

// words returns how encoding/json says where the grammar wanted something
// else, and what Explain says it wanted.
func (p problem) words() (where, want string) {
	switch p {
	case wantFirstKey:
		return "looking for beginning of object key string", "a string key or '}'"
	case wantKey:
		return "looking for beginning of object key string", "a string key"
	case wantColon:
		return "after object key", "':' after object key"
	case wantMemberEnd:
		return "after object key:value pair", "',' or '}' after object member"
	case wantElemEnd:
		return "after array element", "',' or ']' after array element"
	case wantEnd:
		return "after top-level value", "end of line after the JSON value"
	case wantDigit:
		return "in numeric literal", "a digit"
	case wantFraction:
		return "after decimal point in numeric literal", "a digit after '.'"
	case wantExponent:
		return "in exponent of numeric literal", "a digit in exponent"
	case wantEscape:
		return "in string escape code", `an escape character (one of "\/bfnrtu) after '\'`
	case wantHex:
		return `in \u hexadecimal character escape`, `a hexadecimal digit in \u escape`
	case controlChar:
		return "in string literal", "" // Explain words it differently
	}
	return "looking for beginning of value", "a value"
}

// describe quotes char, the offending character, for Explain.
func describe(char string) string {
	if r, _ := utf8.DecodeRuneInString(char); r != utf8.RuneError || len(char) > 1 {
		return strconv.QuoteRune(r)
	}
	return fmt.Sprintf("byte 0x%02x", char[0])
}

// StrictError says that a document is valid JSON but holds what the
// Scanner was told to disallow: a duplicate key or a lone surrogate. JSON
// parsers disagree on what such a document means.
type StrictError struct {
	Offset int // of the repeated key, or of the escape
	reason string
}

// Error returns the reason and the offset.
func (e *StrictError) Error() string { return e.reason + " at offset " + strconv.Itoa(e.Offset) }

// Explain says what is wrong without the position, as SyntaxError.Explain
// does: `duplicate key "role"`.
func (e *StrictError) Explain() string { return e.reason }

package jsonfieldstest

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

type inner struct {
	A int `json:"a"`
	B int `json:"b,omitempty"`
}

type Embedded struct {
	E string `json:"e"`
}

type outer struct {
	Embedded
	ID       string            `json:"id"`
	Skipped  string            `json:"-"`
	private  string            // unexported: not encoded
	Untagged string            // encoded under its Go name
	When     *time.Time        `json:"when"`
	Meta     map[string]string `json:"meta"`
	One      inner             `json:"one"`
	Many     []*inner          `json:"many"`
}

func TestFields(t *testing.T) {
	want := []string{"e", "id", "Untagged", "when", "meta", "one", "one.a", "one.b", "many", "many.a", "many.b"}
	if got := Fields(outer{private: ""}); !slices.Equal(got, want) {
		t.Errorf("Fields = %q, want %q", got, want)
	}
	if got := Fields(&outer{}); !slices.Equal(got, want) {
		t.Errorf("Fields of a pointer = %q, want %q", got, want)
	}
	if got := Fields([]outer{}); !slices.Equal(got, want) {
		t.Errorf("Fields of a slice = %q, want %q", got, want)
	}
}

// recorder is a testing.TB that keeps what Errorf reports.
type recorder struct {
	testing.TB
	msg string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) { r.msg = fmt.Sprintf(format, args...) }

func TestEqual(t *testing.T) {
	r := &recorder{TB: t}
	Equal(r, inner{}, []string{"a", "b"})
	if r.msg != "" {
		t.Errorf("Equal failed on equal fields: %s", r.msg)
	}
	Equal(r, inner{}, []string{"a", "c"})
	want := "JSON fields of jsonfieldstest.inner changed; they are a documented contract: add, never rename or remove\n" +
		"new: b\ngone: c\ngot: a b"
	if r.msg != want {
		t.Errorf("Equal reported:\n%s\nwant:\n%s", r.msg, want)
	}
}

package jsonl

import (
	"strings"
	"testing"
)

// TestWalker walks an object, reading some values and leaving others,
// which the walker must skip.
func TestWalker(t *testing.T) {
	const doc = ` { "skip" : {"a":[1,{"b":"}]"}],"c":"x\\\"y\\\\"} , "n":-1.5e3,"t":true,` +
		`"list":[ "a\"]" , [ ] , {} , null ,2],"esc\u0061pe":"v" , "last":{"k":"w"} } `
	w := walk([]byte(doc))
	if !w.object() {
		t.Fatal("not an object")
	}
	var got []string
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "n", "escape":
			got = append(got, string(key)+"="+string(w.next()))
		case "list":
			w.array()
			for i := 0; w.elem(); i++ {
				if i%2 == 0 {
					got = append(got, "list="+string(w.next()))
				}
			}
		case "last":
			w.object()
			for k, ok := w.key(); ok; k, ok = w.key() {
				got = append(got, "last."+string(k)+"="+string(w.next()))
			}
		default:
			got = append(got, "left "+string(key))
		}
	}
	want := `left skip|n=-1.5e3|left t|list="a\"]"|list={}|list=2|escape="v"|last.k="w"`
	if strings.Join(got, "|") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, "|"), want)
	}
	if rest := doc[w.pos:]; strings.TrimSpace(rest) != "" {
		t.Errorf("left %q unread", rest)
	}
}

func TestWalkerNotContainers(t *testing.T) {
	w := walk([]byte(`"str" `))
	if w.object() || w.pos != len(`"str"`) {
		t.Errorf("object() on a string: true or pos %d", w.pos)
	}
	w = walk([]byte(`{"a":1}`))
	if w.array() || w.pos != len(`{"a":1}`) {
		t.Errorf("array() on an object: true or pos %d", w.pos)
	}
}

func TestLocString(t *testing.T) {
	body := root("body")
	messages := body.key("messages")
	second := messages.elem(2)
	content := second.key("content")
	part := content.elem(0)
	top := root("")
	input := top.key("input")
	tests := []struct {
		l    loc
		want string
	}{
		{body, "body"},
		{messages, "body.messages"},
		{part, "body.messages[2].content[0]"},
		{part.key("image_url"), "body.messages[2].content[0].image_url"},
		{top, ""},
		{input, "input"},
		{input.elem(1), "input[1]"},
	}
	for _, tt := range tests {
		if got := tt.l.String(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	if got := second.child([]byte("tool_calls")); got != "body.messages[2].tool_calls" {
		t.Errorf("child: got %q", got)
	}
	if got := top.child([]byte("seed")); got != "seed" {
		t.Errorf("child of the line: got %q", got)
	}
}

func TestEscapedContents(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`"data:image/png;base64,AA"`, `data:image/png;base64,AA`},
		{`"data:image\/png;base64,A\/A"`, `data:image/png;base64,A/A`},
		{`"\u0064ata:\"x\""`, `data:\"x\"`},
	}
	for _, tt := range tests {
		if got := string(escapedContents([]byte(tt.raw))); got != tt.want {
			t.Errorf("escapedContents(%s) = %s, want %s", tt.raw, got, tt.want)
		}
	}
}

package openai

import (
	"reflect"
	"testing"
)

// scanSeeds are input lines the scans must read as encoding/json does, or
// leave to it.
var scanSeeds = []string{
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"caf\u00e9 \ud83d\ude00"}],"max_tokens":5}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"x"},{"role":"assistant","content":"y"},{"role":"tool","content":"z"}]}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"[fail:429] please"}]}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"bad \ud800 half \xff byte"}]}}`,
	`{"CUSTOM_ID":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"hi"}]}}`,
	`{"custom_id":"a","custom_id":"b","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"hi"}]}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"Model":"m","messages":[{"role":"user","content":"hi"}]}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","MESSAGES":[{"role":"user","content":"hi"}]}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"hi","Role":"system"}]}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":null}]}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[]}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user"}]}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[]}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":5,"messages":[{"role":"user","content":"hi"}]}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":null,"messages":[{"role":"user","content":"hi"}]}}`,
	`{"custom_id":"","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"hi"}]}}`,
	`{"custom_id":7,"method":"POST","url":"/v1/chat/completions","body":{"model":"m"}}`,
	`{"custom_id":"a","method":"GET","url":"/v1/chat/completions","body":{"model":"m"}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/embeddings","body":{"model":"m"}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":null}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":[1]}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions"}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m"}} x`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m",}}`,
	`{"custom_ıd":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m"}}`,
	`{"cuſtom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m"}}`,
	`{"custom_id":"a\u0000b","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"hi"}],"extra":{"deep":[1,2,{"x":null}]}}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"messages":[{"role":"user","content":"hi"}],"model":"m","tool_choice":"none"}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"hi"}],"model":"n"}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"","messages":[{"role":"user","content":"hi"}]}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"system","content":"café ☕ <&>"},{"role":"user","content":"x"},{"role":"","content":""}]}}`,
	"{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"bad \xff\"}]}}",
	"{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"tab\there\"}]}}",
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"hi"}]}} `,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"hi"}]},"x":1}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"hi"}],}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"hi"},]}}`,
	`{"custom_id":"","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"hi"}]}}`,
	`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"system","content":"only a system text"}]}}`,
	`[1,2]`,
	`not json`,
}

// checkScans checks that where the scans read a line, encoding/json reads
// the same values from it.
func checkScans(t *testing.T, line string) {
	raw := []byte(line)
	if in, ok := scanInputLine(raw, EndpointChat, nil); ok {
		want, err := decodeInputLine(raw, EndpointChat)
		if err != nil {
			t.Fatalf("%s: scanned, but encoding/json finds %s", line, err.Message)
		}
		if in.customID != want.customID || in.model != want.model || string(in.body) != string(want.body) {
			t.Fatalf("%s: scanned %+v, encoding/json reads %+v", line, in, want)
		}
	}
	in, lerr := decodeInputLine(raw, EndpointChat)
	if lerr != nil {
		return
	}
	if scanned, ok := scanInputLine(raw, EndpointChat, nil); ok && scanned.chat != nil {
		checkChat(t, line, scanned.chat, nil, in.body)
	}
	if got, gotErr, ok := scanChat(in.body); ok {
		checkChat(t, line, got, gotErr, in.body)
	}
}

// checkChat checks that parseChat reads body as got, or fails as gotErr.
func checkChat(t *testing.T, line string, got endpointRequest, gotErr *apiError, body []byte) {
	t.Helper()
	want, wantErr := parseChat(body)
	if !reflect.DeepEqual(gotErr, wantErr) {
		t.Fatalf("%s: scanned error %v, parseChat's %v", line, gotErr, wantErr)
	}
	if wantErr != nil {
		return
	}
	g, w := got.(*chatRequest), want.(*chatRequest)
	if g.Model != w.Model || !reflect.DeepEqual(g.conv, w.conv) || g.reply != w.reply || !reflect.DeepEqual(g.call, w.call) ||
		len(g.Messages) != len(w.Messages) || g.markerText() != w.markerText() {
		t.Fatalf("%s: scanned %+v, parseChat reads %+v", line, g, w)
	}
	for i := range g.Messages {
		if g.Messages[i].Role != w.Messages[i].Role || string(g.Messages[i].Content) != string(w.Messages[i].Content) {
			t.Fatalf("%s: message %d scanned %+v, parseChat reads %+v", line, i, g.Messages[i], w.Messages[i])
		}
	}
	gi, go_ := g.usage()
	wi, wo := w.usage()
	if gi != wi || go_ != wo {
		t.Fatalf("%s: usage %d+%d, parseChat's %d+%d", line, gi, go_, wi, wo)
	}
}

func TestScansReadAsEncodingJSON(t *testing.T) {
	for _, line := range scanSeeds {
		checkScans(t, line)
	}
}

// TestScansTakeCommonLines checks that the lines batchctl uploads take the
// fast path, so the benchmark measures it.
func TestScansTakeCommonLines(t *testing.T) {
	line := []byte(scanSeeds[1])
	in, ok := scanInputLine(line, EndpointChat, nil)
	if !ok {
		t.Fatal("a plain chat line is left to encoding/json")
	}
	if in.chat == nil {
		t.Fatal("a plain chat line's body is scanned again")
	}
	if _, ok := plainChatLine([]byte(scanSeeds[0]), nil); !ok {
		t.Fatal("a line of the shape batchctl writes is not read by plainChatLine")
	}
	if _, _, ok := scanChat(in.body); !ok {
		t.Fatal("a plain chat body is left to encoding/json")
	}
}

func FuzzScans(f *testing.F) {
	for _, line := range scanSeeds {
		f.Add(line)
	}
	f.Fuzz(checkScans)
}

// TestReusedRequest checks that a line read into the request of another
// line (whose usage was counted) reads as into new memory.
func TestReusedRequest(t *testing.T) {
	for _, before := range scanSeeds {
		for _, line := range scanSeeds {
			var reuse chatRequest
			if in, _ := parseInputLine([]byte(before), EndpointChat, &reuse); in.chat != nil {
				in.chat.usage()
			}
			got, gotErr := parseInputLine([]byte(line), EndpointChat, &reuse)
			want, wantErr := parseInputLine([]byte(line), EndpointChat, nil)
			if !reflect.DeepEqual(gotErr, wantErr) || got.customID != want.customID || got.model != want.model || (got.chat == nil) != (want.chat == nil) {
				t.Fatalf("%s: read into reused memory as %+v, %v; into new memory as %+v, %v", line, got, gotErr, want, wantErr)
			}
			if got.chat == nil {
				continue
			}
			gi, go_ := got.chat.usage()
			wi, wo := want.chat.usage()
			if !reflect.DeepEqual(got.chat.conv, want.chat.conv) || !reflect.DeepEqual(got.chat.Messages, want.chat.Messages) ||
				got.chat.Model != want.chat.Model || got.chat.reply != want.chat.reply || gi != wi || go_ != wo {
				t.Fatalf("%s after %s: request read into reused memory as %+v, into new memory as %+v", line, before, got.chat, want.chat)
			}
		}
	}
}

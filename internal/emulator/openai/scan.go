package openai

import (
	"bytes"
	"errors"
	"unicode/utf8"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// The emulator reads every line of a batch's input when the batch is
// created and again when its results are written. Decoding each line with
// encoding/json (the line, then its body, then each message's content)
// made that most of the emulator's work. The scans below read the common
// line in one pass with jsonscan instead: a line they are not sure of
// (a key spelt in another case, which encoding/json matches too; a key
// given twice, where encoding/json keeps the last; a member of an
// unexpected type; anything invalid) makes them give up, and the line is
// parsed by the encoding/json code, which gives the same answer as before
// for every line, errors included. A line they accept is one that code
// accepts, with the same values.

// errUnsure stops a scan that leaves the line to encoding/json.
var errUnsure = errors.New("unsure")

// memberKey says how a scan treats key among the member names it reads:
// the index of the name it is exactly, -1 for a key encoding/json would
// ignore, and errUnsure for one it would match without case (or a name
// seen before, per seen).
func memberKey(key []byte, names []string, seen *uint8) (int, error) {
	for i, name := range names {
		if string(key) == name {
			if *seen&(1<<i) != 0 {
				return 0, errUnsure
			}
			*seen |= 1 << i
			return i, nil
		}
		if bytes.EqualFold(key, []byte(name)) {
			return 0, errUnsure
		}
	}
	return -1, nil
}

// scanString reads a string member, giving up on any other type (null
// included, which encoding/json reads as no value).
func scanString(s *jsonscan.Scanner) (string, error) {
	if s.Peek() != '"' {
		return "", errUnsure
	}
	return s.Str()
}

// scanLiteral reads a string member that must be want, as scanString
// would but without making a string of it: false when it is another
// string, errUnsure when it is not a string or has an escape sequence.
func scanLiteral(s *jsonscan.Scanner, want string) (bool, error) {
	if s.Peek() != '"' {
		return false, errUnsure
	}
	raw, err := s.RawStr()
	if err != nil || bytes.IndexByte(raw, '\\') >= 0 {
		return false, errUnsure
	}
	return string(raw) == want, nil
}

// inputLineNames are the members of an input line scanInputLine reads.
var inputLineNames = []string{"custom_id", "method", "url", "body"}

// scanInputLine is parseInputLine for a line that passes its checks: ok
// is false when the line must go through parseInputLine. A line of a chat
// batch is read with its body's request in one pass when scanChat would
// read that body (in.chat), and in two otherwise.
func scanInputLine(raw []byte, endpoint string, reuse *chatRequest) (in inputLine, ok bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return in, false
	}
	if endpoint == EndpointChat {
		if in, ok = plainChatLine(raw, reuse); ok {
			return in, true
		}
		if in, ok = scanLine(raw, endpoint, true); ok && in.chat != nil {
			return in, true
		}
	}
	return scanLine(raw, endpoint, false)
}

// scanLine is scanInputLine, reading a chat body's request too when chat
// is set.
func scanLine(raw []byte, endpoint string, chat bool) (in inputLine, ok bool) {
	s := jsonscan.New(raw)
	var methodOK, urlOK bool
	var seen uint8
	err := s.Object(func(key []byte) error {
		i, err := memberKey(key, inputLineNames, &seen)
		if err != nil {
			return err
		}
		switch {
		case i == 0:
			in.customID, err = scanString(&s)
		case i == 1:
			methodOK, err = scanLiteral(&s, "POST")
		case i == 2:
			urlOK, err = scanLiteral(&s, endpoint)
		case i == 3 && chat:
			if in.body, in.chat, err = scanChatBody(&s); in.chat != nil {
				in.model = in.chat.Model
			}
		case i == 3:
			in.body, in.model, err = scanBodyModel(&s)
		default:
			err = s.Skip()
		}
		return err
	})
	if err != nil || s.End() != nil || in.customID == "" || !methodOK || !urlOK || in.model == "" {
		return inputLine{}, false
	}
	return in, true
}

// bodyModelNames is the member of a body scanBodyModel reads.
var bodyModelNames = []string{"model"}

// scanBodyModel reads a request body, an object, and its model.
func scanBodyModel(s *jsonscan.Scanner) (body []byte, model string, err error) {
	if s.Peek() != '{' {
		return nil, "", errUnsure
	}
	var seen uint8
	body, err = s.RawObject(func(key []byte) error {
		i, err := memberKey(key, bodyModelNames, &seen)
		switch {
		case err != nil:
			return err
		case i == 0:
			model, err = scanString(s)
			return err
		}
		return s.Skip()
	})
	return body, model, err
}

// chatNames are the members of a chat body that chatRequest decodes: a
// body with tools, a tool choice or a response format is left to
// parseChat.
var chatNames = []string{"model", "messages", "tools", "tool_choice", "response_format"}

// messageNames are the members of a message that message decodes.
var messageNames = []string{"role", "content", "type"}

// scanChat is parseChat for a body of messages with text content and
// nothing else that parseChat reads: ok is false when the body must go
// through parseChat.
func scanChat(body []byte) (endpointRequest, *apiError, bool) {
	s := jsonscan.New(body)
	_, req, err := scanChatBody(&s)
	if err != nil || s.End() != nil || req == nil {
		return nil, nil, false
	}
	return req, nil, true
}

// scanChatBody reads a request body, an object, and the chat request it
// is; req is nil when the body must go through parseChat. errUnsure
// leaves the whole line to encoding/json: the body is not an object, its
// model is not a plain string member, or a message is not read.
func scanChatBody(s *jsonscan.Scanner) (body []byte, req *chatRequest, err error) {
	if s.Peek() != '{' {
		return nil, nil, errUnsure
	}
	req = &chatRequest{}
	req.Messages, req.conv.texts = req.oneMessage[:0], req.oneText[:0]
	plain := true // nothing seen that scanChat leaves to parseChat
	var seen uint8
	body, err = s.RawObject(func(key []byte) error {
		i, err := memberKey(key, chatNames, &seen)
		switch {
		case err != nil && bytes.EqualFold(key, []byte(chatNames[0])):
			return err // a model the line's own scan would not read
		case err != nil || i > 1:
			plain = false
		case i == 0:
			req.Model, err = scanString(s)
			return err
		case i == 1 && plain:
			return scanMessages(s, req)
		}
		return s.Skip()
	})
	if err != nil {
		return nil, nil, err
	}
	if !plain || len(req.Messages) == 0 || req.Model == "" {
		return body, nil, nil
	}
	// A body without tools is answered with text (req.call stays nil),
	// and chatReply fails only on a response format.
	req.reply, _ = chatReply(req.Model, req.conv.lastPrompt, nil)
	return body, req, nil
}

// scanMessages reads the messages of a chat body, each with its text
// content, into req, as parseChat and readConversation would.
func scanMessages(s *jsonscan.Scanner, req *chatRequest) error {
	if s.Peek() != '[' {
		return errUnsure
	}
	return s.Array(func(int) error {
		if s.Peek() != '{' {
			return errUnsure
		}
		var m message
		var text string
		var seen uint8
		err := s.Object(func(key []byte) error {
			i, err := memberKey(key, messageNames, &seen)
			switch {
			case err != nil:
				return err
			case i == 0:
				m.Role, err = scanRole(s)
			case i == 1:
				if s.Peek() != '"' {
					return errUnsure
				}
				if m.Content, err = s.Raw(); err == nil {
					text = string(jsonscan.Unquote(m.Content))
				}
			case i == 2:
				m.Type, err = scanString(s)
			default:
				err = s.Skip()
			}
			return err
		})
		if err != nil {
			return err
		}
		req.addMessage(m, text)
		return nil
	})
}

// addMessage adds a message of text to a scanned request.
func (req *chatRequest) addMessage(m message, text string) {
	req.Messages = append(req.Messages, m)
	req.conv.texts = append(req.conv.texts, text)
	if m.Role == "user" {
		req.conv.lastPrompt = text
	}
}

// scanRole reads a message's role, as scanString does, with no new string
// for the usual roles.
func scanRole(s *jsonscan.Scanner) (string, error) {
	if s.Peek() != '"' {
		return "", errUnsure
	}
	raw, err := s.RawStr()
	if err != nil {
		return "", err
	}
	if role, ok := commonRole(raw); ok {
		return role, nil
	}
	return string(jsonscan.AppendDecoded(nil, raw)), nil
}

// commonRole returns the usual role raw is, without a new string.
func commonRole(raw []byte) (string, bool) {
	for _, role := range [...]string{"user", "system", "assistant", "developer", "tool"} {
		if string(raw) == role {
			return role, true
		}
	}
	return "", false
}

// The lines of a chat batch mostly have the one shape batchctl writes;
// plainChatLine reads that shape alone, byte by byte, and leaves any other
// line to the scans above:
//
//	{"custom_id":S,"method":"POST","url":"/v1/chat/completions","body":{"model":S,"messages":[{"role":S,"content":S},...]}}
//
// with no white space, and each S a string with no escape sequence, no
// control character and valid UTF-8, so that its bytes are its value.
func plainChatLine(raw []byte, reuse *chatRequest) (in inputLine, ok bool) {
	r := plainReader{b: raw}
	if !r.literal(`{"custom_id":`) {
		return in, false
	}
	customID, ok := r.str()
	if !ok || !r.literal(`,"method":"POST","url":"`+EndpointChat+`","body":`) {
		return in, false
	}
	bodyStart := r.i
	if !r.literal(`{"model":`) {
		return in, false
	}
	model, ok := r.str()
	if !ok || !r.literal(`,"messages":[`) {
		return in, false
	}
	req, prevModel := reuse, ""
	if req == nil {
		req = &chatRequest{}
	} else {
		prevModel = req.Model // a batch has one model: its string is kept
		*req = chatRequest{}
	}
	req.Messages, req.conv.texts = req.oneMessage[:0], req.oneText[:0]
	for {
		if !r.literal(`{"role":`) {
			return in, false
		}
		role, ok := r.str()
		if !ok || !r.literal(`,"content":`) {
			return in, false
		}
		content, ok := r.str()
		if !ok || !r.literal("}") {
			return in, false
		}
		m := message{Role: plainRole(role[1 : len(role)-1]), Content: content}
		req.addMessage(m, string(content[1:len(content)-1]))
		if r.literal("]") {
			break
		}
		if !r.literal(",") {
			return in, false
		}
	}
	if !r.literal("}") {
		return in, false
	}
	body := raw[bodyStart:r.i]
	if !r.literal("}") || r.i != len(raw) || len(customID) == 2 || len(model) == 2 {
		return in, false // an empty custom_id or model is an error to report
	}
	if req.Model = prevModel; string(model[1:len(model)-1]) != prevModel {
		req.Model = string(model[1 : len(model)-1])
	}
	// A body without tools is answered with text (req.call stays nil),
	// and chatReply fails only on a response format.
	req.reply, _ = chatReply(req.Model, req.conv.lastPrompt, nil)
	in = inputLine{customID: string(customID[1 : len(customID)-1]), model: req.Model, body: body, chat: req}
	return in, true
}

// plainRole returns role, the contents of a plain string, as a string.
func plainRole(role []byte) string {
	if r, ok := commonRole(role); ok {
		return r
	}
	return string(role)
}

// plainReader reads a line of plainChatLine's shape.
type plainReader struct {
	b []byte
	i int // the next byte to read
}

// literal reads s, reporting whether the line goes on with it.
func (r *plainReader) literal(s string) bool {
	if len(r.b)-r.i < len(s) || string(r.b[r.i:r.i+len(s)]) != s {
		return false
	}
	r.i += len(s)
	return true
}

// str reads a plain string: quoted, with no escape sequence, no control
// character and valid UTF-8. It returns the string, quotes included.
func (r *plainReader) str() ([]byte, bool) {
	start := r.i
	if start >= len(r.b) || r.b[start] != '"' {
		return nil, false
	}
	ascii := true
	for j := start + 1; j < len(r.b); j++ {
		switch c := r.b[j]; {
		case c == '"':
			if !ascii && !utf8.Valid(r.b[start+1:j]) {
				return nil, false
			}
			r.i = j + 1
			return r.b[start:r.i], true
		case c < 0x20 || c == '\\':
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

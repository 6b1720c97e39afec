package openai

import (
	"bytes"
	"errors"

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
func scanInputLine(raw []byte, endpoint string) (in inputLine, ok bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return in, false
	}
	if endpoint == EndpointChat {
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
		req.Messages = append(req.Messages, m)
		req.conv.texts = append(req.conv.texts, text)
		if m.Role == "user" {
			req.conv.lastPrompt = text
		}
		return nil
	})
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
	for _, role := range [...]string{"user", "system", "assistant", "developer", "tool"} {
		if string(raw) == role {
			return role, nil
		}
	}
	return string(jsonscan.AppendDecoded(nil, raw)), nil
}

package openrouter

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxCreateBody bounds a create body. UNCONFIRMED: OpenRouter documents no
// limit; this is the 200 MB of batchctl's built-in profile.
const maxCreateBody = 200 << 20

// The endpoints whose requests the emulator answers: those of the OpenAI
// side. OpenRouter also batches /v1/messages.
var endpoints = []string{endpointChat, "/v1/responses", "/v1/embeddings"}

const endpointChat = "/v1/chat/completions"

// createReader reads a create body as a stream, as the API does: the
// batch's endpoint and model first, then its requests one at a time.
type createReader struct {
	dec             *json.Decoder
	endpoint, model string
	seen            map[string]bool // custom ids so far
	n               int             // requests read
}

// read checks the body and passes each request to add, as a stored line
// (the request with the batch's model in its body) and its body. The
// first problem is returned as a 400 naming it.
func (c *createReader) read(add func(line []byte, body json.RawMessage) error) error {
	if err := c.delim('{', "the body must be a JSON object"); err != nil {
		return err
	}
	requests := false
	for c.dec.More() {
		key, err := c.key()
		if err != nil {
			return err
		}
		switch key {
		case "endpoint":
			if c.endpoint, err = c.string(key); err == nil && !isEndpoint(c.endpoint) {
				err = errorf(http.StatusBadRequest, "endpoint: %q is not an endpoint the emulator batches (want one of %v)", c.endpoint, endpoints)
			}
		case "model":
			c.model, err = c.string(key)
		case "completion_window":
			var w string
			if w, err = c.string(key); err == nil && w != "24h" {
				err = errorf(http.StatusBadRequest, `completion_window: %q is not supported (only "24h")`, w)
			}
		case "provider":
			var skip json.RawMessage
			err = c.decode(&skip, key)
		case "requests":
			if c.endpoint == "" || c.model == "" {
				return errorf(http.StatusBadRequest, "endpoint and model must come before requests in the body")
			}
			requests = true
			err = c.requests(add)
		default:
			err = errorf(http.StatusBadRequest, "%s: unknown field", key)
		}
		if err != nil {
			return err
		}
	}
	switch {
	case c.endpoint == "":
		return errorf(http.StatusBadRequest, "endpoint: required")
	case c.model == "":
		return errorf(http.StatusBadRequest, "model: required")
	case !requests:
		return errorf(http.StatusBadRequest, "requests: required")
	}
	return c.delim('}', "the body must be one JSON object")
}

// requests reads the requests array.
func (c *createReader) requests(add func(line []byte, body json.RawMessage) error) error {
	if err := c.delim('[', "requests: must be an array"); err != nil {
		return err
	}
	for c.dec.More() {
		var item struct {
			CustomID *string        `json:"custom_id"`
			Body     map[string]any `json:"body"`
		}
		if err := c.decode(&item, fmt.Sprintf("requests[%d]", c.n)); err != nil {
			return err
		}
		line, body, err := c.request(item.CustomID, item.Body)
		if err != nil {
			return err
		}
		if err := add(line, body); err != nil {
			return err
		}
		c.n++
	}
	if c.n == 0 {
		return errorf(http.StatusBadRequest, "requests: must not be empty")
	}
	return c.delim(']', "requests: must be an array")
}

// request checks request c.n and returns its stored line and body.
func (c *createReader) request(id *string, body map[string]any) ([]byte, json.RawMessage, error) {
	at := fmt.Sprintf("requests[%d]", c.n)
	switch {
	case id == nil || *id == "":
		return nil, nil, errorf(http.StatusBadRequest, "%s.custom_id: must be a non-empty string", at)
	case c.seen[*id]:
		return nil, nil, errorf(http.StatusBadRequest, "%s.custom_id: %q is not unique in the batch", at, *id)
	case body == nil:
		return nil, nil, errorf(http.StatusBadRequest, "%s.body: must be an object", at)
	}
	c.seen[*id] = true
	if m, ok := body["model"]; ok && m != c.model {
		return nil, nil, errorf(http.StatusBadRequest, "%s.body.model: %v differs from the batch's model %q", at, m, c.model)
	}
	body["model"] = c.model
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, nil, err
	}
	line, err := json.Marshal(struct {
		CustomID string          `json:"custom_id"`
		Body     json.RawMessage `json:"body"`
	}{*id, raw})
	if err != nil {
		return nil, nil, err
	}
	return append(line, '\n'), raw, nil
}

func (c *createReader) key() (string, error) {
	tok, err := c.dec.Token()
	if err != nil {
		return "", c.syntax(err)
	}
	key, _ := tok.(string)
	return key, nil
}

func (c *createReader) string(key string) (string, error) {
	var s string
	if err := c.decode(&s, key); err != nil || s == "" {
		return "", errorf(http.StatusBadRequest, "%s: must be a non-empty string", key)
	}
	return s, nil
}

func (c *createReader) decode(v any, at string) error {
	if err := c.dec.Decode(v); err != nil {
		if e := c.tooLarge(err); e != nil {
			return e
		}
		return errorf(http.StatusBadRequest, "%s: %v", at, err)
	}
	return nil
}

func (c *createReader) delim(d json.Delim, msg string) error {
	tok, err := c.dec.Token()
	if err != nil {
		return c.syntax(err)
	}
	if tok != d {
		return errorf(http.StatusBadRequest, "%s", msg)
	}
	return nil
}

// syntax is the error answering a body that is not JSON.
func (c *createReader) syntax(err error) error {
	if e := c.tooLarge(err); e != nil {
		return e
	}
	return errorf(http.StatusBadRequest, "the body is not valid JSON: %v", err)
}

// tooLarge is the 413 answering a body over maxCreateBody, nil for any
// other error.
func (c *createReader) tooLarge(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errorf(http.StatusRequestEntityTooLarge, "the body is larger than %d bytes", maxCreateBody)
	}
	return nil
}

func isEndpoint(e string) bool {
	for _, x := range endpoints {
		if x == e {
			return true
		}
	}
	return false
}

// newCreateReader reads the create body r; numbers are kept as written.
func newCreateReader(r io.Reader) *createReader {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	return &createReader{dec: dec, seen: map[string]bool{}}
}

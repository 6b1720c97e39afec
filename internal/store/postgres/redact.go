package postgres

import (
	"strings"

	"github.com/batchctl/batchctl/internal/pgurl"
)

// The registry URL's password never reaches an error (see package pgurl
// for showing the URL): errors may quote a URL or a password anywhere
// (pgconn's own messages mask the URL's password, but Go's URL parser, for
// one, quotes a URL it cannot parse whole), so the store masks its
// secrets in every error it returns.

// redactedError is an error whose message has secrets masked; it still
// wraps the original, so errors.Is and errors.As see through it.
type redactedError struct {
	err error
	msg string
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact returns err with every non-empty secret masked in its message.
func redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, pgurl.Mask)
		}
	}
	return &redactedError{err: err, msg: msg}
}

package postgres

import (
	"net/url"
	"strings"
)

// Registry URLs may carry a password (postgres://user:secret@host/db); it
// never reaches output, logs or errors. Redact is for showing a URL,
// redact for errors, which may quote a URL or a password anywhere
// (pgconn's own messages redact the URL's password, but not in every
// error, nor one from the environment).

// mask replaces a password wherever one is shown.
const mask = "xxxxx"

// Redact returns the registry URL u fit to show: its password, if any,
// replaced by xxxxx. A string that does not parse as a URL (a libpq
// key=value string) has every password=... value masked.
func Redact(u string) string {
	if parsed, err := url.Parse(u); err == nil && parsed.Scheme != "" {
		return parsed.Redacted()
	}
	fields := strings.Fields(u)
	for i, f := range fields {
		if strings.HasPrefix(f, "password=") {
			fields[i] = "password=" + mask
		}
	}
	return strings.Join(fields, " ")
}

// passwordOf returns the password u spells out, "" for none.
func passwordOf(u string) string {
	if parsed, err := url.Parse(u); err == nil && parsed.User != nil {
		p, _ := parsed.User.Password()
		return rawPassword(u, p)
	}
	for _, field := range strings.Fields(u) {
		if v, ok := strings.CutPrefix(field, "password="); ok {
			return strings.Trim(v, `'`)
		}
	}
	return ""
}

// rawPassword returns the password p of URL u as u spells it, which may be
// percent-encoded.
func rawPassword(u, p string) string {
	if p == "" || strings.Contains(u, p) {
		return p
	}
	return url.UserPassword("", p).String()[1:]
}

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
			msg = strings.ReplaceAll(msg, s, mask)
		}
	}
	return &redactedError{err: err, msg: msg}
}

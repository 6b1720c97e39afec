package postgres

import (
	"net/url"
	"strings"
)

// Registry URLs may carry a password (postgres://user:secret@host/db); it
// never reaches output, logs or errors. Redact is for showing a URL,
// redact for errors, which may quote a URL or a password anywhere
// (pgconn's own messages mask the URL's password, but Go's URL parser, for
// one, quotes a URL it cannot parse whole).

// mask replaces a password wherever one is shown.
const mask = "xxxxx"

// Redact returns the registry URL u fit to show: its password, if any,
// replaced by xxxxx. In a libpq key=value string, every password=...
// value is masked.
func Redact(u string) string {
	if !strings.Contains(u, "://") {
		fields := strings.Fields(u)
		for i, f := range fields {
			if strings.HasPrefix(f, "password=") {
				fields[i] = "password=" + mask
			}
		}
		return strings.Join(fields, " ")
	}
	if parsed, err := url.Parse(u); err == nil {
		return parsed.Redacted()
	}
	for _, p := range passwords(u) {
		u = strings.ReplaceAll(u, p, mask)
	}
	return u
}

// passwords returns the password u spells out, as spelled and decoded,
// none if it has none. u need not be a valid URL.
func passwords(u string) []string {
	if _, rest, ok := strings.Cut(u, "://"); ok {
		at := strings.LastIndex(rest, "@")
		if at < 0 {
			return nil
		}
		_, raw, ok := strings.Cut(rest[:at], ":")
		if !ok || raw == "" {
			return nil
		}
		if decoded, err := url.PathUnescape(raw); err == nil && decoded != raw {
			return []string{raw, decoded}
		}
		return []string{raw}
	}
	for _, field := range strings.Fields(u) {
		if v, ok := strings.CutPrefix(field, "password="); ok {
			return []string{strings.Trim(v, `'`)}
		}
	}
	return nil
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

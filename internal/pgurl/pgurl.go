// Package pgurl is what batchctl knows of PostgreSQL connection strings
// (the registry setting, issue 20) apart from connecting: telling one
// from a path, and showing one without its password. A registry URL may
// carry a password (postgres://user:secret@host/db), which never reaches
// output, logs or errors.
package pgurl

import (
	"net/url"
	"strings"
)

// Mask replaces a password wherever one is shown.
const Mask = "xxxxx"

// Is reports whether s is a PostgreSQL URL (postgres:// or
// postgresql://).
func Is(s string) bool {
	scheme, _, ok := strings.Cut(s, "://")
	return ok && (scheme == "postgres" || scheme == "postgresql")
}

// Redact returns the connection string s fit to show: its password, if
// any, replaced by Mask. s may be a URL, valid or not, or a libpq
// key=value string; any other string is returned as is.
func Redact(s string) string {
	if strings.Contains(s, "://") {
		if u, err := url.Parse(s); err == nil {
			return u.Redacted()
		}
	}
	for _, p := range Passwords(s) {
		s = strings.ReplaceAll(s, p, Mask)
	}
	return s
}

// Passwords returns the password s spells out, as spelled and, if that
// differs, percent-decoded; none if it has none. s need not be a valid
// URL: Go's URL parser quotes a URL it cannot parse in its errors.
func Passwords(s string) []string {
	if _, rest, ok := strings.Cut(s, "://"); ok {
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
	for _, field := range strings.Fields(s) {
		if v, ok := strings.CutPrefix(field, "password="); ok {
			return []string{strings.Trim(v, `'`)}
		}
	}
	return nil
}

// HasPassword reports whether s spells out a password.
func HasPassword(s string) bool { return len(Passwords(s)) > 0 }

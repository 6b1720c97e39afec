package config

import (
	"fmt"
	"net/url"
)

// CheckBaseURL reports what is wrong with a profile's base URL, naming
// where it came from, without repeating a part of it that could hold a key.
// A base URL is an http or https URL with a host and no query or fragment:
// batchctl appends API paths to it, so a query there would never reach the
// provider intact, and it is where keys hide (?key=...).
func (p *Profile) CheckBaseURL() error {
	if p.Type == TypeEmulator {
		return nil
	}
	where := p.BaseURLSource
	if where == "" {
		where = fmt.Sprintf("provider %q", p.Name)
	}
	if p.BaseURL == "" {
		return fmt.Errorf("%s: no base URL", where)
	}
	u, err := url.Parse(p.BaseURL)
	if err != nil {
		return fmt.Errorf("%s: base URL is not a URL", where)
	}
	shown := RedactURL(p.BaseURL)
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%s: base URL %s: want an http:// or https:// URL", where, shown)
	case u.Host == "" || u.Opaque != "":
		return fmt.Errorf("%s: base URL %s has no host", where, shown)
	case u.RawQuery != "" || u.ForceQuery:
		return fmt.Errorf("%s: base URL %s has a query (?...): batchctl adds the API paths itself; remove it", where, shown)
	case u.Fragment != "":
		return fmt.Errorf("%s: base URL %s has a fragment (#...); remove it", where, shown)
	}
	return nil
}

// RedactURL returns rawURL fit to print or record: without userinfo, with
// the query and fragment replaced by "..." when there are any, and with
// nothing of it when it does not parse.
func RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(not a URL)"
	}
	u.User = nil
	q := u.RawQuery != "" || u.ForceQuery || u.Fragment != ""
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	s := u.String()
	if q {
		s += "?..."
	}
	return s
}

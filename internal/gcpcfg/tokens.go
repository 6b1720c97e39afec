package gcpcfg

import (
	"context"
	"net/http"
	"sync"

	"golang.org/x/oauth2"
)

// Authorized is hc sending an access token of ts with every request.
func Authorized(hc *http.Client, ts oauth2.TokenSource) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	c := *hc
	c.Transport = &oauth2.Transport{Source: ts, Base: hc.Transport}
	return &c
}

// LazyTokens is a token source over the Application Default Credentials
// that looks for them (Find) at its first token, not before, so a
// command that makes no call makes no search. hc, when set, fetches the
// tokens. When none are found, every token fails with Find's error.
func LazyTokens(hc *http.Client) oauth2.TokenSource {
	return &lazyTokens{hc: hc}
}

type lazyTokens struct {
	hc   *http.Client
	once sync.Once
	ts   oauth2.TokenSource
	err  error
}

func (l *lazyTokens) Token() (*oauth2.Token, error) {
	l.once.Do(func() {
		creds, err := Find(context.Background(), l.hc)
		if err != nil {
			l.err = err
			return
		}
		l.ts = creds.TokenSource
	})
	if l.err != nil {
		return nil, l.err
	}
	return l.ts.Token()
}

package jobs

import (
	"fmt"
	"strings"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// NewTarget is what a job created on profile p with completion window
// window records about where it lives. The base URL loses its userinfo; it
// has no query (config.Profile.CheckBaseURL refuses one). The key is never
// recorded, only the name of its variable.
func NewTarget(p *config.Profile, window string) store.Target {
	t := store.Target{
		Mode:             mode(p),
		ProfileType:      p.Type,
		AuthHeader:       p.AuthHeader,
		APIKeyEnv:        p.APIKeyEnv,
		CompletionWindow: window,
	}
	if p.Type != config.TypeEmulator { // the embedded emulator's address changes every run
		t.BaseURL = place(p.BaseURL)
	}
	return t
}

// mode is the mode of p's jobs as recorded: "" for batch.
func mode(p *config.Profile) string {
	if p.Direct() {
		return config.ModeDirect
	}
	return ""
}

// Window is the completion window a job's batches are created with: the
// one recorded at create, or for jobs recorded before batchctl kept it,
// its profile's.
func (m *Manager) Window(j *Job) string {
	if j.Target.ProfileType != "" {
		return j.Target.CompletionWindow
	}
	if p, err := m.Config.Profile(j.Provider); err == nil {
		return p.CompletionWindow
	}
	return ""
}

// providerOf returns the provider that reaches job j where it was created.
func (m *Manager) providerOf(j *Job) (providers.Provider, error) {
	p, err := m.batchProviderOf(j)
	if err != nil || !j.Direct() {
		return p, err
	}
	return m.asDirect(j, p)
}

// batchProviderOf is the provider of j's profile, for a direct job the
// one whose synchronous endpoints it sends its requests to.
func (m *Manager) batchProviderOf(j *Job) (providers.Provider, error) {
	if m.ProviderFor == nil {
		return m.Provider(j.Provider)
	}
	p, err := m.profileOf(j)
	if err != nil {
		return nil, err
	}
	return m.ProviderFor(p)
}

// profileOf is the profile that reaches job j: its profile in the config,
// with the protocol, base URL and key variable recorded at create laid
// over it, so the job is reached where it was created even when the
// environment or the config now point elsewhere, or the profile is gone.
// The key still comes from the config or the environment.
func (m *Manager) profileOf(j *Job) (*config.Profile, error) {
	cur, err := m.Config.Profile(j.Provider)
	t := j.Target
	if t.ProfileType == "" { // recorded before batchctl kept the target
		return cur, err
	}
	p := &config.Profile{Name: j.Provider}
	if err == nil {
		c := *cur
		p = &c
	}
	p.Type, p.AuthHeader, p.CompletionWindow = t.ProfileType, t.AuthHeader, t.CompletionWindow
	if cur == nil || cur.APIKeyEnv != t.APIKeyEnv {
		p.APIKeyEnv, p.APIKey = t.APIKeyEnv, ""
		if t.APIKeyEnv != "" && m.Getenv != nil {
			p.APIKey = m.Getenv(t.APIKeyEnv)
		}
	}
	if t.ProfileType == config.TypeEmulator {
		return p, nil
	}
	// The recorded URL lacks any userinfo the current one may carry:
	// when they are otherwise the same, the current one is used as is.
	if cur == nil || place(cur.BaseURL) != t.BaseURL {
		p.BaseURL, p.BaseURLSource = t.BaseURL, "the base URL job "+j.ID+" was created on"
		if cur != nil && cur.BaseURL != "" {
			where := cur.BaseURLSource
			if where == "" {
				where = "provider " + j.Provider
			}
			m.note(fmt.Sprintf("%s now points at %s; using %s, where the job was created",
				where, config.RedactURL(cur.BaseURL), t.BaseURL))
		}
	}
	return p, nil
}

// place is a base URL as recorded: without userinfo or trailing slash.
func place(baseURL string) string {
	return strings.TrimRight(config.RedactURL(baseURL), "/")
}

// note tells the user msg once per Manager, that is once per command run.
func (m *Manager) note(msg string) { m.tellOnce(m.Note, "note "+msg, msg) }

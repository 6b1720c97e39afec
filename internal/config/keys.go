package config

import (
	"fmt"
	"strconv"
	"strings"
)

// The keys `batchctl config` reads and writes are the top-level Keys and,
// for every provider profile, "providers.<name>.<field>" with a field of
// ProfileFields.

// ProfileFields lists the fields of a provider profile in display order.
// api_key is shown (as set or not, never its value) but cannot be set.
func ProfileFields() []string {
	return []string{"type", "base_url", "api_key_env", "api_key", "auth_header", "max_requests", "max_bytes", "completion_window"}
}

// ProfileTypes lists the wire protocols a configured profile may speak.
func ProfileTypes() []string { return []string{TypeOpenAI, TypeAnthropic, TypeGemini} }

// AuthStyles lists the auth_header styles of openai-type profiles.
func AuthStyles() []string { return []string{AuthBearer, AuthAPIKey} }

// Key is a parsed configuration key.
type Key struct {
	// Profile is the provider profile of a "providers.<name>.<field>" key,
	// "" for a top-level key.
	Profile string
	// Field is the top-level key or the profile field.
	Field string
}

func (k Key) String() string {
	if k.Profile == "" {
		return k.Field
	}
	return "providers." + k.Profile + "." + k.Field
}

// ParseKey checks that key names a setting: a top-level key or
// "providers.<name>.<field>". The profile need not exist.
func ParseKey(key string) (Key, error) {
	rest, ok := strings.CutPrefix(key, "providers.")
	if !ok {
		for _, k := range Keys {
			if key == k {
				return Key{Field: key}, nil
			}
		}
		return Key{}, fmt.Errorf("unknown key %q", key)
	}
	name, field, ok := strings.Cut(rest, ".")
	if !ok || name == "" {
		return Key{}, fmt.Errorf("unknown key %q (provider keys are providers.<name>.<field>)", key)
	}
	for _, f := range ProfileFields() {
		if field == f {
			return Key{Profile: name, Field: field}, nil
		}
	}
	return Key{}, fmt.Errorf("unknown key %q (provider fields: %s)", key, strings.Join(ProfileFields(), ", "))
}

// Setting is one key with its effective value as text.
type Setting struct {
	Key   string
	Value string
}

// Settings lists every key with its effective value: the top-level keys,
// then the fields of each profile by profile name.
func (c *Config) Settings() []Setting {
	var out []Setting
	for _, k := range Keys {
		v, _ := c.topLevel(k)
		out = append(out, Setting{Key: k, Value: v})
	}
	for _, name := range c.ProfileNames() {
		for _, f := range ProfileFields() {
			k := Key{Profile: name, Field: f}
			out = append(out, Setting{Key: k.String(), Value: c.Providers[name].Field(f)})
		}
	}
	return out
}

// Get returns the effective value of key as text: durations as "10s",
// sizes as "200MB", API keys as "(set)" or "(not set, $VAR)".
func (c *Config) Get(key string) (string, error) {
	k, err := ParseKey(key)
	if err != nil {
		return "", err
	}
	if k.Profile == "" {
		return c.topLevel(k.Field)
	}
	p, err := c.Profile(k.Profile)
	if err != nil {
		return "", err
	}
	return p.Field(k.Field), nil
}

func (c *Config) topLevel(key string) (string, error) {
	switch key {
	case "default_model":
		return c.DefaultModel, nil
	case "poll_interval":
		return c.PollInterval.String(), nil
	case "emulator_duration":
		return c.EmulatorDuration.String(), nil
	}
	return "", fmt.Errorf("unknown key %q", key)
}

// Field returns one of ProfileFields as text ("" for an unknown field).
func (p *Profile) Field(field string) string {
	switch field {
	case "type":
		return p.Type
	case "base_url":
		return p.BaseURL
	case "api_key_env":
		return p.APIKeyEnv
	case "api_key":
		return p.APIKeyState()
	case "auth_header":
		return p.AuthHeader
	case "max_requests":
		return strconv.Itoa(p.MaxRequests)
	case "max_bytes":
		return FormatBytes(p.MaxBytes)
	case "completion_window":
		return p.CompletionWindow
	}
	return ""
}

// APIKeyState says whether the profile has a key without revealing it:
// "(set)", "(not set, $VAR)", or "(not needed)" for the emulator.
func (p *Profile) APIKeyState() string {
	switch {
	case p.Type == TypeEmulator:
		return "(not needed)"
	case p.APIKey != "":
		return "(set)"
	case p.APIKeyEnv != "":
		return "(not set, $" + p.APIKeyEnv + ")"
	}
	return "(not set)"
}

// FormatBytes writes a size the way ParseBytes reads it, exactly: in the
// largest decimal or binary unit that divides it ("200MB", "1GiB"), else
// in bytes.
func FormatBytes(n int64) string {
	if n <= 0 {
		return strconv.FormatInt(n, 10)
	}
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", GiB}, {"GB", GB}, {"MiB", MiB}, {"MB", MB}, {"KiB", KiB}, {"KB", KB}} {
		if n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

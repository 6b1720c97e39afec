package config

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/pgurl"
)

// The keys `batchctl config` reads and writes are the top-level Keys and,
// for every provider profile, "providers.<name>.<field>" with a field of
// ProfileFields.

// ProfileFields lists the fields of a provider profile in display order.
// api_key is shown (as set or not, never its value) but cannot be set.
func ProfileFields() []string {
	return []string{"type", "base_url", "api_key_env", "api_key", "auth_header", "max_requests", "max_bytes", "completion_window", "beta", "bucket", "role_arn", "region", "aws_profile", "project", "location"}
}

// cloudFields are the fields only the cloud profile types have, in
// ProfileFields order, with those types.
var cloudFields = []struct {
	name  string
	types []string
}{
	{"bucket", []string{TypeBedrock, TypeVertex}},
	{"role_arn", []string{TypeBedrock}},
	{"region", []string{TypeBedrock}},
	{"aws_profile", []string{TypeBedrock}},
	{"project", []string{TypeVertex}},
	{"location", []string{TypeVertex}},
}

// typesOf returns the profile types that have field, nil for a field
// every profile has.
func typesOf(field string) []string {
	for _, f := range cloudFields {
		if f.name == field {
			return f.types
		}
	}
	return nil
}

// shows reports whether config list shows field for the profile: beta for
// the Anthropic protocol only, the cloud fields for their types only.
func (p *Profile) shows(field string) bool {
	if field == "beta" {
		return p.Type == TypeAnthropic
	}
	if types := typesOf(field); types != nil {
		return slices.Contains(types, p.Type)
	}
	return true
}

// ProfileTypes lists the wire protocols a configured profile may speak
// (for completion; mergeProfile is the check).
func ProfileTypes() []string {
	return []string{TypeOpenAI, TypeAnthropic, TypeGemini, TypeMistral, TypeOpenRouter, TypeXAI, TypeBedrock, TypeVertex}
}

// AuthStyles lists the auth_header styles of openai-type profiles (for
// completion; mergeProfile is the check).
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
		out = append(out, Setting{Key: k, Value: c.topLevel(k)})
	}
	for _, name := range c.ProfileNames() {
		for _, f := range ProfileFields() {
			if !c.Providers[name].shows(f) {
				continue
			}
			k := Key{Profile: name, Field: f}
			out = append(out, Setting{Key: k.String(), Value: c.Providers[name].Field(f)})
		}
	}
	return out
}

// Get returns the effective value of key as text: durations as "1m30s",
// sizes as "200MB", API keys as "(set)" or "(not set, $VAR)".
func (c *Config) Get(key string) (string, error) {
	k, err := ParseKey(key)
	if err != nil {
		return "", err
	}
	if k.Profile == "" {
		return c.topLevel(k.Field), nil
	}
	p, err := c.Profile(k.Profile)
	if err != nil {
		return "", err
	}
	return p.Field(k.Field), nil
}

// topLevel returns one of Keys as text.
func (c *Config) topLevel(key string) string {
	switch key {
	case "default_model":
		return c.DefaultModel
	case "poll_interval":
		return FormatDuration(c.PollInterval)
	case "emulator_duration":
		return FormatDuration(c.EmulatorDuration)
	case "emulator_faults":
		return c.EmulatorFaults
	case "emulator_limits":
		return c.EmulatorLimits
	case "retry_attempts":
		return strconv.Itoa(c.RetryAttempts)
	case "retry_max_wait":
		return FormatDuration(c.RetryMaxWait)
	case "http_idle_timeout":
		return FormatDuration(c.HTTPIdleTimeout)
	case "max_cost":
		return strconv.FormatFloat(c.MaxCost, 'f', -1, 64)
	case "registry":
		return pgurl.Redact(c.Registry)
	case "files":
		return c.Files
	}
	return ""
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
	case "beta":
		return p.Beta
	case "bucket":
		return p.Bucket
	case "role_arn":
		return p.RoleARN
	case "region":
		return p.Region
	case "aws_profile":
		return p.AWSProfile
	case "project":
		return p.Project
	case "location":
		return p.Location
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

// FormatDuration writes d as time.ParseDuration reads it, without zero
// trailing units: "1m" rather than "1m0s", "2h" rather than "2h0m0s".
func FormatDuration(d time.Duration) string {
	s := d.String()
	if t, ok := strings.CutSuffix(s, "m0s"); ok {
		s = t + "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
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

// valueKind is what a setting's value must look like.
type valueKind int

const (
	kindText valueKind = iota
	kindPositiveDuration
	kindDuration // zero or more
	kindPositiveInt
	kindSize
	kindURL
	kindEnvName
	kindUSD      // zero or more dollars
	kindRegistry // a path or a postgres:// URL
	kindBucket   // scheme://bucket[/prefix]
	kindARN
	kindGCPProject
	kindGCPLocation
)

// kindOf returns the kind of a key's value (api_key has none: it is never set).
func kindOf(k Key) valueKind {
	switch k.Field {
	case "poll_interval", "retry_max_wait", "http_idle_timeout":
		return kindPositiveDuration
	case "emulator_duration":
		return kindDuration
	case "retry_attempts", "max_requests":
		return kindPositiveInt
	case "max_bytes":
		return kindSize
	case "base_url":
		return kindURL
	case "api_key_env":
		return kindEnvName
	case "max_cost":
		return kindUSD
	case "registry":
		return kindRegistry
	case "bucket":
		return kindBucket
	case "role_arn":
		return kindARN
	case "project":
		return kindGCPProject
	case "location":
		return kindGCPLocation
	}
	return kindText // default_model, emulator_faults, emulator_limits, type, auth_header, completion_window, region, aws_profile, files
}

// check reports whether value is a valid value of this kind. Types and
// auth styles are checked with the whole profile (mergeProfile).
func (kind valueKind) check(value string) error {
	if value == "" {
		return fmt.Errorf("a value is required")
	}
	switch kind {
	case kindPositiveDuration, kindDuration:
		d, err := time.ParseDuration(value)
		switch {
		case err != nil:
			return fmt.Errorf("invalid duration %q (want e.g. 30s, 5m, 1h)", value)
		case d <= 0 && kind == kindPositiveDuration:
			return fmt.Errorf("must be positive, got %s", value)
		case d < 0:
			return fmt.Errorf("must not be negative, got %s", value)
		}
	case kindPositiveInt:
		if n, err := strconv.Atoi(value); err != nil || n <= 0 {
			return fmt.Errorf("want a positive whole number, got %q", value)
		}
	case kindSize:
		_, err := ParseBytes(value)
		return err
	case kindURL:
		u, err := url.Parse(value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("want an http or https URL, got %q", value)
		}
	case kindUSD:
		if f, err := strconv.ParseFloat(value, 64); err != nil || f < 0 {
			return fmt.Errorf("want an amount of US dollars such as 25 or 2.50, got %q", value)
		}
	case kindRegistry:
		return checkRegistry(value)
	case kindBucket:
		// which scheme a profile type takes is checkCloudFields's check
		if scheme, rest, ok := strings.Cut(value, "://"); !ok || scheme == "" || rest == "" || rest[0] == '/' {
			return fmt.Errorf("want a bucket location such as s3://bucket/prefix, got %q", value)
		}
	case kindARN:
		if !strings.HasPrefix(value, "arn:") {
			return fmt.Errorf("want an ARN such as arn:aws:iam::123456789012:role/name, got %q", value)
		}
	case kindGCPProject:
		if !gcpProjectRE.MatchString(value) {
			return fmt.Errorf("want a Google Cloud project id such as my-project-123 (lowercase letters, digits and hyphens), got %q", value)
		}
	case kindGCPLocation:
		if !gcpLocationRE.MatchString(value) {
			return fmt.Errorf("want a Vertex AI location such as us-central1, europe-west4 or global, got %q", value)
		}
	case kindEnvName:
		if !isEnvName(value) {
			return fmt.Errorf("want the name of an environment variable (such as GROQ_API_KEY), got %q", value)
		}
	}
	return nil
}

// gcpProjectRE matches a project id: 6 to 30 lowercase letters, digits
// and hyphens, starting with a letter, not ending with a hyphen
// (cloud.google.com/resource-manager/docs/creating-managing-projects),
// with the domain prefix of a legacy domain-scoped project
// (example.com:my-project).
var gcpProjectRE = regexp.MustCompile(`^([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$`)

// gcpLocationRE matches a location: a region (us-central1), a
// multi-region (us, eu) or global.
var gcpLocationRE = regexp.MustCompile(`^[a-z]+(-[a-z]+[0-9]+)?$`)

// isEnvName reports whether s looks like an environment variable name.
func isEnvName(s string) bool {
	for i, r := range s {
		switch {
		case r == '_', 'A' <= r && r <= 'Z', 'a' <= r && r <= 'z':
		case '0' <= r && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return s != ""
}

package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// SettingError is a key or value Set refuses; nothing was written.
type SettingError struct {
	Err  error
	Hint string
}

func (e *SettingError) Error() string { return e.Err.Error() }
func (e *SettingError) Unwrap() error { return e.Err }

// Set writes key: value into the config file at path (normally
// Config.File), creating it 0600 in a 0700 directory if needed. The rest of
// the file is kept: other keys, their order and comments (yaml.v3 re-indents
// it with two spaces). The value is checked first, then the whole new file
// is checked with the rules Load applies, using getenv for the built-in
// profiles; on any problem a *SettingError is returned and the file is left
// as it was. API keys cannot be set: they never go into a file batchctl writes.
func Set(path, key, value string, getenv func(string) string) error {
	k, node, err := parseSetting(key, value)
	if err != nil {
		return err
	}
	target, err := resolveLink(path)
	if err != nil {
		return err
	}
	doc, preamble, err := readDocument(target)
	if err != nil {
		return err
	}
	m, err := setNode(doc, k, node)
	if err != nil {
		return &SettingError{Err: err}
	}
	buf := bytes.NewBuffer(preamble)
	enc := yaml.NewEncoder(buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	if err := validate(buf.Bytes(), getenv); err != nil {
		se := &SettingError{Err: err}
		if base := builtins(getenv)[k.Profile]; k.Profile != "" && lookup(m, "base_url") == nil && (base == nil || base.BaseURL == "") {
			se.Hint = fmt.Sprintf("give the provider its URL first: batchctl config set providers.%s.base_url URL", k.Profile)
		}
		return se
	}
	return writeFile(target, buf.Bytes())
}

// parseSetting checks a key and its value and returns the value as a YAML
// scalar. Only what Load would misread or report poorly is checked here;
// validate applies the rest of Load's rules to the whole file.
func parseSetting(key, value string) (Key, *yaml.Node, error) {
	k, err := ParseKey(key)
	if err != nil {
		return Key{}, nil, &SettingError{Err: err, Hint: "run 'batchctl config list' to see every key"}
	}
	if k.Field == "api_key" {
		return Key{}, nil, &SettingError{
			Err:  fmt.Errorf("%s: batchctl never writes API keys to a file", key),
			Hint: fmt.Sprintf("keep the key in an environment variable and name it: batchctl config set providers.%s.api_key_env VAR", k.Profile),
		}
	}
	node, err := valueNode(k.Field, strings.TrimSpace(value))
	if err != nil {
		return Key{}, nil, &SettingError{Err: fmt.Errorf("%s: %w", key, err)}
	}
	return k, node, nil
}

// valueNode checks value for field and returns it as a YAML scalar.
func valueNode(field, value string) (*yaml.Node, error) {
	if value == "" {
		return nil, errors.New("a value is required")
	}
	str := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
	switch field {
	case "poll_interval", "emulator_duration":
		d, err := time.ParseDuration(value)
		switch {
		case err != nil:
			return nil, fmt.Errorf("invalid duration %q (want e.g. 30s, 5m, 1h)", value)
		case d <= 0 && field == "poll_interval":
			return nil, fmt.Errorf("must be positive, got %s", value)
		case d < 0:
			return nil, fmt.Errorf("must not be negative, got %s", value)
		}
	case "max_requests":
		n, err := strconv.Atoi(value)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("want a positive whole number, got %q", value)
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(n)}, nil
	case "max_bytes":
		if _, err := ParseBytes(value); err != nil {
			return nil, err
		}
	case "base_url":
		u, err := url.Parse(value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("want an http or https URL, got %q", value)
		}
	case "api_key_env":
		if !isEnvName(value) {
			return nil, fmt.Errorf("want the name of an environment variable (such as GROQ_API_KEY), got %q", value)
		}
	}
	return str, nil
}

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

// resolveLink follows path if it is a symbolic link (a config file kept
// with dotfiles), so the file is updated rather than the link replaced.
func resolveLink(path string) (string, error) {
	target, err := filepath.EvalSymlinks(path)
	switch {
	case err == nil:
		return target, nil
	case errors.Is(err, fs.ErrNotExist):
		return path, nil
	}
	return "", fmt.Errorf("reading %s: %w", path, err)
}

// readDocument parses the config file. A missing file, or one holding
// only comments, gives an empty mapping; preamble is then the file's text,
// to be written before the new content so its comments are kept.
func readDocument(path string) (doc *yaml.Node, preamble []byte, err error) {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	doc = &yaml.Node{}
	if err := yaml.Unmarshal(data, doc); err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		doc = &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
		if preamble = bytes.TrimRight(data, " \t\r\n"); len(preamble) > 0 {
			preamble = append(preamble, "\n\n"...)
		}
	}
	if doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("reading %s: the top level is not a mapping of keys to values", path)
	}
	return doc, preamble, nil
}

// setNode puts value at k in doc, creating the providers mapping and the
// profile as needed, and returns the mapping it went into. A value already
// there keeps its comments.
func setNode(doc *yaml.Node, k Key, value *yaml.Node) (*yaml.Node, error) {
	m := doc.Content[0]
	if k.Profile != "" {
		var err error
		if m, err = childMapping(m, "providers", "providers"); err != nil {
			return nil, err
		}
		if m, err = childMapping(m, k.Profile, "providers."+k.Profile); err != nil {
			return nil, err
		}
	}
	if old := lookup(m, k.Field); old != nil {
		value.HeadComment, value.LineComment, value.FootComment = old.HeadComment, old.LineComment, old.FootComment
		*old = *value
		return m, nil
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k.Field}, value)
	return m, nil
}

// childMapping returns the mapping under key in m, adding an empty one if
// the key is missing or null. path names the mapping in errors.
func childMapping(m *yaml.Node, key, path string) (*yaml.Node, error) {
	v := lookup(m, key)
	switch {
	case v == nil:
		v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
	case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
		comments := *v
		*v = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", HeadComment: comments.HeadComment, LineComment: comments.LineComment}
	case v.Kind != yaml.MappingNode:
		return nil, fmt.Errorf("%s in the config file is not a mapping of keys to values", path)
	}
	return v, nil
}

// lookup returns the value node of key in mapping m, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// validate applies Load's rules to a whole config file: it must decode,
// and every profile must merge with its built-in base.
func validate(data []byte, getenv func(string) string) error {
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return err
	}
	var fc fileConfig
	if err := v.Unmarshal(&fc); err != nil {
		return err
	}
	base := builtins(getenv)
	for name, fp := range fc.Providers {
		if _, err := mergeProfile(base[name], name, fp); err != nil {
			return fmt.Errorf("providers.%s: %w", name, err)
		}
	}
	if v.IsSet("poll_interval") && fc.PollInterval <= 0 {
		return fmt.Errorf("poll_interval must be positive, got %s", fc.PollInterval)
	}
	return nil
}

// writeFile replaces path with data atomically: a temporary file in the
// same directory (0600) renamed over it. The directory is made 0700.
func writeFile(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".config-*.yaml")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

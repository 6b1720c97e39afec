package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/batchctl/batchctl/internal/pgurl"
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
	if err := validate(doc, buf.Bytes(), getenv); err != nil {
		se := &SettingError{Err: err}
		if base := builtins(getenv)[k.Profile]; errors.Is(err, errNoBaseURL) && k.Profile != "" && lookup(m, "base_url") == nil && (base == nil || base.BaseURL == "") {
			se.Hint = fmt.Sprintf("give the provider its URL first: batchctl config set providers.%s.base_url URL", k.Profile)
		}
		return se
	}
	return writeFile(target, buf.Bytes())
}

// parseSetting checks a key and its value on their own and returns the
// value as a YAML scalar. validate then checks the whole file.
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
	value = strings.TrimSpace(value)
	if k.Field == "registry" && pgurl.HasPassword(value) {
		return Key{}, nil, &SettingError{
			Err:  fmt.Errorf("%s: batchctl never writes passwords to a file", key),
			Hint: "leave the password out of the URL and keep it in ~/.pgpass or PGPASSWORD",
		}
	}
	kind := kindOf(k)
	if err := kind.check(value); err != nil {
		return Key{}, nil, &SettingError{Err: fmt.Errorf("%s: %w", key, err)}
	}
	node := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
	if kind == kindPositiveInt {
		n, _ := strconv.Atoi(value)
		node.Tag, node.Value = "!!int", strconv.Itoa(n)
	}
	return k, node, nil
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
		*v = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", HeadComment: v.HeadComment, LineComment: v.LineComment}
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

// validate applies Load's rules to a whole config file (doc, encoded as
// data): top-level values must be valid, and every profile must merge
// with its built-in base.
func validate(doc *yaml.Node, data []byte, getenv func(string) string) error {
	root := doc.Content[0]
	for _, key := range Keys {
		if v := lookup(root, key); v != nil && v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
			if err := kindOf(Key{Field: key}).check(v.Value); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
		}
	}
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

// FilePath is where the config file is (or would be): config.yaml in
// BATCHCTL_HOME. Unlike Load it does not read the file, so it works when the
// file is invalid.
func FilePath(getenv func(string) string) (string, error) {
	home, err := DefaultHome(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "config.yaml"), nil
}

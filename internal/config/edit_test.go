package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSetEdits(t *testing.T) {
	tests := []struct {
		name  string
		file  string // "" means no file
		key   string
		value string
		want  string
	}{
		{
			name: "no file yet", key: "poll_interval", value: "30s",
			want: "poll_interval: 30s\n",
		},
		{
			name: "a new profile field creates the providers mapping", key: "providers.groq.max_requests", value: " 1000 ",
			want: "providers:\n  groq:\n    max_requests: 1000\n",
		},
		{
			name: "values that look like other types stay strings", key: "default_model", value: "true",
			want: "default_model: \"true\"\n",
		},
		{
			name:  "comments, order and other keys are kept; the layout is yaml.v3's",
			file:  "# batchctl settings\ndefault_model: openai/gpt-4o-mini # the usual\n\nproviders:\n    groq:            # fast\n        base_url: https://api.groq.com/openai/v1\n        max_bytes: 100MB # their limit\n",
			key:   "providers.groq.max_bytes",
			value: "50MB",
			want:  "# batchctl settings\ndefault_model: openai/gpt-4o-mini # the usual\nproviders:\n  groq: # fast\n    base_url: https://api.groq.com/openai/v1\n    max_bytes: 50MB # their limit\n",
		},
		{
			name:  "a new key goes after the others",
			file:  "providers:\n  groq:\n    base_url: https://api.groq.com/openai/v1\n",
			key:   "emulator_duration",
			value: "0s",
			want:  "providers:\n  groq:\n    base_url: https://api.groq.com/openai/v1\nemulator_duration: 0s\n",
		},
		{
			name:  "a file of comments only keeps them",
			file:  "# written by hand\n# keep this\n\n",
			key:   "poll_interval",
			value: "1m",
			want:  "# written by hand\n# keep this\n\npoll_interval: 1m\n",
		},
		{
			name:  "a vertex profile's bucket, project and location",
			file:  "providers:\n  gcp:\n    type: vertex\n    bucket: gs://my-bucket/batches\n    project: my-project-123\n",
			key:   "providers.gcp.location",
			value: "europe-west4",
			want:  "providers:\n  gcp:\n    type: vertex\n    bucket: gs://my-bucket/batches\n    project: my-project-123\n    location: europe-west4\n",
		},
		{
			name:  "a domain-scoped project and the global location",
			file:  "providers:\n  gcp:\n    type: vertex\n    location: global\n",
			key:   "providers.gcp.project",
			value: "example.com:my-project",
			want:  "providers:\n  gcp:\n    type: vertex\n    location: global\n    project: example.com:my-project\n",
		},
		{
			name:  "an empty providers key becomes a mapping",
			file:  "providers: # none yet\n",
			key:   "providers.proxy.base_url",
			value: "http://127.0.0.1:8080/v1",
			want:  "providers: # none yet\n  proxy:\n    base_url: http://127.0.0.1:8080/v1\n",
		},
		{
			name:  "a new openai profile with its URL",
			file:  "",
			key:   "providers.together.base_url",
			value: "https://api.together.xyz/v1",
			want:  "providers:\n  together:\n    base_url: https://api.together.xyz/v1\n",
		},
		{
			name:  "api_key_env and auth_header",
			file:  "providers:\n  myazure:\n    base_url: https://r.openai.azure.com/openai/v1\n",
			key:   "providers.myazure.auth_header",
			value: "api-key",
			want:  "providers:\n  myazure:\n    base_url: https://r.openai.azure.com/openai/v1\n    auth_header: api-key\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			if tt.file != "" {
				writeConfig(t, filepath.Dir(path), tt.file)
			}
			if err := Set(path, tt.key, tt.value, env(nil)); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("config.yaml:\n%s\nwant:\n%s", got, tt.want)
			}
			// what Set writes, Load reads
			cfg, err := Load(env(map[string]string{"BATCHCTL_HOME": filepath.Dir(path)}))
			if err != nil {
				t.Fatalf("Load after Set: %v", err)
			}
			if v, err := cfg.Get(tt.key); err != nil || v != normalized(tt.value) {
				t.Errorf("Get(%q) after Set = %q, %v; want %q", tt.key, v, err, normalized(tt.value))
			}
		})
	}
}

// normalized is how Get shows a value Set was given.
func normalized(v string) string {
	switch v {
	case " 1000 ":
		return "1000"
	}
	return v
}

func TestSetRefuses(t *testing.T) {
	const file = "# mine\nproviders:\n  proxy:\n    base_url: http://127.0.0.1:8080/v1\n"
	const clouds = "providers:\n  aws:\n    type: bedrock\n  gcp:\n    type: vertex\n"
	tests := []struct {
		name     string
		file     string
		key      string
		value    string
		wantErr  string
		wantHint string
	}{
		{name: "unknown key", key: "colour", value: "red", wantErr: `unknown key "colour"`, wantHint: "run 'batchctl config list' to see every key"},
		{name: "unknown field", key: "providers.proxy.zone", value: "eu", wantErr: `unknown key "providers.proxy.zone" (provider fields: type, base_url, api_key_env, api_key, auth_header, max_requests, max_bytes, completion_window, beta, bucket, role_arn, region, aws_profile, project, location)`, wantHint: "run 'batchctl config list' to see every key"},
		{name: "a bedrock field elsewhere", key: "providers.proxy.region", value: "eu-west-1", wantErr: `providers.proxy: region: only bedrock profiles have it (this one is of type openai)`},
		{name: "not a bucket", key: "providers.aws.bucket", value: "my-bucket", wantErr: `providers.aws.bucket: want a bucket location such as s3://bucket/prefix, got "my-bucket"`},
		{name: "a bucket elsewhere", key: "providers.proxy.bucket", value: "s3://b/p", wantErr: `providers.proxy: bucket: only bedrock and vertex profiles have it (this one is of type openai)`},
		{name: "a vertex field on bedrock", file: clouds, key: "providers.aws.project", value: "my-project", wantErr: `providers.aws: project: only vertex profiles have it (this one is of type bedrock)`},
		{name: "a bedrock field on vertex", file: clouds, key: "providers.gcp.region", value: "us-east-1", wantErr: `providers.gcp: region: only bedrock profiles have it (this one is of type vertex)`},
		{name: "a gs bucket on bedrock", file: clouds, key: "providers.aws.bucket", value: "gs://b/p", wantErr: `providers.aws: bucket: bucket location "gs://b/p": scheme "gs" is not supported (want s3://bucket/prefix)`},
		{name: "an s3 bucket on vertex", file: clouds, key: "providers.gcp.bucket", value: "s3://b/p", wantErr: `providers.gcp: bucket: bucket location "s3://b/p": scheme "s3" is not supported (want gs://bucket/prefix)`},
		{name: "not a project id", file: clouds, key: "providers.gcp.project", value: "My Project", wantErr: `providers.gcp.project: want a Google Cloud project id such as my-project-123 (lowercase letters, digits and hyphens), got "My Project"`},
		{name: "not a location", file: clouds, key: "providers.gcp.location", value: "https://us-central1-aiplatform.googleapis.com", wantErr: `providers.gcp.location: want a Vertex AI location such as us-central1, europe-west4 or global, got "https://us-central1-aiplatform.googleapis.com"`},
		{name: "not an ARN", key: "providers.aws.role_arn", value: "batchctl-role", wantErr: `providers.aws.role_arn: want an ARN such as arn:aws:iam::123456789012:role/name, got "batchctl-role"`},
		{name: "no profile name", key: "providers..type", value: "openai", wantErr: `unknown key "providers..type" (provider keys are providers.<name>.<field>)`, wantHint: "run 'batchctl config list' to see every key"},
		{
			name: "api keys never go into the file", key: "providers.proxy.api_key", value: "gsk-secret",
			wantErr:  "providers.proxy.api_key: batchctl never writes API keys to a file",
			wantHint: "keep the key in an environment variable and name it: batchctl config set providers.proxy.api_key_env VAR",
		},
		{name: "empty value", key: "default_model", value: " ", wantErr: "default_model: a value is required"},
		{name: "bad duration", key: "poll_interval", value: "often", wantErr: `poll_interval: invalid duration "often" (want e.g. 30s, 5m, 1h)`},
		{name: "zero poll interval", key: "poll_interval", value: "0s", wantErr: "poll_interval: must be positive, got 0s"},
		{name: "retry_attempts zero", key: "retry_attempts", value: "0", wantErr: `retry_attempts: want a positive whole number, got "0"`},
		{name: "retry_max_wait bad", key: "retry_max_wait", value: "5", wantErr: `retry_max_wait: invalid duration "5" (want e.g. 30s, 5m, 1h)`},
		{name: "an invalid top-level value already in the file", file: "poll_interval: -5s\n", key: "default_model", value: "openai/x", wantErr: "poll_interval: must be positive, got -5s"},
		{name: "negative emulator duration", key: "emulator_duration", value: "-1s", wantErr: "emulator_duration: must not be negative, got -1s"},
		{name: "max_requests not a number", key: "providers.proxy.max_requests", value: "lots", wantErr: `providers.proxy.max_requests: want a positive whole number, got "lots"`},
		{name: "max_requests zero", key: "providers.proxy.max_requests", value: "0", wantErr: `providers.proxy.max_requests: want a positive whole number, got "0"`},
		{name: "bad size", key: "providers.proxy.max_bytes", value: "huge", wantErr: `providers.proxy.max_bytes: invalid size "huge" (want e.g. 200MB, 1GiB or a number of bytes)`},
		{name: "bad URL", key: "providers.proxy.base_url", value: "api.groq.com", wantErr: `providers.proxy.base_url: want an http or https URL, got "api.groq.com"`},
		{name: "a key instead of a variable name", key: "providers.proxy.api_key_env", value: "sk-abc123", wantErr: `providers.proxy.api_key_env: want the name of an environment variable (such as GROQ_API_KEY), got "sk-abc123"`},
		{name: "unknown type", key: "providers.proxy.type", value: "grpc", wantErr: `providers.proxy: unknown type "grpc" (supported: openai, anthropic, gemini, mistral, openrouter, xai, bedrock, vertex)`},
		{name: "emulator type is reserved", key: "providers.proxy.type", value: "emulator", wantErr: `providers.proxy: type "emulator" is reserved for the built-in emulator profile`},
		{name: "unknown auth style", key: "providers.proxy.auth_header", value: "basic", wantErr: `providers.proxy: auth_header: unknown style "basic" (want bearer or api-key)`},
		{
			name: "a new profile needs its URL first", key: "providers.new.max_requests", value: "10",
			wantErr: "providers.new: base_url is required", wantHint: "give the provider its URL first: batchctl config set providers.new.base_url URL",
		},
		{name: "providers is not a mapping", file: "providers: [a, b]\n", key: "providers.proxy.type", value: "openai", wantErr: "providers in the config file is not a mapping of keys to values"},
		{name: "another invalid entry", file: "providers:\n  x:\n    max_bytes: lots\n", key: "poll_interval", value: "5s", wantErr: `providers.x: max_bytes: invalid size "lots" (want e.g. 200MB, 1GiB or a number of bytes)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			before := tt.file
			if before == "" {
				before = file
			}
			writeConfig(t, home, before)
			err := Set(filepath.Join(home, "config.yaml"), tt.key, tt.value, env(nil))
			var se *SettingError
			if !errors.As(err, &se) || err.Error() != tt.wantErr || se.Hint != tt.wantHint {
				t.Fatalf("Set = %v (%T, hint %q)\nwant SettingError %q (hint %q)", err, err, hintOf(se), tt.wantErr, tt.wantHint)
			}
			if got, _ := os.ReadFile(filepath.Join(home, "config.yaml")); string(got) != before {
				t.Errorf("the file changed:\n%s", got)
			}
			if entries, _ := os.ReadDir(home); len(entries) != 1 {
				t.Errorf("files left in %s: %v", home, entries)
			}
		})
	}
}

func hintOf(se *SettingError) string {
	if se == nil {
		return ""
	}
	return se.Hint
}

func TestSetPermissions(t *testing.T) {
	home := filepath.Join(t.TempDir(), "a", "batchctl")
	path := filepath.Join(home, "config.yaml")
	if err := Set(path, "default_model", "emulator/echo", env(nil)); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{home: 0o700 | os.ModeDir, path: 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, st.Mode(), want)
		}
	}
}

func TestSetFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "config.yaml")
	writeConfig(t, filepath.Dir(real), "default_model: openai/gpt-4o-mini\n")
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(home, "config.yaml")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := Set(link, "poll_interval", "20s", env(nil)); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("config.yaml is no longer a link: %v, %v", st.Mode(), err)
	}
	got, err := os.ReadFile(real)
	if err != nil {
		t.Fatal(err)
	}
	if want := "default_model: openai/gpt-4o-mini\npoll_interval: 20s\n"; string(got) != want {
		t.Errorf("linked file:\n%s\nwant:\n%s", got, want)
	}
}

func TestFilePath(t *testing.T) {
	got, err := FilePath(env(map[string]string{"BATCHCTL_HOME": "/h"}))
	if err != nil || got != filepath.Join("/h", "config.yaml") {
		t.Errorf("FilePath = %q, %v", got, err)
	}
	cfg, err := Load(env(map[string]string{"XDG_CONFIG_HOME": "/x"}))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := FilePath(env(map[string]string{"XDG_CONFIG_HOME": "/x"})); got != cfg.File {
		t.Errorf("FilePath = %q, Load reads %q", got, cfg.File)
	}
}

// Package config turns config.yaml, BATCHCTL_* variables and the providers'
// usual variables into one typed Config. It is the only package that uses
// viper; commands see *Config only.
package config

import (
	"errors"
	"fmt"
	"github.com/batchctl/batchctl/internal/objstore"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// Profile types: the wire protocol a provider profile speaks.
const (
	TypeOpenAI     = "openai"
	TypeAnthropic  = "anthropic"
	TypeGemini     = "gemini"
	TypeMistral    = "mistral"
	TypeOpenRouter = "openrouter"
	TypeXAI        = "xai"
	TypeBedrock    = "bedrock"
	TypeVertex     = "vertex"
	TypeEmulator   = "emulator"
)

// Profile modes: how a profile's jobs run.
const (
	ModeBatch  = "batch"
	ModeDirect = "direct"
)

// DefaultConcurrency is how many requests of a direct job are in flight
// at most when neither the profile nor the command says.
const DefaultConcurrency = 8

// Direct reports whether the profile's jobs are direct jobs.
func (p *Profile) Direct() bool { return p.Mode == ModeDirect }

// Auth header styles of openai-type profiles.
const (
	AuthBearer = "bearer"  // Authorization: Bearer KEY
	AuthAPIKey = "api-key" // api-key: KEY (Azure)
)

// Config is batchctl's whole configuration.
type Config struct {
	// Home is BATCHCTL_HOME: config.yaml, the registry and per-job files.
	Home string
	// File is the config file path (it need not exist).
	File string
	// DefaultModel is used when a command gets no --model.
	DefaultModel string
	// PollInterval is the default `wait --interval`.
	PollInterval time.Duration
	// EmulatorDuration is how long a batch takes on the embedded emulator.
	EmulatorDuration time.Duration
	// EmulatorFaults injects server faults into the embedded emulator
	// (emulator_faults; the syntax of `batchctl emulator serve --faults`).
	EmulatorFaults string
	// EmulatorLimits sets the latency and rate limits of the embedded
	// emulator's synchronous endpoints and its batch queue quotas
	// (emulator_limits; see emulator.ParseLimits).
	EmulatorLimits string
	// RetryAttempts is the most tries of one provider call (retry_attempts).
	RetryAttempts int
	// RetryMaxWait caps the backoff between tries (retry_max_wait).
	RetryMaxWait time.Duration
	// HTTPIdleTimeout ends an HTTP exchange that moves no data for this
	// long: no answer, an upload the server stopped taking, or an answer
	// that stopped coming (http_idle_timeout).
	HTTPIdleTimeout time.Duration
	// MaxCost is the default create/retry --max-cost in USD (max_cost); 0
	// sets no cap.
	MaxCost float64
	// Registry is where the job registry lives (registry): the absolute
	// path of a SQLite database (by default batchctl.db in Home), or a
	// PostgreSQL URL (see pgurl.Is), which may hold a password and is
	// shown only through pgurl.Redact.
	Registry string
	// Files is where the jobs' files are kept (files): converted input
	// kept for retry, downloaded results. Empty means Home/jobs; hosts that
	// share a registry point it at one shared directory, or at an object
	// storage prefix (s3:// or gs://bucket/prefix; the files are then kept in
	// Home/jobs too, see FilesStore).
	Files string
	// Providers holds every profile, built-in and configured, by name.
	Providers map[string]*Profile
	// Warnings are problems worth telling the user that do not stop batchctl.
	Warnings []string
}

// Profile is one provider: a wire protocol plus where and how to reach it.
type Profile struct {
	Name      string
	Type      string
	BaseURL   string
	APIKeyEnv string
	APIKey    string // resolved from the config or APIKeyEnv; never printed
	// KeyOptional is set when APIKey is a placeholder sent to a local
	// server that takes any key or none (ollama, vllm).
	KeyOptional      bool
	AuthHeader       string
	Headers          map[string]string
	MaxRequests      int
	MaxBytes         int64
	CompletionWindow string
	// Beta is sent as anthropic-beta (anthropic type only).
	Beta string
	// Mode is ModeBatch (the default when empty) or ModeDirect: a direct
	// profile's jobs are sent one request at a time to the synchronous
	// endpoints of its protocol, by batchctl itself.
	Mode string
	// Concurrency, RPM and TPM are a direct job's default limits: requests
	// in flight, requests and tokens per minute; 0 means none (Concurrency:
	// DefaultConcurrency).
	Concurrency, RPM, TPM int
	// EnqueuedBudgets cap what may be enqueued at the provider at once,
	// per model (providers.<name>.enqueued_tokens; see BudgetFor).
	EnqueuedBudgets []Budget
	BuiltIn         bool
	// BaseURLSource says where BaseURL came from, for messages: a variable
	// (OPENAI_BASE_URL) or a config key; "" for a built-in default.
	BaseURLSource string
	// Bucket, RoleARN, Region and AWSProfile are a bedrock profile's
	// bucket location (s3://bucket/prefix; a vertex profile's is gs://)
	// for job input and output, the service role Bedrock assumes to read
	// and write it, the AWS region, and the AWS config profile whose
	// credentials are used ("" for the default chain: AWS_PROFILE, the
	// environment, ...).
	Bucket, RoleARN, Region, AWSProfile string
	// Project and Location are a vertex profile's Google Cloud project
	// and Vertex AI location ("" for GOOGLE_CLOUD_PROJECT and
	// GOOGLE_CLOUD_LOCATION, see gcpcfg); its Bucket is a gs:// location.
	Project, Location string
}

// KeySet reports whether the profile has an API key (the emulator needs none).
// A bedrock profile's credentials are the AWS default chain's, a vertex
// profile's Google's Application Default Credentials, found when first
// used.
func (p *Profile) KeySet() bool {
	return p.APIKey != "" || p.Type == TypeEmulator || p.Type == TypeBedrock || p.Type == TypeVertex
}

// checkCloudFields refuses a cloud field (cloudFields) fp sets that a
// profile of type typ does not have, and a bucket of another cloud's
// scheme.
func checkCloudFields(fp fileProfile, typ string) error {
	values := map[string]string{
		"bucket": fp.Bucket, "role_arn": fp.RoleARN, "region": fp.Region, "aws_profile": fp.AWSProfile,
		"project": fp.Project, "location": fp.Location,
	}
	for _, f := range cloudFields {
		if values[f.name] != "" && !slices.Contains(f.types, typ) {
			return fmt.Errorf("%s: only %s profiles have it (this one is of type %s)", f.name, strings.Join(f.types, " and "), typ)
		}
	}
	if fp.Bucket == "" {
		return nil
	}
	if _, err := objstore.ParseURLOf(fp.Bucket, bucketSchemes[typ]); err != nil {
		return fmt.Errorf("bucket: %w", err)
	}
	return nil
}

// bucketSchemes is the bucket scheme of each profile type with a bucket.
var bucketSchemes = map[string]string{TypeBedrock: objstore.SchemeS3, TypeVertex: objstore.SchemeGCS}

// fileProfile is a profile as written in config.yaml.
type fileProfile struct {
	Type             string            `mapstructure:"type"`
	BaseURL          string            `mapstructure:"base_url"`
	APIKeyEnv        string            `mapstructure:"api_key_env"`
	APIKey           string            `mapstructure:"api_key"`
	AuthHeader       string            `mapstructure:"auth_header"`
	Headers          map[string]string `mapstructure:"headers"`
	MaxRequests      int               `mapstructure:"max_requests"`
	MaxBytes         string            `mapstructure:"max_bytes"`
	CompletionWindow string            `mapstructure:"completion_window"`
	Beta             string            `mapstructure:"beta"`
	Mode             string            `mapstructure:"mode"`
	Concurrency      int               `mapstructure:"concurrency"`
	RPM              int               `mapstructure:"rpm"`
	TPM              int               `mapstructure:"tpm"`
	EnqueuedTokens   []fileBudget      `mapstructure:"enqueued_tokens"`
	Bucket           string            `mapstructure:"bucket"`
	RoleARN          string            `mapstructure:"role_arn"`
	Region           string            `mapstructure:"region"`
	AWSProfile       string            `mapstructure:"aws_profile"`
	Project          string            `mapstructure:"project"`
	Location         string            `mapstructure:"location"`
}

type fileConfig struct {
	DefaultModel     string                 `mapstructure:"default_model"`
	PollInterval     time.Duration          `mapstructure:"poll_interval"`
	EmulatorDuration time.Duration          `mapstructure:"emulator_duration"`
	EmulatorFaults   string                 `mapstructure:"emulator_faults"`
	EmulatorLimits   string                 `mapstructure:"emulator_limits"`
	RetryAttempts    int                    `mapstructure:"retry_attempts"`
	RetryMaxWait     time.Duration          `mapstructure:"retry_max_wait"`
	HTTPIdleTimeout  time.Duration          `mapstructure:"http_idle_timeout"`
	MaxCost          float64                `mapstructure:"max_cost"`
	Registry         string                 `mapstructure:"registry"`
	Files            string                 `mapstructure:"files"`
	Providers        map[string]fileProfile `mapstructure:"providers"`
}

// Keys lists the top-level settings, each also settable as BATCHCTL_<KEY>.
var Keys = []string{"default_model", "poll_interval", "emulator_duration", "emulator_faults", "emulator_limits", "retry_attempts", "retry_max_wait", "http_idle_timeout", "max_cost", "registry", "files"}

// DefaultHome is where state lives when BATCHCTL_HOME is not set.
func DefaultHome(getenv func(string) string) (string, error) {
	if h := getenv("BATCHCTL_HOME"); h != "" {
		return h, nil
	}
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		var err error
		if dir, err = os.UserConfigDir(); err != nil {
			return "", fmt.Errorf("cannot find a home for batchctl's state: %w (set BATCHCTL_HOME)", err)
		}
	}
	return filepath.Join(dir, "batchctl"), nil
}

// Load reads the configuration. getenv is the environment (os.Getenv in
// production); a missing config file is fine, a malformed one is an error.
func Load(getenv func(string) string) (*Config, error) {
	home, err := DefaultHome(getenv)
	if err != nil {
		return nil, err
	}
	v := viper.New()
	v.SetConfigFile(filepath.Join(home, "config.yaml"))
	v.SetConfigType("yaml")
	v.SetDefault("poll_interval", 10*time.Second)
	v.SetDefault("emulator_duration", 3*time.Second)
	v.SetDefault("retry_attempts", 5)
	v.SetDefault("retry_max_wait", time.Minute)
	v.SetDefault("http_idle_timeout", time.Minute)
	for _, k := range Keys {
		if val := getenv("BATCHCTL_" + strings.ToUpper(k)); val != "" {
			v.Set(k, val)
		}
	}
	if err := v.ReadInConfig(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		var notFound viper.ConfigFileNotFoundError
		if !errors.As(err, &notFound) {
			return nil, fmt.Errorf("reading %s: %w", v.ConfigFileUsed(), err)
		}
	}
	var fc fileConfig
	if err := v.Unmarshal(&fc); err != nil {
		return nil, fmt.Errorf("reading %s: %w", v.ConfigFileUsed(), err)
	}
	cfg := &Config{
		Home:             home,
		File:             v.ConfigFileUsed(),
		DefaultModel:     fc.DefaultModel,
		PollInterval:     fc.PollInterval,
		EmulatorDuration: fc.EmulatorDuration,
		EmulatorFaults:   fc.EmulatorFaults,
		EmulatorLimits:   fc.EmulatorLimits,
		RetryAttempts:    fc.RetryAttempts,
		RetryMaxWait:     fc.RetryMaxWait,
		HTTPIdleTimeout:  fc.HTTPIdleTimeout,
		MaxCost:          fc.MaxCost,
		Registry:         resolveRegistry(home, fc.Registry),
		Files:            fc.Files,
		Providers:        builtins(getenv),
	}
	for name, fp := range fc.Providers {
		if fp.APIKey != "" {
			if fi, err := os.Stat(cfg.File); err == nil && fi.Mode().Perm()&0o077 != 0 {
				cfg.Warnings = append(cfg.Warnings, fmt.Sprintf(
					"%s holds an API key (providers.%s.api_key) and can be read by other users: chmod 600 it, or use api_key_env", cfg.File, name))
			}
		}
		p, err := mergeProfile(cfg.Providers[name], name, fp)
		if err != nil {
			return nil, fmt.Errorf("%s: providers.%s: %w", cfg.File, name, err)
		}
		cfg.Providers[name] = p
	}
	for _, p := range cfg.Providers {
		if p.APIKey == "" && p.APIKeyEnv != "" {
			p.APIKey = getenv(p.APIKeyEnv)
		}
	}
	// Local servers take any key, or none: send a placeholder, as their
	// docs' clients do ("ollama", "EMPTY").
	for name, placeholder := range map[string]string{"ollama": "ollama", "vllm": "EMPTY"} {
		if p := cfg.Providers[name]; p.BuiltIn && p.APIKey == "" {
			p.APIKey, p.KeyOptional = placeholder, true
		}
	}
	if g := cfg.Providers["gemini"]; g.BuiltIn && g.APIKey == "" && g.APIKeyEnv == "GEMINI_API_KEY" {
		g.APIKey = getenv("GOOGLE_API_KEY") // the Gemini SDKs' second choice
	}
	if cfg.PollInterval <= 0 {
		return nil, fmt.Errorf("poll_interval must be positive, got %s", cfg.PollInterval)
	}
	if cfg.RetryAttempts < 1 {
		return nil, fmt.Errorf("retry_attempts must be at least 1, got %d", cfg.RetryAttempts)
	}
	if cfg.RetryMaxWait <= 0 {
		return nil, fmt.Errorf("retry_max_wait must be positive, got %s", cfg.RetryMaxWait)
	}
	if cfg.HTTPIdleTimeout <= 0 {
		return nil, fmt.Errorf("http_idle_timeout must be positive, got %s", cfg.HTTPIdleTimeout)
	}
	if err := checkFiles(cfg.Files); err != nil {
		return nil, err
	}
	if cfg.MaxCost < 0 {
		return nil, fmt.Errorf("max_cost must not be negative, got %g", cfg.MaxCost)
	}
	if err := checkRegistry(fc.Registry); err != nil {
		return nil, err
	}
	return cfg, nil
}

func builtins(getenv func(string) string) map[string]*Profile {
	or := func(v, def string) string {
		if v != "" {
			return v
		}
		return def
	}
	headers := map[string]string{}
	if org := getenv("OPENAI_ORG_ID"); org != "" {
		headers["OpenAI-Organization"] = org
	}
	if proj := getenv("OPENAI_PROJECT_ID"); proj != "" {
		headers["OpenAI-Project"] = proj
	}
	azure := ""
	if ep := getenv("AZURE_OPENAI_ENDPOINT"); ep != "" {
		azure = strings.TrimSuffix(ep, "/") + "/openai/v1"
	}
	profiles := map[string]*Profile{
		"openai": {
			Name: "openai", Type: TypeOpenAI, BaseURL: or(getenv("OPENAI_BASE_URL"), "https://api.openai.com/v1"),
			APIKeyEnv: "OPENAI_API_KEY", AuthHeader: AuthBearer, Headers: headers,
			MaxRequests: 50_000, MaxBytes: 200 * MB, CompletionWindow: "24h", BuiltIn: true,
		},
		"anthropic": {
			Name: "anthropic", Type: TypeAnthropic, BaseURL: or(getenv("ANTHROPIC_BASE_URL"), "https://api.anthropic.com"),
			// 256 MB is the limit of the whole create request, which wraps the
			// requests in a few bytes of JSON: leave a margin.
			APIKeyEnv: "ANTHROPIC_API_KEY", MaxRequests: 100_000, MaxBytes: 255 * MB, BuiltIn: true,
		},
		"gemini": {
			Name: "gemini", Type: TypeGemini,
			BaseURL:   or(getenv("GOOGLE_GEMINI_BASE_URL"), "https://generativelanguage.googleapis.com"),
			APIKeyEnv: "GEMINI_API_KEY", MaxRequests: 100_000, MaxBytes: 2 * GB, BuiltIn: true,
		},
		"mistral": {
			// 1M requests per batch (docs.mistral.ai/capabilities/batch);
			// 512 MB per uploaded file (mistralai/client-python
			// docs/sdks/files/README.md).
			Name: "mistral", Type: TypeMistral, BaseURL: or(getenv("MISTRAL_BASE_URL"), "https://api.mistral.ai"),
			APIKeyEnv: "MISTRAL_API_KEY", MaxRequests: 1_000_000, MaxBytes: 512 * MB, CompletionWindow: "24h", BuiltIn: true,
		},
		"xai": {
			// xAI documents no per-batch limits (UNCONFIRMED): OpenAI's are
			// taken, and the requests are added 1,000 at a time.
			Name: "xai", Type: TypeXAI, BaseURL: or(getenv("XAI_BASE_URL"), "https://api.x.ai/v1"),
			APIKeyEnv: "XAI_API_KEY", MaxRequests: 50_000, MaxBytes: 200 * MB, BuiltIn: true,
		},
		"openrouter": {
			Name: "openrouter", Type: TypeOpenRouter, BaseURL: or(getenv("OPENROUTER_BASE_URL"), "https://openrouter.ai/api/beta"),
			// The figures (5,000 requests, 200 MB a batch); OpenRouter's
			// documentation states no limit (internal/providers/openrouter).
			APIKeyEnv: "OPENROUTER_API_KEY", MaxRequests: 5_000, MaxBytes: 200 * MB, CompletionWindow: "24h", BuiltIn: true,
		},
		"azure": {
			Name: "azure", Type: TypeOpenAI, BaseURL: azure, APIKeyEnv: "AZURE_OPENAI_API_KEY", AuthHeader: AuthAPIKey,
			MaxRequests: 100_000, MaxBytes: 200 * MB, CompletionWindow: "24h", BuiltIn: true,
		},
		"groq": {
			Name: "groq", Type: TypeOpenAI, BaseURL: "https://api.groq.com/openai/v1", APIKeyEnv: "GROQ_API_KEY",
			AuthHeader: AuthBearer, MaxRequests: 50_000, MaxBytes: 200 * MB, CompletionWindow: "24h", BuiltIn: true,
		},
		"bedrock": {
			// Bedrock batch inference quotas (defaults, per job): 50,000
			// records, 1 GB per input file, 5 GB per job; a job needs at
			// least 100 records for most models. Source: "Quotas for
			// Amazon Bedrock" (docs.aws.amazon.com/bedrock/latest/userguide/quotas.html)
			// and the batch inference guide (batch-inference-data.html);
			// quotas vary by model and account (UNCONFIRMED per model).
			Name: "bedrock", Type: TypeBedrock, BuiltIn: true,
			Bucket: getenv("BATCHCTL_BEDROCK_BUCKET"), RoleARN: getenv("BATCHCTL_BEDROCK_ROLE_ARN"),
			MaxRequests: 50_000, MaxBytes: 1 * GB,
		},
		"vertex": {
			// Vertex AI batch prediction for Gemini: up to 200,000
			// requests per job, an input file of up to 1 GB (from
			// memory of the "Batch prediction" quotas of the Vertex AI
			// generative AI docs; UNCONFIRMED). Project and location
			// come from GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION
			// (gcpcfg) unless a profile names them.
			Name: "vertex", Type: TypeVertex, BuiltIn: true,
			BaseURL: getenv("GOOGLE_VERTEX_BASE_URL"), Bucket: getenv("BATCHCTL_VERTEX_BUCKET"),
			MaxRequests: 200_000, MaxBytes: 1 * GB,
		},
		"emulator": {
			Name: "emulator", Type: TypeEmulator, AuthHeader: AuthBearer,
			MaxRequests: 50_000, MaxBytes: 200 * MB, CompletionWindow: "24h", BuiltIn: true,
		},
		// The servers without a batch API: direct profiles. Ollama's
		// OpenAI-compatible API is at :11434/v1 and takes any key
		// (https://github.com/ollama/ollama/blob/main/docs/openai.md); vLLM's
		// `vllm serve` listens on :8000 and checks a key only when started
		// with --api-key or VLLM_API_KEY
		// (https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html);
		// DeepSeek's base URL is https://api.deepseek.com, /v1 optional
		// (https://api-docs.deepseek.com/).
		"ollama": {
			Name: "ollama", Type: TypeOpenAI, BaseURL: or(getenv("OLLAMA_BASE_URL"), "http://localhost:11434/v1"),
			APIKeyEnv: "OLLAMA_API_KEY", AuthHeader: AuthBearer, Mode: ModeDirect,
			MaxRequests: 50_000, MaxBytes: 200 * MB, BuiltIn: true,
		},
		"vllm": {
			Name: "vllm", Type: TypeOpenAI, BaseURL: or(getenv("VLLM_BASE_URL"), "http://localhost:8000/v1"),
			APIKeyEnv: "VLLM_API_KEY", AuthHeader: AuthBearer, Mode: ModeDirect,
			MaxRequests: 50_000, MaxBytes: 200 * MB, BuiltIn: true,
		},
		"deepseek": {
			Name: "deepseek", Type: TypeOpenAI, BaseURL: "https://api.deepseek.com",
			APIKeyEnv: "DEEPSEEK_API_KEY", AuthHeader: AuthBearer, Mode: ModeDirect,
			MaxRequests: 50_000, MaxBytes: 200 * MB, BuiltIn: true,
		},
	}
	for name, env := range map[string]string{"openai": "OPENAI_BASE_URL", "anthropic": "ANTHROPIC_BASE_URL",
		"gemini": "GOOGLE_GEMINI_BASE_URL", "azure": "AZURE_OPENAI_ENDPOINT", "mistral": "MISTRAL_BASE_URL",
		"openrouter": "OPENROUTER_BASE_URL", "xai": "XAI_BASE_URL", "ollama": "OLLAMA_BASE_URL", "vllm": "VLLM_BASE_URL",
		"vertex": "GOOGLE_VERTEX_BASE_URL"} {
		if getenv(env) != "" {
			profiles[name].BaseURLSource = env
		}
	}
	return profiles
}

// errNoBaseURL is mergeProfile's error for a profile that needs a base
// URL and has none.
var errNoBaseURL = errors.New("base_url is required")

// mergeProfile lays a config.yaml profile over a built-in one (base may be nil).
func mergeProfile(base *Profile, name string, fp fileProfile) (*Profile, error) {
	p := &Profile{Name: name, Type: TypeOpenAI, AuthHeader: AuthBearer, CompletionWindow: "24h"}
	if base != nil {
		c := *base
		p = &c
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&p.Type, fp.Type)
	set(&p.BaseURL, fp.BaseURL)
	if fp.BaseURL != "" {
		p.BaseURLSource = "providers." + name + ".base_url"
	}
	set(&p.APIKeyEnv, fp.APIKeyEnv)
	set(&p.APIKey, fp.APIKey)
	set(&p.AuthHeader, fp.AuthHeader)
	set(&p.CompletionWindow, fp.CompletionWindow)
	set(&p.Beta, fp.Beta)
	set(&p.Mode, fp.Mode)
	set(&p.Bucket, fp.Bucket)
	set(&p.RoleARN, fp.RoleARN)
	set(&p.Region, fp.Region)
	set(&p.AWSProfile, fp.AWSProfile)
	set(&p.Project, fp.Project)
	set(&p.Location, fp.Location)
	switch p.Mode {
	case "", ModeBatch, ModeDirect:
	default:
		return nil, fmt.Errorf("mode: unknown mode %q (want %s or %s)", p.Mode, ModeBatch, ModeDirect)
	}
	for _, l := range []struct {
		key string
		v   int
		dst *int
	}{{"concurrency", fp.Concurrency, &p.Concurrency}, {"rpm", fp.RPM, &p.RPM}, {"tpm", fp.TPM, &p.TPM}} {
		if l.v < 0 {
			return nil, fmt.Errorf("%s must not be negative, got %d", l.key, l.v)
		}
		if l.v > 0 {
			*l.dst = l.v
		}
	}
	if fp.Headers != nil {
		p.Headers = fp.Headers
	}
	if fp.MaxRequests < 0 {
		return nil, fmt.Errorf("max_requests must be positive, got %d", fp.MaxRequests)
	}
	if fp.MaxRequests > 0 {
		p.MaxRequests = fp.MaxRequests
	}
	if fp.MaxBytes != "" {
		n, err := ParseBytes(fp.MaxBytes)
		if err != nil {
			return nil, fmt.Errorf("max_bytes: %w", err)
		}
		p.MaxBytes = n
	}
	switch p.Type {
	case TypeOpenAI, TypeAnthropic, TypeGemini, TypeMistral, TypeOpenRouter, TypeXAI, TypeBedrock, TypeVertex:
	case TypeEmulator:
		if base == nil {
			return nil, fmt.Errorf("type %q is reserved for the built-in emulator profile", p.Type)
		}
	default:
		return nil, fmt.Errorf("unknown type %q (supported: %s)", p.Type, strings.Join(ProfileTypes(), ", "))
	}
	switch {
	case p.AuthHeader == AuthBearer, p.AuthHeader == AuthAPIKey:
	case p.AuthHeader == "" && p.Type != TypeOpenAI: // the Anthropic, Gemini and OpenRouter protocols fix their own
	default:
		return nil, fmt.Errorf("auth_header: unknown style %q (want %s or %s)", p.AuthHeader, AuthBearer, AuthAPIKey)
	}
	if p.Type != TypeEmulator && p.Type != TypeBedrock && p.Type != TypeVertex && p.BaseURL == "" {
		return nil, errNoBaseURL
	}
	if err := checkCloudFields(fp, p.Type); err != nil {
		return nil, err
	}
	if fp.EnqueuedTokens != nil {
		budgets, err := parseBudgets(p.Type, fp.EnqueuedTokens)
		if err != nil {
			return nil, err
		}
		p.EnqueuedBudgets = budgets
	}
	if p.MaxRequests == 0 {
		p.MaxRequests = 50_000
	}
	if p.MaxBytes == 0 {
		p.MaxBytes = 200 * MB
	}
	return p, nil
}

// Profile returns the named profile, or an error listing the known ones.
func (c *Config) Profile(name string) (*Profile, error) {
	if p, ok := c.Providers[name]; ok {
		return p, nil
	}
	msg := fmt.Sprintf("unknown provider %q", name)
	if near := closest(name, c.ProfileNames()); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	return nil, fmt.Errorf("%s (known: %s)", msg, strings.Join(c.ProfileNames(), ", "))
}

// closest returns the name nearest to s when it is a likely typo of it (at
// most two edits away, and fewer than half of s), "" otherwise.
func closest(s string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d := editDistance(s, n); d < bestD && 2*d < max(len(s), 2) {
			best, bestD = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// ProfileNames lists the profile names, sorted.
func (c *Config) ProfileNames() []string {
	names := make([]string, 0, len(c.Providers))
	for n := range c.Providers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ParseModel splits a model spec "provider/model". A spec without a slash
// takes the provider from fallback (the --provider flag). Model names may
// themselves contain slashes ("groq/meta-llama/llama-4").
func ParseModel(spec, fallback string) (provider, model string, err error) {
	if spec == "" {
		return "", "", errors.New("no model given")
	}
	if fallback != "" {
		return fallback, spec, nil
	}
	provider, model, ok := strings.Cut(spec, "/")
	if !ok || provider == "" || model == "" {
		return "", "", fmt.Errorf("model %q is not of the form provider/model", spec)
	}
	return provider, model, nil
}

// DBPath is the path of the default registry, a SQLite database in Home
// (see Registry for the registry in use).
func (c *Config) DBPath() string { return filepath.Join(c.Home, "batchctl.db") }

// JobDir is the directory of one job's files.
func (c *Config) JobDir(id string) string { return filepath.Join(c.FilesDir(), id) }

// HostJobDir is the directory of what belongs to this host of one job's
// files (a direct job's worker pid): JobDir, unless files is set.
func (c *Config) HostJobDir(id string) string { return filepath.Join(c.Home, "jobs", id) }

// FilesDir is the directory of every job's directory: files when it is a
// directory, else Home/jobs.
func (c *Config) FilesDir() string {
	if c.Files != "" && c.FilesStore() == "" {
		return c.Files
	}
	return filepath.Join(c.Home, "jobs")
}

// FilesStore is the object storage prefix the jobs' files are shared
// under, when files is one; "" otherwise.
func (c *Config) FilesStore() string {
	if strings.Contains(c.Files, "://") {
		return c.Files
	}
	return ""
}

// checkFiles checks the files setting: an object storage prefix, or an
// absolute directory path, the same on every host that shares it.
func checkFiles(files string) error {
	if strings.Contains(files, "://") {
		if _, err := objstore.ParseURL(files); err != nil {
			return fmt.Errorf("files: %w", err)
		}
		return nil
	}
	if files == "" || filepath.IsAbs(files) {
		return nil
	}
	return fmt.Errorf("files must be an absolute directory path or an s3:// prefix, got %q", files)
}

// EmulatorDir is the embedded emulator's state directory.
func (c *Config) EmulatorDir() string { return filepath.Join(c.Home, "emulator") }

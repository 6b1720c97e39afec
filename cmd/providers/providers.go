// Package providers implements `batchctl providers`.
package providers

import (
	"context"
	"strconv"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/awscfg"
	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/gcpcfg"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/tableprinter"
)

// Options are the inputs of `batchctl providers`.
type Options struct {
	IO       *iostreams.IOStreams
	Config   func() (*config.Config, error)
	Exporter *cmdutil.Exporter
}

// NewCmdProviders builds the command; runF replaces the run function in tests.
func NewCmdProviders(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Config: f.Config}
	cmd := &cobra.Command{
		Use:   "providers",
		Short: "List the providers batchctl can submit to",
		Long: heredoc.Doc(`
			List every provider profile, built-in and from config.yaml, with its wire
			protocol, URL, batch limits and whether its API key is set (never the key).
			A profile's name is the provider part of a model spec: groq/llama-3.1-8b-instant.

			On a terminal it is a table; when piped it is tab-separated with no header,
			one profile per line: name, type, base_url, max_requests, max_bytes (in
			bytes), key ("set", "missing" or "not needed") and api_key_env.
			--json prints an array of objects.

			A bedrock profile has no API key: its key is "set" when the AWS default
			credential chain (environment, shared config and SSO profiles, container and
			instance roles) finds credentials within 2 seconds, and its credentials field
			says where they came from, never the secret. A vertex profile likewise: its
			key is "set" when Google's Application Default Credentials are found within 2
			seconds (GOOGLE_APPLICATION_CREDENTIALS, gcloud's application default
			credentials, or the metadata server on Google Cloud), and its credentials field
			names them: a service account by its email, a gcloud login, another credential
			file by its type and path, the metadata server by its account.

			Add an OpenAI-compatible service with batchctl config set (see
			batchctl config --help).
		`),
		Example: heredoc.Doc(`
			$ batchctl providers
			$ batchctl providers --jq '.[] | select(.key == "missing") | .api_key_env'
		`),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return providersRun(cmd.Context(), opts)
		},
	}
	opts.Exporter = cmdutil.AddJSONFlags(cmd, "the providers", View{})
	return cmd
}

// View is a provider profile as `providers --json` prints it. Its fields are
// a documented contract: add, never rename or remove.
type View struct {
	Name             string `json:"name"`
	Type             string `json:"type"`
	BaseURL          string `json:"base_url"`
	AuthHeader       string `json:"auth_header"`
	APIKeyEnv        string `json:"api_key_env"`
	Key              string `json:"key"`
	MaxRequests      int    `json:"max_requests"`
	MaxBytes         int64  `json:"max_bytes"`
	CompletionWindow string `json:"completion_window"`
	BuiltIn          bool   `json:"built_in"`
	// Mode is "batch", or "direct" for a profile whose jobs batchctl sends
	// to the synchronous endpoints itself.
	Mode string `json:"mode"`
	// Credentials says where a cloud profile's credentials were found
	// (bedrock: "environment (AWS_ACCESS_KEY_ID)", "SSO", "instance
	// role"...; vertex: "service account <email>", "gcloud user login",
	// "metadata server <email>"), never the secret; "" for the profiles
	// with an API key.
	Credentials string `json:"credentials"`
}

// Key states of a profile.
const (
	keySet       = "set"
	keyMissing   = "missing"
	keyNotNeeded = "not needed"
)

// ViewOf is the JSON view of a profile.
func ViewOf(p *config.Profile) View {
	key := keyMissing
	switch {
	case p.Type == config.TypeEmulator || p.KeyOptional:
		key = keyNotNeeded
	case p.APIKey != "":
		key = keySet
	}
	mode := config.ModeBatch
	if p.Direct() {
		mode = config.ModeDirect
	}
	return View{
		Name: p.Name, Type: p.Type, BaseURL: p.BaseURL, AuthHeader: p.AuthHeader, APIKeyEnv: p.APIKeyEnv, Key: key,
		MaxRequests: p.MaxRequests, MaxBytes: p.MaxBytes, CompletionWindow: p.CompletionWindow, BuiltIn: p.BuiltIn,
		Mode: mode,
	}
}

func providersRun(ctx context.Context, opts *Options) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	views := make([]View, 0, len(cfg.Providers))
	for _, name := range cfg.ProfileNames() {
		v := ViewOf(cfg.Providers[name])
		switch v.Type {
		case config.TypeBedrock:
			v.Key, v.Credentials = awsCredentials(ctx, cfg.Providers[name])
		case config.TypeVertex:
			v.Key, v.Credentials = googleCredentials(ctx)
		}
		views = append(views, v)
	}
	if opts.Exporter.Enabled() {
		return opts.Exporter.Write(ctx, opts.IO, views)
	}
	tty := opts.IO.IsStdoutTTY()
	cs := opts.IO.ColorScheme()
	tp := tableprinter.New(opts.IO.Out, tty, opts.IO.TerminalWidth(), cs.Bold)
	// On a terminal the URL comes last: it is the column cut to fit the width.
	tp.Header("NAME", "TYPE", "KEY", "MAX REQUESTS", "MAX BYTES", "BASE URL")
	for _, v := range views {
		if !tty {
			tp.Row(v.Name, v.Type, v.BaseURL, strconv.Itoa(v.MaxRequests), strconv.FormatInt(v.MaxBytes, 10), v.Key, v.APIKeyEnv)
			continue
		}
		tp.Row(v.Name, v.Type, keyCell(cs, v), strconv.Itoa(v.MaxRequests), config.FormatBytes(v.MaxBytes), orDash(v.BaseURL))
	}
	return tp.Render()
}

// awsCredentials looks for a bedrock profile's AWS credentials, within
// awscfg.ProbeTimeout, and says where they were found.
func awsCredentials(ctx context.Context, p *config.Profile) (key, source string) {
	cfg, err := awscfg.Load(ctx, awscfg.Options{Profile: p.AWSProfile, Region: p.Region})
	if err != nil {
		return keyMissing, err.Error()
	}
	source, ok := awscfg.Source(ctx, cfg)
	if !ok {
		return keyMissing, source
	}
	return keySet, source
}

// googleCredentials looks for Google's Application Default Credentials,
// within gcpcfg.ProbeTimeout, and says what was found.
func googleCredentials(ctx context.Context) (key, source string) {
	creds, err := gcpcfg.Find(ctx, nil)
	if err != nil {
		return keyMissing, err.Error()
	}
	return keySet, creds.Source
}

// keyCell is the KEY column on a terminal: "set", "missing ($VAR)" or "not needed".
func keyCell(cs *iostreams.ColorScheme, v View) string {
	switch v.Key {
	case keySet:
		if v.Credentials != "" {
			return cs.Success(v.Key + " (" + v.Credentials + ")")
		}
		return cs.Success(v.Key)
	case keyMissing:
		if v.Credentials != "" {
			return cs.Warning(v.Key + " (" + v.Credentials + ")")
		}
		if v.APIKeyEnv == "" {
			return cs.Warning(v.Key)
		}
		return cs.Warning(v.Key + " ($" + v.APIKeyEnv + ")")
	}
	return cs.Muted(v.Key)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

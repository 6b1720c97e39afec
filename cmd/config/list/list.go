// Package list implements `batchctl config list`.
package list

import (
	"context"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/pgurl"
	"github.com/batchctl/batchctl/internal/tableprinter"
)

// Options are the inputs of `batchctl config list`.
type Options struct {
	IO       *iostreams.IOStreams
	Config   func() (*config.Config, error)
	Exporter *cmdutil.Exporter
}

// NewCmdList builds the command; runF replaces the run function in tests.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Config: f.Config}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "Print every setting with its effective value",
		Long: heredoc.Doc(`
			Print every setting with its effective value (from the environment,
			config.yaml or the built-in default): the top-level keys, then the fields
			of each provider profile, built-in and configured.

			On a terminal it is an aligned table; when piped, one "key<TAB>value" per
			line. --json prints one object shaped like config.yaml, with every profile
			under "providers". API keys are never shown: api_key is "(set)" or
			"(not set, $VAR)".
		`),
		Example: heredoc.Doc(`
			$ batchctl config list
			$ batchctl config list | grep '^providers.groq'
			$ batchctl config list --jq '.providers | keys[]'
		`),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	opts.Exporter = cmdutil.AddJSONFlags(cmd, "the settings", View{})
	return cmd
}

// View is the configuration as `config list --json` prints it. Its fields
// are a documented contract: add, never rename or remove.
type View struct {
	DefaultModel     string                 `json:"default_model"`
	PollInterval     string                 `json:"poll_interval"`
	EmulatorDuration string                 `json:"emulator_duration"`
	EmulatorFaults   string                 `json:"emulator_faults"`
	EmulatorLimits   string                 `json:"emulator_limits"`
	RetryAttempts    int                    `json:"retry_attempts"`
	RetryMaxWait     string                 `json:"retry_max_wait"`
	HTTPIdleTimeout  string                 `json:"http_idle_timeout"`
	MaxCost          float64                `json:"max_cost"`
	Registry         string                 `json:"registry"`
	Files            string                 `json:"files"`
	Providers        map[string]ProfileView `json:"providers"`
}

// ProfileView is one provider profile in View.
type ProfileView struct {
	Type             string `json:"type"`
	BaseURL          string `json:"base_url"`
	APIKeyEnv        string `json:"api_key_env"`
	APIKey           string `json:"api_key"`
	AuthHeader       string `json:"auth_header"`
	MaxRequests      int    `json:"max_requests"`
	MaxBytes         string `json:"max_bytes"`
	CompletionWindow string `json:"completion_window"`
	Beta             string `json:"beta"`
	Bucket           string `json:"bucket"`
	RoleARN          string `json:"role_arn"`
	Region           string `json:"region"`
	AWSProfile       string `json:"aws_profile"`
	Project          string `json:"project"`
	Location         string `json:"location"`
}

// ViewOf is the JSON view of a configuration.
func ViewOf(cfg *config.Config) View {
	v := View{
		DefaultModel:     cfg.DefaultModel,
		PollInterval:     config.FormatDuration(cfg.PollInterval),
		EmulatorDuration: config.FormatDuration(cfg.EmulatorDuration),
		EmulatorFaults:   cfg.EmulatorFaults,
		EmulatorLimits:   cfg.EmulatorLimits,
		RetryAttempts:    cfg.RetryAttempts,
		RetryMaxWait:     config.FormatDuration(cfg.RetryMaxWait),
		HTTPIdleTimeout:  config.FormatDuration(cfg.HTTPIdleTimeout),
		MaxCost:          cfg.MaxCost,
		Registry:         pgurl.Redact(cfg.Registry),
		Files:            cfg.Files,
		Providers:        make(map[string]ProfileView, len(cfg.Providers)),
	}
	for name, p := range cfg.Providers {
		v.Providers[name] = ProfileView{
			Type: p.Type, BaseURL: p.BaseURL, APIKeyEnv: p.APIKeyEnv, APIKey: p.APIKeyState(),
			AuthHeader: p.AuthHeader, MaxRequests: p.MaxRequests, MaxBytes: config.FormatBytes(p.MaxBytes),
			CompletionWindow: p.CompletionWindow, Beta: p.Beta,
			Bucket: p.Bucket, RoleARN: p.RoleARN, Region: p.Region, AWSProfile: p.AWSProfile,
			Project: p.Project, Location: p.Location,
		}
	}
	return v
}

func listRun(ctx context.Context, opts *Options) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	if opts.Exporter.Enabled() {
		return opts.Exporter.Write(ctx, opts.IO, ViewOf(cfg))
	}
	cs := opts.IO.ColorScheme()
	tp := tableprinter.New(opts.IO.Out, opts.IO.IsStdoutTTY(), opts.IO.TerminalWidth(), cs.Bold)
	tp.Header("KEY", "VALUE")
	for _, s := range cfg.Settings() {
		tp.Row(s.Key, s.Value)
	}
	return tp.Render()
}

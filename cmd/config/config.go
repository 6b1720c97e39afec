// Package config implements `batchctl config`: read and change config.yaml.
package config

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	getcmd "github.com/batchctl/batchctl/cmd/config/get"
	listcmd "github.com/batchctl/batchctl/cmd/config/list"
	pathcmd "github.com/batchctl/batchctl/cmd/config/path"
	setcmd "github.com/batchctl/batchctl/cmd/config/set"
	"github.com/batchctl/batchctl/internal/cmdutil"
)

// NewCmdConfig builds `batchctl config` and its subcommands.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config <command>",
		Short: "Show and change settings",
		Long: heredoc.Doc(`
			Show and change batchctl's settings, kept in config.yaml in BATCHCTL_HOME
			(see batchctl config path).

			Keys:
			  default_model                  model used when create has no --model (provider/model)
			  poll_interval                  longest pause between polls in wait (10s)
			  emulator_duration              time a batch takes on the emulator (3s)
			  emulator_faults                faults the emulator injects (see batchctl emulator serve)
			  emulator_limits                latency, rate limits and batch quotas of the emulator, e.g. rpm=600,time-scale=60
			  retry_attempts                 most tries of one provider call (5)
			  retry_max_wait                 longest pause between tries (1m)
			  http_idle_timeout              give up on a connection that moves no data this long (1m)
			  max_cost                       create and retry refuse a job that may cost more (USD; 0: no cap)
			  registry                       the job registry: a SQLite path (batchctl.db in BATCHCTL_HOME),
			                                 or a postgres:// URL shared by several machines
			  files                          the jobs' files, shared by hosts: a directory, s3:// or gs://bucket/prefix (BATCHCTL_HOME/jobs)
			  providers.<name>.type          wire protocol: openai, anthropic, gemini, mistral, openrouter, xai, bedrock or vertex
			  providers.<name>.base_url      the API's URL
			  providers.<name>.api_key_env   the environment variable holding the key
			  providers.<name>.auth_header   openai type: bearer, or api-key (Azure)
			  providers.<name>.max_requests  most requests in one provider batch
			  providers.<name>.max_bytes     largest input of one provider batch (200MB)
			  providers.<name>.completion_window
			  providers.<name>.beta          anthropic type: the anthropic-beta header
			  providers.<name>.bucket        bedrock and vertex types: where job input and output go
			                                 (bedrock: s3://bucket/prefix, vertex: gs://bucket/prefix)
			  providers.<name>.role_arn      bedrock type: the service role Bedrock assumes
			  providers.<name>.region        bedrock type: the AWS region
			  providers.<name>.aws_profile   bedrock type: the AWS config profile of the credentials
			  providers.<name>.project       vertex type: the Google Cloud project (GOOGLE_CLOUD_PROJECT)
			  providers.<name>.location      vertex type: the Vertex AI location (GOOGLE_CLOUD_LOCATION, us-central1)

			A top-level key set as BATCHCTL_<KEY> in the environment overrides the file.
			API keys are never shown and never written: set api_key_env to the name of
			the variable that holds the key. Nor is the registry URL's password: keep it
			in ~/.pgpass or PGPASSWORD.
		`),
		Example: heredoc.Doc(`
			$ batchctl config set default_model openai/gpt-4o-mini
			$ batchctl config set providers.groq.api_key_env GROQ_API_KEY
			$ batchctl config get poll_interval
			$ batchctl config list
		`),
	}
	cmdutil.GroupSubcommands(cmd)
	cmd.AddCommand(
		getcmd.NewCmdGet(f, nil),
		setcmd.NewCmdSet(f, nil),
		listcmd.NewCmdList(f, nil),
		pathcmd.NewCmdPath(f, nil),
	)
	return cmd
}

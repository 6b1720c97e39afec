// Package registry implements `batchctl registry`: work on the job
// registry as a whole.
package registry

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	migratecmd "github.com/batchctl/batchctl/cmd/registry/migrate"
	"github.com/batchctl/batchctl/internal/cmdutil"
)

// NewCmdRegistry builds `batchctl registry` and its subcommands.
func NewCmdRegistry(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "registry <command>",
		Short: "Work on the job registry as a whole",
		Long: heredoc.Doc(`
			Work on the job registry as a whole: the database of jobs, their batches and
			their create attempts (batchctl.db in BATCHCTL_HOME).
		`),
		Example: heredoc.Doc(`
			$ batchctl registry migrate --to /mnt/team/batchctl/registry.db
		`),
	}
	cmdutil.GroupSubcommands(cmd)
	cmd.AddCommand(migratecmd.NewCmdMigrate(f, nil))
	return cmd
}

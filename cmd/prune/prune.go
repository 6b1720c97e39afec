// Package prune implements `batchctl prune`.
package prune

import (
	"context"
	"fmt"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/cmd/shared"
	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/store"
)

// Options are the inputs of `batchctl prune`.
type Options struct {
	IO      *iostreams.IOStreams
	Manager func() (*jobs.Manager, error)
	Now     func() time.Time

	OlderThan string
	DryRun    bool
	Remote    bool
}

// NewCmdPrune builds the command; runF replaces the run function in tests.
func NewCmdPrune(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Manager: func() (*jobs.Manager, error) { return cmdutil.Manager(f) }, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "prune --older-than <age>",
		Short: "Forget finished jobs older than an age",
		Long: heredoc.Doc(`
			Remove finished jobs created more than --older-than ago from the local registry,
			with their local files. Jobs still running are never pruned. Only local state is
			touched: the provider's batches and files stay as they are.

			With --remote, what batchctl wrote for the pruned jobs in your own storage is
			deleted too (see batchctl forget --remote), each object named on stderr; with
			--dry-run too, the objects that would be deleted are named. Without --remote, a
			prune run from cron never deletes bucket data.

			EXIT STATUS
			  0  pruned (or nothing to prune)
			  1  registry error
			  2  bad flags
		`),
		Example: heredoc.Doc(`
			$ batchctl prune --older-than 30d
			$ batchctl prune --older-than 72h --dry-run
			$ batchctl prune --older-than 90d --remote
		`),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.OlderThan == "" {
				return cmdutil.FlagErrorf("--older-than is required, e.g. --older-than 30d")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return pruneRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.OlderThan, "older-than", "", "prune jobs created longer ago than this `age` (30d, 72h)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "list what would be pruned; change nothing")
	cmd.Flags().BoolVar(&opts.Remote, "remote", false, "also delete what batchctl wrote for the pruned jobs in your bucket")
	return cmd
}

func pruneRun(ctx context.Context, opts *Options) error {
	age, err := cmdutil.ParseAge(opts.OlderThan)
	if err != nil {
		return cmdutil.FlagErrorf("--older-than: %v", err)
	}
	m, err := opts.Manager()
	if err != nil {
		return err
	}
	list, err := m.List(ctx, store.Filter{Terminal: true, Before: opts.Now().Add(-age)})
	if err != nil {
		return err
	}
	prune, kept, err := wholeFamilies(ctx, m, list)
	if err != nil {
		return err
	}
	objects := 0
	for _, id := range prune {
		if opts.Remote {
			n, err := deleteRemote(ctx, opts, m, id)
			if err != nil {
				return err
			}
			objects += max(n, 0)
		}
		if opts.DryRun {
			fmt.Fprintln(opts.IO.Out, id)
			continue
		}
		if err := m.Forget(ctx, id); err != nil {
			return err
		}
	}
	if kept > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "kept %d old jobs whose retry chain has newer or unfinished jobs\n", kept)
	}
	switch {
	case opts.DryRun:
		fmt.Fprintf(opts.IO.ErrOut, "would prune %s\n", cmdutil.Plural(len(prune), "job"))
	case len(prune) > 0 && opts.Remote:
		fmt.Fprintf(opts.IO.ErrOut, "pruned %s (local records and files, and %s in buckets)\n", cmdutil.Plural(len(prune), "job"), cmdutil.Plural(objects, "object"))
	case len(prune) > 0:
		fmt.Fprintf(opts.IO.ErrOut, "pruned %s (local records and files only; the provider's batches are untouched)\n", cmdutil.Plural(len(prune), "job"))
	}
	return nil
}

// deleteRemote deletes (or, for a dry run, names) what batchctl wrote for
// job id in the user's bucket; see shared.DeleteRemote.
func deleteRemote(ctx context.Context, opts *Options, m *jobs.Manager, id string) (int, error) {
	j, err := m.Resolve(ctx, id, "")
	if err != nil {
		return 0, err
	}
	return shared.DeleteRemote(ctx, opts.IO, m, j, opts.DryRun)
}

// wholeFamilies keeps the candidates whose whole retry chain is a
// candidate too, so a prune never leaves a chain without its beginning
// (results --merged would lose it). It returns them oldest first with the
// number of candidates kept back.
func wholeFamilies(ctx context.Context, m *jobs.Manager, candidates []*store.Job) ([]string, int, error) {
	old := map[string]bool{}
	for _, j := range candidates {
		old[j.ID] = true
	}
	done := map[string]bool{}
	var prune []string
	kept := 0
	for i := len(candidates) - 1; i >= 0; i-- {
		j := candidates[i]
		if done[j.ID] {
			continue
		}
		family, err := m.Family(ctx, j.ID)
		if err != nil {
			return nil, 0, err
		}
		all := true
		for _, member := range family {
			all = all && old[member.ID]
		}
		for _, member := range family {
			if !old[member.ID] || done[member.ID] {
				continue
			}
			done[member.ID] = true
			if all {
				prune = append(prune, member.ID)
			} else {
				kept++
			}
		}
	}
	return prune, kept, nil
}

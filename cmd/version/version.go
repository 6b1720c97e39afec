// Package version implements `batchctl version`.
package version

import (
	"context"
	"fmt"
	"runtime"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/build"
	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/iostreams"
)

// Options are the inputs of `batchctl version`.
type Options struct {
	IO       *iostreams.IOStreams
	Exporter *cmdutil.Exporter

	Info View
}

// View is the build as `version --json` prints it. Its fields are a
// documented contract: add, never rename or remove.
type View struct {
	Version   string `json:"version"`
	Date      string `json:"date"`
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
}

// NewCmdVersion builds the command; runF replaces the run function in tests.
func NewCmdVersion(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{
		IO: f.IOStreams,
		Info: View{
			Version: f.AppVersion, Date: build.Date,
			GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		},
	}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of batchctl and how it was built",
		Long: heredoc.Doc(`
			Print batchctl's version, then the build date (for release builds), the Go
			version it was built with and the platform. batchctl --version prints the
			first line only.
		`),
		Example: heredoc.Doc(`
			$ batchctl version
			batchctl 1.2.0
			built 2026-03-01T10:00:00Z with go1.26.1 for linux/amd64
			$ batchctl version --jq .version
			1.2.0
		`),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return versionRun(cmd.Context(), opts)
		},
	}
	opts.Exporter = cmdutil.AddJSONFlags(cmd, "the version", View{})
	return cmd
}

func versionRun(ctx context.Context, opts *Options) error {
	v := opts.Info
	if opts.Exporter.Enabled() {
		return opts.Exporter.Write(ctx, opts.IO, v)
	}
	built := "built"
	if v.Date != "" {
		built += " " + v.Date
	}
	_, err := fmt.Fprintf(opts.IO.Out, "batchctl %s\n%s with %s for %s/%s\n", v.Version, built, v.GoVersion, v.OS, v.Arch)
	return err
}

// Command gen-docs writes batchctl's reference documentation (markdown and
// man pages) and shell completions from the command tree itself:
//
//	go run ./cmd/gen-docs
//
// The output is committed; CI regenerates it and fails on any difference.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/batchctl/batchctl/cmd/root"
	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/iostreams"
)

// manDate is pinned so regenerating the man pages changes nothing unless
// the commands changed.
var manDate = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

func main() {
	docsDir := flag.String("docs", "docs", "directory for markdown (docs/cli) and man pages (docs/man)")
	complDir := flag.String("completions", "completions", "directory for shell completions")
	flag.Parse()
	if err := run(*docsDir, *complDir); err != nil {
		fmt.Fprintln(os.Stderr, "gen-docs:", err)
		os.Exit(1)
	}
}

func run(docsDir, complDir string) error {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{
		AppVersion: "",
		IOStreams:  ios,
		Getenv:     func(string) string { return "" },
		Now:        func() time.Time { return manDate },
		Config:     func() (*config.Config, error) { return nil, fmt.Errorf("no config in gen-docs") },
	}
	cmd := root.NewCmdRoot(f)
	cmd.DisableAutoGenTag = true
	cmd.InitDefaultCompletionCmd()

	mdDir := filepath.Join(docsDir, "cli")
	manDir := filepath.Join(docsDir, "man")
	for _, d := range []string{mdDir, manDir, complDir} {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := doc.GenMarkdownTree(cmd, mdDir); err != nil {
		return fmt.Errorf("markdown: %w", err)
	}
	header := &doc.GenManHeader{Title: "BATCHCTL", Section: "1", Date: &manDate, Source: "batchctl", Manual: "batchctl manual"}
	if err := doc.GenManTree(cmd, header, manDir); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	return genCompletions(cmd, complDir)
}

func genCompletions(cmd *cobra.Command, dir string) error {
	gens := map[string]func(string) error{
		"batchctl.bash": func(p string) error { return cmd.GenBashCompletionFileV2(p, true) },
		"batchctl.zsh":  cmd.GenZshCompletionFile,
		"batchctl.fish": func(p string) error { return cmd.GenFishCompletionFile(p, true) },
		"batchctl.ps1":  cmd.GenPowerShellCompletionFileWithDesc,
	}
	for name, gen := range gens {
		if err := gen(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("completion %s: %w", name, err)
		}
	}
	return nil
}

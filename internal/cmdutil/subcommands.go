package cmdutil

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// GroupSubcommands makes cmd, a command that only groups subcommands, show
// its help when called bare and refuse any other word as a mistyped
// subcommand (see UnknownCommand). Without it cobra shows the help and
// exits 0 for a mistyped subcommand, or for the root prints a suggestion
// over several lines.
func GroupSubcommands(cmd *cobra.Command) {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return c.Help()
		}
		return UnknownCommand(c, args[0])
	}
}

// UnknownCommand is the usage error for a word that is not a subcommand of
// parent, naming the nearest one when there is one, in one line:
// unknown command "config sett"; did you mean "config set"?
func UnknownCommand(parent *cobra.Command, word string) error {
	path := func(name string) string {
		return strings.TrimSpace(strings.TrimPrefix(parent.CommandPath(), parent.Root().Name()) + " " + name)
	}
	msg := fmt.Sprintf("unknown command %q", path(word))
	if near := NearestCommand(parent, word); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", path(near))
	}
	return &FlagError{Err: errors.New(msg)}
}

// NearestCommand is the name of the subcommand of parent nearest to typo
// (a prefix of it, or within two edits), "" when none is near.
func NearestCommand(parent *cobra.Command, typo string) string {
	defer func(d int) { parent.SuggestionsMinimumDistance = d }(parent.SuggestionsMinimumDistance)
	for d := 1; d <= 2; d++ { // the nearest first, up to cobra's default distance
		parent.SuggestionsMinimumDistance = d
		if s := parent.SuggestionsFor(typo); len(s) > 0 {
			return s[0]
		}
	}
	return ""
}

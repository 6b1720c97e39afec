package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/iostreams"
)

func TestNewCmdConfig(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	cmd := NewCmdConfig(&cmdutil.Factory{IOStreams: ios})
	cmd.SetOut(ios.Out)
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Print the value of a setting") {
		t.Errorf("no help without a subcommand:\n%s", out)
	}

	cmd.SetArgs([]string{"sett"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	var fe *cmdutil.FlagError
	if !errors.As(err, &fe) || err.Error() != `unknown command "sett"; did you mean "set"?` {
		t.Errorf("err = %v, want a FlagError for the unknown subcommand", err)
	}
}

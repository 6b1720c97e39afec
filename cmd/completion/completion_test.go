package completion

import (
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/iostreams"
)

func TestCompletion(t *testing.T) {
	tests := []struct {
		shell string
		want  []string // beginnings of lines the script must hold
	}{
		{"bash", []string{"# bash completion V2 for batchctl", "complete -o default -F __start_batchctl batchctl"}},
		{"zsh", []string{"#compdef batchctl", "compdef _batchctl batchctl"}},
		{"fish", []string{"# fish completion for batchctl", "complete -c batchctl -n 'not __batchctl_requires_order_preservation && __batchctl_prepare_completions'"}},
		{"powershell", []string{"# powershell completion for batchctl", "Register-ArgumentCompleter -CommandName 'batchctl' -ScriptBlock ${__batchctlCompleterBlock}"}},
	}
	for _, tt := range tests {
		t.Run(tt.shell, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			root := &cobra.Command{Use: "batchctl"}
			root.AddCommand(NewCmdCompletion(&cmdutil.Factory{IOStreams: ios}, nil))
			root.SetArgs([]string{"completion", tt.shell})
			if err := root.Execute(); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(out.String(), "\n")
			for _, w := range tt.want {
				found := false
				for _, l := range lines {
					found = found || strings.HasPrefix(strings.TrimSpace(l), w)
				}
				if !found {
					t.Errorf("no line %q in the %s script:\n%.600s", w, tt.shell, out)
				}
			}
			if errOut.Len() > 0 {
				t.Errorf("stderr: %q", errOut)
			}
		})
	}
}

func TestCompletionErrors(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{nil, "which shell? batchctl completion {bash | zsh | fish | powershell}"},
		{[]string{"tcsh"}, `unsupported shell "tcsh" (want bash, zsh, fish or powershell)`},
		{[]string{"bash", "zsh"}, `too many arguments: ["zsh"]`},
	}
	for _, tt := range tests {
		ios, _, out, _ := iostreams.Test()
		root := &cobra.Command{Use: "batchctl", SilenceErrors: true, SilenceUsage: true}
		root.AddCommand(NewCmdCompletion(&cmdutil.Factory{IOStreams: ios}, nil))
		root.SetArgs(append([]string{"completion"}, tt.args...))
		err := root.Execute()
		var fe *cmdutil.FlagError
		if !errors.As(err, &fe) || err.Error() != tt.wantErr {
			t.Errorf("%q: err = %v, want FlagError %q", tt.args, err, tt.wantErr)
		}
		if out.Len() > 0 {
			t.Errorf("%q: stdout %q", tt.args, out)
		}
	}
}

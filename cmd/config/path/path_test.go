package path

import (
	"path/filepath"
	"testing"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/iostreams"
)

func TestPath(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{name: "BATCHCTL_HOME", env: map[string]string{"BATCHCTL_HOME": "/srv/batch", "XDG_CONFIG_HOME": "/x"}, want: filepath.Join("/srv/batch", "config.yaml")},
		{name: "XDG_CONFIG_HOME", env: map[string]string{"XDG_CONFIG_HOME": "/x"}, want: filepath.Join("/x", "batchctl", "config.yaml")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios, Getenv: func(k string) string { return tt.env[k] }}
			cmd := NewCmdPath(f, nil)
			cmd.SetArgs(nil)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want+"\n" {
				t.Errorf("stdout = %q, want %q", out, tt.want+"\n")
			}
		})
	}
}

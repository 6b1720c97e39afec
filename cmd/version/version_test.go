package version

import (
	"context"
	"runtime"
	"testing"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/cmdutil/jsonfieldstest"
	"github.com/batchctl/batchctl/internal/iostreams"
)

func TestNewCmdVersion(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *Options
	cmd := NewCmdVersion(&cmdutil.Factory{IOStreams: ios, AppVersion: "1.2.0"}, func(_ context.Context, o *Options) error {
		got = o
		return nil
	})
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := View{Version: "1.2.0", GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if got.Info != want {
		t.Errorf("Info = %+v, want %+v", got.Info, want)
	}
	if got.Exporter.Enabled() {
		t.Error("JSON output without --json")
	}

	cmd.SetArgs([]string{"extra"})
	if err := cmd.Execute(); err == nil || err.Error() != `unexpected argument "extra"` {
		t.Errorf("err = %v", err)
	}
}

func TestVersionRun(t *testing.T) {
	release := View{Version: "1.2.0", Date: "2026-03-01T10:00:00Z", GoVersion: "go1.26.1", OS: "linux", Arch: "arm64"}
	dev := View{Version: "dev", GoVersion: "go1.26.1", OS: "darwin", Arch: "amd64"}
	tests := []struct {
		name string
		info View
		args []string
		tty  bool
		want string
	}{
		{name: "release", info: release, want: "batchctl 1.2.0\nbuilt 2026-03-01T10:00:00Z with go1.26.1 for linux/arm64\n"},
		{name: "dev build has no date", info: dev, tty: true, want: "batchctl dev\nbuilt with go1.26.1 for darwin/amd64\n"},
		{
			name: "json", info: release, args: []string{"--json"},
			want: `{"version":"1.2.0","date":"2026-03-01T10:00:00Z","go_version":"go1.26.1","os":"linux","arch":"arm64"}` + "\n",
		},
		{name: "jq", info: dev, args: []string{"--jq", `.os + "/" + .arch`}, tty: true, want: "darwin/amd64\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			ios.SetStdoutTTY(tt.tty)
			var opts *Options
			cmd := NewCmdVersion(&cmdutil.Factory{IOStreams: ios}, func(_ context.Context, o *Options) error {
				opts = o
				return nil
			})
			cmd.SetArgs(tt.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			opts.Info = tt.info
			if err := versionRun(context.Background(), opts); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want || errOut.Len() > 0 {
				t.Errorf("stdout:\n%s\nwant:\n%s\nstderr: %q", out, tt.want, errOut)
			}
		})
	}
}

func TestJSONFields(t *testing.T) {
	jsonfieldstest.Equal(t, View{}, []string{"version", "date", "go_version", "os", "arch"})
}

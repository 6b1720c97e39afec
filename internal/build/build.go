// Package build holds the version stamped into the binary at link time:
//
//	go build -ldflags "-X github.com/batchctl/batchctl/internal/build.Version=1.2.3"
package build

import "runtime/debug"

// Version is set by the linker; "dev" for a plain go build.
var Version = "dev"

// Date is the build date (RFC 3339), set by the linker.
var Date = ""

// String is the version to show: the stamped one, else the module version
// go install recorded, else "dev".
func String() string {
	if Version != "dev" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return Version
}

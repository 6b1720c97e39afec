// Command batchctl submits large sets of LLM requests to the providers'
// batch APIs, tracks them and streams normalized results.
package main

import (
	"os"

	"github.com/batchctl/batchctl/cmd/root"
	"github.com/batchctl/batchctl/internal/profiling"
)

func main() {
	stop := profiling.Start()
	code := root.Main()
	stop()
	os.Exit(int(code))
}

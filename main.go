// Command batchctl submits large sets of LLM requests to the providers'
// batch APIs, tracks them and streams normalized results.
package main

import (
	"os"

	"github.com/batchctl/batchctl/cmd/root"
)

func main() {
	os.Exit(int(root.Main()))
}

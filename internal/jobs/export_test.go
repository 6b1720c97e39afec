package jobs

import "github.com/batchctl/batchctl/internal/jsonscan"

// SetChunkSize sets the pipeline's chunk size until restore is called.
func SetChunkSize(n int) (restore func()) {
	old := chunkSize
	chunkSize = n
	return func() { chunkSize = old }
}

// ResultID is the id the download check reads of a result line without
// normalizing it; ok false when the provider's normalizer must decide.
func ResultID(line []byte) (id string, ok bool) {
	var s jsonscan.Scanner
	return resultID(&s, line)
}

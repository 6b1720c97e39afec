package jobs

// SetChunkSize sets the pipeline's chunk size until restore is called.
func SetChunkSize(n int) (restore func()) {
	old := chunkSize
	chunkSize = n
	return func() { chunkSize = old }
}

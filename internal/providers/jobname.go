package providers

import (
	"crypto/rand"
	"regexp"
	"strings"
)

// The metadata keys batchctl tags its batches with (see jobs.Submit).
const (
	MetaJob  = "batchctl_job"
	MetaPart = "batchctl_part"
)

// JobName names a batch after its batchctl job and part, for the batch
// APIs that keep a name but no metadata (Vertex AI's displayName,
// Bedrock's jobName):
// batchctl-<job>[-<i>of<n>]-<suffix>. The suffix (RandomSuffix) tells a
// batch created again after a lost create from the lost one.
func JobName(md map[string]string, suffix string) string {
	fields := []string{"batchctl"}
	if j := md[MetaJob]; j != "" {
		fields = append(fields, j)
		if p := md[MetaPart]; p != "" {
			fields = append(fields, strings.Replace(p, "/", "of", 1))
		}
	}
	return strings.Join(append(fields, suffix), "-")
}

var jobNameRE = regexp.MustCompile(`^batchctl-([0-9A-Za-z]+)(?:-([1-9][0-9]*)of([1-9][0-9]*))?-[0-9a-z]+$`)

// JobNameMetadata is the metadata a name JobName made carries; nil for
// any other name.
func JobNameMetadata(name string) map[string]string {
	m := jobNameRE.FindStringSubmatch(name)
	if m == nil {
		return nil
	}
	md := map[string]string{MetaJob: m[1]}
	if m[2] != "" {
		md[MetaPart] = m[2] + "/" + m[3]
	}
	return md
}

// RandomSuffix is six random lowercase letters and digits.
func RandomSuffix() string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 6)
	rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b)
}

package store

import "time"

// Record is everything a registry holds of one job: the job with its
// parts (their raw batches included), every create attempt of its parts,
// settled or not, and the create fingerprints it holds the claim of. A
// registry's ExportJob reads one and ImportJob writes one as it is, which
// copies a job from one registry to another (batchctl registry migrate).
type Record struct {
	Job      Job
	Attempts []Attempt // by part, then number
	Claims   []Claim   // by fingerprint
}

// Claim is a job's hold on a create fingerprint: of the identical creates
// that reserved it, that job does the work (see jobs.Registry.ReserveJob).
type Claim struct {
	Fingerprint string
	ClaimedAt   time.Time
}

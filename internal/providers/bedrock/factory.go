package bedrock

import (
	"context"
	"fmt"

	"github.com/batchctl/batchctl/internal/awscfg"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/objstore"
	"github.com/batchctl/batchctl/internal/providers"
)

// MinRecords is the fewest records a batch inference job takes: 100 for
// most models ("Minimum number of records per batch inference job" in
// Bedrock's quotas; UNCONFIRMED for every model and region, since some
// models document 1,000).
const MinRecords = 100

// Factory makes the clients of bedrock-type profiles.
func Factory() providers.Factory {
	return providers.Factory{
		Type:       config.TypeBedrock,
		Target:     jsonl.TargetBedrock,
		Check:      check,
		CheckParts: CheckParts,
		New: func(ctx context.Context, prof *config.Profile, env providers.Env) (providers.Provider, error) {
			bucket, err := objstore.ParseURLOf(prof.Bucket, objstore.SchemeS3)
			if err != nil {
				return nil, err
			}
			cfg, err := awscfg.Load(ctx, awscfg.Options{Profile: prof.AWSProfile, Region: prof.Region, HTTP: env.HTTP})
			if err != nil {
				return nil, err
			}
			return New(Config{
				Name: prof.Name, AWS: cfg, HTTP: env.HTTP, Bucket: bucket, RoleARN: prof.RoleARN,
				Store: objstore.NewS3(cfg, awscfg.CustomS3Endpoint()),
			}), nil
		},
	}
}

// check finds a profile without a bucket or role.
func check(cfg *config.Config, prof *config.Profile) error {
	if prof.Bucket == "" {
		return fmt.Errorf("provider %q has no bucket: set providers.%s.bucket: s3://bucket/prefix in %s", prof.Name, prof.Name, cfg.File)
	}
	if _, err := objstore.ParseURLOf(prof.Bucket, objstore.SchemeS3); err != nil {
		return fmt.Errorf("provider %q: %w", prof.Name, err)
	}
	if prof.RoleARN == "" {
		return fmt.Errorf("provider %q has no role_arn: set providers.%s.role_arn (the service role Bedrock assumes to read and write the bucket) in %s", prof.Name, prof.Name, cfg.File)
	}
	return nil
}

// CheckModel refuses a model whose records batchctl cannot write: those
// of no family jsonl.BedrockFamily knows (Anthropic, Llama 3 and 4, Amazon
// Nova, Mistral; a model id or an inference profile id such as
// us.anthropic.*).
func CheckModel(model string) error {
	if jsonl.BedrockFamily(model) != "" {
		return nil
	}
	return fmt.Errorf("model %q: batchctl writes Bedrock records for Anthropic (anthropic.*), Meta Llama 3 and 4 (meta.llama3*, meta.llama4*), Amazon Nova (amazon.nova-*) and Mistral (mistral.*) models, or their inference profiles (us.anthropic.* ...)", model)
}

// CheckParts refuses a job with a part below Bedrock's minimum record
// count, saying how many records are needed, and a model it cannot write.
func CheckParts(model string, requests []int) error {
	if err := CheckModel(model); err != nil {
		return err
	}
	for i, n := range requests {
		if n < MinRecords {
			what := "the input"
			if len(requests) > 1 {
				what = fmt.Sprintf("part %d of the job", i+1)
			}
			return fmt.Errorf("%s has %d requests: a Bedrock batch inference job needs at least %d records (%d more)", what, n, MinRecords, MinRecords-n)
		}
	}
	return nil
}

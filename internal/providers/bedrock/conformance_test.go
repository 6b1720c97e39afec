package bedrock_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	bedrockemu "github.com/batchctl/batchctl/internal/emulator/bedrock"
	"github.com/batchctl/batchctl/internal/objstore"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/bedrock"
	"github.com/batchctl/batchctl/internal/providers/providertest"
)

const model = "anthropic.claude-3-5-haiku-20241022-v1:0"

// noCredentials is a credentials provider that finds none, as the
// default chain does on a machine without AWS configuration.
type noCredentials struct{}

func (noCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{}, errors.New("no EC2 IMDS role found")
}

// newClient is a bedrock provider on the emulator at root, signing with
// the emulator's test key pair, or finding no credentials when key is "".
func newClient(root, key string) *bedrock.Client {
	// the suite's good key stands for the test key pair; any other is a
	// wrong secret
	secret := key
	if key == providertest.APIKey {
		secret = bedrockemu.SecretAccessKey
	}
	var creds aws.CredentialsProvider = credentials.NewStaticCredentialsProvider(bedrockemu.AccessKeyID, secret, "")
	if key == "" {
		creds = noCredentials{}
	}
	cfg := aws.Config{Region: bedrockemu.Region, Credentials: creds}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(root + bedrockemu.S3Prefix)
		o.UsePathStyle = true
	})
	return bedrock.New(bedrock.Config{
		Name: "bedrock", AWS: cfg, Store: objstore.NewS3WithClient(s3c),
		Bucket:   objstore.URL{Scheme: "s3", Bucket: "conformance", Key: "jobs"},
		RoleARN:  "arn:aws:iam::" + bedrockemu.Account + ":role/batchctl",
		Endpoint: root + bedrockemu.ControlPrefix,
	})
}

// TestConformance runs the provider conformance suite. Job names carry
// batchctl's job and part, so metadata comes back; a stopped or expired
// job keeps the output of the records that ran.
func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		New: func(t *testing.T, baseURL, key string) providers.Provider {
			return newClient(baseURL, key)
		},
		Lines:     func(reqs []providertest.Request) []byte { return records(t, reqs) },
		Endpoint:  bedrock.Endpoint,
		Model:     model,
		Lifecycle: []providers.Status{providers.StatusValidating, providers.StatusInProgress, providers.StatusCompleted},
		Supports:  []providertest.Feature{providertest.Metadata, providertest.PartialResults},
	})
}

// records renders reqs as Bedrock records of one user message each.
func records(t *testing.T, reqs []providertest.Request) []byte {
	t.Helper()
	type message struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	type input struct {
		Version   string    `json:"anthropic_version"`
		MaxTokens int       `json:"max_tokens"`
		Messages  []message `json:"messages"`
	}
	type record struct {
		RecordID   string `json:"recordId"`
		ModelInput input  `json:"modelInput"`
	}
	var out []byte
	for _, r := range reqs {
		b, err := json.Marshal(record{r.ID, input{"bedrock-2023-05-31", 256, []message{{"user", r.Prompt}}}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(append(out, b...), '\n')
	}
	return out
}

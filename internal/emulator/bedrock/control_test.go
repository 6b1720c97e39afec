package bedrock_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/smithy-go"

	bedrockemu "github.com/batchctl/batchctl/internal/emulator/bedrock"
	"github.com/batchctl/batchctl/internal/objstore"
)

// TestControlPlaneSDK drives the emulated control plane with the official
// client (aws-sdk-go-v2/service/bedrock, a test-only import: batchctl
// itself sends these calls over its own HTTP layer): three jobs are
// created, got, listed two a page by nextToken, and one is stopped. The
// SDK's deserializers accept every answer, and its error type is read
// from the emulator's errors.
func TestControlPlaneSDK(t *testing.T) {
	root := server(t)
	ctx := context.Background()
	cfg := awsConfig(bedrockemu.AccessKeyID, bedrockemu.SecretAccessKey)
	store := objstore.NewS3WithClient(s3Client(root, cfg))
	in := objstore.URL{Scheme: "s3", Bucket: "b", Key: "in.jsonl"}
	record := `{"recordId":"r1","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}}` + "\n"
	if err := store.Put(ctx, in, strings.NewReader(record), int64(len(record))); err != nil {
		t.Fatal(err)
	}
	client := bedrock.NewFromConfig(cfg, func(o *bedrock.Options) {
		o.BaseEndpoint = aws.String(root + bedrockemu.ControlPrefix)
	})
	var arns []string
	for _, name := range []string{"job-a", "job-b", "job-c"} {
		out, err := client.CreateModelInvocationJob(ctx, &bedrock.CreateModelInvocationJobInput{
			JobName: aws.String(name), ModelId: aws.String("anthropic.claude-x"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
			InputDataConfig: &types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{Value: types.ModelInvocationJobS3InputDataConfig{
				S3Uri: aws.String(in.String()), S3InputFormat: types.S3InputFormatJsonl,
			}},
			OutputDataConfig: &types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{Value: types.ModelInvocationJobS3OutputDataConfig{
				S3Uri: aws.String("s3://b/out/"),
			}},
		})
		if err != nil {
			t.Fatalf("CreateModelInvocationJob %s: %v", name, err)
		}
		arns = append(arns, aws.ToString(out.JobArn))
	}

	got, err := client.GetModelInvocationJob(ctx, &bedrock.GetModelInvocationJobInput{JobIdentifier: aws.String(arns[0])})
	if err != nil {
		t.Fatalf("GetModelInvocationJob: %v", err)
	}
	if aws.ToString(got.JobName) != "job-a" || got.SubmitTime == nil || got.Status == "" {
		t.Errorf("GetModelInvocationJob = name %q, submitted %v, status %q", aws.ToString(got.JobName), got.SubmitTime, got.Status)
	}

	var names []string
	pages := bedrock.NewListModelInvocationJobsPaginator(client, &bedrock.ListModelInvocationJobsInput{
		MaxResults: aws.Int32(2), SortBy: types.SortJobsByCreationTime, SortOrder: types.SortOrderDescending,
	})
	for n := 0; pages.HasMorePages(); n++ {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListModelInvocationJobs page %d: %v", n+1, err)
		}
		if len(page.InvocationJobSummaries) > 2 {
			t.Errorf("page %d has %d jobs, want at most 2", n+1, len(page.InvocationJobSummaries))
		}
		for _, s := range page.InvocationJobSummaries {
			names = append(names, aws.ToString(s.JobName))
		}
	}
	if got := strings.Join(names, ","); got != "job-c,job-b,job-a" {
		t.Errorf("listed %s, want job-c,job-b,job-a", got)
	}

	if _, err := client.StopModelInvocationJob(ctx, &bedrock.StopModelInvocationJobInput{JobIdentifier: aws.String(arns[1])}); err != nil {
		t.Errorf("StopModelInvocationJob: %v", err)
	}
	// the member batchctl names modelInvocationType is the SDK's: the
	// emulator reads it and refuses the Converse type it does not run
	_, err = client.CreateModelInvocationJob(ctx, &bedrock.CreateModelInvocationJobInput{
		JobName: aws.String("job-converse"), ModelId: aws.String("anthropic.claude-x"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		ModelInvocationType: types.ModelInvocationTypeConverse,
		InputDataConfig:     &types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{Value: types.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String(in.String())}},
		OutputDataConfig:    &types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{Value: types.ModelInvocationJobS3OutputDataConfig{S3Uri: aws.String("s3://b/out/")}},
	})
	var ve *types.ValidationException
	if !errors.As(err, &ve) || !strings.Contains(aws.ToString(ve.Message), `modelInvocationType "Converse"`) {
		t.Errorf("CreateModelInvocationJob of the Converse type = %v, want the emulator's ValidationException", err)
	}
	_, err = client.GetModelInvocationJob(ctx, &bedrock.GetModelInvocationJobInput{JobIdentifier: aws.String("nosuchjob")})
	var nf *types.ResourceNotFoundException
	var ae smithy.APIError
	if !errors.As(err, &nf) || !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFoundException" {
		t.Errorf("GetModelInvocationJob of no job = %v, want ResourceNotFoundException", err)
	}
}

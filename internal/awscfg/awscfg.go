// Package awscfg loads AWS configuration the way the AWS CLI and SDKs do:
// the default credential chain (environment, shared config and
// credentials files with their profiles, SSO, web identity, container and
// instance roles), the region of the profile or the environment, and the
// endpoints the environment overrides (AWS_ENDPOINT_URL,
// AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_BEDROCK:
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
// Nothing is stored by batchctl.
package awscfg

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// Options choose a profile and region; empty means the SDK's defaults
// (AWS_PROFILE, AWS_REGION or the profile's region).
type Options struct {
	Profile string
	Region  string
	HTTP    *http.Client
}

// Load returns the AWS configuration of opts. It reads files and the
// environment only; credentials are fetched when first used.
func Load(ctx context.Context, opts Options) (aws.Config, error) {
	var fns []func(*config.LoadOptions) error
	if opts.Profile != "" {
		fns = append(fns, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.Region != "" {
		fns = append(fns, config.WithRegion(opts.Region))
	}
	if opts.HTTP != nil {
		fns = append(fns, config.WithHTTPClient(opts.HTTP))
	}
	cfg, err := config.LoadDefaultConfig(ctx, fns...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, errors.New("no AWS region: set region in the profile (region:), AWS_REGION, or region in the AWS config profile")
	}
	return cfg, nil
}

// CustomS3Endpoint reports whether the environment sends S3 calls to
// another endpoint than AWS's (an S3-compatible server, the emulator),
// which then addresses buckets as paths.
func CustomS3Endpoint() bool {
	return os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
}

// ProbeTimeout bounds the search for credentials by `batchctl providers`:
// off a cloud, the instance metadata service does not answer, and the
// SDK's IMDS client would otherwise retry for several seconds. The SDK
// honours AWS_EC2_METADATA_DISABLED=true to skip it entirely
// (config/env_config.go, awsEc2MetadataDisabledEnv).
const ProbeTimeout = 2 * time.Second

// Source says where cfg's credentials come from, without any secret:
// "environment (AWS_ACCESS_KEY_ID)", "shared profile default", "SSO", ...
// or why none was found.
func Source(ctx context.Context, cfg aws.Config) (string, bool) {
	if cfg.Credentials == nil {
		return "no credentials", false
	}
	ctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
	defer cancel()
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return "no credentials found within " + ProbeTimeout.String(), false
		}
		return "no credentials found", false
	}
	return describe(creds.Source), true
}

// describe names a credentials source of the SDK (aws.Credentials.Source:
// the provider's name, e.g. "EnvConfigCredentials",
// "SharedConfigCredentials: /home/u/.aws/credentials", "SSOProvider",
// "EC2RoleProvider") in words.
func describe(src string) string {
	switch {
	case strings.HasPrefix(src, "EnvConfigCredentials"):
		return "environment (AWS_ACCESS_KEY_ID)"
	case strings.HasPrefix(src, "SharedConfigCredentials"):
		return "shared credentials file"
	case strings.HasPrefix(src, "SSOProvider"):
		return "SSO"
	case strings.HasPrefix(src, "AssumeRoleProvider"):
		return "assumed role"
	case strings.HasPrefix(src, "WebIdentityCredentials"):
		return "web identity"
	case strings.HasPrefix(src, "EC2RoleProvider"):
		return "instance role"
	case strings.HasPrefix(src, "CredentialsEndpointProvider"):
		return "container role"
	case strings.HasPrefix(src, "ProcessProvider"):
		return "credential process"
	case src == "":
		return "credentials"
	}
	return src
}

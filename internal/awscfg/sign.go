package awscfg

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// ErrNoCredentials is returned (wrapped) by Signer.Apply when the default
// chain finds no credentials.
var ErrNoCredentials = errors.New("no AWS credentials found")

// Signer signs requests to one AWS service with SigV4, by the SDK's signer
// (aws/signer/v4) with the credentials of an aws.Config: the credentials
// of a provider's HTTP client (internal/providers/httpx.Credentials) for
// services batchctl calls without their generated SDK client.
type Signer struct {
	creds   aws.CredentialsProvider
	region  string
	service string // the signing name: "bedrock"
	signer  *v4.Signer
}

// NewSigner returns the signer of service with cfg's credentials and region.
func NewSigner(cfg aws.Config, service string) *Signer {
	return &Signer{creds: cfg.Credentials, region: cfg.Region, service: service, signer: v4.NewSigner()}
}

// Apply signs req, whose body is empty or replayable (req.GetBody, as
// http.NewRequest sets for an in-memory body), over the SHA-256 of its body.
func (s *Signer) Apply(req *http.Request) error {
	if s.creds == nil {
		return ErrNoCredentials
	}
	creds, err := s.creds.Retrieve(req.Context())
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoCredentials, err)
	}
	hash, err := payloadHash(req)
	if err != nil {
		return err
	}
	return s.signer.SignHTTP(req.Context(), creds, req, hash, s.service, s.region, time.Now())
}

// Secrets is empty: a signature does not reveal the secret key it was
// made with, and the key is fetched at each signing, not held here.
func (s *Signer) Secrets() []string { return nil }

// Headers are the headers a signature is made of.
func (s *Signer) Headers() []string {
	return []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token"}
}

// payloadHash is the hex SHA-256 of req's body.
func payloadHash(req *http.Request) (string, error) {
	h := sha256.New()
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return "", err
		}
		defer body.Close()
		if _, err := io.Copy(h, body); err != nil {
			return "", err
		}
	} else if req.Body != nil && req.Body != http.NoBody {
		return "", errors.New("signing a request whose body cannot be read twice")
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Endpoint is where calls to the service of SDK id sdkID ("Bedrock") go,
// resolved as the SDK's service clients resolve it: the service's
// configured endpoint (AWS_ENDPOINT_URL_BEDROCK, or endpoint_url in the
// profile's services section), else the base endpoint (AWS_ENDPOINT_URL,
// endpoint_url of the profile), unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
// is set; else the regional endpoint https://<host>.<region>.amazonaws.com
// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html;
// the config sources' methods are those internal/configsources of the SDK
// calls).
func Endpoint(ctx context.Context, cfg aws.Config, sdkID, host string) string {
	if !ignoreConfigured(ctx, cfg) {
		for _, src := range cfg.ConfigSources {
			if p, ok := src.(interface {
				GetServiceBaseEndpoint(context.Context, string) (string, bool, error)
			}); ok {
				if u, found, err := p.GetServiceBaseEndpoint(ctx, sdkID); err == nil && found {
					return strings.TrimSuffix(u, "/")
				}
			}
		}
		if u := aws.ToString(cfg.BaseEndpoint); u != "" {
			return strings.TrimSuffix(u, "/")
		}
	}
	return "https://" + host + "." + cfg.Region + ".amazonaws.com"
}

// ignoreConfigured reports whether AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
// (or ignore_configured_endpoint_urls of the profile) is set.
func ignoreConfigured(ctx context.Context, cfg aws.Config) bool {
	for _, src := range cfg.ConfigSources {
		if p, ok := src.(interface {
			GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error)
		}); ok {
			if v, found, err := p.GetIgnoreConfiguredEndpoints(ctx); err == nil && found {
				return v
			}
		}
	}
	return false
}

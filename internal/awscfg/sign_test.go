package awscfg

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// TestEndpoint resolves the Bedrock endpoint as the SDK's clients do:
// the service's variable first, then AWS_ENDPOINT_URL, then the region's.
func TestEndpoint(t *testing.T) {
	tests := []struct {
		name, service, base, ignore, want string
	}{
		{name: "the region's", want: "https://bedrock.eu-west-1.amazonaws.com"},
		{name: "the base endpoint", base: "http://localhost:9000/", want: "http://localhost:9000"},
		{name: "the service's first", service: "http://localhost:9001/bedrock", base: "http://localhost:9000", want: "http://localhost:9001/bedrock"},
		{name: "configured endpoints ignored", service: "http://localhost:9001", base: "http://localhost:9000", ignore: "true", want: "https://bedrock.eu-west-1.amazonaws.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL_BEDROCK", tt.service)
			t.Setenv("AWS_ENDPOINT_URL", tt.base)
			t.Setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", tt.ignore)
			t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
			cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("eu-west-1"))
			if err != nil {
				t.Fatal(err)
			}
			if got := Endpoint(context.Background(), cfg, "Bedrock", "bedrock"); got != tt.want {
				t.Errorf("Endpoint = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSignerApply signs a request with a replayable body and refuses one
// it cannot read twice or without credentials.
func TestSignerApply(t *testing.T) {
	creds := credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")
	s := NewSigner(aws.Config{Region: "us-east-1", Credentials: creds}, "bedrock")
	req, _ := http.NewRequest(http.MethodPost, "https://bedrock.us-east-1.amazonaws.com/model-invocation-job", strings.NewReader(`{"a":1}`))
	if err := s.Apply(req); err != nil {
		t.Fatal(err)
	}
	if auth := req.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKID/") || !strings.Contains(auth, "/us-east-1/bedrock/aws4_request") {
		t.Errorf("Authorization = %q", auth)
	}
	stream, _ := http.NewRequest(http.MethodPost, "https://example.com/", io.NopCloser(strings.NewReader("x")))
	if err := s.Apply(stream); err == nil {
		t.Error("signed a body it could not hash")
	}
	none := NewSigner(aws.Config{Region: "us-east-1"}, "bedrock")
	if err := none.Apply(req); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("without credentials: %v, want ErrNoCredentials", err)
	}
}

// Package bedrock is the emulator's AWS side: the subset of the S3 API
// batchctl's object store uses (PutObject, multipart uploads,
// ListObjectsV2, GetObject, DeleteObject), served path-style under /s3/,
// and the Amazon Bedrock batch inference control plane
// (CreateModelInvocationJob, GetModelInvocationJob,
// ListModelInvocationJobs, StopModelInvocationJob) under /bedrock/. Every
// call must carry a SigV4 signature by the fixed test key pair
// (AccessKeyID, SecretAccessKey), which the emulator recomputes with the
// AWS SDK's own signer (aws/signer/v4) and compares. A job's records are
// read as their model family's bodies (families.go: Anthropic, Llama,
// Nova, Mistral) and run as the Anthropic emulator runs a Messages body,
// with its markers, on the shared batch timeline; its output, each
// answer in its family's shape, is written into the emulated bucket as
// Bedrock writes it, with manifest.json.out.
package bedrock

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The test key pair: the only credentials the emulator accepts.
const (
	AccessKeyID     = "AKIAEMULATOREXAMPLE"
	SecretAccessKey = "emulator/secret/key/EXAMPLEKEY"
)

// unsignedPayload is the payload hash of a body not covered by the
// signature (S3 over TLS).
const unsignedPayload = "UNSIGNED-PAYLOAD"

// sigError is a signature the emulator refuses.
type sigError struct {
	code, message string
}

func (e *sigError) Error() string { return e.code + ": " + e.message }

// verify recomputes the SigV4 signature of r as the SDK's signer would
// make it with the test key pair and compares it with the one r carries.
// body is r's body for a call whose payload hash is not in a header
// (every service but S3), nil otherwise. It returns the payload hash the
// signature covers.
func verify(r *http.Request, body []byte) (string, error) {
	auth := r.Header.Get("Authorization")
	algo, rest, _ := strings.Cut(auth, " ")
	if algo != "AWS4-HMAC-SHA256" {
		return "", &sigError{"MissingAuthenticationToken", "Request is missing a SigV4 Authorization header"}
	}
	fields := map[string]string{}
	for _, f := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
		fields[k] = v
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return "", &sigError{"IncompleteSignature", "Credential is not AKID/date/region/service/aws4_request"}
	}
	if scope[0] != AccessKeyID {
		return "", &sigError{"InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."}
	}
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return "", &sigError{"IncompleteSignature", "X-Amz-Date is missing or malformed"}
	}
	hash := r.Header.Get("X-Amz-Content-Sha256")
	if hash == "" {
		sum := sha256.Sum256(body)
		hash = hex.EncodeToString(sum[:])
	}
	region, service := scope[2], scope[3]
	clone := &http.Request{
		Method:        r.Method,
		URL:           &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery},
		Host:          r.Host,
		Header:        http.Header{},
		ContentLength: r.ContentLength,
	}
	for _, h := range strings.Split(fields["SignedHeaders"], ";") {
		if h != "host" {
			clone.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
	creds := aws.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey, SessionToken: r.Header.Get("X-Amz-Security-Token")}
	if err := signer.SignHTTP(r.Context(), creds, clone, hash, service, region, at); err != nil {
		return "", err
	}
	if subtle.ConstantTimeCompare([]byte(clone.Header.Get("Authorization")), []byte(auth)) != 1 {
		return "", &sigError{"SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."}
	}
	return hash, nil
}

// readBody reads r's whole body (a small JSON document) and puts it back.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		return nil, errors.New("reading the body: " + err.Error())
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b, nil
}

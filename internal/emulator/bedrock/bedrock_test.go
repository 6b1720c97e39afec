package bedrock_test

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/batchctl/batchctl/internal/emulator"
	bedrockemu "github.com/batchctl/batchctl/internal/emulator/bedrock"
	"github.com/batchctl/batchctl/internal/objstore"
)

// server starts an emulator whose batches end an hour after their
// creation and returns its root URL.
func server(t *testing.T) string {
	t.Helper()
	h, err := emulator.New(emulator.Options{Dir: t.TempDir(), Duration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// awsConfig is an SDK configuration for the emulator, signing with key
// pair akid/secret.
func awsConfig(akid, secret string) aws.Config {
	return aws.Config{
		Region:      bedrockemu.Region,
		Credentials: credentials.NewStaticCredentialsProvider(akid, secret, ""),
	}
}

func s3Client(root string, cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(root + bedrockemu.S3Prefix)
		o.UsePathStyle = true
	})
}

// TestObjectStore drives the emulated S3 with batchctl's object store on
// the SDK's s3 client: a multipart upload (two parts), a listing by
// prefix, a download, a delete.
func TestObjectStore(t *testing.T) {
	root := server(t)
	ctx := context.Background()
	store := objstore.NewS3WithClient(s3Client(root, awsConfig(bedrockemu.AccessKeyID, bedrockemu.SecretAccessKey)))
	big := bytes.Repeat([]byte("0123456789abcdef\n"), (objstore.PartSize+1000)/17)
	u := objstore.URL{Scheme: "s3", Bucket: "b", Key: "p/big.jsonl"}
	if err := store.Put(ctx, u, bytes.NewReader(big), int64(len(big))); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if err := store.Put(ctx, objstore.URL{Scheme: "s3", Bucket: "b", Key: "p/small.jsonl"}, strings.NewReader("x\n"), 2); err != nil {
		t.Fatalf("Put small: %v", err)
	}
	if err := store.Put(ctx, objstore.URL{Scheme: "s3", Bucket: "b", Key: "q/other"}, strings.NewReader("y"), 1); err != nil {
		t.Fatalf("Put other: %v", err)
	}
	var keys []string
	err := store.List(ctx, objstore.URL{Scheme: "s3", Bucket: "b", Key: "p/"}, func(o objstore.Object) error {
		keys = append(keys, o.URL.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if got := strings.Join(keys, ","); got != "p/big.jsonl,p/small.jsonl" {
		t.Errorf("List = %s", got)
	}
	r, err := store.Get(ctx, u)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("Get read %d bytes (%v), want the %d uploaded", len(got), err, len(big))
	}
	if err := store.Delete(ctx, u); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := store.Get(ctx, u); err == nil || !strings.Contains(err.Error(), objstore.ErrNotFound.Error()) {
		t.Errorf("Get after Delete = %v, want not found", err)
	}
}

// TestSignatureChecked checks that a call signed with another secret is
// refused, with S3's error code.
func TestSignatureChecked(t *testing.T) {
	root := server(t)
	client := s3Client(root, awsConfig(bedrockemu.AccessKeyID, "wrong-secret"))
	_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k"), Body: strings.NewReader("x")})
	if err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Errorf("PutObject with a wrong secret = %v, want SignatureDoesNotMatch", err)
	}
}

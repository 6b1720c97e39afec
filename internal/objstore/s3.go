package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// S3 is a Store on Amazon S3 (or a service speaking its API), through the
// AWS SDK: requests are signed with SigV4 by the SDK, uploads above one
// part are multipart uploads (feature/s3/manager), streamed in parts of
// PartSize with a few parts in flight, never the whole file in memory.
type S3 struct {
	client *s3.Client
	up     *manager.Uploader
}

// PartSize is the size of the parts of a multipart upload: S3's smallest
// part (but the last) is 5 MiB
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html).
const PartSize = 8 << 20

// NewS3 returns a Store on S3 with cfg's credentials, region and endpoint.
// pathStyle addresses buckets as a path (http://host/bucket/key), as
// S3-compatible servers and the emulator want.
func NewS3(cfg aws.Config, pathStyle bool) *S3 {
	return NewS3WithClient(s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = pathStyle
		// Checksums only where S3 requires them: no aws-chunked trailers.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		o.DisableLogOutputChecksumValidationSkipped = true
	}))
}

// NewS3WithClient returns a Store on an s3 client configured by the caller.
func NewS3WithClient(client *s3.Client) *S3 {
	up := manager.NewUploader(client, func(u *manager.Uploader) {
		u.PartSize = PartSize
		u.Concurrency = 2
	})
	return &S3{client: client, up: up}
}

// Put uploads r to u; the uploader aborts a multipart upload that fails
// part way (manager.Uploader.LeavePartsOnError is false).
func (s *S3) Put(ctx context.Context, u URL, r io.Reader, size int64) error {
	in := &s3.PutObjectInput{Bucket: aws.String(u.Bucket), Key: aws.String(u.Key), Body: r, ContentType: aws.String("application/jsonl")}
	if size >= 0 && size < PartSize {
		in.ContentLength = aws.Int64(size)
	}
	if _, err := s.up.Upload(ctx, in); err != nil {
		return fmt.Errorf("upload to %s: %w", u, err)
	}
	return nil
}

// List lists the objects under u.Key, a page of up to 1000 at a time.
func (s *S3) List(ctx context.Context, u URL, fn func(Object) error) error {
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(u.Bucket), Prefix: aws.String(u.Key)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list %s: %w", u, err)
		}
		for _, o := range page.Contents {
			obj := Object{URL: URL{Scheme: u.Scheme, Bucket: u.Bucket, Key: aws.ToString(o.Key)}, Size: aws.ToInt64(o.Size), Modified: aws.ToTime(o.LastModified)}
			if err := fn(obj); errors.Is(err, ErrStop) {
				return nil
			} else if err != nil {
				return err
			}
		}
	}
	return nil
}

// Get opens the object at u.
func (s *S3) Get(ctx context.Context, u URL) (io.ReadCloser, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(u.Bucket), Key: aws.String(u.Key)})
	if err != nil {
		var nsk *types.NoSuchKey
		if errors.As(err, &nsk) {
			return nil, fmt.Errorf("get %s: %w", u, ErrNotFound)
		}
		return nil, fmt.Errorf("get %s: %w", u, err)
	}
	return out.Body, nil
}

// Delete removes the object at u (S3 answers 204 for a missing key too).
func (s *S3) Delete(ctx context.Context, u URL) error {
	if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(u.Bucket), Key: aws.String(u.Key)}); err != nil {
		return fmt.Errorf("delete %s: %w", u, err)
	}
	return nil
}

package bedrock

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// S3 serves the S3 subset, path-style: /s3/{bucket}/{key}. Buckets exist
// as soon as they are named. Wire shapes: the S3 API reference
// (docs.aws.amazon.com/AmazonS3/latest/API/) as the SDK's s3 client reads
// them (service/s3/deserializers.go).
type S3 struct {
	host    *core.Host
	objects *objects
}

// NewS3 opens the S3 API with its state under dir/aws.
func NewS3(host *core.Host, dir string) (core.Protocol, error) {
	o, err := openObjects(dir)
	if err != nil {
		return nil, err
	}
	return &S3{host: host, objects: o}, nil
}

// S3Prefix is the path the S3 API is served under: the endpoint a client
// is given is the server's root plus S3Prefix.
const S3Prefix = "/s3"

// Register adds the S3 routes.
func (s *S3) Register(mux *http.ServeMux) {
	d := s.host.Door(s)
	mux.HandleFunc("PUT "+S3Prefix+"/{bucket}/{key...}", func(w http.ResponseWriter, r *http.Request) { d.Serve(w, r, core.OpUpload, s.put) })
	mux.HandleFunc("POST "+S3Prefix+"/{bucket}/{key...}", func(w http.ResponseWriter, r *http.Request) { d.Serve(w, r, core.OpUpload, s.post) })
	mux.HandleFunc("GET "+S3Prefix+"/{bucket}/{key...}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("key") == "" {
			d.Serve(w, r, core.OpListFiles, s.list)
			return
		}
		d.Serve(w, r, core.OpContent, s.get)
	})
	mux.HandleFunc("GET "+S3Prefix+"/{bucket}", func(w http.ResponseWriter, r *http.Request) { d.Serve(w, r, core.OpListFiles, s.list) })
	mux.HandleFunc("DELETE "+S3Prefix+"/{bucket}/{key...}", func(w http.ResponseWriter, r *http.Request) { d.Serve(w, r, core.OpDelete, s.delete) })
}

// RequestIDHeader implements core.Protocol.
func (s *S3) RequestIDHeader() string { return "X-Amz-Request-Id" }

// Authenticate implements core.Protocol: a SigV4 signature by the test key
// pair (the payload hash is the X-Amz-Content-Sha256 header, which the
// upload handlers check against the body).
func (s *S3) Authenticate(r *http.Request, _ func(string) bool) error {
	if _, err := verify(r, nil); err != nil {
		return s3Error(http.StatusForbidden, err)
	}
	return nil
}

// s3Err is an S3 error answer.
type s3Err struct {
	status        int
	code, message string
}

func (e *s3Err) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

// s3Error makes the answer of a refused signature.
func s3Error(status int, err error) error {
	var se *sigError
	if errors.As(err, &se) {
		return &s3Err{status, se.code, se.message}
	}
	return &s3Err{status, "AccessDenied", err.Error()}
}

// WriteError implements core.Protocol: <Error><Code>..</Code><Message>..</Message></Error>.
func (s *S3) WriteError(w http.ResponseWriter, err error) {
	var e *s3Err
	if !errors.As(err, &e) {
		e = &s3Err{http.StatusInternalServerError, "InternalError", core.Failure(err)}
	}
	writeXML(w, e.status, struct {
		XMLName xml.Name `xml:"Error"`
		Code    string   `xml:"Code"`
		Message string   `xml:"Message"`
	}{Code: e.code, Message: e.message})
}

// WriteFault implements core.Protocol: S3 answers 503 SlowDown when
// throttling (it has no 429), other 5xx as InternalError.
func (s *S3) WriteFault(w http.ResponseWriter, f core.Fault) {
	if f.Status == http.StatusTooManyRequests {
		s.WriteError(w, &s3Err{f.Status, "SlowDown", "Please reduce your request rate. (emulated server fault)"})
		return
	}
	s.WriteError(w, &s3Err{f.Status, "InternalError", "We encountered an internal error. Please try again. (emulated server fault)"})
}

func writeXML(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	io.WriteString(w, xml.Header)
	xml.NewEncoder(w).Encode(v)
}

// put is PutObject, or UploadPart with ?partNumber&uploadId.
func (s *S3) put(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	path := s.objects.path(r.PathValue("bucket"), r.PathValue("key"))
	if id := q.Get("uploadId"); id != "" {
		n, err := strconv.Atoi(q.Get("partNumber"))
		if err != nil || n < 1 || n > 10000 {
			return &s3Err{http.StatusBadRequest, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive"}
		}
		if _, err := os.Stat(s.objects.upload(id)); err != nil {
			return &s3Err{http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist."}
		}
		path = filepath.Join(s.objects.upload(id), fmt.Sprintf("part-%05d", n))
	}
	etag, err := s.objects.write(path, r)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag)
	w.WriteHeader(http.StatusOK)
	return nil
}

// post is CreateMultipartUpload (?uploads) or CompleteMultipartUpload
// (?uploadId).
func (s *S3) post(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	bucket, key := r.PathValue("bucket"), r.PathValue("key")
	switch {
	case q.Has("uploads"):
		id := core.NewID("upload-")
		if err := os.MkdirAll(s.objects.upload(id), 0o700); err != nil {
			return err
		}
		writeXML(w, http.StatusOK, struct {
			XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ InitiateMultipartUploadResult"`
			Bucket   string   `xml:"Bucket"`
			Key      string   `xml:"Key"`
			UploadID string   `xml:"UploadId"`
		}{Bucket: bucket, Key: key, UploadID: id})
		return nil
	case q.Get("uploadId") != "":
		return s.complete(w, r, q.Get("uploadId"), bucket, key)
	}
	return &s3Err{http.StatusBadRequest, "InvalidRequest", "POST without ?uploads or ?uploadId"}
}

// complete joins the parts of an upload, in part number order, into the
// object.
func (s *S3) complete(w http.ResponseWriter, r *http.Request, id, bucket, key string) error {
	dir := s.objects.upload(id)
	parts, err := os.ReadDir(dir)
	if err != nil {
		return &s3Err{http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist."}
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].Name() < parts[j].Name() })
	err = s.objects.put(bucket, key, func(out io.Writer) error {
		for _, p := range parts {
			f, err := os.Open(filepath.Join(dir, p.Name()))
			if err != nil {
				return err
			}
			_, err = io.Copy(out, f)
			f.Close()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	os.RemoveAll(dir)
	writeXML(w, http.StatusOK, struct {
		XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CompleteMultipartUploadResult"`
		Bucket  string   `xml:"Bucket"`
		Key     string   `xml:"Key"`
		ETag    string   `xml:"ETag"`
	}{Bucket: bucket, Key: key, ETag: `"` + id + `-` + strconv.Itoa(len(parts)) + `"`})
	return nil
}

// get is GetObject.
func (s *S3) get(w http.ResponseWriter, r *http.Request) error {
	path := s.objects.path(r.PathValue("bucket"), r.PathValue("key"))
	if ok, err := core.FileExists(path); err != nil {
		return err
	} else if !ok {
		return &s3Err{http.StatusNotFound, "NoSuchKey", "The specified key does not exist."}
	}
	return core.ServeFile(w, r, path, "application/octet-stream")
}

// delete is DeleteObject, or AbortMultipartUpload with ?uploadId.
func (s *S3) delete(w http.ResponseWriter, r *http.Request) error {
	if id := r.URL.Query().Get("uploadId"); id != "" {
		os.RemoveAll(s.objects.upload(id))
	} else if err := os.Remove(s.objects.path(r.PathValue("bucket"), r.PathValue("key"))); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listResult is a ListObjectsV2 answer, all keys in one page.
type listResult struct {
	XMLName     xml.Name      `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name        string        `xml:"Name"`
	Prefix      string        `xml:"Prefix"`
	KeyCount    int           `xml:"KeyCount"`
	MaxKeys     int           `xml:"MaxKeys"`
	IsTruncated bool          `xml:"IsTruncated"`
	Contents    []listedEntry `xml:"Contents"`
}

type listedEntry struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
}

// list is ListObjectsV2 (?list-type=2&prefix=...), in key order.
func (s *S3) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Get("list-type") != "2" {
		return &s3Err{http.StatusBadRequest, "InvalidRequest", "only ListObjectsV2 (list-type=2) is emulated"}
	}
	bucket, prefix := r.PathValue("bucket"), q.Get("prefix")
	objs, err := s.objects.list(bucket, prefix)
	if err != nil {
		return err
	}
	res := listResult{Name: bucket, Prefix: prefix, MaxKeys: 1000, KeyCount: len(objs)}
	for _, o := range objs {
		res.Contents = append(res.Contents, listedEntry{Key: o.key, LastModified: o.modified, ETag: `"x"`, Size: o.size, StorageClass: "STANDARD"})
	}
	writeXML(w, http.StatusOK, res)
	return nil
}

// objects is the emulated buckets' contents: one file per object,
// dir/aws/s3/<bucket>/o-<escaped key>, and the parts of multipart uploads
// under dir/aws/uploads/<upload id>/.
type objects struct{ root string }

func openObjects(dir string) (*objects, error) {
	o := &objects{root: filepath.Join(dir, "aws")}
	if err := os.MkdirAll(filepath.Join(o.root, "uploads"), 0o700); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *objects) path(bucket, key string) string {
	return filepath.Join(o.root, "s3", url.PathEscape(bucket), "o-"+url.QueryEscape(key))
}

func (o *objects) upload(id string) string {
	return filepath.Join(o.root, "uploads", url.PathEscape(id))
}

// write stores r's body at path and checks it against the payload hash
// the signature covers; it returns the object's ETag.
func (o *objects) write(path string, r *http.Request) (string, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	sum, md := sha256.New(), md5.New()
	err := core.WriteAtomic(path+".tmp-upload", func(w io.Writer) error {
		_, err := io.Copy(io.MultiWriter(w, sum, md), r.Body)
		return err
	})
	if err != nil {
		return "", err
	}
	want := r.Header.Get("X-Amz-Content-Sha256")
	if want != unsignedPayload && want != hex.EncodeToString(sum.Sum(nil)) {
		os.Remove(path + ".tmp-upload")
		return "", &s3Err{http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."}
	}
	if err := os.Rename(path+".tmp-upload", path); err != nil {
		return "", err
	}
	return `"` + hex.EncodeToString(md.Sum(nil)) + `"`, nil
}

// read returns the object's bytes.
func (o *objects) read(bucket, key string) ([]byte, error) {
	return os.ReadFile(o.path(bucket, key))
}

// put stores an object written by the emulator itself.
func (o *objects) put(bucket, key string, write func(io.Writer) error) error {
	path := o.path(bucket, key)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return core.WriteAtomic(path, write)
}

type storedObject struct {
	key, modified string
	size          int64
}

// list lists a bucket's objects whose keys start with prefix, by key.
func (o *objects) list(bucket, prefix string) ([]storedObject, error) {
	entries, err := os.ReadDir(filepath.Join(o.root, "s3", url.PathEscape(bucket)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []storedObject
	for _, e := range entries {
		name, ok := strings.CutPrefix(e.Name(), "o-")
		if !ok || strings.HasSuffix(name, ".tmp-upload") {
			continue
		}
		key, err := url.QueryUnescape(name)
		if err != nil || !strings.HasPrefix(key, prefix) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, storedObject{key: key, modified: info.ModTime().UTC().Format("2006-01-02T15:04:05.000Z"), size: info.Size()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, nil
}

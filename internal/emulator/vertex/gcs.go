package vertex

import (
	"cmp"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// GCS serves the Cloud Storage JSON API subset batchctl uses, at the
// paths of storage.googleapis.com (so STORAGE_EMULATOR_HOST can name the
// emulator): objects insert (uploadType=multipart or media), list, get
// (metadata, or the bytes with alt=media) and delete. Buckets exist when
// first written to. Every call needs a bearer token of the token endpoint.
// Wire shapes: https://cloud.google.com/storage/docs/json_api/v1/objects
// and the requests of cloud.google.com/go/storage (driven in the tests).
type GCS struct {
	host    *core.Host
	keys    *keys
	objects *objects
}

// NewGCS opens the Cloud Storage API with its state under dir/gcp.
func NewGCS(host *core.Host, dir string) (core.Protocol, error) {
	k, err := openKeys(dir)
	if err != nil {
		return nil, err
	}
	o, err := openObjects(dir)
	if err != nil {
		return nil, err
	}
	return &GCS{host: host, keys: k, objects: o}, nil
}

// Register adds the Cloud Storage routes.
func (g *GCS) Register(mux *http.ServeMux) {
	d := g.host.Door(g)
	d.Handle(mux, "POST /upload/storage/v1/b/{bucket}/o", core.OpUpload, g.insert)
	d.Handle(mux, "GET /storage/v1/b/{bucket}/o", core.OpListFiles, g.list)
	mux.HandleFunc("GET /storage/v1/b/{bucket}/o/{object...}", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("alt") == "media" {
			d.Serve(w, r, core.OpContent, g.media)
			return
		}
		d.Serve(w, r, core.OpGetFile, g.metadata)
	})
	d.Handle(mux, "DELETE /storage/v1/b/{bucket}/o/{object...}", core.OpDelete, g.delete)
}

// RequestIDHeader implements core.Protocol.
func (g *GCS) RequestIDHeader() string { return "X-Guploader-Uploadid" }

// Authenticate implements core.Protocol: a bearer token that has not
// expired.
func (g *GCS) Authenticate(r *http.Request, _ func(string) bool) error {
	return g.keys.checkBearer(r)
}

// WriteError implements core.Protocol.
func (g *GCS) WriteError(w http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = errorf(http.StatusInternalServerError, "%s", core.Failure(err))
		e.reason = "backendError"
	}
	writeError(w, e)
}

// WriteFault implements core.Protocol: 429 rateLimitExceeded, 5xx
// backendError.
func (g *GCS) WriteFault(w http.ResponseWriter, f core.Fault) {
	reason := "backendError"
	if f.Status == http.StatusTooManyRequests {
		reason = "rateLimitExceeded"
	}
	writeError(w, faultError(f, reason))
}

// objectResource is an object as the JSON API shows it (size and
// generation are int64 sent as strings).
type objectResource struct {
	Kind        string `json:"kind"`
	ID          string `json:"id"`
	Name        string `json:"name"`
	Bucket      string `json:"bucket"`
	Generation  string `json:"generation"`
	ContentType string `json:"contentType"`
	Size        string `json:"size"`
	TimeCreated string `json:"timeCreated"`
	Updated     string `json:"updated"`
	CRC32C      string `json:"crc32c"`
	MD5Hash     string `json:"md5Hash"`
}

func resource(bucket string, o storedObject) objectResource {
	gen := strconv.FormatInt(o.modified.UnixMicro(), 10)
	stamp := o.modified.Format(time.RFC3339Nano)
	return objectResource{
		Kind: "storage#object", ID: bucket + "/" + o.key + "/" + gen, Name: o.key, Bucket: bucket, Generation: gen,
		ContentType: "application/octet-stream", Size: strconv.FormatInt(o.size, 10), TimeCreated: stamp, Updated: stamp,
		CRC32C: o.crc32c, MD5Hash: o.md5,
	}
}

// insert stores an upload: uploadType=multipart (a JSON part with the
// name, then the bytes) or media (the name in the query, the body the
// bytes).
func (g *GCS) insert(w http.ResponseWriter, r *http.Request) error {
	bucket := r.PathValue("bucket")
	name := r.URL.Query().Get("name")
	var body io.Reader = r.Body
	switch r.URL.Query().Get("uploadType") {
	case "media":
	case "multipart":
		metaName, data, err := multipartUpload(r)
		if err != nil {
			return err
		}
		name, body = cmp.Or(metaName, name), data
	default:
		return invalid("uploadType %q is not supported by the emulator (want multipart or media)", r.URL.Query().Get("uploadType"))
	}
	if name == "" {
		return invalid("Required parameter: name")
	}
	o, err := g.objects.write(bucket, name, body)
	if err != nil {
		return err
	}
	core.WriteJSON(w, http.StatusOK, resource(bucket, o))
	return nil
}

// multipartUpload reads the metadata part of a multipart/related upload
// and returns the object's name and a reader over the data part.
func multipartUpload(r *http.Request) (string, io.Reader, error) {
	media, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || media != "multipart/related" || params["boundary"] == "" {
		return "", nil, invalid("a multipart upload is multipart/related with a boundary")
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	part, err := mr.NextPart()
	if err != nil {
		return "", nil, invalid("the upload has no metadata part: %v", err)
	}
	var meta struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(part).Decode(&meta); err != nil {
		return "", nil, invalid("the metadata part is not JSON: %v", err)
	}
	data, err := mr.NextPart()
	if err != nil {
		return "", nil, invalid("the upload has no data part: %v", err)
	}
	return meta.Name, data, nil
}

// listPage is the most objects a list answers at once (objects/list
// maxResults default).
const listPage = 1000

// list answers objects/list: the objects under prefix after pageToken
// (the last name of the previous page), at most maxResults.
func (g *GCS) list(w http.ResponseWriter, r *http.Request) error {
	bucket, q := r.PathValue("bucket"), r.URL.Query()
	size := listPage
	if n, err := strconv.Atoi(q.Get("maxResults")); err == nil && n > 0 && n < size {
		size = n
	}
	all, err := g.objects.list(bucket, q.Get("prefix"))
	if err != nil {
		return err
	}
	after := q.Get("pageToken")
	start := sort.Search(len(all), func(i int) bool { return all[i].key > after })
	out := struct {
		Kind          string           `json:"kind"`
		Items         []objectResource `json:"items,omitempty"`
		NextPageToken string           `json:"nextPageToken,omitempty"`
	}{Kind: "storage#objects"}
	for _, o := range all[start:min(start+size, len(all))] {
		out.Items = append(out.Items, resource(bucket, o))
	}
	if start+size < len(all) {
		out.NextPageToken = all[start+size-1].key
	}
	core.WriteJSON(w, http.StatusOK, out)
	return nil
}

// stat finds an object or answers 404.
func (g *GCS) stat(r *http.Request) (string, storedObject, error) {
	bucket, name := r.PathValue("bucket"), r.PathValue("object")
	o, err := g.objects.stat(bucket, name)
	if errors.Is(err, fs.ErrNotExist) {
		e := errorf(http.StatusNotFound, "No such object: %s/%s", bucket, name)
		e.reason = "notFound"
		return "", o, e
	}
	return bucket, o, err
}

func (g *GCS) metadata(w http.ResponseWriter, r *http.Request) error {
	bucket, o, err := g.stat(r)
	if err != nil {
		return err
	}
	core.WriteJSON(w, http.StatusOK, resource(bucket, o))
	return nil
}

// media streams the object's bytes.
func (g *GCS) media(w http.ResponseWriter, r *http.Request) error {
	bucket, o, err := g.stat(r)
	if err != nil {
		return err
	}
	f, err := os.Open(g.objects.path(bucket, o.key))
	if err != nil {
		return err
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(o.size, 10))
	w.Header().Set("X-Goog-Generation", resource(bucket, o).Generation)
	io.Copy(w, f)
	return nil
}

func (g *GCS) delete(w http.ResponseWriter, r *http.Request) error {
	bucket, o, err := g.stat(r)
	if err != nil {
		return err
	}
	if err := os.Remove(g.objects.path(bucket, o.key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// objects is the emulated buckets' contents: one file per object,
// dir/gcp/gcs/<bucket>/o-<escaped name>.
type objects struct{ root string }

func openObjects(dir string) (*objects, error) {
	o := &objects{root: filepath.Join(dir, "gcp", "gcs")}
	return o, os.MkdirAll(o.root, 0o700)
}

func (o *objects) path(bucket, name string) string {
	return filepath.Join(o.root, url.PathEscape(bucket), "o-"+url.QueryEscape(name))
}

// storedObject is what the emulator knows of an object; its hashes are
// base64, the CRC32C big-endian, as the JSON API shows them (Google's
// storage client checks an upload's against its own).
type storedObject struct {
	key         string
	size        int64
	modified    time.Time
	crc32c, md5 string
}

// write stores r as the object, replacing it whole (through a rename).
func (o *objects) write(bucket, name string, r io.Reader) (storedObject, error) {
	if err := o.put(bucket, name, func(w io.Writer) error {
		_, err := io.Copy(w, r)
		return err
	}); err != nil {
		return storedObject{}, err
	}
	return o.stat(bucket, name)
}

// put stores an object written by the emulator itself.
func (o *objects) put(bucket, name string, write func(io.Writer) error) error {
	path := o.path(bucket, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return core.WriteAtomic(path, write)
}

func (o *objects) read(bucket, name string) ([]byte, error) {
	return os.ReadFile(o.path(bucket, name))
}

func (o *objects) stat(bucket, name string) (storedObject, error) {
	f, err := os.Open(o.path(bucket, name))
	if err != nil {
		return storedObject{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return storedObject{}, err
	}
	c, m := crc32.New(crc32.MakeTable(crc32.Castagnoli)), md5.New()
	if _, err := io.Copy(io.MultiWriter(c, m), f); err != nil {
		return storedObject{}, err
	}
	return storedObject{
		key: name, size: info.Size(), modified: info.ModTime().UTC(),
		crc32c: base64.StdEncoding.EncodeToString(c.Sum(nil)), md5: base64.StdEncoding.EncodeToString(m.Sum(nil)),
	}, nil
}

// list lists a bucket's objects whose names start with prefix, by name.
func (o *objects) list(bucket, prefix string) ([]storedObject, error) {
	entries, err := os.ReadDir(filepath.Join(o.root, url.PathEscape(bucket)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []storedObject
	for _, e := range entries {
		escaped, ok := strings.CutPrefix(e.Name(), "o-")
		if !ok {
			continue
		}
		name, err := url.QueryUnescape(escaped)
		if err != nil || !strings.HasPrefix(name, prefix) {
			continue
		}
		obj, err := o.stat(bucket, name)
		if err != nil {
			continue
		}
		out = append(out, obj)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, nil
}

// splitGS splits gs://bucket/name.
func splitGS(uri string) (bucket, name string, err error) {
	rest, ok := strings.CutPrefix(uri, "gs://")
	bucket, name, _ = strings.Cut(rest, "/")
	if !ok || bucket == "" {
		return "", "", invalid("%q is not a gs://bucket/object URI", uri)
	}
	return bucket, name, nil
}

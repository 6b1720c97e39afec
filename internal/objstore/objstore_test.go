package objstore

import "testing"

func TestParseURL(t *testing.T) {
	tests := []struct {
		in, scheme string // scheme: the one ParseURLOf wants; "" for ParseURL
		want       URL
		err        string
	}{
		{in: "s3://b", want: URL{Scheme: "s3", Bucket: "b"}},
		{in: "s3://b/p/q", want: URL{Scheme: "s3", Bucket: "b", Key: "p/q"}},
		{in: "gs://b/p", want: URL{Scheme: "gs", Bucket: "b", Key: "p"}},
		{in: "s3:///p", err: `bucket location "s3:///p": no bucket name`},
		{in: "az://b/p", err: `bucket location "az://b/p": scheme "az" is not supported (want s3://bucket/prefix or gs://bucket/prefix)`},
		{in: "bucket", err: `bucket location "bucket": want s3://bucket/prefix or gs://bucket/prefix`},
		{in: "gs://b/p", scheme: "gs", want: URL{Scheme: "gs", Bucket: "b", Key: "p"}},
		{in: "s3://b/p", scheme: "gs", err: `bucket location "s3://b/p": scheme "s3" is not supported (want gs://bucket/prefix)`},
	}
	for _, tt := range tests {
		got, err := ParseURL(tt.in)
		if tt.scheme != "" {
			got, err = ParseURLOf(tt.in, tt.scheme)
		}
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tt.want || gotErr != tt.err {
			t.Errorf("ParseURL(%q) = %+v, %q; want %+v, %q", tt.in, got, gotErr, tt.want, tt.err)
		}
	}
}

func TestJoin(t *testing.T) {
	u := URL{Scheme: "s3", Bucket: "b", Key: "p"}
	if got := u.Join("j1", "in.jsonl").String(); got != "s3://b/p/j1/in.jsonl" {
		t.Errorf("Join = %s", got)
	}
	if got := (URL{Scheme: "s3", Bucket: "b"}).Join("x").String(); got != "s3://b/x" {
		t.Errorf("Join on bucket root = %s", got)
	}
	if got := u.Dir().Key; got != "p/" {
		t.Errorf("Dir = %q", got)
	}
}

func TestGCSEndpointFrom(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "https://storage.googleapis.com",
		"localhost:9023":         "http://localhost:9023",
		"http://127.0.0.1:4443/": "http://127.0.0.1:4443",
		"https://gcs.example":    "https://gcs.example",
	} {
		if got := GCSEndpointFrom(in); got != want {
			t.Errorf("GCSEndpointFrom(%q) = %q, want %q", in, got, want)
		}
	}
}

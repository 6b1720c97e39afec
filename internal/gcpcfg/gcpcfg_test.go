package gcpcfg

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFind finds credential files as GOOGLE_APPLICATION_CREDENTIALS and
// gcloud's well-known file name them, and says what they are without
// their secrets.
func TestFind(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, file, env string // env: GOOGLE_APPLICATION_CREDENTIALS names the file; else gcloud's file
		want, project   string
	}{
		{
			name: "service account", env: "key.json",
			file: `{"type":"service_account","project_id":"proj-1","client_email":"sa@proj-1.iam.gserviceaccount.com","private_key":"SECRET-KEY","token_uri":"http://127.0.0.1:1/token"}`,
			want: "service account sa@proj-1.iam.gserviceaccount.com", project: "proj-1",
		},
		{
			name: "gcloud login",
			file: `{"type":"authorized_user","client_id":"id","client_secret":"SECRET-CLIENT","refresh_token":"SECRET-REFRESH"}`,
			want: "gcloud user login",
		},
		{
			name: "federation", env: "wif.json",
			file: `{"type":"external_account","audience":"//iam.googleapis.com/x","subject_token_type":"urn:ietf:params:oauth:token-type:jwt","token_url":"https://sts.googleapis.com/v1/token","credential_source":{"file":"/dev/null"}}`,
			want: "external_account " + filepath.Join(dir, "wif.json"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := filepath.Join(dir, tt.name)
			t.Setenv("HOME", home)
			t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
			path := filepath.Join(home, ".config", "gcloud", "application_default_credentials.json")
			if tt.env != "" {
				path = filepath.Join(dir, tt.env)
				t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", path)
			}
			os.MkdirAll(filepath.Dir(path), 0o700)
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := Find(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.Source != tt.want || c.Project != tt.project {
				t.Errorf("found %q of project %q, want %q of %q", c.Source, c.Project, tt.want, tt.project)
			}
			if strings.Contains(c.Source, "SECRET") {
				t.Errorf("the source shows a secret: %s", c.Source)
			}
		})
	}
}

// TestFindBadFile names the cause when GOOGLE_APPLICATION_CREDENTIALS
// names a file that is not a credential.
func TestFindBadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.json")
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", path)
	_, err := Find(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "GOOGLE_APPLICATION_CREDENTIALS") {
		t.Errorf("Find with a missing file: %v", err)
	}
}

func TestProjectAndLocation(t *testing.T) {
	t.Setenv("GOOGLE_CLOUD_PROJECT", "")
	t.Setenv("GOOGLE_CLOUD_LOCATION", "")
	creds := &Credentials{Project: "from-key"}
	if got := ProjectFrom("", creds); got != "from-key" {
		t.Errorf("project from the credentials: %q", got)
	}
	if got := LocationFrom(""); got != "us-central1" {
		t.Errorf("default location: %q", got)
	}
	t.Setenv("GOOGLE_CLOUD_PROJECT", "from-env")
	t.Setenv("GOOGLE_CLOUD_LOCATION", "europe-west4")
	if got := ProjectFrom("", creds); got != "from-env" {
		t.Errorf("project from the environment: %q", got)
	}
	if got := ProjectFrom("from-profile", creds); got != "from-profile" {
		t.Errorf("project from the profile: %q", got)
	}
	if got := LocationFrom(""); got != "europe-west4" {
		t.Errorf("location from the environment: %q", got)
	}
	if got := LocationFrom("asia-northeast1"); got != "asia-northeast1" {
		t.Errorf("location from the profile: %q", got)
	}
}
